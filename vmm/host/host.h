/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host: one pool and the VMs it backs, in one process.  It registers
 * the allocator's ops over its guests (reverse-map checks, the OOM
 * killer, page migration, kswapd and direct reclaim through their
 * balloons), runs the threads that keep the pool (kswapd, kcompactd, the
 * collapse thread, the host limits thread), launches guests and collects
 * how each one ended.
 *
 * Its interface is api.h; this is its state, for the host's own files and
 * the layers beside it in vmm/ (the control socket, the CLI) and
 * white-box tests.  Programs that run guests use api.h alone.
 *
 * Context: host_* functions are called from the main (event loop) thread
 * unless they say otherwise; the ops run on whatever thread allocates.
 */
#ifndef VMM_HOST_H
#define VMM_HOST_H

#include <pthread.h>
#include <stdio.h>

#include "balloon/shrinker.h"
#include "mm/vmscan.h"
#include "mm/mm.h"
#include "vmm/config/config.h"
#include "util/event_loop.h"
#include "vmm/host/api.h"
#include "vmm/host/cold.h"
#include "vmm/host/compact.h"
#include "vmm/host/headroom.h"
#include "vmm/host/khugepaged.h"
#include "vmm/host/pressure.h"
#include "vmm/host/trace.h"
#include "vmm/host/vcpu_load.h"
#include "vmm/kvm/vm.h"

struct vmm_host {
	struct vmm_config cfg;
	struct mm_pool *pool;
	FILE *out; /* reports */
	uint64_t start_ns; /* host_create(), early in the process: boot times */

	/* Held while the OOM killer stops and reaps a VM, and by host_reap
	 * around freeing one: a VM is never freed under the killer. */
	pthread_mutex_t reap_lock;
	/* OOM reports and host-limit notices (stderr by default) */
	FILE *oom_log;
	FILE *warn_log; /* warnings about the host (stderr by default) */
	/* Why the default pool is smaller than asked (limits.h), for
	 * the caller to tell; "" when it is not. */
	char pool_note[512];
	struct evloop *loop; /* serves queue notifications, if set */
	/* Notifications for the control socket (events.h); NULL
	 * until someone listens. */
	struct host_events *events;
	struct host_trace trace; /* the tracing session, if any */
	struct host_name_log names;

	/* Collapse of scattered guest regions into pageblocks. */
	struct khugepaged khugepaged;
	pthread_mutex_t collapse_lock; /* one host_collapse_all() at a time */

	/* Idle page sampling of the guests (cold.h). */
	struct host_cold cold;

	/* The pool kept within what the host will give (headroom.h). */
	struct host_headroom headroom;

	/* Memory pressure of the pool nodes, its thread (pressure.h). */
	struct host_pressure pressure;

	/* The cold tier (swap.h), NULL: none; its swap file, NULL: none;
	 * the last of its errors said (reported once, not per batch). */
	struct swap_tier *tier;
	struct swap_file *swap_file;
	int swap_error_said;
	struct shrinker swap_shrinker; /* registered with vmscan */
	/* Proactive eviction (proactive.c), by slot: the guest it saw
	 * there, when, its stall then (us), and what it did (atomics:
	 * read by reports).  The cold scanner's thread alone writes. */
	struct host_proactive {
		unsigned int id;
		uint64_t t, stall_us;
		uint64_t evicted, backoffs;
	} proactive[VMM_MAX_GUESTS + 1];
	/* Each slot's fault count when reclaim last looked (atomics). */
	uint64_t swap_faults_seen[VMM_MAX_GUESTS + 1];

	/* Reclaim: the engine (kswapd threads, direct reclaim) and the
	 * balloons' shrinker registered with it. */
	struct vmscan vmscan;
	struct balloon_reclaim reclaim;
	bool reclaim_running;

	pthread_mutex_t lock;
	/*
	 * Guarded by lock; vm[slot] for slots 1 .. VMM_MAX_GUESTS.  A slot
	 * is the host's own index and its guest's frames' owner in the
	 * pool's reverse map (16 bits there); it is reused once its guest
	 * is gone.  Users see vm->id, which is never reused: host_vm()
	 * finds a guest by it.
	 */
	struct vm *vm[VMM_MAX_GUESTS + 1];
	struct vm_balloon *balloon[VMM_MAX_GUESTS + 1];
	/*
	 * Slots whose frames are in the pool's reverse map while vm[slot]
	 * does not say so: being launched (reserved: the VM being built),
	 * and being reaped (dying: out of vm[], its frames not all back
	 * yet).  Written under lock, read locklessly by the invariant
	 * checker.
	 */
	bool reserved[VMM_MAX_GUESTS + 1];
	struct vm *dying[VMM_MAX_GUESTS + 1];
	unsigned int nr_running;
	unsigned int next_id; /* the next guest's id: ids only grow */
	struct vcpu_load vcpu_load; /* guarded by lock */
};

/*
 * host_launch() in two steps, for a caller whose event loop must not stall
 * while a new guest's boot memory comes from a pool under pressure (the
 * control socket).  prepare: reserve an id, create the VM and its
 * devices, back its boot data (may wait for reclaim); any thread.
 * commit: publish and start it; the loop's thread.  abort: give up a
 * prepared guest.
 */
struct host_launch {
	unsigned int id; /* what users will see */
	unsigned int slot; /* reserved for it */
	struct vm *vm;
	struct vm_balloon *balloon;
	/* Set by commit when the launch deserves one (also on stderr). */
	char warning[320];
};
int host_launch_prepare(struct vmm_host *h, const struct guest_spec *spec,
			const struct vm_resources *res, struct host_launch *hl,
			char *err, size_t errlen) __must_check;
int host_launch_commit(struct vmm_host *h, struct host_launch *hl, char *err,
		       size_t errlen);
void host_launch_abort(struct vmm_host *h, struct host_launch *hl);
/* The guest's balloon device, NULL if none.  The pointer holds until
 * host_reap(). */
struct vm_balloon *host_vm_balloon(struct vmm_host *h, unsigned int id);
/* What the cold tier has of vm (api.h), its memory's stats ms as
 * guest_mem_get_stats() gave them.  Context: h->lock held. */
void __host_vm_swap(struct vmm_host *h, const struct vm *vm,
		    const struct guest_mem_stats *ms,
		    struct host_guest_swap *s);

/* The built-in guest image. */
extern const char guest_image_start[], guest_image_end[];

#endif /* VMM_HOST_H */
