/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace events: a lock-free ring of fixed-size records with nanosecond
 * timestamps (CLOCK_MONOTONIC), written out as one line per event:
 *
 *   ts=<ns> tid=<tid> event=<name> key=value ...
 *
 * Every event of the project is declared here, once: name and argument
 * keys.  Keys ending in pfn, gpa, gfp or flags print in hex, as Linux's
 * tracepoints print pfns.  Disabled tracing costs one predicted branch.
 */
#ifndef MM_TRACE_H
#define MM_TRACE_H

#include <stdio.h>

#include "mm/types.h"

/* X(id, name, key0, key1, key2, key3): NULL keys are not printed. */
#define TRACE_EVENTS(X)                                                        \
	X(TR_PAGE_ALLOC, "mm_page_alloc", "pfn", "order", "gfp",               \
	  "migratetype")                                                       \
	X(TR_PAGE_FREE, "mm_page_free", "pfn", "order", NULL, NULL)            \
	X(TR_ALLOC_FAIL, "mm_page_alloc_fail", "order", "gfp", "nid", NULL)    \
	X(TR_WMARK_BREACH, "mm_watermark_breach", "node", "zone", "free",      \
	  "low")                                                               \
	X(TR_SLOWPATH_BEGIN, "mm_slowpath_begin", "order", "gfp", "nid", "vm") \
	X(TR_SLOWPATH_END, "mm_slowpath_end", "order", "pfn", "ns", NULL)      \
	X(TR_WAKE_KSWAPD, "mm_wakeup_kswapd", "node", "order", "zone", NULL)   \
	X(TR_DIRECT_RECLAIM_BEGIN, "mm_vmscan_direct_reclaim_begin", "order",  \
	  "gfp", NULL, NULL)                                                   \
	X(TR_DIRECT_RECLAIM_END, "mm_vmscan_direct_reclaim_end",               \
	  "nr_reclaimed", "ns", "vm", NULL)                                    \
	X(TR_COMPACT_BEGIN, "mm_compaction_begin", "order", "prio", NULL,      \
	  NULL)                                                                \
	X(TR_COMPACT_END, "mm_compaction_end", "order", "result", "ns", "vm")  \
	X(TR_COMPACT_ZONE_BEGIN, "mm_compaction_zone_begin", "zone", "order",  \
	  "migrate_pfn", "free_pfn")                                           \
	X(TR_COMPACT_ZONE_END, "mm_compaction_zone_end", "zone", "result",     \
	  "migrated", "ns")                                                    \
	X(TR_COMPACT_ISOLATE_MIGRATE, "mm_compaction_isolate_migratepages",    \
	  "start_pfn", "end_pfn", "nr_scanned", "nr_taken")                    \
	X(TR_COMPACT_ISOLATE_FREE, "mm_compaction_isolate_freepages",          \
	  "start_pfn", "end_pfn", "nr_scanned", "nr_taken")                    \
	X(TR_COMPACT_MIGRATE, "mm_compaction_migratepages", "nr",              \
	  "nr_migrated", "nr_failed", "ns")                                    \
	X(TR_COMPACT_SUITABLE, "mm_compaction_suitable", "zone", "order",      \
	  "result", NULL)                                                      \
	X(TR_COMPACT_DEFERRED, "mm_compaction_deferred", "zone", "order",      \
	  "considered", "defer_shift")                                         \
	X(TR_COMPACT_DEFER, "mm_compaction_defer_compaction", "zone", "order", \
	  "considered", "defer_shift")                                         \
	X(TR_COMPACT_DEFER_RESET, "mm_compaction_defer_reset", "zone",         \
	  "order", "considered", "defer_shift")                                \
	X(TR_WAKEUP_KCOMPACTD, "mm_compaction_wakeup_kcompactd", "node",       \
	  "order", "zone", NULL)                                               \
	X(TR_KCOMPACTD_WAKE, "mm_compaction_kcompactd_wake", "node", "order",  \
	  "zone", "score")                                                     \
	X(TR_KCOMPACTD_SLEEP, "mm_compaction_kcompactd_sleep", "node",         \
	  "score", "proactive_defer", NULL)                                    \
	X(TR_RETRY, "mm_slowpath_retry", "order", "no_progress_loops",         \
	  "compaction_retries", NULL)                                          \
	X(TR_OOM, "mm_oom", "order", "gfp", "progress", NULL)                  \
	X(TR_OFFLINE_PAGES, "mm_offline_pages", "nr_pages", "nr_offline",      \
	  NULL, NULL)                                                          \
	X(TR_ONLINE_PAGES, "mm_online_pages", "nr_pages", "nr_offline", NULL,  \
	  NULL)                                                                \
	X(TR_EXTFRAG, "mm_page_alloc_extfrag", "pfn", "order", "fallback_mt",  \
	  "stolen")                                                            \
	X(TR_FAULT, "vmm_fault", "vm", "gpa", "order", "ns")                   \
	X(TR_KSWAPD_WAKE, "kswapd_wake", "node", "free", "low", "high")        \
	X(TR_KSWAPD_SLEEP, "kswapd_sleep", "node", "free", "reclaimed", "ns")  \
	X(TR_BALLOON_REQ, "balloon_request", "vm", "target", "actual", NULL)   \
	X(TR_BALLOON_DONE, "balloon_done", "vm", "pages", "ns", NULL)          \
	X(TR_MIGRATE_BATCH, "migrate_batch", "vm", "pages", "pause_ns",        \
	  "failed")                                                            \
	X(TR_OOM_KILL, "oom_kill", "vm", "frames", "badness", NULL)            \
	X(TR_VM_STATE, "vm_state", "vm", "state", NULL, NULL)                  \
	X(TR_BALLOON_ACTUAL, "balloon_actual", "vm", "actual", "target", NULL) \
	X(TR_NODE_FREE, "node_free", "node", "free", "low", "high")            \
	X(TR_VM_MEM, "vm_mem", "vm", "pages", "balloon", NULL)                 \
	X(TR_BALLOON_DEFLATE, "balloon_deflate", "vm", "node", "pages",        \
	  "target")

enum trace_event_type {
#define X(id, name, k0, k1, k2, k3) id,
	TRACE_EVENTS(X)
#undef X
		NR_TRACE_EVENTS
};

struct trace_record {
	uint64_t seq; /* index + 1 once complete */
	uint64_t ts_ns;
	uint32_t type;
	uint32_t tid;
	uint64_t arg[4];
};

/*
 * A probe sees the events of its mask as they happen, whether the ring
 * records or not (as a tracepoint can have probes besides the ring
 * buffer): the control socket turns kswapd, direct reclaim and compaction
 * events into notifications this way.  It runs in the emitting thread,
 * possibly under mm locks: it must not block or allocate from the pool.
 */
typedef void (*trace_probe_fn)(void *priv, enum trace_event_type type,
			       const uint64_t arg[4]);

struct trace_ring {
	/* Event types that go somewhere (bit per type): the ring's events
	 * while it records, plus the probe's.  The one word the inline
	 * test reads. */
	uint64_t active;
	bool enabled;
	uint64_t events; /* bit per event type recorded (all by default) */
	uint64_t head; /* next index */
	uint64_t mask; /* capacity - 1 */
	struct trace_record *rec;
	trace_probe_fn probe;
	void *probe_priv;
	uint64_t probe_mask;
};

#define TRACE_BIT(type) (1ULL << (type))

int trace_ring_init(struct trace_ring *tr, unsigned int capacity);
void trace_ring_destroy(struct trace_ring *tr);
void trace_ring_enable(struct trace_ring *tr, bool on);
/*
 * Install the probe (fn, priv: once, before any thread emits events) and
 * choose the events it sees (any time; 0: none).  Context: one thread
 * configures the ring (enable and probe are not serialised).
 */
void trace_set_probe(struct trace_ring *tr, trace_probe_fn fn, void *priv);
void trace_set_probe_mask(struct trace_ring *tr, uint64_t mask);
void __trace_event(struct trace_ring *tr, enum trace_event_type type,
		   uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
/* Record only the event types whose bits are set (1ULL << type). */
void trace_ring_set_events(struct trace_ring *tr, uint64_t mask);
/* Write the ring's events, oldest first; returns events written. */
long trace_ring_write(struct trace_ring *tr, FILE *f);
/* Index of the next event; events from index since on, oldest first
 * (those overwritten meanwhile are lost: head - since - written). */
uint64_t trace_ring_head(struct trace_ring *tr);
long trace_ring_write_since(struct trace_ring *tr, uint64_t since, FILE *f);
/*
 * Read while producers run: call fn for each complete record from index
 * *pos on, oldest first, and advance *pos.  Records overwritten before
 * they were read are added to *lost; a record still being written ends
 * the call (it is read next time).  Returns the records passed to fn.
 */
long trace_ring_drain(struct trace_ring *tr, uint64_t *pos, uint64_t *lost,
		      void (*fn)(const struct trace_record *r, void *arg),
		      void *arg);
/* One record as one line of the trace format, newline included. */
void trace_record_print(const struct trace_record *r, FILE *f);
const char *trace_event_name(enum trace_event_type type);
/* The event type called name, or -1. */
int trace_event_lookup(const char *name);
/* Key k (0..3) of an event type, NULL if it has none. */
const char *trace_event_key(enum trace_event_type type, unsigned int k);
uint64_t trace_clock_ns(void);

BUILD_BUG_ON(NR_TRACE_EVENTS > 64); /* trace_ring.events */

/* For an event whose arguments cost something to gather: does it go
 * anywhere (the ring, or the probe)? */
static inline bool trace_event_enabled(struct trace_ring *tr,
				       enum trace_event_type type)
{
	return unlikely(READ_ONCE(tr->active) & TRACE_BIT(type));
}

static inline void trace_event(struct trace_ring *tr,
			       enum trace_event_type type, uint64_t a0,
			       uint64_t a1, uint64_t a2, uint64_t a3)
{
	if (trace_event_enabled(tr, type))
		__trace_event(tr, type, a0, a1, a2, a3);
}

#endif /* MM_TRACE_H */
