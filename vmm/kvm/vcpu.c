// SPDX-License-Identifier: GPL-2.0
#include "vmm/kvm/vcpu.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vmm/kvm/cpu_cgroup.h"
#include "util/futex.h"
#include "vmm/kvm/cpuid.h"
#include "vmm/kvm/kvm.h"
#include "vmm/kvm/report.h"
#include "vmm/kvm/serial.h"
#include "vmm/kvm/vm.h"

#define VCPU_KICK_SIGNAL (SIGRTMIN + 1)
/*
 * How long a paused vCPU spins before it sleeps.  Waking a sleeping
 * thread costs 30 us at the median here and more under load (a futex
 * wake, then the scheduler); a pause for a migration batch is shorter
 * than this, so the resume is a store the spinning vCPU sees at once.
 */
#define VCPU_PAUSE_SPIN_NS 250000ULL

/* glibc before 2.35 does not name the field SIGEV_THREAD_ID uses. */
#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static __thread struct vcpu *current_vcpu;

struct vcpu *vcpu_current(void)
{
	return current_vcpu;
}

/* Free spin slots (pause_spin_get(), vcpu.h). */
static int spin_slots; /* set once, by vcpu_global_init() */

static void kick_handler(int sig)
{
	(void)sig; /* only here to interrupt KVM_RUN */
}

static void vcpu_global_init(void)
{
	struct sigaction sa = { .sa_handler = kick_handler };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	sigemptyset(&sa.sa_mask);
	sigaction(VCPU_KICK_SIGNAL, &sa, NULL); /* no SA_RESTART */
	__atomic_store_n(&spin_slots, cpus > 1 ? (int)cpus - 1 : 0,
			 __ATOMIC_RELEASE);
}

/* The registers the guest's ABI starts vCPU idx with. */
static int entry_state(struct vm *vm, int fd, unsigned int idx)
{
	struct kvm_sregs sr;
	struct kvm_regs r;

	if (ioctl(fd, KVM_GET_SREGS, &sr))
		return -errno;
	memset(&r, 0, sizeof(r));
	vm->abi->vcpu_state(&vm->entry, idx, &sr, &r);
	if (ioctl(fd, KVM_SET_SREGS, &sr) || ioctl(fd, KVM_SET_REGS, &r))
		return -errno;
	return 0;
}

int vcpu_create(struct vm *vm, unsigned int idx, const struct kvm_cpuid2 *cpuid,
		struct vcpu **out)
{
	struct vcpu *v = calloc(1, sizeof(*v));
	int ret;

	if (!v)
		return -ENOMEM;
	v->vm = vm;
	v->idx = idx;
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, idx);
	if (v->fd < 0) {
		ret = -errno;
		goto err_free;
	}
	v->run = mmap(NULL, vm->run_mmap_size, PROT_READ | PROT_WRITE,
		      MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		ret = -errno;
		goto err_close;
	}
	ret = x86_setup_cpuid(v->fd, idx, cpuid);
	if (!ret)
		ret = entry_state(vm, v->fd, idx);
	if (!ret && vm->irqchip && idx)
		ret = kvm_vcpu_set_runnable(v->fd);
	if (ret)
		goto err_unmap;
	*out = v;
	return 0;

err_unmap:
	munmap(v->run, vm->run_mmap_size);
err_close:
	close(v->fd);
err_free:
	free(v);
	return ret;
}

void __vcpu_force_exit(struct vcpu *v)
{
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
}

void vcpu_signal(struct vcpu *v)
{
	if (v->thread_started)
		pthread_kill(v->thread, VCPU_KICK_SIGNAL);
}

static bool vm_stopping(struct vm *vm)
{
	return __atomic_load_n(&vm->state, __ATOMIC_ACQUIRE) >= VM_STOPPING;
}

/* This vCPU is out of KVM_RUN and will look at pause_req before it
 * enters again (the pause protocol, vcpu.h). */
static void vcpu_set_out(struct vcpu *v)
{
	struct vm *vm = v->vm;

	__atomic_store_n(&v->out, true, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&vm->nr_out, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&vm->out_waiters, __ATOMIC_SEQ_CST))
		futex_wake_all(&vm->nr_out);
}

static void vcpu_clear_out(struct vcpu *v)
{
	__atomic_sub_fetch(&v->vm->nr_out, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&v->out, false, __ATOMIC_SEQ_CST);
}

bool pause_spin_get(void)
{
	int n = __atomic_load_n(&spin_slots, __ATOMIC_RELAXED);

	do {
		if (n <= 0)
			return false;
	} while (!__atomic_compare_exchange_n(&spin_slots, &n, n - 1, true,
					      __ATOMIC_ACQ_REL,
					      __ATOMIC_RELAXED));
	return true;
}

void pause_spin_put(void)
{
	__atomic_add_fetch(&spin_slots, 1, __ATOMIC_ACQ_REL);
}

/*
 * Held outside KVM_RUN while a pause lasts: spin a while (the pause is
 * usually over by then), then sleep on park_seq, which vm_resume() and
 * vm_stop() bump.  Returns true when the VM is stopping.
 */
static bool vcpu_pause_park(struct vcpu *v)
{
	struct vm *vm = v->vm;
	uint64_t t0 = vm_now_ns();
	bool stopping, spin = pause_spin_get();

	__atomic_store_n(&v->pause_held, true, __ATOMIC_RELAXED);
	vcpu_set_out(v);
	for (;;) {
		unsigned int seq;

		if (vm_stopping(vm) ||
		    !__atomic_load_n(&vm->pause_req, __ATOMIC_SEQ_CST))
			break;
		if (spin && vm_now_ns() - t0 < VCPU_PAUSE_SPIN_NS) {
			cpu_relax();
			continue;
		}
		if (spin) {
			pause_spin_put();
			spin = false;
		}
		/* Sleeper first, then the sequence, then the condition: a
		 * resume in between changes park_seq and the wait returns. */
		__atomic_add_fetch(&vm->park_sleepers, 1, __ATOMIC_SEQ_CST);
		seq = __atomic_load_n(&vm->park_seq, __ATOMIC_SEQ_CST);
		if (!vm_stopping(vm) &&
		    __atomic_load_n(&vm->pause_req, __ATOMIC_SEQ_CST))
			futex_wait(&vm->park_seq, seq, NULL);
		__atomic_sub_fetch(&vm->park_sleepers, 1, __ATOMIC_SEQ_CST);
	}
	if (spin)
		pause_spin_put();
	stopping = vm_stopping(vm);
	vcpu_clear_out(v);
	if (!stopping)
		__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	return stopping;
}

/*
 * Park for the idle/sleep ports until a kick or the deadline (0: none).
 * A pause meanwhile is the caller's to see: it looks at pause_req before
 * KVM_RUN.  Returns true when the VM is stopping.
 */
static bool vcpu_idle_park(struct vcpu *v, uint64_t deadline)
{
	struct vm *vm = v->vm;
	bool stopping = false;
	struct timespec ts;

	vcpu_set_out(v);
	/* Idle, as its guest asked: it neither runs nor waits for memory. */
	psi_task_idle(&vm->psi_task[v->idx], true);
	pthread_mutex_lock(&vm->lock);
	for (;;) {
		if (vm->state >= VM_STOPPING) {
			stopping = true;
			break;
		}
		if (v->kicked) {
			v->kicked = false;
			break;
		}
		if (!deadline) {
			pthread_cond_wait(&vm->cond, &vm->lock);
			continue;
		}
		if (vm_now_ns() >= deadline)
			break;
		ts.tv_sec = deadline / 1000000000;
		ts.tv_nsec = deadline % 1000000000;
		pthread_cond_timedwait(&vm->cond, &vm->lock, &ts);
	}
	pthread_mutex_unlock(&vm->lock);
	psi_task_idle(&vm->psi_task[v->idx], false);
	vcpu_clear_out(v);
	if (!stopping)
		__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	return stopping;
}

static void kick_others(struct vcpu *self)
{
	struct vm *vm = self->vm;

	pthread_mutex_lock(&vm->lock);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpu[i] != self)
			vm->vcpu[i]->kicked = true;
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
}

void vm_kick_vcpu(struct vm *vm, unsigned int idx)
{
	if (idx >= vm->nr_vcpus)
		return;
	pthread_mutex_lock(&vm->lock);
	vm->vcpu[idx]->kicked = true;
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
}

/* The services shared by the ports and the PV page (abi.h). */
static void pv_report(struct vcpu *v, uint32_t gpa)
{
	report_handle(v->vm, v->idx, gpa);
}

static void pv_idle(struct vcpu *v, uint32_t sleep_us)
{
	v->stats.idle++;
	vcpu_idle_park(v,
		       sleep_us ? vm_now_ns() + (uint64_t)sleep_us * 1000 : 0);
}

static void handle_port(struct vcpu *v, uint16_t port, bool out, uint8_t size,
			uint8_t *data)
{
	struct vm *vm = v->vm;
	uint32_t val = 0;

	memcpy(&val, data, size > 4 ? 4 : size);
	if (serial_owns_port(port)) {
		serial_io(&vm->serial, v->idx, port, out, data);
		return;
	}
	if (!out) {
		/* Nothing else is readable: floating bus, all ones. */
		memset(data, 0xff, size);
		v->stats.unknown_io++;
		return;
	}
	switch (port) {
	case GUEST_REPORT_PORT:
		if (size != 4)
			vm_stop(vm, VM_EXIT_BAD_GUEST_IO,
				"vCPU %u: %u-byte write to the report port",
				v->idx, size);
		else
			pv_report(v, val);
		break;
	case GUEST_IDLE_PORT:
		pv_idle(v, 0);
		break;
	case GUEST_SLEEP_PORT:
		pv_idle(v, val ? val : 1);
		break;
	case GUEST_KICK_PORT:
		kick_others(v);
		break;
	default:
		v->stats.unknown_io++; /* e.g. port 0x80 delays: ignore */
	}
}

/* A store to the PV page, or a read (0 but for GUEST_PV_POWER). */
static int handle_pv(struct vcpu *v, uint64_t off, uint8_t *data, uint32_t len,
		     bool is_write)
{
	uint32_t val = 0;

	if (!is_write) {
		memset(data, 0, len);
		if (off == GUEST_PV_POWER && vm_shutdown_requested(v->vm))
			data[0] = 1;
		return 0;
	}
	memcpy(&val, data, len < 4 ? len : 4);
	switch (off) {
	case GUEST_PV_CONSOLE:
		for (uint32_t i = 0; i < len; i++)
			if (data[i])
				serial_io(&v->vm->serial, v->idx,
					  GUEST_SERIAL_PORT, true, &data[i]);
		return 0;
	case GUEST_PV_REPORT:
		if (len != 4)
			return -EINVAL;
		pv_report(v, val);
		return 0;
	case GUEST_PV_IDLE:
		pv_idle(v, 0);
		return 0;
	case GUEST_PV_SLEEP:
		pv_idle(v, val ? val : 1);
		return 0;
	case GUEST_PV_KICK:
		kick_others(v);
		return 0;
	default:
		return -EINVAL;
	}
}

static int handle_io(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;

	v->stats.io++;
	for (uint32_t i = 0; i < run->io.count; i++)
		handle_port(v, run->io.port,
			    run->io.direction == KVM_EXIT_IO_OUT, run->io.size,
			    data + i * run->io.size);
	return 0;
}

static int handle_mmio(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	int ret;

	v->stats.mmio++;
	if (run->mmio.phys_addr - GUEST_PV_GPA < 0x1000 && run->mmio.len <= 8)
		ret = handle_pv(v, run->mmio.phys_addr - GUEST_PV_GPA,
				run->mmio.data, run->mmio.len,
				run->mmio.is_write);
	else
		ret = vm_mmio_access(v->vm, run->mmio.phys_addr, run->mmio.data,
				     run->mmio.len, run->mmio.is_write);
	if (ret)
		vm_stop(v->vm, VM_EXIT_BAD_GUEST_IO,
			"vCPU %u: MMIO at %#llx: %s", v->idx,
			(unsigned long long)run->mmio.phys_addr,
			strerror(-ret));
	return ret;
}

/*
 * With an in-kernel irqchip a halted vCPU sleeps inside KVM_RUN instead of
 * exiting to us.  One that halted with interrupts off (our guest's `halt`,
 * a dying kernel's last `cli; hlt`) would sleep there for ever and keep
 * its frames: a timer of this thread's own kicks it out of KVM_RUN every
 * VCPU_HALT_CHECK_NS, and then we ask KVM whether it is halted for good.
 * A vCPU that halted with interrupts on is idle, not dead: it goes back.
 */
#define VCPU_HALT_CHECK_NS (100 * 1000000L)

static int halt_watch_start(struct vcpu *v)
{
	struct sigevent sev = {
		.sigev_notify = SIGEV_THREAD_ID,
		.sigev_signo = VCPU_KICK_SIGNAL,
	};
	struct itimerspec its = {
		.it_interval = { 0, VCPU_HALT_CHECK_NS },
		.it_value = { 0, VCPU_HALT_CHECK_NS },
	};

	sev.sigev_notify_thread_id = gettid();
	if (timer_create(CLOCK_MONOTONIC, &sev, &v->halt_timer))
		return -errno;
	if (timer_settime(v->halt_timer, 0, &its, NULL)) {
		int ret = -errno;

		timer_delete(v->halt_timer);
		return ret;
	}
	v->halt_watch = true;
	return 0;
}

static void halt_watch_check(struct vcpu *v)
{
	if (v->halt_watch && kvm_vcpu_halted_for_good(v->fd))
		vm_stop(v->vm, VM_EXIT_HALT,
			"vCPU %u halted with interrupts off", v->idx);
}

/* One exit; the VM is stopped (with the reason) where we cannot go on. */
static void handle_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	struct vm *vm = v->vm;

	v->stats.exits++;
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		handle_io(v);
		break;
	case KVM_EXIT_MMIO:
		handle_mmio(v);
		break;
	case KVM_EXIT_INTR:
		/* A kick: the loop looks at pause/stop. */
		halt_watch_check(v);
		break;
	case KVM_EXIT_HLT:
		/* No irqchip (else KVM keeps HLT): nothing but an interrupt
		 * could wake it, and none can come. */
		vm_stop(vm, VM_EXIT_HALT, "vCPU %u halted", v->idx);
		break;
	case KVM_EXIT_SHUTDOWN:
		vm_stop(vm, VM_EXIT_SHUTDOWN, "vCPU %u: triple fault", v->idx);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		vm_stop(vm, VM_EXIT_FAIL_ENTRY,
			"vCPU %u: hardware entry failure %#llx on CPU %u",
			v->idx,
			(unsigned long long)
				run->fail_entry.hardware_entry_failure_reason,
			run->fail_entry.cpu);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		vm_stop(vm, VM_EXIT_INTERNAL_ERROR,
			"vCPU %u: suberror %u (%u data words)", v->idx,
			run->internal.suberror, run->internal.ndata);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		vm_stop(vm, VM_EXIT_SYSTEM_EVENT, "vCPU %u: event type %u",
			v->idx, run->system_event.type);
		break;
	case KVM_EXIT_DEBUG:
		vm_stop(vm, VM_EXIT_DEBUG, "vCPU %u: exception %u at %#llx",
			v->idx, run->debug.arch.exception,
			(unsigned long long)run->debug.arch.pc);
		break;
	case KVM_EXIT_UNKNOWN:
		vm_stop(vm, VM_EXIT_UNHANDLED_EXIT,
			"vCPU %u: unknown exit, hardware reason %#llx", v->idx,
			(unsigned long long)run->hw.hardware_exit_reason);
		break;
	/* x86 exits that only come when we ask for them (we do not). */
	case KVM_EXIT_EXCEPTION:
	case KVM_EXIT_HYPERCALL:
	case KVM_EXIT_IRQ_WINDOW_OPEN:
	case KVM_EXIT_SET_TPR:
	case KVM_EXIT_TPR_ACCESS:
	case KVM_EXIT_NMI:
	case KVM_EXIT_IOAPIC_EOI:
	case KVM_EXIT_HYPERV:
	case KVM_EXIT_X86_RDMSR:
	case KVM_EXIT_X86_WRMSR:
	case KVM_EXIT_DIRTY_RING_FULL:
	case KVM_EXIT_AP_RESET_HOLD:
	case KVM_EXIT_X86_BUS_LOCK:
	case KVM_EXIT_XEN:
	case KVM_EXIT_NOTIFY:
	/* Other architectures'. */
	case KVM_EXIT_S390_SIEIC:
	case KVM_EXIT_S390_RESET:
	case KVM_EXIT_DCR:
	case KVM_EXIT_OSI:
	case KVM_EXIT_PAPR_HCALL:
	case KVM_EXIT_S390_UCONTROL:
	case KVM_EXIT_WATCHDOG:
	case KVM_EXIT_S390_TSCH:
	case KVM_EXIT_EPR:
	case KVM_EXIT_S390_STSI:
	case KVM_EXIT_ARM_NISV:
	case KVM_EXIT_RISCV_SBI:
	case KVM_EXIT_RISCV_CSR:
	default: /* newer than our headers, e.g. MEMORY_FAULT */
		vm_stop(vm, VM_EXIT_UNHANDLED_EXIT, "vCPU %u: exit %u (%s)",
			v->idx, run->exit_reason,
			kvm_exit_name(run->exit_reason));
	}
}

static void vcpu_thread_done(struct vcpu *v)
{
	struct vm *vm = v->vm;
	uint64_t one = 1;

	/* Out for good: a pauser counts it as held, and waits for no
	 * return to the guest. */
	__atomic_store_n(&v->pause_held, false, __ATOMIC_RELEASE);
	vcpu_set_out(v);
	pthread_mutex_lock(&vm->lock);
	if (++vm->nr_exited == vm->nr_vcpus) {
		serial_flush(&vm->serial);
		/* Read locklessly too (vm_pause, the migrate op). */
		__atomic_store_n(&vm->state, VM_STOPPED, __ATOMIC_SEQ_CST);
		if (write(vm->stop_efd, &one, sizeof(one)) < 0) {
			/* cannot fail on a fresh eventfd; nothing to do */
		}
	}
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct vm *vm = v->vm;
	uint64_t left = 0; /* when KVM_RUN last returned */
	sigset_t set;
	int ret;

	current_vcpu = v;
	/* Its faults are told apart from other threads' by this id
	 * (UFFD_FEATURE_THREAD_ID): a stall of one is this vCPU's. */
	psi_task_start(&vm->psi_task[v->idx], gettid());
	/* Whoever created us may block signals for a signalfd: not this. */
	sigemptyset(&set);
	sigaddset(&set, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	/* Bounded from the guest's first instruction on. */
	if (vm->cpu_cg && (ret = cpu_cgroup_attach_self(vm->cpu_cg)))
		vm_stop(vm, VM_EXIT_HOST_ERROR,
			"vCPU %u: cannot join cgroup %s: %s", v->idx,
			cpu_cgroup_path(vm->cpu_cg), strerror(-ret));
	if (vm->irqchip && halt_watch_start(v))
		vm_stop(vm, VM_EXIT_HOST_ERROR,
			"vCPU %u: no timer to watch for a final halt", v->idx);
	for (;;) {
		if (vm_stopping(vm))
			break;
		if (__atomic_load_n(&vm->pause_req, __ATOMIC_SEQ_CST)) {
			if (vcpu_pause_park(v))
				break;
			/* What the guest lost to the pause, from its exit
			 * to the entry that follows now. */
			if (left)
				hist_add(&vm->pause_stall_ns,
					 vm_now_ns() - left);
			left = 0;
			continue;
		}
		/* Back in the guest: the next pause may begin (vm_pause()
		 * waits for this, so each pause is one stall). */
		if (__atomic_load_n(&v->pause_held, __ATOMIC_RELAXED))
			__atomic_store_n(&v->pause_held, false,
					 __ATOMIC_RELEASE);
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			left = vm_now_ns();
			if (errno == EINTR) {
				halt_watch_check(v);
				continue;
			}
			if (errno == EAGAIN)
				continue;
			vm_stop(vm, VM_EXIT_HOST_ERROR, "vCPU %u: KVM_RUN: %s",
				v->idx, strerror(errno));
			continue;
		}
		handle_exit(v);
		/* After the exit is served (an idle park is not a stall). */
		left = vm_now_ns();
	}
	if (v->halt_watch)
		timer_delete(v->halt_timer);
	psi_task_stop(&vm->psi_task[v->idx]);
	vcpu_thread_done(v);
	return NULL;
}

int vcpu_start(struct vcpu *v)
{
	int ret;

	pthread_once(&global_once, vcpu_global_init);
	ret = pthread_create(&v->thread, NULL, vcpu_thread, v);
	if (ret)
		return -ret;
	v->thread_started = true;
	return 0;
}

void vcpu_destroy(struct vcpu *v)
{
	if (!v)
		return;
	munmap(v->run, v->vm->run_mmap_size);
	close(v->fd);
	free(v);
}
