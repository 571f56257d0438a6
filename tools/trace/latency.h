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

/* X(id, key, title, from which events) */
#define LAT_DISTS(X)                                                           \
	X(LAT_DIRECT_RECLAIM, "direct_reclaim",                                \
	  "direct-reclaim stall per allocation",                               \
	  "mm_vmscan_direct_reclaim_end ns, summed per mm_slowpath_begin/end") \
	X(LAT_SLOWPATH, "slowpath", "allocation slow path",                    \
	  "mm_slowpath_end ns")                                                \
	X(LAT_FAULT, "fault", "guest fault service", "vmm_fault ns")           \
	X(LAT_FAULT_4K, "fault_4k", "guest fault service, 4 KiB",              \
	  "vmm_fault ns, order 0")                                             \
	X(LAT_FAULT_2M, "fault_2m", "guest fault service, 2 MiB",              \
	  "vmm_fault ns, order 9")                                             \
	X(LAT_KSWAPD, "kswapd_response", "kswapd response",                    \
	  "first mm_wakeup_kswapd of the node -> kswapd_sleep above HIGH")     \
	X(LAT_BALLOON, "balloon", "balloon request to completion",             \
	  "balloon_request -> balloon_actual >= target (same vm)")             \
	X(LAT_COMPACTION, "compaction", "direct compaction",                   \
	  "mm_compaction_end ns")                                              \
	X(LAT_MIGRATE, "migrate_pause", "migration pause per batch",           \
	  "migrate_batch pause_ns")

enum lat_dist {
#define X(id, key, title, from) id,
	LAT_DISTS(X)
#undef X
		NR_LAT_DISTS
};

extern const char *const lat_key[NR_LAT_DISTS];
extern const char *const lat_title[NR_LAT_DISTS];
extern const char *const lat_from[NR_LAT_DISTS];
/* The distribution called key ("direct_reclaim"), or -1. */
int lat_lookup(const char *key);

/* One measured interval, for whoever draws them. */
struct lat_span {
	enum lat_dist kind;
	uint64_t start, end; /* ns, trace clock */
	uint32_t tid; /* the thread that waited (0: none in particular) */
	int node, vm; /* -1 when it does not apply */
	uint64_t value; /* what went into the distribution */
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
	unsigned int nr_oom;
	struct lat_oom oom[LAT_MAX_OOM];

	void (*span)(void *arg, const struct lat_span *s);
	void *span_arg;
	const struct trace_reader *names; /* guest names as lines come */

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
