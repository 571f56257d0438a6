// SPDX-License-Identifier: GPL-2.0
/* Fault injection for page allocations (Linux's fail_page_alloc). */
#include <errno.h>
#include <string.h>

#include "mm/internal.h"

int fail_page_alloc_set(struct mm_pool *pool,
			const struct fail_page_alloc_attr *attr)
{
	struct fail_page_alloc *fa = &pool->fail;

	if (attr->probability > 100 || attr->min_order >= MAX_ORDER ||
	    attr->times < -1)
		return -EINVAL;
	pthread_mutex_lock(&fa->lock);
	fa->attr = *attr;
	fa->total = 0;
	fa->failed = 0;
	fa->rnd = attr->seed ? attr->seed : 0x9e3779b97f4a7c15ULL;
	WRITE_ONCE(fa->enabled, attr->probability > 0 && attr->times != 0);
	pthread_mutex_unlock(&fa->lock);
	return 0;
}

/* xorshift64*: a private, reproducible stream per pool. */
static unsigned int fa_random_percent(struct fail_page_alloc *fa)
{
	uint64_t x = fa->rnd;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	fa->rnd = x;
	return (unsigned int)((x * 0x2545f4914f6cdd1dULL) >> 33) % 100;
}

bool should_fail_alloc_page(struct mm_pool *pool, gfp_t gfp, unsigned int order)
{
	struct fail_page_alloc *fa = &pool->fail;
	bool fail = false;

	if (gfp & __GFP_NOFAIL)
		return false;
	pthread_mutex_lock(&fa->lock);
	if (!fa->enabled || order < fa->attr.min_order)
		goto out;
	if (fa->attr.ignore_gfp_reclaim && (gfp & __GFP_DIRECT_RECLAIM))
		goto out;
	fa->total++;
	if (fa->attr.interval > 1 && fa->total % fa->attr.interval)
		goto out;
	if (fa->attr.probability <= fa_random_percent(fa))
		goto out;
	fail = true;
	fa->failed++;
	if (fa->attr.times > 0 && --fa->attr.times == 0)
		WRITE_ONCE(fa->enabled, false);
out:
	pthread_mutex_unlock(&fa->lock);
	if (fail) {
		count_vm_event(pool, FAIL_PAGE_ALLOC);
		if (fa->attr.verbose)
			pr_info(pool,
				"FAULT_INJECTION: forcing a failure: order %u gfp 0x%x",
				order, gfp);
	}
	return fail;
}
