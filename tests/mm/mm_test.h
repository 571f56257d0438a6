/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the mm/ suites: small pools, validation, fake ops. */
#ifndef TESTS_MM_TEST_H
#define TESTS_MM_TEST_H

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mm/internal.h"

/* A pool of mib MiB over nodes nodes, quiet, no host hugepages. */
struct mm_pool *test_pool(unsigned int mib, unsigned int nodes,
			  unsigned int movable_mib);
struct mm_pool *test_pool_cfg(struct mm_config *cfg);

/* ck_assert that mm_validate() passes, with its message if not. */
#define ck_validate(pool)                                          \
	do {                                                       \
		char _err[256];                                    \
		int _ret = mm_validate(pool, _err, sizeof(_err));  \
		ck_assert_msg(_ret == 0, "mm_validate: %s", _err); \
	} while (0)

/* Allocate until the pool refuses; returns how many blocks (stored). */
unsigned long test_fill(struct mm_pool *pool, gfp_t gfp, unsigned int order,
			int nid, pfn_t *out, unsigned long max);

/* Recording fake ops: which slow-path steps ran, in order. */
enum fake_step {
	STEP_KSWAPD = 'K',
	STEP_COMPACT = 'C',
	STEP_RECLAIM = 'R',
	STEP_OOM = 'O',
};

struct fake_ops {
	char steps[256];
	int nsteps;
	/* What each op does. */
	unsigned long reclaim_frees; /* frames to free per reclaim call */
	bool oom_frees; /* OOM frees its stash */
	enum compact_result compact_result;
	/* Frames the fake "guests" hold that reclaim/OOM may free. */
	pfn_t *stash;
	unsigned long nstash;
	struct mm_pool *pool;
	const struct oom_control *last_oc; /* only valid inside the op */
	unsigned long oom_offline_pages; /* the last oc->offline_pages */
	nodemask_t oom_nodemask;
	bool oom_nodemask_set;
	/* A fake clock that reclaim, compaction and OOM move on by step_ns
	 * each (the time they take, for PSI); NULL: none. */
	uint64_t *clock_ns;
	uint64_t step_ns;
};

void fake_ops_install(struct mm_pool *pool, struct fake_ops *fo);
const char *fake_steps(struct fake_ops *fo);

#endif
