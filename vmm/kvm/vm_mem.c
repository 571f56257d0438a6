// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM of a VM backed by the pool (vmm/guest_mem/guest_mem.c): the VM layer's
 * view (vm_mem.h) on top of struct guest_mem.  With no pool (or
 * GUEST_BACKING_ANON) RAM is plain anonymous memory: the kernel's own
 * fault path, which the fault benchmark uses as its baseline.
 */
#include "vmm/kvm/vm_mem.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "vmm/guest_mem/guest_mem.h"
#include "util/sysctl.h"
#include "vmm/kvm/vm.h"

static void vm_mem_oom(void *arg, uint64_t gpa)
{
	struct vm *vm = arg;

	vm_stop(vm, VM_EXIT_OOM,
		"out of memory: the pool cannot back gpa 0x%llx",
		(unsigned long long)gpa);
}

/* Mappings may still be made this close to the limit (a split needs
 * up to two). */
#define MAP_COUNT_SLACK 16

/*
 * The pool had the frames for gpa, the host would not map them: say
 * which host limit, with what to do about it.  Linux's mmap says ENOMEM
 * both at vm.max_map_count and when the kernel is short of memory; the
 * mapping count tells them apart.
 */
static void vm_mem_host_limit(void *arg, uint64_t gpa, int err)
{
	struct vm *vm = arg;
	uint64_t max = host_max_map_count();
	uint64_t maps = host_nr_mappings(), want = 2 * max;

	if (vm->res.pool && want < host_map_count_for(vm->res.pool->nr_frames))
		want = host_map_count_for(vm->res.pool->nr_frames);
	if (err == -EIO)
		vm_stop(vm, VM_EXIT_HOST_ERROR,
			"the cold tier cannot give back gpa 0x%llx: %s; stopped rather than given a wrong page",
			(unsigned long long)gpa, strerror(EIO));
	else if (err == -ENOSPC && max && maps + MAP_COUNT_SLACK >= max)
		vm_stop(vm, VM_EXIT_HOST_LIMIT,
			"vm.max_map_count (%" PRIu64
			") reached: cannot map gpa 0x%llx; raise it: sysctl -w vm.max_map_count=%" PRIu64,
			max, (unsigned long long)gpa, want);
	else
		vm_stop(vm, VM_EXIT_HOST_LIMIT,
			"cannot map gpa 0x%llx: %s (%" PRIu64
			" mappings, vm.max_map_count %" PRIu64 ")",
			(unsigned long long)gpa,
			strerror(err == -ENOSPC ? ENOMEM : -err), maps, max);
}

/* Pages of a paused guest move: its devices must not write them
 * either (a used ring written by the event loop during the copy would be
 * lost). */
static int vm_mem_pause(void *arg, uint64_t *raised_ns)
{
	return vm_pause_devices(arg, raised_ns);
}

static void vm_mem_resume(void *arg)
{
	vm_resume_devices(arg);
}

static bool vm_mem_idle(void *arg)
{
	return vm_vcpus_idle(arg);
}

/* The vCPU task of thread tid: a handful to look at, per fault. */
static struct psi_task *vm_mem_psi_task(void *arg, int tid)
{
	struct vm *vm = arg;

	if (tid <= 0)
		return NULL;
	for (unsigned int i = 0; i < vm->spec.nr_vcpus; i++)
		if (psi_task_tid(&vm->psi_task[i]) == tid)
			return &vm->psi_task[i];
	return NULL;
}

int vm_mem_init(struct vm *vm)
{
	struct guest_mem_config cfg = {
		.owner = vm->slot,
		.id = vm->id,
		.name = vm->name,
		.size = vm->ram_size,
		.nr_nodes = vm->nr_nodes,
		.strict = vm->spec.strict,
		.pinned_start = vm->spec.pinned_bytes ? GUEST_RAM_START : 0,
		.pinned_size = vm->spec.pinned_bytes,
		.backing = vm->res.pool ? vm->res.backing : GUEST_BACKING_ANON,
		.no_huge = vm->res.no_huge,
		.pool = vm->res.pool,
		.vm_fd = vm->vm_fd,
		.oom = vm_mem_oom,
		.host_limit = vm_mem_host_limit,
		.pause = vm_mem_pause,
		.resume = vm_mem_resume,
		.idle = vm_mem_idle,
		.psi_task = vm_mem_psi_task,
		.migrate_by_pause = vm->res.migrate_by_pause,
		.tier = vm->res.tier,
		.swap_max = vm->spec.swap_set ?
				    vm->spec.swap_bytes >> PAGE_SHIFT :
				    UINT64_MAX,
		.arg = vm,
	};
	struct guest_mem *mem;
	int ret;

	for (unsigned int n = 0; n < vm->nr_nodes; n++) {
		cfg.node[n] = vm->node[n];
		cfg.pnode[n] = vm->pnode[n];
	}
	ret = guest_mem_create(&cfg, &mem);
	if (ret)
		return ret;
	vm->mem = mem;
	vm->ram_hva = mem->hva;
	return 0;
}

void vm_mem_destroy(struct vm *vm)
{
	guest_mem_destroy(vm->mem);
	vm->mem = NULL;
	vm->ram_hva = NULL;
}

void *vm_mem_hva(struct vm *vm, uint64_t gpa, uint64_t len)
{
	return vm->mem ? guest_mem_host_hva(vm->mem, gpa, len) : NULL;
}

int vm_mem_populate(struct vm *vm, uint64_t gpa, uint64_t len)
{
	return vm->mem ? guest_mem_back(vm->mem, gpa, len) : -EFAULT;
}
