// SPDX-License-Identifier: GPL-2.0
/* mm/watermark.c: the computed marks, and every alloc_flag's meaning. */
#include "tests/mm/mm_test.h"

/* Like __setup_per_zone_wmarks for a 1 GiB single-zone pool. */
START_TEST(test_wmarks_computed)
{
	struct mm_pool *pool = test_pool(1024, 1, 0);
	struct zone *z = pool->zones[0];
	unsigned long min = 4096 / 4; /* sqrt(1 GiB in KiB * 16) = 4096 KiB */
	unsigned long gap = 262144 * 10 / 10000; /* > min/4 = 256 */

	ck_assert_uint_eq(pool->min_free_kbytes, 4096);
	ck_assert_uint_eq(min_wmark_pages(z), min);
	ck_assert_uint_eq(low_wmark_pages(z), min + gap);
	ck_assert_uint_eq(high_wmark_pages(z), min + 2 * gap);
	mm_pool_destroy(pool);
}
END_TEST

/* Options, shares between zones, lowmem_reserve. */
START_TEST(test_wmarks_options_and_reserve)
{
	struct mm_config cfg = {
		.pool_bytes = 64 << 20,
		.nr_nodes = 1,
		.movable_bytes = 16 << 20,
		.min_free_kbytes = 8192,
		.watermark_scale_factor = 1000,
	};
	struct mm_pool *pool = test_pool_cfg(&cfg);
	struct zone *normal = &pool->node_data[0].node_zones[ZONE_NORMAL];
	struct zone *movable = &pool->node_data[0].node_zones[ZONE_MOVABLE];

	/* 2048 min pages split 3:1 by size. */
	ck_assert_uint_eq(min_wmark_pages(normal), 1536);
	ck_assert_uint_eq(min_wmark_pages(movable), 512);
	/* scale factor 10%: 1228 > 1536/4 */
	ck_assert_uint_eq(low_wmark_pages(normal), 1536 + 12288 / 10);
	ck_assert_uint_eq(high_wmark_pages(normal), 1536 + 2 * (12288 / 10));
	ck_assert_uint_eq(low_wmark_pages(movable), 512 + 4096 / 10);
	/* ZONE_NORMAL keeps movable_pages / 32 from movable requests. */
	ck_assert_int_eq(normal->lowmem_reserve[ZONE_MOVABLE], 4096 / 32);
	ck_assert_int_eq(normal->lowmem_reserve[ZONE_NORMAL], 0);
	ck_assert_int_eq(movable->lowmem_reserve[ZONE_MOVABLE], 0);
	mm_pool_destroy(pool);
}
END_TEST

/* The exact boundary: free must stay above mark + reserve. */
START_TEST(test_watermark_boundaries)
{
	struct mm_pool *pool = test_pool(32, 1, 0);
	struct zone *z = pool->zones[0];
	unsigned long mark = 1000;

	ck_assert(!__zone_watermark_ok(z, 0, mark, ZONE_NORMAL, 0, 1000));
	ck_assert(__zone_watermark_ok(z, 0, mark, ZONE_NORMAL, 0, 1001));
	/* An order-2 request's other three frames don't count. */
	ck_assert(!__zone_watermark_ok(z, 2, mark, ZONE_NORMAL, 0, 1003));
	ck_assert(__zone_watermark_ok(z, 2, mark, ZONE_NORMAL, 0, 1004));
	/* ALLOC_HIGH: half the mark. */
	ck_assert(
		!__zone_watermark_ok(z, 0, mark, ZONE_NORMAL, ALLOC_HIGH, 500));
	ck_assert(
		__zone_watermark_ok(z, 0, mark, ZONE_NORMAL, ALLOC_HIGH, 501));
	/* ALLOC_HARDER: a quarter off. */
	ck_assert(!__zone_watermark_ok(z, 0, mark, ZONE_NORMAL, ALLOC_HARDER,
				       750));
	ck_assert(__zone_watermark_ok(z, 0, mark, ZONE_NORMAL, ALLOC_HARDER,
				      751));
	/* ALLOC_OOM: half off; with ALLOC_HIGH: 1000 -> 500 -> 250. */
	ck_assert(
		!__zone_watermark_ok(z, 0, mark, ZONE_NORMAL, ALLOC_OOM, 500));
	ck_assert(__zone_watermark_ok(z, 0, mark, ZONE_NORMAL,
				      ALLOC_OOM | ALLOC_HIGH, 251));
	ck_assert(!__zone_watermark_ok(z, 0, mark, ZONE_NORMAL,
				       ALLOC_OOM | ALLOC_HIGH, 250));
	mm_pool_destroy(pool);
}
END_TEST

/* The higher-order check wants a free block of at least that order. */
START_TEST(test_watermark_high_order)
{
	struct mm_pool *pool = test_pool(8, 1, 0);
	struct zone *z = pool->zones[0];
	pfn_t blocks[2];

	ck_assert(zone_watermark_ok(z, 9, 0, ZONE_NORMAL, 0));
	/* Leave only order-0..8 pieces: take both 4 MiB blocks, give back
	 * all but one frame of each pageblock. */
	for (int i = 0; i < 2; i++) {
		blocks[i] = __alloc_pages(pool, GFP_VMM | __GFP_MEMALLOC,
					  MAX_ORDER - 1, 0, NULL);
		ck_assert_uint_ne(blocks[i], PFN_NONE);
		split_page(pool, blocks[i], MAX_ORDER - 1);
		for (pfn_t p = blocks[i]; p < blocks[i] + MAX_ORDER_NR_PAGES;
		     p++)
			if (p % pageblock_nr_pages != 7)
				__free_pages(pool, p, 0);
	}
	drain_local_pages(pool);
	ck_validate(pool);
	ck_assert_int_eq(z->nr_free_pages, 2048 - 4);
	ck_assert(zone_watermark_ok(z, 0, 100, ZONE_NORMAL, 0));
	ck_assert(zone_watermark_ok(z, 8, 100, ZONE_NORMAL, 0));
	ck_assert(!zone_watermark_ok(z, 9, 100, ZONE_NORMAL, 0));
	mm_pool_destroy(pool);
}
END_TEST

/*
 * Filling the pool with each mask stops exactly where its flags say: with
 * per-thread caches of one frame, every frame passes the check.
 */
static long fill_until(gfp_t gfp, unsigned long *min_out)
{
	struct mm_config cfg = {
		.pool_bytes = 32 << 20,
		.nr_nodes = 1,
		.pcp_batch = 1,
		.pcp_high = 1,
	};
	struct mm_pool *pool = test_pool_cfg(&cfg);
	long left;

	test_fill(pool, gfp, 0, 0, NULL, ~0UL);
	*min_out = min_wmark_pages(pool->zones[0]);
	left = pool->zones[0]->nr_free_pages;
	ck_validate(pool);
	mm_pool_destroy(pool);
	return left;
}

START_TEST(test_alloc_flags_fill)
{
	unsigned long min, m;

	/* No reclaim possible, no ops: stops at MIN. */
	ck_assert_int_eq(fill_until(GFP_NOWAIT, &min), (long)min);
	ck_assert_int_eq(fill_until(GFP_VMM, &min), (long)min);
	/* GFP_ATOMIC: __GFP_HIGH halves, ALLOC_HARDER takes a quarter. */
	m = min - min / 2;
	m -= m / 4;
	ck_assert_int_eq(fill_until(GFP_ATOMIC, &min), (long)m);
	/* __GFP_HIGH alone with reclaim: half. */
	ck_assert_int_eq(fill_until(GFP_VMM | __GFP_HIGH, &min),
			 (long)(min - min / 2));
	/* __GFP_MEMALLOC: no watermarks at all. */
	ck_assert_int_eq(fill_until(GFP_VMM | __GFP_MEMALLOC, &min), 0);
	/* ... unless __GFP_NOMEMALLOC says otherwise. */
	ck_assert_int_eq(fill_until(GFP_VMM | __GFP_MEMALLOC | __GFP_NOMEMALLOC,
				    &min),
			 (long)min);
}
END_TEST

/* PF_MEMALLOC context (reclaim itself) allocates below MIN. */
START_TEST(test_pf_memalloc)
{
	struct mm_pool *pool = test_pool(16, 1, 0);
	unsigned int flags;

	test_fill(pool, GFP_VMM, 0, 0, NULL, ~0UL);
	ck_assert_uint_eq(__alloc_pages(pool, GFP_VMM | __GFP_NOWARN, 0, 0,
					NULL),
			  PFN_NONE);
	flags = memalloc_noreclaim_save();
	ck_assert_uint_ne(__alloc_pages(pool, GFP_VMM, 0, 0, NULL), PFN_NONE);
	memalloc_noreclaim_restore(flags);
	/* An OOM victim gets ALLOC_OOM: below MIN but not to zero. */
	mm_mark_oom_victim(true);
	ck_assert_uint_ne(__alloc_pages(pool, GFP_VMM, 0, 0, NULL), PFN_NONE);
	mm_mark_oom_victim(false);
	ck_validate(pool);
	mm_pool_destroy(pool);
}
END_TEST

Suite *watermark_suite(void)
{
	Suite *s = suite_create("watermark");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_wmarks_computed);
	tcase_add_test(tc, test_wmarks_options_and_reserve);
	tcase_add_test(tc, test_watermark_boundaries);
	tcase_add_test(tc, test_watermark_high_order);
	tcase_add_test(tc, test_alloc_flags_fill);
	tcase_add_test(tc, test_pf_memalloc);
	suite_add_tcase(s, tc);
	return s;
}
