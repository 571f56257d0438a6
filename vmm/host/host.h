/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host: one pool and the VMs it backs, in one process.  It registers
 * the allocator's ops over its guests (reverse-map checks, the OOM
 * killer, page migration, kswapd and direct reclaim through their
 * balloons), runs the threads that keep the pool (kswapd, kcompactd, the
 * collapse thread, the host limits thread), launches guests and collects
 * how each one ended.
 *
 * Context: host_* functions are called from the main (event loop) thread
 * unless they say otherwise; the ops run on whatever thread allocates.
 */
#ifndef VMM_HOST_H
#define VMM_HOST_H

#include <pthread.h>
#include <stdio.h>

#include "balloon/reclaim.h"
#include "mm/mm.h"
#include "vmm/config/config.h"
#include "util/event_loop.h"
#include "vmm/host/compact.h"
#include "vmm/host/headroom.h"
#include "vmm/host/khugepaged.h"
#include "vmm/host/trace.h"
#include "vmm/host/vcpu_load.h"
#include "vmm/kvm/vm.h"

struct vmm_host {
	struct vmm_config cfg;
	struct mm_pool *pool;
	FILE *out; /* reports */
	uint64_t start_ns; /* process start, for boot times */

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
	struct host_name_log names; /* guarded by lock */

	/* Collapse of scattered guest regions into pageblocks. */
	struct khugepaged khugepaged;
	pthread_mutex_t collapse_lock; /* one host_collapse_all() at a time */

	/* The pool kept within what the host will give (headroom.h). */
	struct host_headroom headroom;

	/* Reclaim: kswapd threads, and every balloon's frames given back. */
	struct reclaimer reclaim;
	bool reclaim_running;
	uint64_t reclaimed; /* frames, monotonic (atomic) */

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

int host_create(const struct vmm_config *cfg, struct vmm_host **out, char *err,
		size_t errlen) __must_check;
void host_destroy(struct vmm_host *h);
/* Create and start a guest; its id through *id (set once it exists: a
 * guest that fails to start has one and must be reaped).  Ids start at 1
 * and are never given twice in a host's life. */
int host_launch(struct vmm_host *h, const struct guest_spec *spec,
		const struct vm_resources *res, unsigned int *id, char *err,
		size_t errlen) __must_check;

/*
 * The same in two steps, for a caller whose event loop must not stall
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
/* Stop every running guest (SIGINT/SIGTERM, shutdown). */
void host_stop_all(struct vmm_host *h, const char *why);
/* Ask every running guest to shut down (vm_request_shutdown(), no
 * time-out of its own); how many were asked. */
unsigned int host_shutdown_all(struct vmm_host *h);
/* Those asked that are still running when their time is up: killed. */
void host_kill_unresponsive(struct vmm_host *h);
/* A guest's stop_efd fired: join it, report how it ended, free it. */
void host_reap(struct vmm_host *h, unsigned int id);
/*
 * The guest with this id (as host_launch() gave it), NULL if there is
 * none (any more).  Guests are freed only by host_reap(), on the thread
 * that owns the host: the pointer holds until then.
 */
struct vm *host_vm(struct vmm_host *h, unsigned int id);
/* Its balloon device, NULL if none. */
struct vm_balloon *host_vm_balloon(struct vmm_host *h, unsigned int id);
/* The id the next launch will get (a failed launch uses one up too). */
unsigned int host_next_id(struct vmm_host *h);
unsigned int host_nr_running(struct vmm_host *h);
/* One line: time, free memory per node against its watermarks, guests. */
void host_print_stats_line(struct vmm_host *h, FILE *f);
/* The pool at the end: footprint, buddyinfo, key vmstat counters. */
void host_print_pool_summary(struct vmm_host *h, FILE *f);
/*
 * khugepaged over every guest: look at up to max_scan 2 MiB regions
 * (shared among the guests, each from where its last pass stopped) and
 * collapse up to max_collapse fully backed, scattered ones into free
 * pageblocks (guest_mem_collapse()).  Stops early when no pageblock is
 * free.  Returns regions collapsed.  Context: any thread; callers take
 * turns (collapse_lock).
 */
long host_collapse_all(struct vmm_host *h, unsigned long max_scan,
		       unsigned long max_collapse);
/* mm_validate() with the guests' reverse maps; 0 or -EUCLEAN. */
int host_validate(struct vmm_host *h, char *err, size_t errlen);

/* The built-in guest image. */
extern const char guest_image_start[], guest_image_end[];

#endif /* VMM_HOST_H */
