// SPDX-License-Identifier: GPL-2.0
/* mm/buddy.c: exact splitting and merging, alignment, pageblock stealing. */
#include <stdlib.h>

#include "tests/mm/mm_test.h"
#include "tests/mm/printk_capture.h"

#define POOL_MIB 32

/* Everything, ignoring watermarks (as PF_MEMALLOC reclaim would). */
#define GFP_ALL (GFP_VMM | __GFP_MEMALLOC | __GFP_NOWARN)

static unsigned long free_blocks(struct zone *zone, int order)
{
	return zone->free_area[order].nr_free;
}

/* Freeing everything restores one free block per MAX_ORDER block. */
START_TEST(test_split_merge_exact)
{
	struct mm_pool *pool = test_pool(POOL_MIB, 1, 0);
	struct zone *zone = pool->zones[0];
	unsigned int order = _i;
	unsigned long max = pool->nr_frames >> order, n;
	pfn_t *pfns = calloc(max + 1, sizeof(*pfns));

	n = test_fill(pool, GFP_ALL, order, 0, pfns, max + 1);
	ck_assert_uint_eq(n, max);
	ck_assert_int_eq(zone->nr_free_pages + pcp_count_frames(pool, zone), 0);
	for (unsigned long i = 0; i < n; i++)
		ck_assert_uint_eq(pfns[i] & ((1U << order) - 1), 0);
	ck_validate(pool);
	/* Free in a scattered order so merges happen in every position. */
	for (unsigned long i = 0; i < n; i += 2)
		__free_pages(pool, pfns[i], order);
	ck_validate(pool);
	for (unsigned long i = 1; i < n; i += 2)
		__free_pages(pool, pfns[i], order);
	drain_local_pages(pool);
	ck_validate(pool);
	for (int o = 0; o < MAX_ORDER - 1; o++)
		ck_assert_uint_eq(free_blocks(zone, o), 0);
	ck_assert_uint_eq(free_blocks(zone, MAX_ORDER - 1),
			  pool->nr_frames / MAX_ORDER_NR_PAGES);
	ck_assert_int_eq(zone->nr_free_pages, pool->nr_frames);
	free(pfns);
	mm_pool_destroy(pool);
}
END_TEST

/* An order-0 request from a whole block leaves one block of each order. */
START_TEST(test_expand)
{
	struct mm_pool *pool = test_pool(8, 1, 0);
	struct zone *zone = pool->zones[0];
	pfn_t p;

	p = __alloc_pages(pool, GFP_VMM, 3, 0, NULL);
	ck_assert_uint_ne(p, PFN_NONE);
	/* 8 MiB = two 4 MiB blocks: one intact, the other split 3..9. */
	ck_assert_uint_eq(free_blocks(zone, MAX_ORDER - 1), 1);
	for (int o = 3; o < MAX_ORDER - 1; o++)
		ck_assert_uint_eq(free_blocks(zone, o), 1);
	for (int o = 0; o < 3; o++)
		ck_assert_uint_eq(free_blocks(zone, o), 0);
	ck_validate(pool);
	__free_pages(pool, p, 3);
	ck_assert_uint_eq(free_blocks(zone, MAX_ORDER - 1), 2);
	ck_validate(pool);
	mm_pool_destroy(pool);
}
END_TEST

/* Double frees, misaligned and foreign pfns are refused, nothing breaks. */
START_TEST(test_bad_free)
{
	struct mm_pool *pool = test_pool(8, 1, 0);
	pfn_t p = __alloc_pages(pool, GFP_VMM, 2, 0, NULL);
	struct printk_capture c = { 0 };
	long free_before;

	ck_assert_uint_ne(p, PFN_NONE);
	printk_capture_start(&c, pool);
	__free_pages(pool, p + 1, 0); /* a tail */
	printk_capture_expect(&c, "is not a block head");
	printk_capture_start(&c, pool);
	__free_pages(pool, p, 1); /* wrong order */
	printk_capture_expect(&c, "is in use with order 2");
	printk_capture_start(&c, pool);
	__free_pages(pool, pool->nr_frames + 5, 0); /* outside */
	printk_capture_expect(&c, "free of a bad block");
	printk_capture_start(&c, pool);
	__free_pages(pool, p, MAX_ORDER); /* order out of range */
	printk_capture_expect(&c, "free of a bad block");
	ck_validate(pool);
	__free_pages(pool, p, 2);
	free_before = pool->zones[0]->nr_free_pages;
	printk_capture_start(&c, pool);
	__free_pages(pool, p, 2); /* double free */
	printk_capture_expect(&c, "is already free");
	ck_assert_int_eq(pool->zones[0]->nr_free_pages, free_before);
	ck_validate(pool);
	mm_pool_destroy(pool);
}
END_TEST

static int block_type_count(struct mm_pool *pool, struct zone *zone, int mt)
{
	int n = 0;

	for (pfn_t p = zone->zone_start_pfn;
	     p < zone->zone_start_pfn + zone->spanned_pages;
	     p += pageblock_nr_pages)
		n += get_pageblock_migratetype(pool, p) == mt;
	return n;
}

/*
 * All pageblocks start movable.  The first unmovable allocation steals the
 * largest free block whole (a MAX_ORDER block: two pageblocks), as
 * __rmqueue_fallback does, and later unmovable allocations stay in it.
 */
#define BLOCKS_PER_MAX_ORDER (1 << (MAX_ORDER - 1 - pageblock_order))
START_TEST(test_steal_whole_pageblock)
{
	struct mm_pool *pool = test_pool(16, 1, 0);
	struct zone *zone = pool->zones[0];
	pfn_t first, p;

	ck_assert_int_eq(block_type_count(pool, zone, MIGRATE_UNMOVABLE), 0);
	first = __alloc_pages(pool, GFP_VMM, 0, 0, NULL);
	ck_assert_uint_ne(first, PFN_NONE);
	ck_assert_int_eq(block_type_count(pool, zone, MIGRATE_UNMOVABLE),
			 BLOCKS_PER_MAX_ORDER);
	/* Counted in pageblocks, the unit of what changed type. */
	ck_assert_uint_eq(vm_event_sum(pool, EXTFRAG_STEAL_BLOCK),
			  BLOCKS_PER_MAX_ORDER);
	ck_assert_int_eq(get_pageblock_migratetype(pool, first),
			 MIGRATE_UNMOVABLE);
	for (int i = 0; i < 1000; i++) {
		p = __alloc_pages(pool, GFP_VMM, 0, 0, NULL);
		ck_assert_uint_ne(p, PFN_NONE);
		ck_assert_uint_eq(ALIGN_DOWN(p, MAX_ORDER_NR_PAGES),
				  ALIGN_DOWN(first, MAX_ORDER_NR_PAGES));
	}
	ck_assert_int_eq(block_type_count(pool, zone, MIGRATE_UNMOVABLE),
			 BLOCKS_PER_MAX_ORDER);
	ck_validate(pool);
	mm_pool_destroy(pool);
}
END_TEST

/*
 * Movable allocations never take frames from an unmovable pageblock while
 * whole movable pageblocks remain (the point of ALLOC_NOFRAGMENT).
 */
START_TEST(test_nofragment_movable)
{
	struct mm_pool *pool = test_pool(16, 1, 0);
	struct zone *zone = pool->zones[0];
	pfn_t u = __alloc_pages(pool, GFP_VMM, 0, 0, NULL);
	unsigned long movable_pages;

	ck_assert_uint_ne(u, PFN_NONE);
	movable_pages = (block_type_count(pool, zone, MIGRATE_MOVABLE)) *
			pageblock_nr_pages;
	for (unsigned long i = 0; i + 64 < movable_pages - 512; i++) {
		pfn_t p = __alloc_pages(pool, GFP_VMM | __GFP_MOVABLE, 0, 0,
					NULL);

		ck_assert_uint_ne(p, PFN_NONE);
		ck_assert_int_eq(get_pageblock_migratetype(pool, p),
				 MIGRATE_MOVABLE);
	}
	ck_validate(pool);
	mm_pool_destroy(pool);
}
END_TEST

/* When only a piece of a movable block is left, an unmovable request
 * borrows from it and claims it if most of it is free. */
START_TEST(test_fallback_partial_block)
{
	struct mm_pool *pool = test_pool(4, 1, 0);
	struct zone *zone = pool->zones[0];
	pfn_t keep[8];
	int n = 0;

	/* Fragment: every pageblock gets one movable frame in use. */
	for (int b = 0; b < 2; b++) {
		keep[n] = __alloc_pages(pool, GFP_VMM | __GFP_MOVABLE, 9, 0,
					NULL);
		ck_assert_uint_ne(keep[n], PFN_NONE);
		split_page(pool, keep[n], 9);
		for (pfn_t p = keep[n] + 1; p < keep[n] + 512; p++)
			__free_pages(pool, p, 0);
		n++;
	}
	drain_local_pages(pool);
	ck_assert_int_eq(block_type_count(pool, zone, MIGRATE_UNMOVABLE), 0);
	/* No whole free pageblock: the unmovable request must fall back. */
	ck_assert_uint_ne(__alloc_pages(pool, GFP_VMM, 0, 0, NULL), PFN_NONE);
	ck_assert_int_eq(block_type_count(pool, zone, MIGRATE_UNMOVABLE), 1);
	ck_assert_uint_ge(vm_event_sum(pool, EXTFRAG_FALLBACK), 1);
	ck_assert_uint_ge(vm_event_sum(pool, EXTFRAG_STEAL_BLOCK), 1);
	ck_validate(pool);
	mm_pool_destroy(pool);
}
END_TEST

Suite *buddy_suite(void)
{
	Suite *s = suite_create("buddy");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_split_merge_exact, 0, MAX_ORDER);
	tcase_add_test(tc, test_expand);
	tcase_add_test(tc, test_bad_free);
	tcase_add_test(tc, test_steal_whole_pageblock);
	tcase_add_test(tc, test_nofragment_movable);
	tcase_add_test(tc, test_fallback_partial_block);
	suite_add_tcase(s, tc);
	return s;
}
