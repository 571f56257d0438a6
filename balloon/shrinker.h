/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The balloon as a reclaimer: a shrinker (mm/vmscan.h) over the guests
 * that the VMM describes through struct reclaim_ops, registered with
 * the reclaim engine like any other.  It is the cheapest (seeks 0: a page
 * a guest gives costs it nothing later) and asynchronous: scan_objects
 * sets balloon targets (policy.h) and returns; the guests give later,
 * and the VMM reports each frame they give with vmscan_progress() and
 * pays it to whoever asked (owed.h).
 *
 * count_objects: what the guests holding frames on the node could give
 * (reclaim_policy_slack()).  relax: give a node's surplus back to the
 * balloons of guests whose memory would be allocated on that node
 * (reclaim_policy_deflate()).
 *
 * A guest that does not follow a request within guest_timeout is left
 * out for guest_timeout, then asked again (it may have been busy): it
 * counts nothing meanwhile, so a round does not wait for it and asks
 * the next reclaimer instead.
 */
#ifndef BALLOON_SHRINKER_H
#define BALLOON_SHRINKER_H

#include <pthread.h>

#include "balloon/owed.h"
#include "balloon/policy.h"
#include "mm/vmscan.h"

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
	/* Pages guest id's balloon holds now, as the guest says. */
	unsigned long (*actual)(void *priv, unsigned int id);
};

struct balloon_tunables {
	struct reclaim_policy policy;
	unsigned int guest_timeout_ms; /* ... before a guest is skipped */
};

struct balloon_reclaim {
	struct shrinker shrinker; /* priv: this */
	struct mm_pool *pool;
	struct reclaim_ops ops;
	struct balloon_tunables t;
	/* Pages each node's kswapd asked out of balloons, when memory was
	 * plentiful (atomics). */
	uint64_t deflated[MAX_NUMNODES];
	/* By guest id, guarded by lock: */
	uint64_t unresponsive_until[RECLAIM_MAX_GUESTS + 1]; /* skip until */
	uint64_t req_ns[RECLAIM_MAX_GUESTS + 1]; /* oldest unmet request */
	unsigned long req_actual[RECLAIM_MAX_GUESTS + 1]; /* balloon then */
	pthread_mutex_t lock;
};

void balloon_default_tunables(struct balloon_tunables *t);
/* Ready br->shrinker for register_shrinker(). */
void balloon_reclaim_init(struct balloon_reclaim *br, struct mm_pool *pool,
			  const struct reclaim_ops *ops,
			  const struct balloon_tunables *t);
/* Once unregistered. */
void balloon_reclaim_destroy(struct balloon_reclaim *br);
/* Pages node nid's kswapd has asked out of balloons so far. */
uint64_t reclaim_node_deflated(struct balloon_reclaim *br, int nid);

#endif /* BALLOON_SHRINKER_H */
