// SPDX-License-Identifier: GPL-2.0
/*
 * mm/compaction.c: direct compaction (try_to_compact_pages(),
 * compact_zone_order() and the slow path's call), Linux's deferral and its
 * reset, and the priorities: skip hints, a contended zone lock, blocks a
 * pinned frame dooms, with fake guests (tests/mm/fake_guest.c).
 */
#include <stdlib.h>
#include <unistd.h>

#include "tests/mm/compaction_test.h"

/* A zone of unmovable frames, half free: compaction reports failure and
 * defers, touching nothing. */
START_TEST(test_unmovable_zone_fails_cleanly)
{
	struct mm_pool *pool = pool_of(MIB, 0, false);
	struct fake_guests fg;
	struct zone *zone = normal(pool);
	pfn_t *held = calloc(pool->nr_frames, sizeof(*held));
	unsigned long n, scanned;
	struct alloc_context ac = { 0 };
	unsigned int flags = 0;

	fake_guests_init(&fg, pool, 1, 16);
	n = test_fill(pool, GFP_VMM, 0, 0, held, pool->nr_frames);
	for (unsigned long i = 0; i < n; i++)
		if (held[i] & 1)
			__free_pages(pool, held[i], 0);
	drain_all_pages(pool);
	for (pfn_t p = 0; p < pool->nr_frames; p += pageblock_nr_pages)
		ck_assert_int_eq(get_pageblock_migratetype(pool, p),
				 MIGRATE_UNMOVABLE);

	ck_assert_int_eq(compaction_suitable(pool, zone, pageblock_order, 0,
					     ZONE_NORMAL),
			 COMPACT_CONTINUE);
	ck_assert_int_eq(compact_zone_order(pool, zone, pageblock_order,
					    GFP_VMM, COMPACT_PRIO_SYNC_FULL, 0,
					    ZONE_NORMAL),
			 COMPACT_COMPLETE);
	ck_assert_uint_eq(fg.calls, 0);
	ck_assert_uint_eq(zone->nr_isolated_pages, 0);

	/* Through the slow path's entry: complete, and deferred. */
	ck_assert(prepare_alloc_pages(pool, GFP_VMM, pageblock_order, 0, NULL,
				      &ac, &flags));
	ck_assert_int_eq(try_to_compact_pages(pool, GFP_VMM, pageblock_order,
					      ALLOC_WMARK_MIN, &ac,
					      COMPACT_PRIO_SYNC_LIGHT),
			 COMPACT_COMPLETE);
	ck_assert_uint_eq(zone->compact_defer_shift, 1);
	ck_assert_int_eq(zone->compact_order_failed, pageblock_order);
	scanned = vm_event_sum(pool, COMPACTMIGRATE_SCANNED);
	ck_assert_int_eq(try_to_compact_pages(pool, GFP_VMM, pageblock_order,
					      ALLOC_WMARK_MIN, &ac,
					      COMPACT_PRIO_ASYNC),
			 COMPACT_DEFERRED);
	ck_assert_uint_eq(vm_event_sum(pool, COMPACTMIGRATE_SCANNED), scanned);

	/* And an allocation of the order fails, without a warning storm. */
	ck_assert_uint_eq(__alloc_pages(pool, GFP_VMM | __GFP_NOWARN,
					pageblock_order, 0, NULL),
			  PFN_NONE);
	ck_assert_uint_eq(fg.calls, 0);
	ck_validate(pool);
	for (unsigned long i = 0; i < n; i++)
		if (!(held[i] & 1))
			__free_pages(pool, held[i], 0);
	free(held);
	fake_guests_destroy(&fg);
	mm_pool_destroy(pool);
}
END_TEST

/* Linux's deferral arithmetic, step by step. */
START_TEST(test_defer_arithmetic)
{
	struct mm_pool *pool = pool_of(8, 0, false);
	struct zone *zone = normal(pool);
	const int o = pageblock_order;

	ck_assert(!compaction_deferred(pool, zone, o));
	for (unsigned int shift = 1; shift <= COMPACT_MAX_DEFER_SHIFT + 2;
	     shift++) {
		unsigned int eff = shift < COMPACT_MAX_DEFER_SHIFT ?
					   shift :
					   COMPACT_MAX_DEFER_SHIFT;

		defer_compaction(pool, zone, o);
		ck_assert_uint_eq(zone->compact_defer_shift, eff);
		ck_assert_uint_eq(zone->compact_considered, 0);
		ck_assert_int_eq(zone->compact_order_failed, o);
		/* Skipped (1 << shift) - 1 times, then tried. */
		for (unsigned int i = 1; i < 1U << eff; i++)
			ck_assert_msg(compaction_deferred(pool, zone, o),
				      "shift %u attempt %u", eff, i);
		ck_assert(!compaction_deferred(pool, zone, o));
		/* Orders below the failed one are never deferred. */
		ck_assert(!compaction_deferred(pool, zone, o - 1));
	}
	/* At the limit and tried again: the hints start afresh. */
	ck_assert(compaction_restarting(zone, o));
	ck_assert(!compaction_deferred(pool, zone, o));
	ck_assert_uint_eq(zone->compact_considered,
			  1U << COMPACT_MAX_DEFER_SHIFT);

	/* Compaction succeeded: this order works again, larger ones are
	 * still deferred until an allocation succeeds. */
	compaction_defer_reset(pool, zone, o, false);
	ck_assert_int_eq(zone->compact_order_failed, o + 1);
	ck_assert_uint_eq(zone->compact_defer_shift, COMPACT_MAX_DEFER_SHIFT);
	ck_assert(!compaction_deferred(pool, zone, o));
	defer_compaction(pool, zone, o + 1);
	ck_assert(compaction_deferred(pool, zone, o + 1));
	compaction_defer_reset(pool, zone, o + 1, true);
	ck_assert_uint_eq(zone->compact_defer_shift, 0);
	ck_assert_uint_eq(zone->compact_considered, 0);
	ck_assert(!compaction_deferred(pool, zone, o + 1));
	mm_pool_destroy(pool);
}
END_TEST

/* A deferred zone is skipped below the last priority, compacted at it,
 * and an allocation that then succeeds forgets the failures. */
START_TEST(test_defer_reset_on_success)
{
	struct frag s;
	struct zone *zone;
	struct alloc_context ac = { 0 };
	unsigned int flags = 0;
	unsigned long calls, n;
	pfn_t pfn, held[16];

	setup_fragmented(&s, MIB, GFP_GUEST);
	zone = normal(s.pool);
	for (int i = 0; i < 3; i++)
		defer_compaction(s.pool, zone, pageblock_order);
	ck_assert(prepare_alloc_pages(s.pool, GFP_GUEST, pageblock_order, 0,
				      NULL, &ac, &flags));
	ck_assert_int_eq(try_to_compact_pages(s.pool, GFP_GUEST,
					      pageblock_order, ALLOC_WMARK_MIN,
					      &ac, COMPACT_PRIO_SYNC_LIGHT),
			 COMPACT_DEFERRED);
	ck_assert_uint_eq(s.fg.calls, 0);
	ck_assert_int_eq(try_to_compact_pages(s.pool, GFP_GUEST,
					      pageblock_order, ALLOC_WMARK_MIN,
					      &ac, COMPACT_PRIO_SYNC_FULL),
			 COMPACT_SUCCESS);
	ck_assert_uint_gt(s.fg.moved, 0);
	ck_assert_int_eq(zone->compact_order_failed, pageblock_order + 1);
	ck_assert_uint_eq(zone->compact_defer_shift, 3);

	/*
	 * Deferred once more, with the free order-9 blocks taken: the slow
	 * path's first (async) attempt is deferred, its second compacts,
	 * the allocation succeeds and the zone's record is clean.
	 */
	compaction_defer_reset(s.pool, zone, pageblock_order, true);
	defer_compaction(s.pool, zone, pageblock_order);
	for (n = 0; n < ARRAY_SIZE(held); n++) {
		held[n] = __alloc_pages(s.pool, GFP_GUEST_HUGE_LIGHT,
					pageblock_order, 0, NULL);
		if (held[n] == PFN_NONE)
			break;
	}
	calls = s.fg.calls;
	pfn = __alloc_pages(s.pool, GFP_GUEST | __GFP_NOWARN, pageblock_order,
			    0, NULL);
	ck_assert_uint_ne(pfn, PFN_NONE);
	ck_assert_uint_gt(s.fg.calls, calls);
	ck_assert_uint_eq(zone->compact_defer_shift, 0);
	ck_assert_int_eq(zone->compact_order_failed, pageblock_order + 1);
	while (n)
		__free_pages(s.pool, held[--n], pageblock_order);
	__free_pages(s.pool, pfn, pageblock_order);
	teardown(&s);
}
END_TEST

struct holder {
	pthread_mutex_t *lock;
	unsigned int hold_ms;
	int held; /* atomic: 1 once the lock is taken */
};

static void *hold_lock(void *arg)
{
	struct holder *h = arg;

	pthread_mutex_lock(h->lock);
	__atomic_store_n(&h->held, 1, __ATOMIC_RELEASE);
	usleep(h->hold_ms * 1000);
	pthread_mutex_unlock(h->lock);
	return NULL;
}

/* Run compact_zone_order() for prio while another thread holds the zone
 * lock for a while. */
static enum compact_result compact_contended(struct frag *s,
					     enum compact_priority prio)
{
	struct holder h = { &normal(s->pool)->lock, 300, 0 };
	enum compact_result ret;
	pthread_t th;

	ck_assert_int_eq(pthread_create(&th, NULL, hold_lock, &h), 0);
	while (!__atomic_load_n(&h.held, __ATOMIC_ACQUIRE))
		usleep(100);
	ret = compact_zone_order(s->pool, normal(s->pool), pageblock_order,
				 GFP_GUEST, prio, ALLOC_WMARK_MIN,
				 ZONE_MOVABLE);
	pthread_join(th, NULL);
	return ret;
}

/*
 * Async gives up when the zone lock is contended; sync_light waits for
 * it.  (The lock is held 300 ms from before the run starts; a run that
 * did not get to the lock in that time is tried again.)
 */
START_TEST(test_async_contended)
{
	struct frag s;
	enum compact_result ret = COMPACT_SKIPPED;

	setup_fragmented(&s, MIB, GFP_GUEST);
	for (int i = 0; i < 3 && ret != COMPACT_CONTENDED; i++)
		ret = compact_contended(&s, COMPACT_PRIO_ASYNC);
	ck_assert_int_eq(ret, COMPACT_CONTENDED);
	ck_assert_uint_eq(normal(s.pool)->nr_isolated_pages, 0);
	ck_assert_uint_eq(count_order9(s.pool), 0);
	ck_assert_int_eq(compact_contended(&s, COMPACT_PRIO_SYNC_LIGHT),
			 COMPACT_SUCCESS);
	ck_assert_uint_ge(count_order9(s.pool), 1);
	teardown(&s);
}
END_TEST

/* Pages of the lowest four pageblocks still where they were? */
static unsigned long moved_from_low_blocks(struct frag *s,
					   const uint64_t *before)
{
	unsigned long moved = 0;

	for (pfn_t p = 0; p < 4 * pageblock_nr_pages; p++) {
		struct frame *f = pfn_to_frame(s->pool, p);
		uint64_t now = frame_state(f) == FRAME_INUSE && f->owner ?
				       ((uint64_t)f->owner << 48) | f->gpa :
				       0;

		moved += before[p] && now != before[p];
	}
	return moved;
}

/*
 * A pinned frame dooms its pageblock for an order-9 request: async
 * direct compaction leaves such blocks alone (skip_on_failure), sync
 * moves their pages all the same, as in Linux.
 */
START_TEST(test_async_skips_doomed_blocks)
{
	static const enum compact_priority prio[] = { COMPACT_PRIO_ASYNC,
						      COMPACT_PRIO_SYNC_LIGHT };
	struct frag s;
	uint64_t *before;
	unsigned long moved;

	setup_fragmented(&s, MIB, GFP_GUEST);
	before = calloc(4 * pageblock_nr_pages, sizeof(*before));
	for (pfn_t b = 0; b < 4 * pageblock_nr_pages; b += pageblock_nr_pages) {
		unsigned int g;
		unsigned long page;
		pfn_t q = b + pageblock_nr_pages / 2;

		while (!fake_guests_find(&s.fg, q, &g, &page))
			q++;
		frame_flags_update(pfn_to_frame(s.pool, q), 0, FF_PINNED);
		s.fg.g[g].pinned[page] = true;
	}
	for (pfn_t p = 0; p < 4 * pageblock_nr_pages; p++) {
		struct frame *f = pfn_to_frame(s.pool, p);

		if (frame_state(f) == FRAME_INUSE && f->owner)
			before[p] = ((uint64_t)f->owner << 48) | f->gpa;
	}
	ck_assert_int_eq(compact_zone_order(s.pool, normal(s.pool),
					    pageblock_order, GFP_GUEST,
					    prio[_i], ALLOC_WMARK_MIN,
					    ZONE_MOVABLE),
			 COMPACT_SUCCESS);
	ck_assert_uint_gt(s.fg.moved, 0);
	moved = moved_from_low_blocks(&s, before);
	if (prio[_i] == COMPACT_PRIO_ASYNC)
		ck_assert_uint_eq(moved, 0);
	else
		ck_assert_uint_gt(moved, 0);
	free(before);
	teardown(&s);
}
END_TEST

/*
 * A run that starts from cached positions and meets without a page is
 * PARTIAL_SKIPPED, defers like a complete one, and resets the positions
 * so that the next run covers the whole zone.
 */
START_TEST(test_partial_skipped)
{
	struct frag s;
	struct zone *zone;
	struct alloc_context ac = { 0 };
	unsigned int flags = 0;
	const pfn_t mid = 8 * pageblock_nr_pages;

	setup_fragmented(&s, MIB, GFP_GUEST);
	zone = normal(s.pool);
	WRITE_ONCE(zone->compact_cached_migrate_pfn[1], mid + 1);
	WRITE_ONCE(zone->compact_cached_free_pfn, mid);
	ck_assert(prepare_alloc_pages(s.pool, GFP_GUEST, pageblock_order, 0,
				      NULL, &ac, &flags));
	ck_assert_int_eq(try_to_compact_pages(s.pool, GFP_GUEST,
					      pageblock_order, ALLOC_WMARK_MIN,
					      &ac, COMPACT_PRIO_SYNC_LIGHT),
			 COMPACT_PARTIAL_SKIPPED);
	ck_assert_uint_eq(s.fg.calls, 0);
	ck_assert_uint_eq(zone->compact_defer_shift, 1);
	ck_assert_uint_eq(zone->compact_cached_migrate_pfn[1],
			  zone->zone_start_pfn);
	ck_assert_uint_eq(zone->compact_cached_free_pfn,
			  zone_end_pfn(zone) - pageblock_nr_pages);
	/* Deferred once: the next attempt is skipped, the one after runs
	 * the whole zone. */
	ck_assert_int_eq(try_to_compact_pages(s.pool, GFP_GUEST,
					      pageblock_order, ALLOC_WMARK_MIN,
					      &ac, COMPACT_PRIO_SYNC_LIGHT),
			 COMPACT_DEFERRED);
	ck_assert_int_eq(try_to_compact_pages(s.pool, GFP_GUEST,
					      pageblock_order, ALLOC_WMARK_MIN,
					      &ac, COMPACT_PRIO_SYNC_LIGHT),
			 COMPACT_SUCCESS);
	ck_assert_uint_gt(s.fg.moved, 0);
	teardown(&s);
}
END_TEST

/* Async respects skip hints, sync_light too, sync_full ignores them. */
START_TEST(test_priorities_skip_hints)
{
	struct frag s;
	struct zone *zone;
	unsigned long scanned;

	setup_fragmented(&s, MIB, GFP_GUEST);
	zone = normal(s.pool);
	for (pfn_t p = zone->zone_start_pfn; p < zone_end_pfn(zone);
	     p += pageblock_nr_pages)
		pb_set(pfn_to_frame(s.pool, p), PB_SKIP);

	scanned = vm_event_sum(s.pool, COMPACTMIGRATE_SCANNED);
	ck_assert_int_eq(compact_zone_order(s.pool, zone, pageblock_order,
					    GFP_GUEST, COMPACT_PRIO_ASYNC,
					    ALLOC_WMARK_MIN, ZONE_MOVABLE),
			 COMPACT_COMPLETE);
	ck_assert_uint_eq(vm_event_sum(s.pool, COMPACTMIGRATE_SCANNED),
			  scanned);
	ck_assert_int_eq(compact_zone_order(s.pool, zone, pageblock_order,
					    GFP_GUEST, COMPACT_PRIO_SYNC_LIGHT,
					    ALLOC_WMARK_MIN, ZONE_MOVABLE),
			 COMPACT_COMPLETE);
	ck_assert_uint_eq(vm_event_sum(s.pool, COMPACTMIGRATE_SCANNED),
			  scanned);
	ck_assert_uint_eq(s.fg.calls, 0);
	ck_assert_uint_eq(count_order9(s.pool), 0);

	ck_assert_int_eq(compact_zone_order(s.pool, zone, pageblock_order,
					    GFP_GUEST, COMPACT_PRIO_SYNC_FULL,
					    ALLOC_WMARK_MIN, ZONE_MOVABLE),
			 COMPACT_SUCCESS);
	ck_assert_uint_gt(vm_event_sum(s.pool, COMPACTMIGRATE_SCANNED),
			  scanned);
	ck_assert_uint_ge(count_order9(s.pool), 1);

	/* Once the hints are gone, async works too. */
	__reset_isolation_suitable(s.pool, zone);
	scanned = s.fg.moved;
	ck_assert_int_eq(compact_zone_order(s.pool, zone, pageblock_order + 1,
					    GFP_GUEST, COMPACT_PRIO_ASYNC,
					    ALLOC_WMARK_MIN, ZONE_MOVABLE),
			 COMPACT_SUCCESS);
	ck_assert_uint_gt(s.fg.moved, scanned);
	teardown(&s);
}
END_TEST

/* Direct compaction from the slow path makes an order-9 block. */
START_TEST(test_direct_compaction)
{
	struct frag s;
	pfn_t pfn;

	setup_fragmented(&s, MIB, GFP_GUEST);
	ck_assert_uint_eq(count_order9(s.pool), 0);
	pfn = __alloc_pages(s.pool, GFP_GUEST, pageblock_order, 0, NULL);
	ck_assert_uint_ne(pfn, PFN_NONE);
	ck_assert(IS_ALIGNED(pfn, pageblock_nr_pages));
	ck_assert_uint_eq(vm_event_sum(s.pool, COMPACTSTALL), 1);
	ck_assert_uint_eq(vm_event_sum(s.pool, COMPACTSUCCESS), 1);
	ck_assert_uint_eq(vm_event_sum(s.pool, COMPACTFAIL), 0);
	ck_assert_uint_gt(s.fg.moved, 0);
	/* Direct compaction stops once the block exists: a zone's worth
	 * would be twice as much. */
	ck_assert_uint_lt(s.fg.moved, fake_guests_pages(&s.fg));
	ck_assert_uint_le(s.fg.max_batch, COMPACT_CLUSTER_MAX);
	ck_assert_uint_eq(normal(s.pool)->compact_defer_shift, 0);
	ck_validate(s.pool);
	__free_pages(s.pool, pfn, pageblock_order);
	teardown(&s);
}
END_TEST

Suite *compaction_direct_suite(void)
{
	Suite *s = suite_create("compaction_direct");
	TCase *defer = tcase_create("deferral");
	TCase *tc = tcase_create("direct");

	tcase_set_timeout(defer, 60);
	tcase_add_test(defer, test_unmovable_zone_fails_cleanly);
	tcase_add_test(defer, test_defer_arithmetic);
	tcase_add_test(defer, test_defer_reset_on_success);
	tcase_add_test(defer, test_partial_skipped);
	suite_add_tcase(s, defer);

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_priorities_skip_hints);
	tcase_add_test(tc, test_async_contended);
	tcase_add_loop_test(tc, test_async_skips_doomed_blocks, 0, 2);
	tcase_add_test(tc, test_direct_compaction);
	suite_add_tcase(s, tc);
	return s;
}
