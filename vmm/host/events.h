/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host events: what happens to the pool and its guests, as notifications
 * for the control socket (docs/control.md lists them with their data).
 *
 * Producers are any thread: the event loop (guests started and stopped,
 * balloon changes, trace sessions, a `compact` command), an allocating
 * thread (OOM kill, direct reclaim, direct compaction), kswapd and
 * kcompactd.  They post into a bounded queue that the event loop drains;
 * posting never blocks on a consumer (a full queue drops the event and
 * counts it) and costs one branch while nobody listens.  Events the
 * allocator, kswapd and kcompactd already trace (mm/trace.h,
 * balloon/trace.h) arrive through a trace probe, so those layers need no
 * socket code:
 *
 *   kswapd_wake, kswapd_sleep   -> KSWAPD_WAKE, KSWAPD_SLEEP
 *   mm_vmscan_direct_reclaim_end -> DIRECT_RECLAIM
 *   mm_compaction_begin/_end    -> COMPACTION (kind "direct")
 *   mm_compaction_kcompactd_wake, the next _sleep of that node
 *                               -> COMPACTION ("kcompactd", "proactive")
 *
 * Code in vmm/ calls the host_event_*() functions below directly: the
 * host for guests started, stopped and OOM-killed, for trace sessions
 * and for PSI triggers that fire (its pressure thread),
 * the control socket for balloon changes, shutdowns and its `compact`
 * command (host_event_compaction(); kcompactd's rounds come through the
 * probe).
 *
 * Context: host_event_*() from any thread, without locks of this module's
 * users held or with any of them (the queue's lock is a leaf); consumer
 * functions from the event loop thread only.
 */
#ifndef VMM_HOST_EVENTS_H
#define VMM_HOST_EVENTS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "balloon/trace.h"
#include "mm/psi.h"
#include "mm/types.h"
#include "vmm/config/config.h"
#include "vmm/kvm/vm.h"

/* X(id, name on the wire) */
#define HOST_EVENTS(X)                          \
	X(HEV_GUEST_STARTED, "GUEST_STARTED")   \
	X(HEV_GUEST_STOPPED, "GUEST_STOPPED")   \
	X(HEV_OOM_KILL, "OOM_KILL")             \
	X(HEV_KSWAPD_WAKE, "KSWAPD_WAKE")       \
	X(HEV_KSWAPD_SLEEP, "KSWAPD_SLEEP")     \
	X(HEV_DIRECT_RECLAIM, "DIRECT_RECLAIM") \
	X(HEV_BALLOON_CHANGE, "BALLOON_CHANGE") \
	X(HEV_COMPACTION, "COMPACTION")         \
	X(HEV_TRACE, "TRACE")                   \
	X(HEV_SHUTDOWN, "SHUTDOWN")             \
	X(HEV_PRESSURE, "PRESSURE")

enum host_event_type {
#define X(id, name) id,
	HOST_EVENTS(X)
#undef X
		NR_HOST_EVENTS
};

const char *host_event_name(enum host_event_type type);

enum host_compact_kind {
	HOST_COMPACT_DIRECT, /* from the allocator's slow path */
	HOST_COMPACT_KCOMPACTD, /* kcompactd, woken for an order */
	HOST_COMPACT_PROACTIVE, /* kcompactd, by the fragmentation score */
	HOST_COMPACT_MANUAL, /* asked for (the `compact` command) */
};

/* What compaction code reports (host_event_compaction()). */
struct host_compact_event {
	enum host_compact_kind kind;
	bool end; /* false: it begins */
	int node; /* pool node, -1: several or unknown */
	int order; /* the order it works for, -1: whole zones */
	int score; /* node's fragmentation score 0..100, -1: unknown */
	int result; /* enum compact_result, -1: none (end only) */
	uint64_t duration_ns; /* end only */
	uint64_t migrated, failed; /* pages, end only (0 if unknown) */
	uint64_t free_in_blocks; /* bytes in whole free pageblocks, or 0 */
};

#define HOST_EVENT_TEXT 160

struct host_event {
	enum host_event_type type;
	uint64_t wall_ns; /* CLOCK_REALTIME when it happened */
	unsigned int guest; /* id, 0: not about one guest */
	char name[VMM_NAME_MAX];
	char text[HOST_EVENT_TEXT]; /* a reason, a detail, a path */
	union {
		struct {
			uint64_t mem_bytes;
			unsigned int vcpus, vnodes;
		} started;
		struct {
			enum vm_exit_reason reason;
			int exit_status;
			bool integrity_checked, integrity_ok;
			uint64_t peak_bytes;
		} stopped;
		struct {
			uint64_t frames;
			long badness;
			int oom_score_adj;
			unsigned int order;
		} oom;
		struct {
			int node;
			uint64_t free, low, high; /* pages */
		} kswapd_wake;
		struct {
			int node;
			uint64_t free, reclaimed, ns;
		} kswapd_sleep;
		struct {
			uint64_t reclaimed, ns;
		} direct;
		struct {
			uint64_t target, actual; /* pages */
		} balloon;
		struct host_compact_event compact;
		struct {
			bool on;
			uint64_t events, lost;
			int error; /* -errno: the file could not be written */
		} trace;
		struct {
			int node; /* the pool node's trigger; -1: the guest's */
			struct psi_trigger_event ev;
		} pressure;
	};
};

#define HOST_EVENT_QUEUE 1024

struct host_events {
	pthread_mutex_t lock; /* a leaf: nothing is taken under it */
	int efd; /* readable while the queue has events */
	bool on; /* someone listens (atomic) */
	/* Guarded by lock: */
	unsigned int head, len;
	uint64_t lost; /* dropped on a full queue, not yet reported */
	struct host_event q[HOST_EVENT_QUEUE];
	/* Each node's kcompactd round in progress (its start, 0: none), its
	 * kind and order; only that node's kcompactd touches them. */
	struct {
		uint64_t since;
		enum host_compact_kind kind;
		int order;
	} kcompactd[MAX_NUMNODES];
};

struct vmm_host;

/* host_create/host_destroy: the trace probe, no queue yet. */
void host_events_init(struct vmm_host *h);
void host_events_free(struct vmm_host *h);

/*
 * Consumer side.  enable: create the queue and start listening (mm
 * events included); returns the fd that is readable while events wait,
 * or -errno.  disable: stop listening (the queue stays until the host
 * goes, for posters in flight).  take: up to max events, oldest first,
 * and how many were lost since the last take.
 */
int host_events_enable(struct vmm_host *h) __attribute__((warn_unused_result));
void host_events_disable(struct vmm_host *h);
unsigned int host_events_take(struct vmm_host *h, struct host_event *out,
			      unsigned int max, uint64_t *lost);

/* Producer side. */
void host_event_post(struct vmm_host *h, struct host_event *ev);
void host_event_guest_started(struct vmm_host *h, struct vm *vm);
void host_event_guest_stopped(struct vmm_host *h, struct vm *vm);
void host_event_oom_kill(struct vmm_host *h, struct vm *vm, uint64_t frames,
			 long badness, unsigned int order, const char *why);
void host_event_balloon(struct vmm_host *h, struct vm *vm, uint64_t target,
			uint64_t actual);
void host_event_compaction(struct vmm_host *h,
			   const struct host_compact_event *ce);
void host_event_trace(struct vmm_host *h, bool on, const char *path,
		      uint64_t events, uint64_t lost, int error);
void host_event_shutdown(struct vmm_host *h, const char *why);
/* A PSI trigger of guest vm (NULL: of pool node nid) fired. */
void host_event_pressure(struct vmm_host *h, struct vm *vm, int nid,
			 const struct psi_trigger_event *pe);

#endif /* VMM_HOST_EVENTS_H */
