/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace events: a lock-free ring of fixed-size records with nanosecond
 * timestamps (CLOCK_MONOTONIC), written out as one line per event:
 *
 *   ts=<ns> tid=<tid> event=<name> key=value ...
 *
 * A record holds an event id and four values; the name and the keys of
 * an id are in the table of the layer that emits it.  Each layer declares
 * its own events, once, as an X-macro list of name and keys (mm's below;
 * balloon/trace.h, vmm/guest_mem/trace.h, vmm/host/trace_events.h), and
 * numbers them from its range of the id space (TRACE_*_FIRST below):
 * ids are constants, so that a disabled event costs one predicted branch
 * and an enabled one what it always did (the record keeps the id; names
 * are looked up only when a record is printed).  The layers above mm
 * register their tables at start (trace_register_events()); an id no
 * table names prints as unknown_<id>.  Keys ending in pfn, gpa, gfp or
 * flags print in hex, as Linux's tracepoints print pfns.
 */
#ifndef MM_TRACE_H
#define MM_TRACE_H

#include <stdio.h>

#include "mm/types.h"

/* X(id, name, key0, key1, key2, key3): NULL keys are not printed. */
#define MM_TRACE_EVENTS(X)                                                     \
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
	X(TR_KSWAPD_WAKE, "kswapd_wake", "node", "free", "low", "high")        \
	X(TR_KSWAPD_SLEEP, "kswapd_sleep", "node", "free", "reclaimed", "ns")

/* Expanders of a layer's list: its ids, its table's entries. */
#define TRACE_EVENT_ID(id, name, k0, k1, k2, k3) id,
#define TRACE_EVENT_INFO(id, name, k0, k1, k2, k3) { name, { k0, k1, k2, k3 } },

/*
 * Event ids.  mm's are enum trace_event_type; the id space is cut into a
 * range per layer, each layer's first id here: its header numbers its
 * events from there in the order of its list and checks at compile time
 * that they end before the next range (DECLARE_TRACE_EVENT_IDS()).  The
 * ring's masks are one word: NR_TRACE_EVENTS ids in all.  Functions take
 * any layer's id as an unsigned int.
 */
enum trace_event_type { MM_TRACE_EVENTS(TRACE_EVENT_ID) NR_MM_TRACE_EVENTS };

#define TRACE_RECLAIM_FIRST 32 /* balloon/trace.h: balloon targets */
#define TRACE_GUEST_MEM_FIRST 40 /* vmm/guest_mem/trace.h: faults */
#define TRACE_HOST_FIRST 44 /* vmm/host/trace_events.h: guests, samples */
#define NR_TRACE_EVENTS 64

BUILD_BUG_ON(NR_MM_TRACE_EVENTS > TRACE_RECLAIM_FIRST);

/* The name and keys of an event; NULL keys are not printed. */
struct trace_event_info {
	const char *name;
	const char *key[4];
};

/* A layer's table: the events of ids first .. first + nr - 1. */
struct trace_events {
	unsigned int first;
	unsigned int nr;
	const struct trace_event_info *info;
};

/*
 * A layer's ids: an enum of the events of list numbered from first, then
 * end, one past the last, which must not run into the next range.
 */
#define DECLARE_TRACE_EVENT_IDS(list, first, end, next)              \
	enum { end##_BEFORE = (first)-1, list(TRACE_EVENT_ID) end }; \
	BUILD_BUG_ON(end > (next))

/* Defines const struct trace_events var: list's table, from first_id. */
#define DEFINE_TRACE_EVENTS(var, list, first_id)                        \
	static const struct trace_event_info var##_info[] = { list(     \
		TRACE_EVENT_INFO) };                                    \
	const struct trace_events var = { .first = (first_id),          \
					  .nr = ARRAY_SIZE(var##_info), \
					  .info = var##_info }

/*
 * Make a layer's events known by name (mm's always are): to the writer,
 * trace_event_lookup() and trace_event_key().  Registering a table again
 * does nothing; -EINVAL if it leaves the id space, -EEXIST if another
 * table has one of its ids.  Context: any thread; events of a table that
 * is being registered may print as unknown meanwhile.
 */
int trace_register_events(const struct trace_events *t) __must_check;

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
typedef void (*trace_probe_fn)(void *priv, unsigned int type,
			       const uint64_t arg[4]);

/*
 * The records and their capacity, behind one pointer that a producer
 * reads once: a ring resized between sessions never pairs one array with
 * another's size.  A buffer replaced by a resize is kept (a producer
 * that read the pointer just before may still write to it) until the
 * ring is destroyed, and used again by a resize to its size.
 */
struct trace_buf {
	uint64_t mask; /* capacity - 1 */
	struct trace_buf *next; /* the ring's retired buffers */
	struct trace_record rec[];
};

/*
 * Two ways to use the ring:
 *
 * - A flight recorder (no reader attached): an event takes the next slot
 *   whatever it held, and the ring keeps the newest events; written out
 *   when recording has stopped (trace_ring_write()), or by a reader that
 *   counts what it finds overwritten (trace_ring_drain()).
 * - Streamed (trace_ring_attach()): one reader drains it while it
 *   records and says how far it has read (the tail).  A record is never
 *   overwritten before it is read: an event that finds the ring full is
 *   dropped and counted by type (dropped[]), as perf drops samples when
 *   its buffer is full and says so with PERF_RECORD_LOST.  The reader
 *   sleeps in trace_ring_wait() until the ring is a quarter full or a
 *   time has passed: three quarters of the ring are the slack for a
 *   reader that is slow to run.
 */
struct trace_ring {
	/* Read by every event.  The active mask: event types that go
	 * somewhere (bit per type), the ring's events while it records
	 * plus the probe's; the one word the inline test reads. */
	uint64_t active;
	bool enabled;
	bool stream; /* a reader is attached */
	uint64_t events; /* bit per event type recorded (all by default) */
	struct trace_buf *buf;
	trace_probe_fn probe;
	void *probe_priv;
	uint64_t probe_mask;
	struct trace_buf *retired;
	/*
	 * Written by every recorded event, and by the reader: each on a
	 * cache line of its own (the pads are a line long, whatever the
	 * struct's alignment), so that neither makes the fields above miss
	 * in every thread's cache.
	 */
	char pad_head[64];
	uint64_t head; /* the next index */
	char pad_tail[64];
	uint64_t tail; /* streamed: records before it are read */
	unsigned int reader_sleeps; /* futex: the reader waits for records */
	char pad_dropped[64];
	/* Streamed: events that found the ring full, by type. */
	uint64_t dropped[NR_TRACE_EVENTS];
};

#define TRACE_BIT(type) (1ULL << (type))
/* Unread records past which a producer wakes the reader (mask: the
 * ring's capacity - 1). */
#define TRACE_WAKE_MARK(mask) ((mask) / 4)

/* A ring of capacity events, rounded up to a power of two: 0 or -ENOMEM. */
int trace_ring_init(struct trace_ring *tr, unsigned int capacity);
void trace_ring_destroy(struct trace_ring *tr);
uint64_t trace_ring_capacity(const struct trace_ring *tr);
/*
 * Records of capacity events (rounded up to a power of two) from now on:
 * 0, or -ENOMEM with the ring as it was.  What the ring held is gone.
 * Context: the ring does not record and has no reader.
 */
int trace_ring_resize(struct trace_ring *tr, unsigned int capacity);
void trace_ring_enable(struct trace_ring *tr, bool on);
/*
 * Install the probe (fn, priv: once, before any thread emits events) and
 * choose the events it sees (any time; 0: none).  Context: one thread
 * configures the ring (enable and probe are not serialised).
 */
void trace_set_probe(struct trace_ring *tr, trace_probe_fn fn, void *priv);
void trace_set_probe_mask(struct trace_ring *tr, uint64_t mask);
void __trace_event(struct trace_ring *tr, unsigned int type, uint64_t a0,
		   uint64_t a1, uint64_t a2, uint64_t a3);
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
 * *pos on, oldest first, and advance *pos (streamed: and the tail).
 * Records overwritten before they were read are added to *lost (a
 * streamed ring overwrites none: it counts its drops in dropped[]); a
 * record still being written ends the call (it is read next time).
 * Returns the records passed to fn.
 */
long trace_ring_drain(struct trace_ring *tr, uint64_t *pos, uint64_t *lost,
		      void (*fn)(const struct trace_record *r, void *arg),
		      void *arg);

/*
 * The streamed ring's reader, one at a time.  attach: from the next
 * event on; returns the index it starts at.  Context: the ring does not
 * record (trace_ring_enable() after).  detach: once recording has
 * stopped and the reader has what it wants.
 */
uint64_t trace_ring_attach(struct trace_ring *tr);
void trace_ring_detach(struct trace_ring *tr);
/* Record i, if it is complete: 1 (copied to *out), else 0. */
int trace_ring_read(struct trace_ring *tr, uint64_t i,
		    struct trace_record *out);
/* The reader is done with the records before index pos: their slots
 * take new events.  Streamed rings only. */
void trace_ring_consume(struct trace_ring *tr, uint64_t pos);
/* The drop counts so far, by type (a snapshot, each count exact). */
void trace_ring_dropped(struct trace_ring *tr, uint64_t out[NR_TRACE_EVENTS]);
/*
 * The reader sleeps until the ring is a quarter full, trace_ring_kick(), or
 * timeout_ns, whichever comes first (a wake-up may come early).
 */
void trace_ring_wait(struct trace_ring *tr, uint64_t timeout_ns);
/* Wake the reader, if it waits.  Any thread. */
void trace_ring_kick(struct trace_ring *tr);

/* Longest line trace_record_format() writes, newline and NUL included. */
#define TRACE_LINE_MAX 512
/*
 * One record as one line of the trace format, newline included, into
 * buf (TRACE_LINE_MAX bytes); its length.  An id no registered table
 * names is written as event=unknown_<id> with keys arg0 .. arg3.
 */
size_t trace_record_format(const struct trace_record *r, char *buf);
/* The same, to f. */
void trace_record_print(const struct trace_record *r, FILE *f);
/*
 * Counts by event type as "mm_page_free 31000, vmm_fault 637" (the most
 * first; types without a count left out) into buf; buf.
 */
const char *trace_counts_text(const uint64_t count[NR_TRACE_EVENTS], char *buf,
			      size_t len);
/* The name of a registered event type, else "unknown". */
const char *trace_event_name(unsigned int type);
/* The registered event type called name, or -1. */
int trace_event_lookup(const char *name);
/* Key k (0..3) of a registered event type, NULL if it has none. */
const char *trace_event_key(unsigned int type, unsigned int k);
uint64_t trace_clock_ns(void);

BUILD_BUG_ON(NR_TRACE_EVENTS > 64); /* trace_ring.events */

/* For an event whose arguments cost something to gather: does it go
 * anywhere (the ring, or the probe)? */
static inline bool trace_event_enabled(struct trace_ring *tr, unsigned int type)
{
	return unlikely(READ_ONCE(tr->active) & TRACE_BIT(type));
}

static inline void trace_event(struct trace_ring *tr, unsigned int type,
			       uint64_t a0, uint64_t a1, uint64_t a2,
			       uint64_t a3)
{
	if (trace_event_enabled(tr, type))
		__trace_event(tr, type, a0, a1, a2, a3);
}

#endif /* MM_TRACE_H */
