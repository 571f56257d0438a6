/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reclaim latency from trace events (docs/latency.md says what each
 * distribution measures and from which events).  Lines go in one at a
 * time, in file order; pairs are matched per thread (slow paths, direct
 * reclaim), per node (kswapd) and per guest (balloon requests).  Each
 * measured interval can also be handed to a callback as a span (the
 * Chrome trace export draws them).
 */
#ifndef TOOLS_TRACE_LATENCY_H
#define TOOLS_TRACE_LATENCY_H

#include <jansson.h>

#include "tools/trace/by_guest.h"
#include "tools/trace/dist.h"
#include "tools/trace/parse.h"

/* X(id, key, title, from which events, those events' types) */
#define LAT_DISTS(X)                                                           \
	X(LAT_DIRECT_RECLAIM, "direct_reclaim",                                \
	  "direct-reclaim stall per allocation",                               \
	  "mm_vmscan_direct_reclaim_end ns, summed per mm_slowpath_begin/end", \
	  TRACE_BIT(TR_DIRECT_RECLAIM_END) | LAT_SLOWPATH_EVENTS)              \
	X(LAT_SLOWPATH, "slowpath", "allocation slow path",                    \
	  "mm_slowpath_end ns", LAT_SLOWPATH_EVENTS)                           \
	X(LAT_FAULT, "fault", "guest fault service", "vmm_fault ns",           \
	  TRACE_BIT(TR_FAULT))                                                 \
	X(LAT_FAULT_4K, "fault_4k", "guest fault service, 4 KiB",              \
	  "vmm_fault ns, order 0", TRACE_BIT(TR_FAULT))                        \
	X(LAT_FAULT_2M, "fault_2m", "guest fault service, 2 MiB",              \
	  "vmm_fault ns, order 9", TRACE_BIT(TR_FAULT))                        \
	X(LAT_KSWAPD, "kswapd_response", "kswapd response",                    \
	  "first mm_wakeup_kswapd of the node -> kswapd_sleep above HIGH",     \
	  TRACE_BIT(TR_WAKE_KSWAPD) | TRACE_BIT(TR_KSWAPD_WAKE) |              \
		  TRACE_BIT(TR_KSWAPD_SLEEP))                                  \
	X(LAT_BALLOON, "balloon", "balloon request to completion",             \
	  "balloon_request -> balloon_actual >= target (same vm)",             \
	  TRACE_BIT(TR_BALLOON_REQ) | TRACE_BIT(TR_BALLOON_ACTUAL) |           \
		  TRACE_BIT(TR_BALLOON_DONE) | TRACE_BIT(TR_VM_STATE))         \
	X(LAT_COMPACTION, "compaction", "direct compaction",                   \
	  "mm_compaction_end ns", TRACE_BIT(TR_COMPACT_END))                   \
	X(LAT_MIGRATE, "migrate_pause", "migration pause per batch",           \
	  "migrate_batch pause_ns", TRACE_BIT(TR_MIGRATE_BATCH))               \
	X(LAT_SWAPIN, "swapin",                                                \
	  "swap-in from the compressed store, per fault",                      \
	  "swap_in ns, file 0", TRACE_BIT(TR_SWAP_IN))                         \
	X(LAT_SWAPIN_FILE, "swapin_file",                                      \
	  "swap-in reading the swap file, per fault", "swap_in ns, file > 0",  \
	  TRACE_BIT(TR_SWAP_IN))

#define LAT_SLOWPATH_EVENTS \
	(TRACE_BIT(TR_SLOWPATH_BEGIN) | TRACE_BIT(TR_SLOWPATH_END))

enum lat_dist {
#define X(id, key, title, from, events) id,
	LAT_DISTS(X)
#undef X
		NR_LAT_DISTS
};

extern const char *const lat_key[NR_LAT_DISTS];
extern const char *const lat_title[NR_LAT_DISTS];
extern const char *const lat_from[NR_LAT_DISTS];
/* The event types each distribution is made of (bit per type). */
extern const uint64_t lat_events[NR_LAT_DISTS];
/* The distribution called key ("direct_reclaim"), or -1. */
int lat_lookup(const char *key);

/* One measured interval, for whoever draws them. */
struct lat_span {
	enum lat_dist kind;
	uint64_t start, end; /* ns, trace clock */
	uint32_t tid; /* the thread that waited (0: none in particular) */
	int node, vm; /* -1 when it does not apply */
	uint64_t value; /* what went into the distribution */
	/* Pages it was about: reclaimed (direct reclaim, kswapd), asked
	 * of a balloon, migrated, mapped (a fault); -1: none. */
	int64_t pages;
};

#define LAT_MAX_OOM 64

struct lat_oom {
	uint64_t ts, vm, frames, badness;
	char name[VMM_NAME_MAX]; /* as the trace named vm then, or "" */
};

struct lat_thread; /* per-tid pairing state (latency.c) */
struct lat_request;

struct latency {
	struct dist d[NR_LAT_DISTS];
	struct lat_guests guests; /* the same, per guest, where one is known */
	uint64_t first_ts, last_ts;
	unsigned long nr_type[NR_TRACE_EVENTS];
	/* Episodes and requests that did not end as expected. */
	unsigned long kswapd_unbalanced; /* gave up below HIGH */
	unsigned long kswapd_idle; /* woken above HIGH: not a response */
	unsigned long balloon_superseded; /* target lowered before done */
	unsigned long balloon_unfinished; /* at the end, or the vm stopped */
	/* Intervals open when events were lost where they could have
	 * ended: not measured (their end, or their start, may be lost). */
	unsigned long broken[NR_LAT_DISTS];
	unsigned int losses_seen; /* the reader's session.loss[] handled */
	unsigned int nr_oom;
	struct lat_oom oom[LAT_MAX_OOM];

	void (*span)(void *arg, const struct lat_span *s);
	void *span_arg;
	/* The reader: guest names, and losses, as lines come (NULL:
	 * neither). */
	const struct trace_reader *names;

	/* Pairing state. */
	struct lat_thread *thread;
	unsigned int nr_threads, cap_threads;
	struct {
		bool awake;
		uint64_t start, wake_free, high;
	} node[MAX_NUMNODES];
	/* Each guest's balloon requests in flight. */
	struct lat_vm {
		uint64_t vm;
		struct lat_request *req;
		unsigned int nr, cap;
		bool has_actual; /* balloon_actual seen: else balloon_done */
	} * vm;
	unsigned int nr_vms, cap_vms;
};

void latency_init(struct latency *lat);
void latency_destroy(struct latency *lat);
void latency_feed(struct latency *lat, const struct trace_line *l);
/* The end of the trace: what is still open is unfinished. */
void latency_finish(struct latency *lat);

/* Reports.  r (may be NULL) adds the file's line counts. */
void latency_print(struct latency *lat, const struct trace_reader *r, FILE *f);
/* The distributions of each guest (reclaim-latency --by-guest). */
void latency_print_guests(struct latency *lat, FILE *f);
json_t *latency_json(struct latency *lat, const struct trace_reader *r);
/* distribution,bucket_lo_ns,bucket_hi_ns,count for every non-empty
 * bucket; returns -errno on a write error. */
int latency_csv(struct latency *lat, FILE *f);

#endif /* TOOLS_TRACE_LATENCY_H */
