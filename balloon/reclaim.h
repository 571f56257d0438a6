/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reclaim by balloon inflation: one kswapd thread per pool node and the
 * synchronous direct reclaim of the allocator's slow path, over guests
 * that the VMM describes through struct reclaim_ops.
 *
 * kswapd sleeps until the allocator wakes it (a zone of its node fell
 * below LOW), then asks the guests holding frames on the node to inflate
 * (policy.h) until the node is balanced (a zone above HIGH), waiting for
 * each round's progress with a time-out; a guest that does not follow a
 * request within guest_timeout is left out for guest_timeout, then asked
 * again.  While asleep it checks every deflate_interval whether free
 * memory is far enough above HIGH to give some back (deflation with
 * hysteresis).
 *
 * Direct reclaim does the same for one allocation, synchronously and
 * bounded by direct_timeout: the faulting vCPU waits; that wait is the
 * reclaim latency users measure.
 */
#ifndef BALLOON_RECLAIM_H
#define BALLOON_RECLAIM_H

#include <pthread.h>

#include "balloon/owed.h"
#include "balloon/policy.h"
#include "mm/mm.h"

#define RECLAIM_MAX_GUESTS 64

struct reclaim_ops {
	void *priv;
	/* Guests holding frames on node nid (nid -1: anywhere). */
	unsigned int (*snapshot)(void *priv, int nid, struct reclaim_guest *g,
				 unsigned int max);
	/*
	 * Change guest id's balloon target by delta pages, for who: pages
	 * asked (delta > 0) are owed to who (owed.h), so that the frames
	 * they free count as who's pgsteal; a deflation is kswapd's.
	 */
	void (*adjust)(void *priv, unsigned int id, long delta,
		       enum reclaimer_id who);
	/* Frames the balloons have given back so far (monotonic). */
	uint64_t (*reclaimed)(void *priv);
	/* Pages guest id's balloon holds now, as the guest says. */
	unsigned long (*actual)(void *priv, unsigned int id);
};

struct reclaim_tunables {
	struct reclaim_policy policy;
	unsigned int step_timeout_ms; /* kswapd: wait per round */
	unsigned int guest_timeout_ms; /* ... before a guest is skipped */
	unsigned int direct_timeout_ms; /* direct reclaim: the longest stall */
	unsigned int deflate_interval_ms;
	unsigned int deflate_margin_pct; /* of the node, above HIGH */
	bool deflate; /* give memory back when there is plenty */
};

struct reclaimer;

struct kswapd {
	struct reclaimer *r;
	int nid;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wait;
	bool woken; /* guarded by lock */
	unsigned int failures; /* rounds that reclaimed nothing */
	uint64_t wakeups, balanced_runs;
	/* After a balance that left the node balanced: when kswapd's short
	 * nap ends (0: not napping), kswapd_*_wmark_hit_quickly. */
	uint64_t nap_end_ns;
	/* Pages this node's kswapd asked out of balloons, when memory was
	 * plentiful (written by it, read atomically by anyone). */
	uint64_t deflated;
};

struct reclaimer {
	struct mm_pool *pool;
	struct reclaim_ops ops;
	struct reclaim_tunables t;
	struct kswapd kswapd[MAX_NUMNODES];
	bool stop;
	/* By guest id, guarded by lock: */
	uint64_t unresponsive_until[RECLAIM_MAX_GUESTS + 1]; /* skip until */
	uint64_t req_ns[RECLAIM_MAX_GUESTS + 1]; /* oldest unmet request */
	unsigned long req_actual[RECLAIM_MAX_GUESTS + 1]; /* balloon then */
	pthread_mutex_t lock;
};

void reclaim_default_tunables(struct reclaim_tunables *t);
int reclaimer_start(struct reclaimer *r, struct mm_pool *pool,
		    const struct reclaim_ops *ops,
		    const struct reclaim_tunables *t) __must_check;
void reclaimer_stop(struct reclaimer *r);
/* Pages node nid's kswapd has asked out of balloons so far. */
uint64_t reclaim_node_deflated(struct reclaimer *r, int nid);
/* The mm_ops callbacks. */
void reclaim_wake_kswapd(void *priv, int nid, unsigned int order,
			 enum zone_type highest_zoneidx);
unsigned long reclaim_direct(void *priv, gfp_t gfp, unsigned int order,
			     const struct alloc_context *ac);
unsigned long reclaim_zone_reclaimable_pages(void *priv, struct zone *zone);

#endif /* BALLOON_RECLAIM_H */
