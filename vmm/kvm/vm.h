/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One KVM guest: its fds, vCPU threads, RAM layout, devices and lifecycle.
 * Several VMs live in one process; nothing here is global, and nothing a
 * guest does can end the process (errors stop that VM with a reason).
 *
 *   vm_create -> vm_start -> [vm_pause/vm_resume]* -> vm_stop -> vm_wait
 *   -> vm_destroy
 *
 * vm->stop_efd becomes readable when every vCPU thread has left KVM_RUN
 * for good (for the event loop); vm_wait() joins the threads.
 */
#ifndef VMM_VM_H
#define VMM_VM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "guest/abi.h"
#include "mm/psi.h"
#include "vmm/config/config.h"
#include "util/histogram.h"
#include "vmm/kvm/report.h"
#include "vmm/kvm/serial.h"
#include "vmm/loader/loader.h"

struct vcpu;
struct mm_pool;
struct cpu_cgroup;

/*
 * Where a VM's RAM comes from.  No pool: plain anonymous memory (the
 * kernel's own fault path; tests and the fault benchmark's baseline).
 */
struct vm_resources {
	struct mm_pool *pool;
	/* The VM's slot, 1..VMM_MAX_GUESTS: its frames' owner in the pool's
	 * reverse map, reused once it is gone (0: the id). */
	unsigned int slot;
	int backing; /* enum guest_backing */
	bool no_huge; /* order-0 backing only */
	bool quiet; /* no console lines (tests, benchmarks) */
	bool no_irqchip; /* no in-kernel irqchip: no interrupts at all */
	FILE *console; /* console lines go there; NULL: stdout */
	bool migrate_by_pause; /* guest_mem_config.migrate_by_pause */
	/* The pool nodes' pressure groups, MAX_NUMNODES of them (the
	 * host's): the vCPUs count in those of their guest's nodes.  NULL:
	 * in their guest's group only. */
	struct psi_group *psi_nodes;
	/* The cold tier its pages may be swapped out to, NULL: none. */
	struct swap_tier *tier;
};

#define VM_EXIT_REASONS(X)                      \
	X(NONE, "running")                      \
	X(GUEST_EXIT, "guest exit")             \
	X(HALT, "halt")                         \
	X(SHUTDOWN, "shutdown (triple fault)")  \
	X(FAIL_ENTRY, "entry failed")           \
	X(INTERNAL_ERROR, "KVM internal error") \
	X(SYSTEM_EVENT, "system event")         \
	X(DEBUG, "debug exit")                  \
	X(BAD_GUEST_IO, "bad guest I/O")        \
	X(UNHANDLED_EXIT, "unhandled KVM exit") \
	X(HOST_ERROR, "host error")             \
	X(STOPPED, "stopped by host")           \
	X(KILLED, "killed by host")             \
	X(OOM_KILL, "OOM killed")               \
	X(OOM, "out of memory")                 \
	X(HOST_LIMIT, "host limit")

#define VM_EXIT_ENUM(name, text) VM_EXIT_##name,
enum vm_exit_reason { VM_EXIT_REASONS(VM_EXIT_ENUM) NR_VM_EXIT_REASONS };
#undef VM_EXIT_ENUM

const char *vm_exit_reason_name(enum vm_exit_reason why);

enum vm_state {
	VM_CREATED,
	VM_RUNNING,
	VM_STOPPING, /* a reason is set, vCPUs are leaving */
	VM_STOPPED, /* all vCPU threads have left */
};

/*
 * An MMIO handler: data holds len bytes (to write, or to fill on a read).
 * Returns 0 or -errno (which stops the VM).  Context: the vCPU thread.
 */
typedef int (*vm_mmio_fn)(struct vm *vm, void *opaque, uint64_t gpa,
			  uint8_t *data, uint32_t len, bool is_write);

struct vm_mmio_region {
	uint64_t gpa, len;
	vm_mmio_fn fn;
	void *opaque;
};

#define VM_MAX_MMIO 8

/*
 * A device that writes guest RAM from a thread other than the vCPUs (a
 * virtqueue served by the event loop) is held off while a paused guest's
 * pages are copied: lock() may not wait for a vCPU.
 */
struct vm_quiesce {
	void (*lock)(void *arg);
	void (*unlock)(void *arg);
	void *arg;
};
#define VM_DETAIL_MAX 160

struct vm {
	struct guest_spec spec; /* script points into our own copy */
	/* What users see (events, reports, traces, commands): a host never
	 * gives an id twice.  The slot is the host's internal index and
	 * the frames' owner (vm_resources.slot). */
	unsigned int id;
	unsigned int slot;
	char name[VMM_NAME_MAX];

	int kvm_fd, vm_fd;
	int run_mmap_size;
	int stop_efd; /* eventfd: written once when the VM has stopped */

	/* RAM: GPA 0 .. ram_size, one memslot per guest node. */
	uint64_t ram_size;
	unsigned int nr_nodes;
	struct guest_node_range node[GUEST_MAX_NODES];
	uint8_t *ram_hva; /* set by the memory layer */
	void *mem; /* the memory layer's private state */
	struct vm_resources res;
	int pnode[GUEST_MAX_NODES]; /* pool node behind each guest node */

	/* In-kernel PIC/IOAPIC/LAPICs: devices interrupt through irqfds;
	 * HLT stays in the kernel (vcpu.c watches for a final one). */
	bool irqchip;

	/* The guest ABI the image follows, and where its vCPUs start. */
	const struct guest_abi *abi;
	struct boot_entry entry;
	uint64_t tsc_khz;
	/* Devices the guest is told of at entry (vm_add_device). */
	struct boot_device dev[GUEST_MAX_DEVICES];
	unsigned int nr_devices;

	unsigned int nr_vcpus;
	struct vcpu *vcpu[GUEST_MAX_VCPUS];
	/*
	 * Memory pressure (mm/psi.h): the guest's group and a task per
	 * vCPU, which its thread starts, parks when the guest idles and
	 * stops, and the fault thread stalls while the vCPU's fault waits
	 * for memory.  Here rather than in struct vcpu: the fault thread
	 * outlives the vCPUs.
	 */
	struct psi_group psi;
	struct psi_task psi_task[GUEST_MAX_VCPUS];
	/* spec.cpu_max_pct: the cgroup each vCPU thread joins first. */
	struct cpu_cgroup *cpu_cg;

	struct vm_mmio_region mmio[VM_MAX_MMIO];
	unsigned int nr_mmio;
	struct vm_quiesce quiesce[VM_MAX_MMIO]; /* set before vm_start */
	unsigned int nr_quiesce;

	struct serial
		serial; /* .out (stdout) and .quiet may be set before start */

	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* Guarded by lock (state is also read locklessly, acquire). */
	enum vm_state state;
	enum vm_exit_reason exit_reason;
	char exit_detail[VM_DETAIL_MAX];
	unsigned int nr_exited; /* vCPU threads done */
	struct vm_summary summary;
	uint64_t start_ns; /* CLOCK_MONOTONIC at vm_start */

	/*
	 * Pause, lockless (vm_pause() waits on the latency a guest sees;
	 * vmm/kvm/vcpu.c has the protocol).  All atomic, sequentially
	 * consistent: a vCPU publishes that it is out of KVM_RUN, then
	 * looks at pause_req; a pauser publishes pause_req, then counts.
	 */
	unsigned int pause_req; /* vm_pause() nesting */
	unsigned int nr_out; /* futex word: vCPUs parked, or exited */
	unsigned int park_seq; /* futex word: bumped by resume and stop */
	unsigned int out_waiters; /* pausers asleep on nr_out */
	unsigned int park_sleepers; /* vCPUs asleep on park_seq */
	/* How long vCPUs stayed out of KVM_RUN for pauses: from KVM_RUN's
	 * return to the next entry (vCPU threads add, lock-free). */
	struct histogram pause_stall_ns;
	/* vm_request_shutdown(), vmm/kvm/vm_power.c; guarded by lock, and
	 * shutdown_req also read locklessly by the vCPU answering
	 * GUEST_PV_POWER. */
	bool shutdown_req;
	uint64_t shutdown_deadline_ns; /* 0: no time-out */
};

int vm_create(const struct guest_spec *spec, unsigned int id, const void *image,
	      size_t image_len, struct vm **out)
	__attribute__((warn_unused_result));
/* The same, with a message saying what was wrong (vm_create prints it). */
int vm_create_msg(const struct guest_spec *spec, unsigned int id,
		  const void *image, size_t image_len, struct vm **out,
		  char *err, size_t errlen) __attribute__((warn_unused_result));
/* The same, with RAM from res (NULL: anonymous memory). */
int vm_create_res(const struct guest_spec *spec, unsigned int id,
		  const struct vm_resources *res, const void *image,
		  size_t image_len, struct vm **out, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* A device the guest is told of when it starts; before vm_start. */
int vm_add_device(struct vm *vm, const struct boot_device *dev)
	__attribute__((warn_unused_result));
int vm_start(struct vm *vm) __attribute__((warn_unused_result));
/* Any thread; the first reason wins, and the guest's panic message, if
 * it sent one, ends its detail.  Does not wait (see vm_wait). */
void vm_stop(struct vm *vm, enum vm_exit_reason why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Join the vCPU threads (after a stop, or when the guest ends). */
int vm_wait(struct vm *vm);
/*
 * Hold every vCPU outside KVM_RUN; returns 0 when all are held (or the VM
 * has no running vCPU: not started, or stopped).  Nests.  -EDEADLK from a
 * vCPU thread of this VM.  Fast: kick by signal, then spin (sleep only
 * when that takes long); the vCPUs spin briefly too, so vm_resume() is
 * a store.  A new outermost pause first waits (briefly) for the vCPUs the
 * last one held to be back in the guest, so that pauses back to back
 * stall a guest one at a time.  Context: any thread but this VM's vCPUs; no lock held that a
 * vCPU thread may take (vm->lock is not held in between).
 */
int vm_pause(struct vm *vm) __attribute__((warn_unused_result));
/* The same; *raised_ns: when the pause was asked of the vCPUs (after
 * vm_pause() waited for the last pause's vCPUs to be back in the guest),
 * the start of what the guest may feel. */
int vm_pause_timed(struct vm *vm, uint64_t *raised_ns)
	__attribute__((warn_unused_result));
void vm_resume(struct vm *vm);
/*
 * End vCPU idx's idle park now, or its next one (the guest's cpu_idle()
 * and cpu_sleep_ns() allow an early return): a doorbell for a polling
 * guest.  Any thread.
 */
void vm_kick_vcpu(struct vm *vm, unsigned int idx);
/*
 * Ask the guest to shut down, as an ACPI power button does: GUEST_PV_POWER
 * reads 1 from now on and vCPU 0's nap ends.  A guest that then exits is
 * stopped with VM_EXIT_STOPPED (not VM_EXIT_GUEST_EXIT); one that does
 * not is the caller's to stop by force once vm_shutdown_overdue() says
 * so.  timeout_ns from now (0: none); asking again sets a new one.
 * -ESRCH: the VM is not running.  Any thread.
 */
int vm_request_shutdown(struct vm *vm, uint64_t timeout_ns);
bool vm_shutdown_requested(struct vm *vm);
/* Asked, still running, and the time-out passed at now (vm_now_ns())? */
bool vm_shutdown_overdue(struct vm *vm, uint64_t now);
void vm_destroy(struct vm *vm);

int vm_register_mmio(struct vm *vm, uint64_t gpa, uint64_t len, vm_mmio_fn fn,
		     void *opaque);
/* Is every vCPU parked by the guest itself (idle) right now?  A hint. */
bool vm_vcpus_idle(struct vm *vm);
int vm_add_quiesce(struct vm *vm, const struct vm_quiesce *q);
/* Pause, then hold off every device that writes guest RAM on its own
 * (vm_quiesce): nothing but the caller writes the guest's memory until
 * vm_resume_devices(). */
int vm_pause_devices(struct vm *vm, uint64_t *raised_ns)
	__attribute__((warn_unused_result));
void vm_resume_devices(struct vm *vm);
/* Dispatch an MMIO exit; unknown reads return zeros and are counted. */
int vm_mmio_access(struct vm *vm, uint64_t gpa, uint8_t *data, uint32_t len,
		   bool is_write);

/* Copy of the summary, taken under the lock. */
void vm_get_summary(struct vm *vm, struct vm_summary *out);
enum vm_exit_reason vm_exit_reason(struct vm *vm, char *detail, size_t len);

uint64_t vm_now_ns(void);

#endif /* VMM_VM_H */
