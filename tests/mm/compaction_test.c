// SPDX-License-Identifier: GPL-2.0
#include "tests/mm/compaction_test.h"

struct mm_pool *pool_of(unsigned int mib, unsigned int movable_mib, bool no_pcp)
{
	struct mm_config cfg = {
		.pool_bytes = (uint64_t)mib << 20,
		.nr_nodes = 1,
		.movable_bytes = (uint64_t)movable_mib << 20,
		.no_pcp = no_pcp,
	};

	return test_pool_cfg(&cfg);
}

void setup_fragmented(struct frag *s, unsigned int mib, gfp_t gfp)
{
	s->pool = pool_of(mib, 0, false);
	fake_guests_init(&s->fg, s->pool, 2, s->pool->nr_frames);
	for (unsigned long i = 0;; i++)
		if (fake_guest_fault(&s->fg, i % 2, i / 2, gfp, false) ==
		    PFN_NONE)
			break;
	for (unsigned int g = 0; g < 2; g++)
		for (unsigned long p = 0; p < s->fg.g[g].npages; p++)
			if (s->fg.g[g].map[p] != PFN_NONE &&
			    (s->fg.g[g].map[p] & 1))
				fake_guest_discard(&s->fg, g, p);
	drain_all_pages(s->pool);
}

void teardown(struct frag *s)
{
	ck_no_violation(&s->fg);
	ck_assert_uint_eq(fake_guests_verify(&s->fg), 0);
	ck_validate(s->pool);
	fake_guests_destroy(&s->fg);
	mm_pool_destroy(s->pool);
}

struct zone *normal(struct mm_pool *pool)
{
	return &pool->node_data[0].node_zones[ZONE_NORMAL];
}

unsigned int count_order9(struct mm_pool *pool)
{
	pfn_t got[64];
	unsigned int n = 0;

	while (n < ARRAY_SIZE(got)) {
		got[n] = __alloc_pages(pool, GFP_GUEST_HUGE_LIGHT,
				       pageblock_order, 0, NULL);
		if (got[n] == PFN_NONE)
			break;
		n++;
	}
	for (unsigned int i = 0; i < n; i++)
		__free_pages(pool, got[i], pageblock_order);
	return n;
}
