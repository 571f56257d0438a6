// SPDX-License-Identifier: GPL-2.0
/* The reclaim policy (see policy.h). */
#include "balloon/policy.h"

static unsigned long min_ul(unsigned long a, unsigned long b)
{
	return a < b ? a : b;
}

unsigned long reclaim_policy_slack(const struct reclaim_policy *p,
				   const struct reclaim_guest *g)
{
	unsigned long floor = g->has_floor ? g->floor_pages : p->floor_pages;
	unsigned long slack;

	if (!g->responsive || g->total_frames <= floor)
		return 0;
	slack = min_ul(g->frames, g->total_frames - floor);
	if (g->guest_free >= 0) {
		unsigned long free = (unsigned long)g->guest_free;

		slack = min_ul(slack, free > p->reserve_pages ?
					      free - p->reserve_pages :
					      0);
	}
	return slack;
}

unsigned long reclaim_policy_inflate(const struct reclaim_policy *p,
				     unsigned long need,
				     const struct reclaim_guest *g,
				     unsigned int n, unsigned long *add)
{
	unsigned long slack[n ? n : 1], total = 0, asked = 0;

	for (unsigned int i = 0; i < n; i++) {
		add[i] = 0;
		slack[i] = reclaim_policy_slack(p, &g[i]);
		total += slack[i];
	}
	if (!total || !need)
		return 0;
	if (need >= total) {
		for (unsigned int i = 0; i < n; i++)
			add[i] = slack[i];
		return total;
	}
	/* Proportional shares, rounded up to min_step (within slack). */
	for (unsigned int i = 0; i < n; i++) {
		unsigned long share;

		if (!slack[i])
			continue;
		share = (unsigned long)((unsigned __int128)need * slack[i] /
					total);
		if (share < p->min_step)
			share = p->min_step;
		add[i] = min_ul(share, slack[i]);
	}
	/* Rounding up may ask for too much: trim the smallest givers first,
	 * so the largest ones carry the request. */
	for (unsigned int i = 0; i < n; i++)
		asked += add[i];
	while (asked > need + p->min_step) {
		unsigned int k = n;

		for (unsigned int i = 0; i < n; i++)
			if (add[i] && (k == n || slack[i] < slack[k]))
				k = i;
		if (k == n || asked - add[k] < need)
			break;
		asked -= add[k];
		add[k] = 0;
	}
	return asked;
}

unsigned long reclaim_policy_deflatable(const struct reclaim_guest *g)
{
	if (!g->ram_pages || g->balloon <= g->kept)
		return 0;
	return (unsigned long)((unsigned __int128)(g->balloon - g->kept) *
			       min_ul(g->home_pages, g->ram_pages) /
			       g->ram_pages);
}

unsigned long reclaim_policy_deflate(const struct reclaim_policy *p,
				     unsigned long surplus,
				     const struct reclaim_guest *g,
				     unsigned int n, unsigned long *sub)
{
	unsigned long mine[n ? n : 1], ballooned = 0, given = 0;

	surplus = min_ul(surplus, p->max_deflate_step);
	for (unsigned int i = 0; i < n; i++) {
		sub[i] = 0;
		mine[i] = reclaim_policy_deflatable(&g[i]);
		ballooned += mine[i];
	}
	if (!ballooned || !surplus)
		return 0;
	for (unsigned int i = 0; i < n; i++) {
		sub[i] = min_ul(mine[i],
				(unsigned long)((unsigned __int128)surplus *
						mine[i] / ballooned));
		given += sub[i];
	}
	/* What rounding left: to the first balloons with room. */
	for (unsigned int i = 0; i < n && given < min_ul(surplus, ballooned);
	     i++) {
		unsigned long more = min_ul(mine[i] - sub[i],
					    min_ul(surplus, ballooned) - given);

		sub[i] += more;
		given += more;
	}
	return given;
}
