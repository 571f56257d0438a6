/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which guests give memory back, and how much: the reclaim policy that
 * kswapd and direct reclaim apply to balloons.  Pure functions over
 * snapshots of the guests, so they are tested without KVM.
 *
 * Inflation.  What a guest can give is bounded three ways: what it holds
 * on the node that needs memory, what keeps it at or above its floor (its
 * own, or the policy's), and what it says is free (the stats queue;
 * unknown counts as all it holds).  A guest that did not follow its last
 * request in time (the reclaimer marks it not responsive for a while)
 * gives nothing meanwhile.  The need is shared in proportion to what each
 * can give, so every guest gives the same fraction of its slack
 * (fairness), in steps of at least min_step pages so that requests stay
 * worth their round trip; if that is more than the need, the largest
 * givers go first.
 *
 * Deflation.  Only when free memory is above high by a margin
 * (hysteresis); the surplus beyond that margin goes back to ballooned
 * guests in proportion to their balloons, at most max_deflate_step per
 * round, so the node never oscillates around its watermarks.  A node
 * gives back only what will be allocated on it: pages out of a balloon
 * come back through faults on the guest node whose GPAs they are, served
 * from the pool node behind that guest node (its home).  So a node
 * deflates a guest only in proportion to the guest's RAM homed on it (all
 * of the balloon of a guest all homed there, none of one homed
 * elsewhere).  A balloon target set by hand is kept: deflation never goes
 * below it (inflation may go beyond it under pressure).
 */
#ifndef BALLOON_POLICY_H
#define BALLOON_POLICY_H

#include <stdbool.h>
#include <stdint.h>

struct reclaim_policy {
	unsigned long floor_pages; /* never below this many frames */
	unsigned long reserve_pages; /* leave the guest this much free */
	unsigned long min_step; /* smallest request worth sending */
	unsigned long max_deflate_step; /* per round */
};

struct reclaim_guest {
	unsigned int id; /* the reclaimer's handle (the host's slot) */
	unsigned int vm; /* the guest as users see it: trace events */
	unsigned long frames; /* frames it holds on the node */
	unsigned long total_frames; /* on all nodes */
	unsigned long balloon; /* pages in its balloon (target) */
	unsigned long ram_pages; /* its RAM */
	unsigned long home_pages; /* of which homed on the node */
	unsigned long kept; /* balloon pages set by hand: never deflated */
	long guest_free; /* pages it reports free, -1: unknown */
	bool responsive;
	/* Its own floor (the guest's floor=), else the policy's. */
	bool has_floor;
	unsigned long floor_pages;
};

/* Split need among the guests: add[i] pages more for guest i.  Returns
 * the total asked for: less than need when they cannot give more, up to
 * a min_step more when steps were rounded up. */
unsigned long reclaim_policy_inflate(const struct reclaim_policy *p,
				     unsigned long need,
				     const struct reclaim_guest *g,
				     unsigned int n, unsigned long *add);
/* What guest g could give now. */
unsigned long reclaim_policy_slack(const struct reclaim_policy *p,
				   const struct reclaim_guest *g);
/* What the node may give back to guest g: of its balloon beyond what is
 * kept, the share homed on the node. */
unsigned long reclaim_policy_deflatable(const struct reclaim_guest *g);
/* Give surplus back: sub[i] pages out of guest i's balloon. */
unsigned long reclaim_policy_deflate(const struct reclaim_policy *p,
				     unsigned long surplus,
				     const struct reclaim_guest *g,
				     unsigned int n, unsigned long *sub);

#endif /* BALLOON_POLICY_H */
