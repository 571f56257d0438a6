// SPDX-License-Identifier: GPL-2.0
/*
 * Asking a guest to shut down (vm.h: vm_request_shutdown()), as opposed
 * to vm_stop(), which takes its vCPUs away wherever they are.  The guest
 * polls GUEST_PV_POWER at points where its state is whole (our guest:
 * between workload steps and in its naps), so the host only raises a
 * flag and ends vCPU 0's nap; enforcing the time-out is the caller's,
 * since only it has a clock to hang that on (the control socket's loop).
 */
#include <errno.h>

#include "mm/types.h"
#include "vmm/kvm/vm.h"

int vm_request_shutdown(struct vm *vm, uint64_t timeout_ns)
{
	pthread_mutex_lock(&vm->lock);
	if (vm->state != VM_RUNNING) {
		pthread_mutex_unlock(&vm->lock);
		return -ESRCH;
	}
	WRITE_ONCE(vm->shutdown_req, true);
	vm->shutdown_deadline_ns = timeout_ns ? vm_now_ns() + timeout_ns : 0;
	pthread_mutex_unlock(&vm->lock);
	/* Our guest polls on vCPU 0: its nap ends now, not in 20 ms. */
	vm_kick_vcpu(vm, 0);
	return 0;
}

bool vm_shutdown_requested(struct vm *vm)
{
	return READ_ONCE(vm->shutdown_req);
}

bool vm_shutdown_overdue(struct vm *vm, uint64_t now)
{
	bool overdue;

	pthread_mutex_lock(&vm->lock);
	overdue = vm->shutdown_req && vm->state == VM_RUNNING &&
		  vm->shutdown_deadline_ns && now >= vm->shutdown_deadline_ns;
	pthread_mutex_unlock(&vm->lock);
	return overdue;
}
