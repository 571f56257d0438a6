/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whose are the frames a balloon gives back.  kswapd and direct reclaim
 * ask balloons for pages (a target grows by what the policy asks:
 * pgscan_kswapd, pgscan_direct), and the frames the guests' inflations
 * then free are theirs (pgsteal_kswapd, pgsteal_direct), as Linux counts
 * the pages each reclaimer frees.  Here the guest answers later, and
 * reclaimers that run at the same time ask the same balloons, so each
 * balloon keeps what each reclaimer asked of it and was not given yet.
 * An inflation pays direct reclaim first (an allocation waits for it),
 * then kswapd; pages beyond what they asked (a target set by hand) are
 * nobody's.  A reclaimer is never paid more pages than it asked, and a
 * page frees at most one frame: pgsteal <= pgscan, as in Linux.
 *
 * Context: any thread; the counts are atomics, so asking (reclaim's
 * threads) and paying (the thread serving the balloon's queue) need no
 * lock.
 */
#ifndef BALLOON_OWED_H
#define BALLOON_OWED_H

#include "mm/vmscan.h"

/* Pages asked of one balloon and not yet given, by reclaimer. */
struct reclaim_owed {
	unsigned long pages[NR_RECLAIMERS];
};

/* who asked for pages more. */
void reclaim_owed_ask(struct reclaim_owed *o, enum reclaimer_id who,
		      unsigned long pages);
/*
 * The balloon's target moved (a deflation, a target set by hand): it
 * will give at most room pages more, so what is owed beyond room is
 * forgotten, kswapd's first.
 */
void reclaim_owed_limit(struct reclaim_owed *o, unsigned long room);
/*
 * The guest gave up to pages pages: how many of them pay one reclaimer
 * (*who), the first that is owed; 0 when nobody is.  Call again for the
 * rest.
 */
unsigned long reclaim_owed_pay(struct reclaim_owed *o, unsigned long pages,
			       enum reclaimer_id *who);

#endif /* BALLOON_OWED_H */
