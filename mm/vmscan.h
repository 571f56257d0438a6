/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reclaim engine: one kswapd thread per pool node and the synchronous
 * direct reclaim of the allocator's slow path, over reclaim mechanisms
 * that register with it as Linux's shrinkers do (the balloon:
 * balloon/shrinker.c; the cold tier).  mm knows nothing of what they
 * reclaim: each says how many pages it could free on a node
 * (count_objects) and frees some when asked (scan_objects).
 *
 * kswapd sleeps until the allocator wakes it (a zone of its node fell
 * below LOW), then reclaims in rounds until the node is balanced (a zone
 * above HIGH), each round asking for HIGH - free + batch_pages on its
 * node alone and waiting up to step_timeout for the frames.  A round
 * that brings nothing ends the run.  While asleep it checks every
 * deflate_interval whether free memory is above HIGH by deflate_margin
 * percent of the node, and tells the shrinkers that have a relax op
 * (deflation with hysteresis).
 *
 * Direct reclaim does one round for one allocation, synchronously:
 * at least batch_pages, on the preferred node, then on any node the
 * allocation may use, each bounded by direct_timeout.  The faulting vCPU
 * waits; that wait is the reclaim latency users measure.  A round that
 * brings nothing returns 0: the OOM decision stays the slow path's.
 *
 * A round (shrink_node()): the shrinkers are asked cheapest first (by
 * seeks), each for what its count_objects says it can give
 * (vmscan_split()), the rest at once of the next.  An asynchronous one
 * (async: the balloon, whose guests answer later) returns 0 and reports
 * frames as they come through vmscan_progress(); the round then waits for
 * them on a condition variable that vmscan_progress() signals, until the
 * round has what it asked, the node is balanced, or the time-out; what is
 * still missing is asked of the synchronous ones after it.  So a guest
 * that frees memory is never swapped instead, and one that cannot (deaf,
 * full) does not make the round wait before the next mechanism.
 *
 * Counters: pgscan_{kswapd,direct} by each shrinker's sc->nr_scanned;
 * pgsteal_{kswapd,direct} by what a synchronous shrinker returns (an
 * asynchronous one counts its own as its pages come: balloon/owed.h).
 */
#ifndef MM_VMSCAN_H
#define MM_VMSCAN_H

#include <pthread.h>
#include <stdbool.h>

#include "mm/mm.h"

/* Who reclaims: the two families of Linux's reclaim counters. */
enum reclaimer_id { RECLAIM_KSWAPD, RECLAIM_DIRECT, NR_RECLAIMERS };

/* A reclaimer's counter of a family (PGSCAN, PGSTEAL), as Linux's
 * reclaimer_offset() picks it. */
#define reclaimer_vm_event(item, who) \
	((enum vm_event_item)(item##_KSWAPD + (who)))
BUILD_BUG_ON(PGSCAN_DIRECT != PGSCAN_KSWAPD + RECLAIM_DIRECT ||
	     PGSTEAL_DIRECT != PGSTEAL_KSWAPD + RECLAIM_DIRECT);

#define VMSCAN_MAX_SHRINKERS 8

struct shrink_control {
	int nid; /* node to free frames on; -1: any node */
	unsigned long nr_to_reclaim; /* pages wanted */
	enum reclaimer_id who; /* RECLAIM_KSWAPD or RECLAIM_DIRECT */
	gfp_t gfp; /* the allocation's (direct), 0 for kswapd */
	/* out: pages this reclaimer asked for or looked at (its pgscan) */
	unsigned long nr_scanned;
};

struct shrinker {
	const char *name; /* "balloon", "swap" */
	/* Pages this mechanism could free on node nid now (-1: anywhere):
	 * a hint for the split, cheap. */
	unsigned long (*count_objects)(struct shrinker *s, int nid);
	/*
	 * Free up to sc->nr_to_reclaim pages on sc->nid.  Returns the
	 * pages freed before it returned (a synchronous reclaimer, which
	 * does not report them through vmscan_progress(): the engine
	 * does); an asynchronous one returns 0 and reports frames as they
	 * come with vmscan_progress().
	 */
	unsigned long (*scan_objects)(struct shrinker *s,
				      struct shrink_control *sc);
	/* Optional: node nid has nr pages more than it needs (deflation
	 * with hysteresis, kswapd's idle tick). */
	void (*relax)(struct shrinker *s, int nid, unsigned long nr);
	/* Cost of a page to the guest later: asked lowest first (balloon
	 * 0, swap 2); equal seeks in the order they registered. */
	unsigned int seeks;
	/* Its pages come later, through vmscan_progress(): the round
	 * waits for them. */
	bool async;
	void *priv;
	/* The engine's, guarded by its lock: */
	struct vmscan *vmscan; /* registered with it, else NULL */
	unsigned int users; /* rounds that are asking it */
};

struct vmscan_tunables {
	unsigned int step_timeout_ms; /* kswapd: wait per round */
	unsigned int direct_timeout_ms; /* direct reclaim: the longest stall */
	unsigned int deflate_interval_ms;
	unsigned int deflate_margin_pct; /* of the node, above HIGH */
	bool deflate; /* relax the shrinkers when there is plenty */
	/* A round asks at least this many pages (SWAP_CLUSTER_MAX-like:
	 * worth its round trip), and kswapd goes past HIGH by as much so
	 * that it does not wake again at once. */
	unsigned long batch_pages;
};

struct kswapd {
	struct vmscan *v;
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
};

struct vmscan {
	struct mm_pool *pool;
	struct vmscan_tunables t;
	struct kswapd kswapd[MAX_NUMNODES];
	bool ready; /* vmscan_init() done */
	bool stop, running;

	/* The shrinkers, by seeks; a round holds a user of each it asks. */
	pthread_mutex_t lock;
	pthread_cond_t unused; /* a shrinker's users fell to 0 */
	struct shrinker *shrinkers[VMSCAN_MAX_SHRINKERS];
	unsigned int nr_shrinkers;

	/*
	 * Progress: frames reclaimed per node and in all (monotonic,
	 * atomics).  Rounds waiting for it are on waiting and sleep on
	 * progress_wait; only when there are some (waiters) does
	 * vmscan_progress() take the lock to see whether one is over.
	 */
	uint64_t progress[MAX_NUMNODES], progress_all;
	unsigned int waiters;
	pthread_mutex_t progress_lock;
	pthread_cond_t progress_wait;
	struct scan_round *waiting; /* guarded by progress_lock */
};

void vmscan_default_tunables(struct vmscan_tunables *t);
/* Ready v (zeroed memory) for register_shrinker() before vmscan_start(),
 * which does it if nobody did; again does nothing. */
int vmscan_init(struct vmscan *v) __must_check;
int vmscan_start(struct vmscan *v, struct mm_pool *pool,
		 const struct vmscan_tunables *t) __must_check;
void vmscan_stop(struct vmscan *v);

/* Before or after start; -EINVAL (no ops, registered already), -ENOSPC. */
int register_shrinker(struct vmscan *v, struct shrinker *s) __must_check;
/* Waits until no round is using it; not from within its own ops. */
void unregister_shrinker(struct vmscan *v, struct shrinker *s);
/* Frames a reclaimer freed on node nid (-1: unknown), from any thread:
 * the engine's progress; wakes the rounds waiting for it. */
void vmscan_progress(struct vmscan *v, int nid, unsigned long nr);

/*
 * The split of a round, a pure function: need pages among n shrinkers
 * in the order they are asked, count[i] what shrinker i can give (0: it
 * is not asked), cheapest first: ask[i] is what i gives of what the ones
 * before it could not.  Returns the total asked (less than need when all
 * together cannot give it).
 */
unsigned long vmscan_split(unsigned long need, const unsigned long *count,
			   unsigned int n, unsigned long *ask);

/* The mm_ops callbacks (priv: the struct vmscan). */
void vmscan_wake_kswapd(void *priv, int nid, unsigned int order,
			enum zone_type highest_zoneidx);
unsigned long vmscan_direct_reclaim(void *priv, gfp_t gfp, unsigned int order,
				    const struct alloc_context *ac);
unsigned long vmscan_zone_reclaimable_pages(void *priv, struct zone *zone);

#endif /* MM_VMSCAN_H */
