// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "tests/mm/mm_test.h"

struct mm_pool *test_pool_cfg(struct mm_config *cfg)
{
	struct mm_pool *pool;
	char err[256];
	int ret;

	cfg->quiet = true;
	ret = mm_pool_create(cfg, &pool, err, sizeof(err));
	ck_assert_msg(ret == 0, "mm_pool_create: %s", err);
	return pool;
}

struct mm_pool *test_pool(unsigned int mib, unsigned int nodes,
			  unsigned int movable_mib)
{
	struct mm_config cfg = {
		.pool_bytes = (uint64_t)mib << 20,
		.nr_nodes = nodes,
		.movable_bytes = (uint64_t)movable_mib << 20,
	};

	return test_pool_cfg(&cfg);
}

unsigned long test_fill(struct mm_pool *pool, gfp_t gfp, unsigned int order,
			int nid, pfn_t *out, unsigned long max)
{
	unsigned long n = 0;

	while (n < max) {
		pfn_t p = __alloc_pages(pool, gfp | __GFP_NOWARN, order, nid,
					NULL);

		if (p == PFN_NONE)
			break;
		if (out)
			out[n] = p;
		n++;
	}
	return n;
}

static void step(struct fake_ops *fo, char c)
{
	if (fo->nsteps < (int)sizeof(fo->steps) - 1)
		fo->steps[fo->nsteps++] = c;
	fo->steps[fo->nsteps] = 0;
	/* Waking kswapd takes no time of the allocating thread. */
	if (fo->clock_ns && c != STEP_KSWAPD)
		*fo->clock_ns += fo->step_ns;
}

static void fake_kswapd(void *priv, int nid, unsigned int order,
			enum zone_type idx)
{
	(void)nid, (void)order, (void)idx;
	step(priv, STEP_KSWAPD);
}

static unsigned long fake_release(struct fake_ops *fo, unsigned long n)
{
	unsigned long done = 0;

	while (done < n && fo->nstash) {
		__free_pages(fo->pool, fo->stash[--fo->nstash], 0);
		done++;
	}
	return done;
}

static unsigned long fake_reclaim(void *priv, gfp_t gfp, unsigned int order,
				  const struct alloc_context *ac)
{
	struct fake_ops *fo = priv;

	(void)gfp, (void)order, (void)ac;
	step(fo, STEP_RECLAIM);
	return fake_release(fo, fo->reclaim_frees);
}

static enum compact_result fake_compact(void *priv, gfp_t gfp,
					unsigned int order,
					unsigned int alloc_flags,
					const struct alloc_context *ac,
					enum compact_priority prio)
{
	struct fake_ops *fo = priv;

	(void)gfp, (void)order, (void)alloc_flags, (void)ac, (void)prio;
	step(fo, STEP_COMPACT);
	return fo->compact_result;
}

static bool fake_oom(void *priv, const struct oom_control *oc)
{
	struct fake_ops *fo = priv;

	step(fo, STEP_OOM);
	fo->last_oc = oc;
	fo->oom_offline_pages = oc->offline_pages;
	fo->oom_nodemask_set = oc->nodemask != NULL;
	if (oc->nodemask)
		fo->oom_nodemask = *oc->nodemask;
	return fo->oom_frees && fake_release(fo, ~0UL) > 0;
}

void fake_ops_install(struct mm_pool *pool, struct fake_ops *fo)
{
	struct mm_ops ops = {
		.priv = fo,
		.wake_kswapd = fake_kswapd,
		.direct_reclaim = fake_reclaim,
		.direct_compact = fake_compact,
		.out_of_memory = fake_oom,
	};

	fo->pool = pool;
	fo->steps[0] = 0;
	fo->nsteps = 0;
	mm_set_ops(pool, &ops);
}

const char *fake_steps(struct fake_ops *fo)
{
	return fo->steps;
}
