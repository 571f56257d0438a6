// SPDX-License-Identifier: GPL-2.0
/*
 * mm/fragmentation.c, kcompactd.c: the fragmentation measures (the
 * indexes and their printed lines, the score and its marks) on known
 * layouts, and kcompactd: proactive rounds down to the low mark, sleeping
 * below it, stopping midway, and the wake-up after kswapd, with fake
 * guests (tests/mm/fake_guest.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/mm/compaction_test.h"

/*
 * A known layout, all else allocated: free blocks 10 x order 0,
 * 3 x order 2, 1 x order 4: 38 pages in 14 blocks.  Linux's formulas by
 * hand:
 *   fragmentation index, order 5: 1000 - (1000 + 38000 / 32) / 14
 *     = 1000 - (1000 + 1187) / 14 = 1000 - 156 = 844
 *   order 9: 1000 - (1000 + 38000 / 512) / 14 = 1000 - 1074 / 14 = 924
 *   orders 0..4: a block is free: -1000
 *   unusable index, order 3: (38 - 2 * 8) * 1000 / 38 = 578
 *   order 1: (38 - (3 * 2 + 8) * 2) * 1000 / 38 = 263
 *   extfrag_for_order 3: (38 - 16) * 100 / 38 = 57
 */
static struct mm_pool *known_layout(void)
{
	struct mm_pool *pool = pool_of(8, 0, true);
	pfn_t *held = calloc(pool->nr_frames, sizeof(*held));
	unsigned long n;

	n = test_fill(pool, GFP_VMM | __GFP_MEMALLOC, 0, 0, held,
		      pool->nr_frames);
	ck_assert_uint_eq(n, pool->nr_frames);
	for (pfn_t p = 0; p < 20; p += 2)
		__free_pages(pool, p, 0);
	for (pfn_t b = 64; b <= 192; b += 64)
		for (pfn_t p = b; p < b + 4; p++)
			__free_pages(pool, p, 0);
	for (pfn_t p = 256; p < 272; p++)
		__free_pages(pool, p, 0);
	free(held);
	return pool;
}

static char *capture(struct mm_pool *pool,
		     void (*show)(struct mm_pool *, FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	show(pool, f);
	fclose(f);
	return buf;
}

START_TEST(test_fragmentation_index)
{
	struct mm_pool *pool = known_layout();
	struct zone *zone = normal(pool);
	char *s;

	ck_assert_uint_eq(zone->free_area[0].nr_free, 10);
	ck_assert_uint_eq(zone->free_area[2].nr_free, 3);
	ck_assert_uint_eq(zone->free_area[4].nr_free, 1);
	ck_assert_int_eq(zone_page_state_free(zone), 38);
	for (unsigned int o = 0; o <= 4; o++)
		ck_assert_int_eq(fragmentation_index(zone, o), -1000);
	ck_assert_int_eq(fragmentation_index(zone, 5), 844);
	ck_assert_int_eq(fragmentation_index(zone, 9), 924);
	ck_assert_uint_eq(extfrag_for_order(zone, 3), 57);
	ck_assert_uint_eq(extfrag_for_order(zone, 0), 0);

	s = capture(pool, mm_show_extfrag_index);
	ck_assert_str_eq(s,
			 "Node 0, zone   Normal -1.000 -1.000 -1.000 -1.000 "
			 "-1.000  0.844  0.887  0.908  0.918  0.924  0.926 \n");
	free(s);
	s = capture(pool, mm_show_unusable_index);
	ck_assert_str_eq(s, "Node 0, zone   Normal 0.000 0.263 0.263 0.578 "
			    "0.578 1.000 1.000 1.000 1.000 1.000 1.000 \n");
	free(s);

	/* Nothing free: no index (0), all unusable, no fragmentation. */
	test_fill(pool, GFP_VMM | __GFP_MEMALLOC, 0, 0, NULL, ~0UL);
	ck_assert_int_eq(zone_page_state_free(zone), 0);
	ck_assert_int_eq(fragmentation_index(zone, 5), 0);
	ck_assert_uint_eq(extfrag_for_order(zone, 9), 0);
	s = capture(pool, mm_show_unusable_index);
	ck_assert_ptr_nonnull(strstr(s, "Normal 1.000 1.000"));
	free(s);
	mm_pool_destroy(pool);
}
END_TEST

/*
 * The score: extfrag at order 9 per zone (100 here: nothing free is in a
 * pageblock), weighted by size per node: 2048 * 100 / (2048 + 1) = 99.
 * With a free movable zone of the same size beside it: 2048 * 100 / 4097
 * = 49.  The marks: low = 100 - proactiveness (at least 5), high = low +
 * 10 (at most 100).
 */
START_TEST(test_fragmentation_score)
{
	struct mm_pool *pool = known_layout();
	struct compact_tunables t;
	unsigned long n;
	pfn_t *held;

	ck_assert_uint_eq(fragmentation_score_zone(normal(pool)), 100);
	ck_assert_uint_eq(fragmentation_score_node(&pool->node_data[0]), 99);
	mm_pool_destroy(pool);

	/* Normal fragmented by order-0 frames, Movable untouched. */
	pool = pool_of(16, 8, true);
	ck_assert_uint_eq(fragmentation_score_node(&pool->node_data[0]), 0);
	ck_assert_uint_eq(free_in_pageblocks_pct(pool), 100);
	held = calloc(pool->nr_frames, sizeof(*held));
	n = test_fill(pool, GFP_VMM | __GFP_MEMALLOC, 0, 0, held,
		      pool->nr_frames);
	ck_assert_uint_eq(n, 2048);
	for (unsigned long i = 0; i < n; i += 2)
		__free_pages(pool, held[i], 0);
	ck_assert_uint_eq(fragmentation_score_zone(normal(pool)), 100);
	ck_assert_uint_eq(fragmentation_score_zone(
				  &pool->node_data[0].node_zones[ZONE_MOVABLE]),
			  0);
	ck_assert_uint_eq(fragmentation_score_node(&pool->node_data[0]), 49);
	/* 2048 free in blocks of 4096 free. */
	ck_assert_uint_eq(free_in_pageblocks_pct(pool), 66);
	free(held);
	mm_pool_destroy(pool);

	pool = pool_of(8, 0, false);
	ck_assert_uint_eq(fragmentation_score_wmark(pool, true), 80);
	ck_assert_uint_eq(fragmentation_score_wmark(pool, false), 90);
	t = pool->compact;
	t.proactiveness = 100;
	ck_assert_int_eq(compaction_set_tunables(pool, &t), 0);
	ck_assert_uint_eq(fragmentation_score_wmark(pool, true), 5);
	ck_assert_uint_eq(fragmentation_score_wmark(pool, false), 15);
	t.proactiveness = 0;
	ck_assert_int_eq(compaction_set_tunables(pool, &t), 0);
	ck_assert_uint_eq(fragmentation_score_wmark(pool, true), 100);
	ck_assert_uint_eq(fragmentation_score_wmark(pool, false), 100);
	t.proactiveness = 101;
	ck_assert_int_eq(compaction_set_tunables(pool, &t), -EINVAL);
	t.proactiveness = 20;
	t.batch = COMPACT_CLUSTER_MAX_LIMIT + 1;
	ck_assert_int_eq(compaction_set_tunables(pool, &t), -EINVAL);
	t.batch = 0;
	ck_assert_int_eq(compaction_set_tunables(pool, &t), -EINVAL);
	mm_pool_destroy(pool);
}
END_TEST

static bool wait_for(bool (*cond)(void *), void *arg, unsigned int max_ms)
{
	for (unsigned int ms = 0; ms < max_ms; ms += 5) {
		if (cond(arg))
			return true;
		usleep(5000);
	}
	return cond(arg);
}

static bool score_low(void *arg)
{
	struct mm_pool *pool = arg;

	return fragmentation_score_node(&pool->node_data[0]) <=
	       fragmentation_score_wmark(pool, false);
}

static bool order9_free(void *arg)
{
	struct zone *zone = normal(arg);

	for (int o = pageblock_order; o < MAX_ORDER; o++)
		if (READ_ONCE(zone->free_area[o].nr_free))
			return true;
	return false;
}

/* Proactive: above the high mark kcompactd compacts, down to the low. */
START_TEST(test_kcompactd_proactive)
{
	struct frag s;
	struct compact_tunables t;

	setup_fragmented(&s, MIB, GFP_GUEST);
	t = s.pool->compact;
	t.proactiveness = 90; /* low 10, high 20 */
	t.interval_ms = 10;
	ck_assert_int_eq(compaction_set_tunables(s.pool, &t), 0);
	ck_assert(!score_low(s.pool));
	ck_assert_int_eq(kcompactd_run(s.pool), 0);
	ck_assert_msg(wait_for(score_low, s.pool, 20000),
		      "score still %u after 20 s",
		      fragmentation_score_node(&s.pool->node_data[0]));
	kcompactd_stop(s.pool);
	ck_assert_uint_gt(vm_event_sum(s.pool, KCOMPACTD_MIGRATE_SCANNED), 0);
	ck_assert_uint_gt(vm_event_sum(s.pool, KCOMPACTD_FREE_SCANNED), 0);
	ck_assert_uint_gt(s.fg.moved, 0);
	/* Proactive rounds are not wake-ups for an order. */
	ck_assert_uint_eq(vm_event_sum(s.pool, KCOMPACTD_WAKE), 0);
	teardown(&s);
}
END_TEST

static bool op_called(void *arg)
{
	struct fake_guests *fg = arg;

	return __atomic_load_n(&fg->calls, __ATOMIC_RELAXED) > 0;
}

/*
 * Stopping kcompactd in the middle of a round ends the round at the next
 * batch: with a slow owner (10 ms a batch) the round would take some 60
 * batches.
 */
START_TEST(test_kcompactd_stop_midway)
{
	struct frag s;
	struct compact_tunables t;
	unsigned long calls;

	setup_fragmented(&s, MIB, GFP_GUEST);
	s.fg.delay_us = 10000;
	t = s.pool->compact;
	t.proactiveness = 90;
	t.interval_ms = 10;
	ck_assert_int_eq(compaction_set_tunables(s.pool, &t), 0);
	ck_assert_int_eq(kcompactd_run(s.pool), 0);
	ck_assert(wait_for(op_called, &s.fg, 20000));
	kcompactd_stop(s.pool);
	calls = s.fg.calls;
	ck_assert_uint_lt(calls, 30);
	ck_assert_uint_ge(fragmentation_score_node(&s.pool->node_data[0]), 50);
	ck_assert_uint_eq(normal(s.pool)->nr_isolated_pages, 0);
	teardown(&s);
}
END_TEST

/* Below the mark, or with proactiveness 0, kcompactd does nothing. */
START_TEST(test_kcompactd_sleeps)
{
	struct frag s;
	struct compact_tunables t;

	setup_fragmented(&s, MIB, GFP_GUEST);
	t = s.pool->compact;
	t.interval_ms = 2;
	t.proactiveness = 0;
	ck_assert_int_eq(compaction_set_tunables(s.pool, &t), 0);
	ck_assert_int_eq(kcompactd_run(s.pool), 0);
	usleep(100 * 1000);
	/* Fragmented, but the proactive mode is off. */
	ck_assert_uint_eq(vm_event_sum(s.pool, KCOMPACTD_MIGRATE_SCANNED), 0);
	kcompactd_stop(s.pool);
	ck_assert_uint_eq(s.fg.calls, 0);
	teardown(&s);

	/* Not fragmented (score 0): nothing, however eager. */
	s.pool = pool_of(MIB, 0, false);
	fake_guests_init(&s.fg, s.pool, 1, 4096);
	for (unsigned long p = 0; p < 4096; p++)
		fake_guest_fault(&s.fg, 0, p, GFP_GUEST, false);
	t = s.pool->compact;
	t.interval_ms = 2;
	t.proactiveness = 100;
	ck_assert_int_eq(compaction_set_tunables(s.pool, &t), 0);
	ck_assert_uint_le(fragmentation_score_node(&s.pool->node_data[0]),
			  fragmentation_score_wmark(s.pool, false));
	ck_assert_int_eq(kcompactd_run(s.pool), 0);
	ck_assert_int_eq(kcompactd_run(s.pool), 0); /* already running */
	usleep(100 * 1000);
	kcompactd_stop(s.pool);
	kcompactd_stop(s.pool); /* already stopped */
	ck_assert_uint_eq(vm_event_sum(s.pool, KCOMPACTD_MIGRATE_SCANNED), 0);
	ck_assert_uint_eq(s.fg.calls, 0);
	teardown(&s);
}
END_TEST

/* kswapd balanced the node after an order-9 request: kcompactd makes
 * the block, even with the proactive mode off. */
START_TEST(test_kcompactd_wakeup)
{
	struct frag s;
	struct compact_tunables t;

	setup_fragmented(&s, MIB, GFP_GUEST);
	t = s.pool->compact;
	t.proactiveness = 0;
	ck_assert_int_eq(compaction_set_tunables(s.pool, &t), 0);
	ck_assert_int_eq(kcompactd_run(s.pool), 0);
	/* What a failed order-9 request leaves for kswapd. */
	WRITE_ONCE(s.pool->node_data[0].kswapd_order, pageblock_order);
	kswapd_balanced(s.pool, 0);
	ck_assert_int_eq(READ_ONCE(s.pool->node_data[0].kswapd_order), 0);
	ck_assert_msg(wait_for(order9_free, s.pool, 20000),
		      "no order-9 block after 20 s");
	kcompactd_stop(s.pool);
	ck_assert_uint_eq(vm_event_sum(s.pool, KCOMPACTD_WAKE), 1);
	ck_assert_uint_gt(vm_event_sum(s.pool, KCOMPACTD_MIGRATE_SCANNED), 0);
	ck_assert_uint_ge(count_order9(s.pool), 1);
	/* Order 0 wakes nobody. */
	wakeup_kcompactd(s.pool, 0, 0, ZONE_MOVABLE);
	teardown(&s);
}
END_TEST

Suite *compaction_kcompactd_suite(void)
{
	Suite *s = suite_create("compaction_kcompactd");
	TCase *frag = tcase_create("fragmentation");
	TCase *kd = tcase_create("kcompactd");

	tcase_add_test(frag, test_fragmentation_index);
	tcase_add_test(frag, test_fragmentation_score);
	suite_add_tcase(s, frag);

	tcase_set_timeout(kd, 60);
	tcase_add_test(kd, test_kcompactd_proactive);
	tcase_add_test(kd, test_kcompactd_sleeps);
	tcase_add_test(kd, test_kcompactd_stop_midway);
	tcase_add_test(kd, test_kcompactd_wakeup);
	suite_add_tcase(s, kd);
	return s;
}
