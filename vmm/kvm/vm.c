// SPDX-License-Identifier: GPL-2.0
#include "vmm/kvm/vm.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "mm/mm.h"
#include "vmm/kvm/cpu_cgroup.h"
#include "util/errf.h"
#include "util/futex.h"
#include "util/wait.h"
#include "vmm/kvm/kvm.h"
#include "util/size.h"
#include "vmm/kvm/vcpu.h"
#include "vmm/kvm/vm_mem.h"

_Static_assert(VMM_MAX_VCPUS <= GUEST_MAX_VCPUS, "boot stacks per vCPU");

static const char *const exit_names[] = {
#define VM_EXIT_NAME(name, text) text,
	VM_EXIT_REASONS(VM_EXIT_NAME)
#undef VM_EXIT_NAME
};

const char *vm_exit_reason_name(enum vm_exit_reason why)
{
	return why < NR_VM_EXIT_REASONS ? exit_names[why] : "?";
}

uint64_t vm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Split RAM evenly over the nodes in 2 MiB multiples; the last node
 * takes the remainder. */
static int layout_nodes(struct vm *vm, char *err, size_t errlen)
{
	const uint64_t sz2m = 2UL << 20;
	uint64_t per = vm->ram_size / vm->nr_nodes / sz2m * sz2m, at = 0;

	char a[32];

	if (!per)
		return errf(err, errlen, -EINVAL,
			    "%u nodes of whole 2 MiB do not fit in %s",
			    vm->nr_nodes,
			    format_size(vm->ram_size, a, sizeof(a)));
	for (unsigned int i = 0; i < vm->nr_nodes; i++) {
		vm->node[i].start = at;
		vm->node[i].size = i + 1 == vm->nr_nodes ? vm->ram_size - at :
							   per;
		at += vm->node[i].size;
	}
	return 0;
}

static int check_spec(const struct guest_spec *spec, char *err, size_t errlen)
{
	const uint64_t sz2m = 2UL << 20;
	char a[32], b[32], c[32];

	if (spec->mem_bytes % sz2m || spec->mem_bytes < 2 * GUEST_RAM_START ||
	    spec->mem_bytes > GUEST_RAM_MAX)
		return errf(err, errlen, -EINVAL,
			    "memory %s: need a 2 MiB multiple, %s .. %s",
			    format_size(spec->mem_bytes, a, sizeof(a)),
			    format_size(2 * GUEST_RAM_START, b, sizeof(b)),
			    format_size(GUEST_RAM_MAX, c, sizeof(c)));
	if (spec->nr_vcpus < 1 || spec->nr_vcpus > VMM_MAX_VCPUS) {
		snprintf(err, errlen, "%u vCPUs: need 1 .. %d", spec->nr_vcpus,
			 VMM_MAX_VCPUS);
		return -EINVAL;
	}
	if (spec->nr_vnodes > GUEST_MAX_NODES) {
		snprintf(err, errlen, "%u nodes: at most %d", spec->nr_vnodes,
			 GUEST_MAX_NODES);
		return -EINVAL;
	}
	if (spec->script && strlen(spec->script) >= GUEST_CMDLINE_MAX) {
		snprintf(err, errlen, "script longer than %d bytes",
			 GUEST_CMDLINE_MAX - 1);
		return -E2BIG;
	}
	return 0;
}

static void *boot_hva(void *ctx, uint64_t gpa, uint64_t len)
{
	return vm_mem_hva(ctx, gpa, len);
}

static int boot_populate(void *ctx, uint64_t gpa, uint64_t len)
{
	return vm_mem_populate(ctx, gpa, len);
}

/* The VM as its guest ABI sees it (vmm/loader/loader.h). */
static struct boot_vm boot_view(struct vm *vm)
{
	return (struct boot_vm){
		.ram_size = vm->ram_size,
		.nr_nodes = vm->nr_nodes,
		.node = vm->node,
		.nr_vcpus = vm->nr_vcpus,
		.tsc_khz = vm->tsc_khz,
		.cmdline = vm->spec.script,
		.pinned_size = vm->spec.pinned_bytes,
		.irqchip = vm->irqchip,
		.nr_devices = vm->nr_devices,
		.dev = vm->dev,
		.hva = boot_hva,
		.populate = boot_populate,
		.ctx = vm,
	};
}

static int load_kernel(struct vm *vm, const void *image, size_t len, char *err,
		       size_t errlen)
{
	struct boot_vm bv = boot_view(vm);
	char why[160], what[160];
	int ret;

	vm->abi = guest_abi_find(image, len, what, sizeof(what));
	ret = vm->abi->load(&bv, image, len, &vm->entry, why, sizeof(why));
	if (ret)
		return errf(err, errlen, ret, "guest kernel: %s%s%s", why,
			    what[0] ? "; the image is " : "", what);
	return 0;
}

static int create_vcpus(struct vm *vm, char *err, size_t errlen)
{
	struct kvm_cpuid2 *cpuid;
	int ret, khz;

	ret = kvm_supported_cpuid(vm->kvm_fd, &cpuid);
	if (ret) {
		snprintf(err, errlen, "KVM_GET_SUPPORTED_CPUID");
		return ret;
	}
	for (unsigned int i = 0; i < vm->spec.nr_vcpus; i++) {
		ret = vcpu_create(vm, i, cpuid, &vm->vcpu[i]);
		if (ret) {
			snprintf(err, errlen, "vCPU %u: %s", i, strerror(-ret));
			break;
		}
		vm->nr_vcpus++;
	}
	free(cpuid);
	if (ret)
		return ret;
	khz = ioctl(vm->vcpu[0]->fd, KVM_GET_TSC_KHZ, 0);
	vm->tsc_khz = khz > 0 ? khz : 0;
	return 0;
}

/*
 * Guest node n's pool node: as asked, or spread round-robin from the VM's
 * slot so that the guests running together share the pool's nodes
 * evenly (slots are dense, ids are not).
 */
static int map_nodes(struct vm *vm, char *err, size_t errlen)
{
	unsigned int pool_nodes = vm->res.pool ? vm->res.pool->nr_nodes : 1;

	for (unsigned int n = 0; n < vm->nr_nodes; n++) {
		int p = vm->spec.vnode_to_pnode[n];

		if (p < 0)
			p = (vm->slot + n) % pool_nodes;
		if (p >= (int)pool_nodes) {
			snprintf(
				err, errlen,
				"guest node %u maps to pool node %d, but the pool has %u",
				n, p, pool_nodes);
			return -EINVAL;
		}
		vm->pnode[n] = p;
	}
	if (GUEST_RAM_START + vm->spec.pinned_bytes > vm->ram_size &&
	    vm->spec.pinned_bytes) {
		snprintf(err, errlen, "pinned region does not fit in RAM");
		return -EINVAL;
	}
	return 0;
}

/*
 * The guest's pressure group and its vCPUs' tasks, on the host's clock;
 * each task counts in the groups of the pool nodes behind the guest's
 * nodes too (after map_nodes()).
 */
static void psi_init(struct vm *vm)
{
	psi_group_init(&vm->psi, clock_now_ns(&clock_monotonic));
	for (unsigned int i = 0; i < GUEST_MAX_VCPUS; i++)
		psi_task_init(&vm->psi_task[i], &clock_monotonic, &vm->psi);
}

static void psi_set_nodes(struct vm *vm)
{
	if (!vm->res.psi_nodes)
		return;
	for (unsigned int i = 0; i < GUEST_MAX_VCPUS; i++)
		for (unsigned int n = 0; n < vm->nr_nodes; n++)
			psi_task_set_node(&vm->psi_task[i], vm->pnode[n],
					  &vm->res.psi_nodes[vm->pnode[n]]);
}

int vm_create_msg(const struct guest_spec *spec, unsigned int id,
		  const void *image, size_t image_len, struct vm **out,
		  char *err, size_t errlen)
{
	return vm_create_res(spec, id, NULL, image, image_len, out, err,
			     errlen);
}

int vm_create_res(const struct guest_spec *spec, unsigned int id,
		  const struct vm_resources *res, const void *image,
		  size_t image_len, struct vm **out, char *err, size_t errlen)
{
	struct vm *vm;
	int ret;

	*out = NULL;
	err[0] = '\0';
	ret = check_spec(spec, err, errlen);
	if (ret)
		return ret;
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->spec = *spec;
	vm->spec.script = strdup(spec->script ? spec->script : "");
	vm->spec.kernel_path = NULL; /* the caller passed the image */
	vm->id = id;
	if (res)
		vm->res = *res;
	vm->slot = vm->res.slot ? vm->res.slot : id;
	vm->kvm_fd = vm->vm_fd = vm->stop_efd = -1;
	if (spec->name[0])
		snprintf(vm->name, sizeof(vm->name), "%s", spec->name);
	else
		snprintf(vm->name, sizeof(vm->name), "vm%u", id);
	vm->ram_size = spec->mem_bytes;
	vm->nr_nodes = spec->nr_vnodes ? spec->nr_vnodes : 1;
	vm->serial.name = vm->name;
	vm->serial.out = vm->res.console ? vm->res.console : stdout;
	vm->serial.quiet = vm->res.quiet;
	pthread_mutex_init(&vm->lock, NULL);
	if (cond_init_monotonic(&vm->cond)) {
		pthread_mutex_destroy(&vm->lock);
		free(vm->spec.script);
		free(vm);
		return -ENOMEM;
	}
	psi_init(vm);
	if (!vm->spec.script) {
		ret = -ENOMEM;
		goto err;
	}
	ret = layout_nodes(vm, err, errlen);
	if (ret)
		goto err;
	ret = map_nodes(vm, err, errlen);
	if (ret)
		goto err;
	psi_set_nodes(vm);
	vm->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->stop_efd < 0) {
		ret = -errno;
		snprintf(err, errlen, "eventfd");
		goto err;
	}
	vm->kvm_fd = kvm_open_dev(KVM_DEV, err, errlen);
	if (vm->kvm_fd < 0) {
		ret = vm->kvm_fd;
		goto err;
	}
	vm->run_mmap_size = kvm_vcpu_mmap_size(vm->kvm_fd);
	vm->vm_fd = kvm_create_vm(vm->kvm_fd);
	if (vm->vm_fd < 0 || vm->run_mmap_size < 0) {
		ret = vm->vm_fd < 0 ? vm->vm_fd : vm->run_mmap_size;
		snprintf(err, errlen, "%s: %s",
			 vm->vm_fd < 0 ? "KVM_CREATE_VM" :
					 "KVM_GET_VCPU_MMAP_SIZE",
			 strerror(-ret));
		goto err;
	}
	/* Created below, but the page tables need to know (x86_boot.c). */
	vm->irqchip = !vm->res.no_irqchip;
	ret = vm_mem_init(vm);
	if (ret) {
		snprintf(err, errlen, "guest memory");
		goto err;
	}
	ret = vm_mem_populate(vm, 0, GUEST_RAM_START);
	if (ret) {
		snprintf(err, errlen,
			 ret == -ENOMEM ? "the pool cannot back the boot area" :
					  "cannot back the boot area");
		goto err;
	}
	ret = load_kernel(vm, image, image_len, err, errlen);
	if (ret)
		goto err;
	/* After the memslots: installing the first memslot waits for an
	 * SRCU grace period, which an irqchip that exists already makes
	 * several milliseconds long here (KVM_SET_USER_MEMORY_REGION: 5 ms
	 * after KVM_CREATE_IRQCHIP, 0.3 ms before it).  Before the vCPUs,
	 * as KVM requires. */
	if (vm->irqchip) {
		ret = kvm_create_irqchip(vm->vm_fd);
		if (ret) {
			snprintf(err, errlen, "KVM_CREATE_IRQCHIP");
			goto err;
		}
	}
	ret = create_vcpus(vm, err, errlen);
	if (ret)
		goto err;
	if (spec->cpu_max_pct) {
		char name[VMM_NAME_MAX + 32];

		snprintf(name, sizeof(name), "vmm-%d-%u-%s", (int)getpid(), id,
			 vm->name);
		ret = cpu_cgroup_create(NULL, name, spec->cpu_max_pct,
					&vm->cpu_cg, err, errlen);
		if (ret)
			goto err;
	}
	*out = vm;
	return 0;

err:
	vm_destroy(vm);
	return ret;
}

int vm_create(const struct guest_spec *spec, unsigned int id, const void *image,
	      size_t image_len, struct vm **out)
{
	char err[200];
	int ret = vm_create_msg(spec, id, image, image_len, out, err,
				sizeof(err));

	if (ret)
		fprintf(stderr, "vmm: guest %s: %s: %s\n",
			spec->name[0] ? spec->name : "?", err, strerror(-ret));
	return ret;
}

int vm_add_device(struct vm *vm, const struct boot_device *dev)
{
	if (vm->nr_devices == GUEST_MAX_DEVICES)
		return -ENOSPC;
	vm->dev[vm->nr_devices++] = *dev;
	return 0;
}

/* What the guest's ABI promises at entry, once its devices are known. */
static int abi_setup(struct vm *vm, char *err, size_t errlen)
{
	struct boot_vm bv = boot_view(vm);
	char why[VM_DETAIL_MAX - 32];
	int ret = vm->abi->setup(&bv, why, sizeof(why));

	if (ret)
		snprintf(err, errlen, "guest ABI %s: %s", vm->abi->name, why);
	return ret;
}

int vm_start(struct vm *vm)
{
	char why[VM_DETAIL_MAX] = "cannot start vCPU threads";
	int ret;

	pthread_mutex_lock(&vm->lock);
	if (vm->state != VM_CREATED) {
		pthread_mutex_unlock(&vm->lock);
		return -EBUSY;
	}
	ret = abi_setup(vm, why, sizeof(why));
	vm->start_ns = vm_now_ns();
	__atomic_store_n(&vm->state, VM_RUNNING, __ATOMIC_SEQ_CST);
	/* Under the lock, so vm_stop never sees a half-started thread. */
	for (unsigned int i = 0; i < vm->nr_vcpus && !ret; i++)
		ret = vcpu_start(vm->vcpu[i]);
	pthread_mutex_unlock(&vm->lock);
	if (ret) {
		unsigned int started = 0;

		for (unsigned int i = 0; i < vm->nr_vcpus; i++)
			started += vm->vcpu[i]->thread_started;
		vm_stop(vm, VM_EXIT_HOST_ERROR, "%s", why);
		/* Threads never started count as exited. */
		pthread_mutex_lock(&vm->lock);
		vm->nr_exited += vm->nr_vcpus - started;
		if (vm->nr_exited == vm->nr_vcpus)
			__atomic_store_n(&vm->state, VM_STOPPED,
					 __ATOMIC_SEQ_CST);
		pthread_mutex_unlock(&vm->lock);
	}
	return ret;
}

/* Let parked vCPUs go: the spinning ones see the store, the sleeping
 * ones need the wake. */
static void release_parked(struct vm *vm)
{
	__atomic_add_fetch(&vm->park_seq, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&vm->park_sleepers, __ATOMIC_SEQ_CST))
		futex_wake_all(&vm->park_seq);
}

/*
 * A guest that panicked said why before it stopped (its exit, triple
 * fault or halt follows): the reason carries its words (vm->lock held).
 */
static void __vm_detail_add_panic(struct vm *vm)
{
	size_t len = strlen(vm->exit_detail);

	if (!vm->summary.nr_panics || len + 1 >= sizeof(vm->exit_detail))
		return;
	snprintf(vm->exit_detail + len, sizeof(vm->exit_detail) - len,
		 "%sguest panic: %s", len ? "; " : "", vm->summary.panic);
}

void vm_stop(struct vm *vm, enum vm_exit_reason why, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&vm->lock);
	if (vm->exit_reason == VM_EXIT_NONE) {
		vm->exit_reason = why;
		va_start(ap, fmt);
		vsnprintf(vm->exit_detail, sizeof(vm->exit_detail), fmt, ap);
		va_end(ap);
		__vm_detail_add_panic(vm);
	}
	if (vm->state == VM_RUNNING)
		__atomic_store_n(&vm->state, VM_STOPPING, __ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		__vcpu_force_exit(vm->vcpu[i]);
		vcpu_signal(vm->vcpu[i]);
	}
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
	/* Paused vCPUs leave too. */
	release_parked(vm);
}

int vm_wait(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpu[i];

		if (v->thread_started) {
			pthread_join(v->thread, NULL);
			v->thread_started = false;
		}
	}
	return 0;
}

/* How long vm_pause() spins for the vCPUs before it sleeps, and how
 * long each sleep lasts at most (it re-checks the state after). */
#define PAUSE_SPIN_NS 1000000ULL
#define PAUSE_SLEEP_NS 1000000L

static enum vm_state vm_state_of(struct vm *vm)
{
	return __atomic_load_n(&vm->state, __ATOMIC_SEQ_CST);
}

static bool all_out(struct vm *vm)
{
	return __atomic_load_n(&vm->nr_out, __ATOMIC_SEQ_CST) >= vm->nr_vcpus;
}

/*
 * Before a new pause begins, the vCPUs the last one held must have gone
 * back into the guest: otherwise pauses back to back (a compaction run)
 * hold a vCPU from the first to the last, and a guest's stall is no
 * longer one pause but all of them.  Bounded (a descheduled vCPU thread
 * does not hold compaction up for long); the guest runs meanwhile, so
 * this costs the pauser time, not the guest.
 */
#define PAUSE_REENTRY_MAX_NS 2000000ULL

static bool any_held(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		if (__atomic_load_n(&vm->vcpu[i]->pause_held, __ATOMIC_ACQUIRE))
			return true;
	return false;
}

static void wait_reentry(struct vm *vm)
{
	uint64_t t0 = vm_now_ns(), el;

	while (any_held(vm) &&
	       __atomic_load_n(&vm->pause_req, __ATOMIC_SEQ_CST) == 0 &&
	       vm_state_of(vm) == VM_RUNNING &&
	       (el = vm_now_ns() - t0) < PAUSE_REENTRY_MAX_NS) {
		if (el < 20000)
			cpu_relax();
		else
			usleep(20);
	}
}

int vm_pause(struct vm *vm)
{
	return vm_pause_timed(vm, NULL);
}

int vm_pause_timed(struct vm *vm, uint64_t *raised_ns)
{
	const struct timespec nap = { 0, PAUSE_SLEEP_NS };
	struct vcpu *self = vcpu_current();
	enum vm_state state;
	uint64_t t0;
	bool spin;

	if (self && self->vm == vm)
		return -EDEADLK;
	wait_reentry(vm);
	if (raised_ns)
		*raised_ns = vm_now_ns();
	__atomic_add_fetch(&vm->pause_req, 1, __ATOMIC_SEQ_CST);
	/* Not started: the threads look at pause_req before their first
	 * KVM_RUN.  Stopped: none is left. */
	state = vm_state_of(vm);
	if (state == VM_CREATED || state == VM_STOPPED)
		return 0;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpu[i];

		/* Parked: it reads pause_req before it runs again. */
		if (__atomic_load_n(&v->out, __ATOMIC_SEQ_CST))
			continue;
		__vcpu_force_exit(v);
		vcpu_signal(v);
	}
	/* The kick takes tens of microseconds to land (an IPI to a CPU in
	 * guest mode); sleeping would add a wake-up as long again. */
	t0 = vm_now_ns();
	spin = pause_spin_get();
	while (!all_out(vm)) {
		unsigned int n;

		if (vm_state_of(vm) == VM_STOPPED)
			break;
		if (spin && vm_now_ns() - t0 < PAUSE_SPIN_NS) {
			cpu_relax();
			continue;
		}
		__atomic_add_fetch(&vm->out_waiters, 1, __ATOMIC_SEQ_CST);
		n = __atomic_load_n(&vm->nr_out, __ATOMIC_SEQ_CST);
		if (n < vm->nr_vcpus)
			futex_wait(&vm->nr_out, n, &nap);
		__atomic_sub_fetch(&vm->out_waiters, 1, __ATOMIC_SEQ_CST);
	}
	if (spin)
		pause_spin_put();
	return 0;
}

void vm_resume(struct vm *vm)
{
	unsigned int n = __atomic_load_n(&vm->pause_req, __ATOMIC_SEQ_CST);

	do {
		if (!n)
			return; /* unbalanced: nothing to resume */
	} while (!__atomic_compare_exchange_n(&vm->pause_req, &n, n - 1, false,
					      __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST));
	if (n == 1)
		release_parked(vm);
}

/*
 * Closes still running on their own threads.  The process waits for them
 * before it exits: a closing VM waits for KVM's worker of the VM
 * (kvm-nx-lpage-recovery), a task of this process, to stop; a leak
 * checker at exit (LeakSanitizer) ptrace-stops every task of the process,
 * that worker too, then waits for the closing thread to stop, which sleeps
 * uninterruptibly in the kernel on the stopped worker: neither ever goes
 * on.  Exit handlers run last registered first, and the sanitizers' are
 * registered before main(), so the wait below comes before their check.
 */
static unsigned int nr_closing;
static pthread_once_t closing_once = PTHREAD_ONCE_INIT;
static bool closing_waited;

static void closing_put(void)
{
	if (!__atomic_sub_fetch(&nr_closing, 1, __ATOMIC_SEQ_CST))
		futex_wake_all(&nr_closing);
}

static void closing_wait_all(void)
{
	unsigned int n;

	while ((n = __atomic_load_n(&nr_closing, __ATOMIC_SEQ_CST)))
		futex_wait(&nr_closing, n, NULL);
}

/* A child of fork() has none of the parent's closing threads. */
static void closing_forget(void)
{
	__atomic_store_n(&nr_closing, 0, __ATOMIC_SEQ_CST);
}

static void closing_init(void)
{
	closing_waited = !atexit(closing_wait_all) &&
			 !pthread_atfork(NULL, NULL, closing_forget);
}

static void *vm_fd_closer(void *arg)
{
	close((int)(intptr_t)arg);
	closing_put();
	return NULL;
}

/*
 * The last close of a VM with an irqchip takes KVM about 14 ms here (it
 * waits for grace periods as it frees the irqchip and its routes): done
 * on a thread of its own, so that reaping one guest does not hold up the
 * event loop that serves the others.  Nothing of the VM is used after
 * this: its vCPUs are gone and its RAM is unmapped.
 */
static void vm_close_fd(int fd, bool slow)
{
	pthread_attr_t attr;
	pthread_t t;
	bool async = false;

	if (slow)
		pthread_once(&closing_once, closing_init);
	if (slow && closing_waited && !pthread_attr_init(&attr)) {
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		__atomic_add_fetch(&nr_closing, 1, __ATOMIC_SEQ_CST);
		async = !pthread_create(&t, &attr, vm_fd_closer,
					(void *)(intptr_t)fd);
		if (!async)
			closing_put();
		pthread_attr_destroy(&attr);
	}
	if (!async)
		close(fd);
}

void vm_destroy(struct vm *vm)
{
	if (!vm)
		return;
	if (vm->state == VM_RUNNING || vm->state == VM_STOPPING) {
		vm_stop(vm, VM_EXIT_STOPPED, "destroyed");
		vm_wait(vm);
	}
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu_destroy(vm->vcpu[i]);
	vm_mem_destroy(vm);
	/* The fault thread is gone: nothing stalls the tasks any more. */
	for (unsigned int i = 0; i < GUEST_MAX_VCPUS; i++)
		psi_task_destroy(&vm->psi_task[i]);
	psi_group_destroy(&vm->psi);
	/* A CPU-bounded guest's cgroup also holds KVM's worker for the VM
	 * (kvm-nx-lpage-recovery: the first KVM_RUN starts it, in the
	 * vCPU thread's cgroup), which stops with the VM: so closed here,
	 * then the cgroup goes. */
	if (vm->vm_fd >= 0)
		vm_close_fd(vm->vm_fd, vm->irqchip && !vm->cpu_cg);
	cpu_cgroup_destroy(vm->cpu_cg);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->stop_efd >= 0)
		close(vm->stop_efd);
	pthread_cond_destroy(&vm->cond);
	pthread_mutex_destroy(&vm->lock);
	free(vm->spec.script);
	free(vm);
}

int vm_register_mmio(struct vm *vm, uint64_t gpa, uint64_t len, vm_mmio_fn fn,
		     void *opaque)
{
	if (vm->nr_mmio == VM_MAX_MMIO)
		return -ENOSPC;
	if (gpa < GUEST_MMIO_GPA || len > GUEST_MMIO_SIZE ||
	    gpa - GUEST_MMIO_GPA > GUEST_MMIO_SIZE - len)
		return -ERANGE;
	for (unsigned int i = 0; i < vm->nr_mmio; i++)
		if (gpa < vm->mmio[i].gpa + vm->mmio[i].len &&
		    vm->mmio[i].gpa < gpa + len)
			return -EEXIST;
	vm->mmio[vm->nr_mmio++] =
		(struct vm_mmio_region){ gpa, len, fn, opaque };
	return 0;
}

bool vm_vcpus_idle(struct vm *vm)
{
	/* Out and not held by a pause: parked by the guest itself (or
	 * gone).  One held by the last pause is about to run again. */
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpu[i];

		if (!__atomic_load_n(&v->out, __ATOMIC_ACQUIRE) ||
		    __atomic_load_n(&v->pause_held, __ATOMIC_ACQUIRE))
			return false;
	}
	return vm->nr_vcpus > 0;
}

int vm_add_quiesce(struct vm *vm, const struct vm_quiesce *q)
{
	if (vm->nr_quiesce == VM_MAX_MMIO)
		return -ENOSPC;
	vm->quiesce[vm->nr_quiesce++] = *q;
	return 0;
}

int vm_pause_devices(struct vm *vm, uint64_t *raised_ns)
{
	int ret = vm_pause_timed(vm, raised_ns);

	/* After the pause: a vCPU never parks holding a device lock, and
	 * the devices' own threads do not wait for vCPUs. */
	if (!ret)
		for (unsigned int i = 0; i < vm->nr_quiesce; i++)
			vm->quiesce[i].lock(vm->quiesce[i].arg);
	return ret;
}

void vm_resume_devices(struct vm *vm)
{
	for (unsigned int i = vm->nr_quiesce; i-- > 0;)
		vm->quiesce[i].unlock(vm->quiesce[i].arg);
	vm_resume(vm);
}

int vm_mmio_access(struct vm *vm, uint64_t gpa, uint8_t *data, uint32_t len,
		   bool is_write)
{
	for (unsigned int i = 0; i < vm->nr_mmio; i++) {
		const struct vm_mmio_region *r = &vm->mmio[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->len)
			return r->fn(vm, r->opaque, gpa, data, len, is_write);
	}
	if (!is_write)
		memset(data, 0, len);
	pthread_mutex_lock(&vm->lock);
	vm->summary.mmio_unknown++;
	pthread_mutex_unlock(&vm->lock);
	return 0;
}

void vm_get_summary(struct vm *vm, struct vm_summary *out)
{
	pthread_mutex_lock(&vm->lock);
	*out = vm->summary;
	pthread_mutex_unlock(&vm->lock);
}

enum vm_exit_reason vm_exit_reason(struct vm *vm, char *detail, size_t len)
{
	enum vm_exit_reason why;

	pthread_mutex_lock(&vm->lock);
	why = vm->exit_reason;
	if (detail && len)
		snprintf(detail, len, "%s", vm->exit_detail);
	pthread_mutex_unlock(&vm->lock);
	return why;
}
