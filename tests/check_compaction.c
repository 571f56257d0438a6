// SPDX-License-Identifier: GPL-2.0
/*
 * mm/compaction.c, compaction_scan.c, fragmentation.c, kcompactd.c: the
 * scanners, deferral, priorities, the fragmentation measures, kcompactd
 * and direct compaction from the slow path, with fake guests
 * (tests/fake_guest.c) whose migrate_pages op copies the pages and checks
 * them afterwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "tests/fake_guest.h"

#define MIB 32 /* 16 pageblocks: enough to meet in the middle */

struct frag {
	struct mm_pool *pool;
	struct fake_guests fg;
};

static struct mm_pool *pool_of(unsigned int mib, unsigned int movable_mib,
			       bool no_pcp)
{
	struct mm_config cfg = {
		.pool_bytes = (uint64_t)mib << 20,
		.nr_nodes = 1,
		.movable_bytes = (uint64_t)movable_mib << 20,
		.no_pcp = no_pcp,
	};

	return test_pool_cfg(&cfg);
}

/*
 * Two guests take the pool page by page (consecutive frames, alternating
 * guests) until it refuses, then every frame with an odd pfn goes back:
 * each pageblock is half free, and no free block is larger than a page.
 */
static void setup_fragmented(struct frag *s, unsigned int mib, gfp_t gfp)
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

static void teardown(struct frag *s)
{
	ck_no_violation(&s->fg);
	ck_assert_uint_eq(fake_guests_verify(&s->fg), 0);
	ck_validate(s->pool);
	fake_guests_destroy(&s->fg);
	mm_pool_destroy(s->pool);
}

static struct zone *normal(struct mm_pool *pool)
{
	return &pool->node_data[0].node_zones[ZONE_NORMAL];
}

/* How many order-9 blocks a light (no reclaim, no compaction) request
 * gets; they are freed again. */
static unsigned int count_order9(struct mm_pool *pool)
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

/* A whole-zone run: the free scanner stays above the migrate scanner and
 * they meet once, having scanned each frame at most once. */
START_TEST(test_scanners_meet)
{
	struct frag s;
	struct compact_control *cc = calloc(1, sizeof(*cc));
	struct zone *zone;
	enum compact_result ret;

	setup_fragmented(&s, MIB, GFP_GUEST);
	zone = normal(s.pool);
	*cc = (struct compact_control){
		.pool = s.pool,
		.zone = zone,
		.order = -1,
		.migratetype = MIGRATE_MOVABLE,
		.mode = MIGRATE_SYNC,
		.ignore_skip_hint = true,
		.whole_zone = true,
		.batch = COMPACT_CLUSTER_MAX,
	};
	ret = compact_zone(cc);
	ck_assert_int_eq(ret, COMPACT_COMPLETE);
	ck_assert(compact_scanners_met(cc));
	ck_assert_uint_gt(cc->nr_migrated, 0);
	ck_assert_uint_eq(cc->nr_migrated, s.fg.moved);
	ck_assert_uint_eq(s.fg.down_moves, 0);
	ck_assert_uint_le(cc->total_migrate_scanned + cc->total_free_scanned,
			  zone->spanned_pages);
	ck_assert_uint_le(s.fg.max_batch, COMPACT_CLUSTER_MAX);
	ck_assert_uint_eq(zone->nr_isolated_pages, 0);
	/* Half of the 16 blocks were emptied, but for the meeting one. */
	ck_assert_uint_ge(count_order9(s.pool), 6);
	free(cc);
	teardown(&s);
}
END_TEST

/* Every other frame owned: order 9 fails, compaction, order 9 works. */
START_TEST(test_fragmented_order9)
{
	struct frag s;
	unsigned long before = 0, pages;
	long migrated;

	setup_fragmented(&s, MIB, GFP_GUEST);
	pages = fake_guests_pages(&s.fg);
	ck_assert_uint_eq(count_order9(s.pool), 0);
	ck_assert_uint_lt(free_in_pageblocks_pct(s.pool), 10);
	ck_assert_uint_ge(fragmentation_score_zone(normal(s.pool)), 90);
	ck_assert_int_gt(fragmentation_index(normal(s.pool), pageblock_order),
			 EXTFRAG_THRESHOLD_DEFAULT);
	before = vm_event_sum(s.pool, COMPACTISOLATED);

	migrated = compact_node(s.pool, 0);
	ck_assert_int_gt(migrated, 0);
	ck_assert_uint_eq(migrated, s.fg.moved);
	ck_assert_uint_ge(count_order9(s.pool), 6);
	ck_assert_uint_ge(free_in_pageblocks_pct(s.pool), 70);
	ck_assert_uint_le(fragmentation_score_zone(normal(s.pool)), 30);
	/* Nothing lost: the same pages, their contents checked below. */
	ck_assert_uint_eq(fake_guests_pages(&s.fg), pages);
	ck_assert_uint_eq(vm_event_sum(s.pool, PGMIGRATE_SUCCESS), migrated);
	ck_assert_uint_gt(vm_event_sum(s.pool, COMPACTISOLATED), before);
	ck_assert_uint_gt(vm_event_sum(s.pool, COMPACTMIGRATE_SCANNED), 0);
	ck_assert_uint_gt(vm_event_sum(s.pool, COMPACTFREE_SCANNED), 0);
	ck_assert_int_eq(compact_node(s.pool, 1), -EINVAL);
	teardown(&s);
}
END_TEST

/* Two nodes: each is compacted within its own zones. */
START_TEST(test_two_nodes)
{
	struct mm_config cfg = {
		.pool_bytes = 2 * MIB << 20,
		.nr_nodes = 2,
	};
	struct frag s;
	long migrated;

	s.pool = test_pool_cfg(&cfg);
	fake_guests_init(&s.fg, s.pool, 2, s.pool->nr_frames);
	for (unsigned long i = 0;; i++)
		if (fake_guest_fault(&s.fg, i % 2, i / 2, GFP_GUEST, false) ==
		    PFN_NONE)
			break;
	for (unsigned int g = 0; g < 2; g++)
		for (unsigned long p = 0; p < s.fg.g[g].npages; p++)
			if (s.fg.g[g].map[p] != PFN_NONE &&
			    (s.fg.g[g].map[p] & 1))
				fake_guest_discard(&s.fg, g, p);
	drain_all_pages(s.pool);
	for (int nid = 0; nid < 2; nid++)
		ck_assert_uint_ge(
			fragmentation_score_node(&s.pool->node_data[nid]), 90);
	migrated = compact_memory(s.pool);
	ck_assert_int_gt(migrated, 0);
	ck_assert_uint_eq(migrated, s.fg.moved);
	for (int nid = 0; nid < 2; nid++)
		ck_assert_uint_le(
			fragmentation_score_node(&s.pool->node_data[nid]), 30);
	ck_assert_uint_ge(count_order9(s.pool), 12);
	ck_assert_int_eq(kcompactd_run(s.pool), 0);
	kcompactd_stop(s.pool);
	teardown(&s);
}
END_TEST

/* Whole free pageblocks are what compaction makes: never targets. */
START_TEST(test_free_pageblocks_kept)
{
	struct frag s;
	const pfn_t half = 8 * pageblock_nr_pages;
	unsigned long in_blocks, free;

	setup_fragmented(&s, MIB, GFP_GUEST);
	for (unsigned int g = 0; g < 2; g++)
		for (unsigned long p = 0; p < s.fg.g[g].npages; p++)
			if (s.fg.g[g].map[p] != PFN_NONE &&
			    s.fg.g[g].map[p] >= half)
				fake_guest_discard(&s.fg, g, p);
	drain_all_pages(s.pool);
	/* The upper half goes back to the host, and is taken again. */
	ck_assert_int_gt(pool_return_free_pageblocks(s.pool), 0);
	ck_assert_uint_eq(count_order9(s.pool), 8);
	ck_assert_int_gt(compact_node(s.pool, 0), 0);
	for (unsigned int g = 0; g < 2; g++)
		for (unsigned long p = 0; p < s.fg.g[g].npages; p++)
			ck_assert_msg(s.fg.g[g].map[p] == PFN_NONE ||
					      s.fg.g[g].map[p] < half,
				      "a page moved into free pageblock 0x%x",
				      s.fg.g[g].map[p]);
	ck_assert_uint_ge(count_order9(s.pool), 11);
	free_in_pageblocks(s.pool, &in_blocks, &free);
	ck_assert_uint_ge(in_blocks, 11 * pageblock_nr_pages);
	teardown(&s);
}
END_TEST

struct frame_snap {
	uint8_t state, order;
	uint16_t owner;
	uint64_t gpa;
};

static void snap(struct mm_pool *pool, pfn_t pfn, struct frame_snap *fs)
{
	struct frame *f = pfn_to_frame(pool, pfn);

	fs->state = frame_state(f);
	fs->order = READ_ONCE(f->order);
	fs->owner = READ_ONCE(f->owner);
	fs->gpa = fs->state == FRAME_INUSE && fs->owner ? READ_ONCE(f->gpa) : 0;
}

/*
 * Pinned guest pages (in UNMOVABLE blocks, and pinned in MOVABLE ones),
 * frames without an owner in MOVABLE blocks, and the VMM's frames never
 * move, nor do UNMOVABLE blocks give targets.
 */
START_TEST(test_pinned_never_moved)
{
	struct mm_pool *pool = pool_of(MIB, 0, false);
	struct fake_guests fg;
	struct frame_snap *before;
	pfn_t *ownerless, vmm[64];
	unsigned long nown = 0, i, p;
	unsigned int pinned_in_movable = 0;

	fake_guests_init(&fg, pool, 2, pool->nr_frames);
	ownerless = calloc(pool->nr_frames, sizeof(*ownerless));
	/* Guest 1: pinned memory, unmovable allocations; some VMM frames. */
	for (p = 0; p < 700; p++)
		ck_assert_uint_ne(fake_guest_fault(&fg, 0, p, GFP_GUEST_PINNED,
						   true),
				  PFN_NONE);
	for (i = 0; i < ARRAY_SIZE(vmm); i++)
		ck_assert_uint_ne(vmm[i] = __alloc_pages(pool, GFP_VMM, 0, 0,
							 NULL),
				  PFN_NONE);
	/* Guest 2 in MOVABLE blocks: movable, pinned, no owner, free. */
	for (i = 0, p = 0;; i++) {
		pfn_t pfn;

		if (i % 4 == 2) {
			pfn = __alloc_pages(pool, GFP_GUEST | __GFP_NOWARN, 0,
					    0, NULL);
			if (pfn == PFN_NONE)
				break;
			ownerless[nown++] = pfn;
			continue;
		}
		pfn = fake_guest_fault(&fg, 1, p, GFP_GUEST, i % 4 == 1);
		if (pfn == PFN_NONE)
			break;
		pinned_in_movable += i % 4 == 1;
		if (i % 4 == 3)
			fake_guest_discard(&fg, 1, p);
		p++;
	}
	drain_all_pages(pool);
	ck_assert_uint_gt(pinned_in_movable, 100);
	/*
	 * Movable guest pages and free frames in UNMOVABLE blocks, as a
	 * fallback leaves them: the two lowest MOVABLE blocks change type
	 * (the migrate scanner starts there).
	 */
	for (pfn_t b = 0, changed = 0; changed < 2; b += pageblock_nr_pages) {
		struct zone *zone = page_zone(pool, b);
		unsigned int g;
		unsigned long page;
		bool movable_page = false;

		ck_assert_uint_lt(b, pool->nr_frames);
		if (get_pageblock_migratetype(pool, b) != MIGRATE_MOVABLE)
			continue;
		for (pfn_t q = b; q < b + pageblock_nr_pages; q++)
			if (fake_guests_find(&fg, q, &g, &page) &&
			    !fg.g[g].pinned[page])
				movable_page = true;
		if (!movable_page)
			continue;
		pthread_mutex_lock(&zone->lock);
		set_pageblock_migratetype(pool, b, MIGRATE_UNMOVABLE);
		pthread_mutex_unlock(&zone->lock);
		changed++;
	}

	before = calloc(pool->nr_frames, sizeof(*before));
	for (pfn_t q = 0; q < pool->nr_frames; q++)
		snap(pool, q, &before[q]);
	ck_assert_int_gt(compact_node(pool, 0), 0);
	ck_no_violation(&fg);
	ck_assert_uint_eq(fg.ebusy, 0);

	/* UNMOVABLE blocks are as they were, frame by frame. */
	for (pfn_t q = 0; q < pool->nr_frames; q++) {
		struct frame_snap now;

		if (get_pageblock_migratetype(pool, q) != MIGRATE_UNMOVABLE)
			continue;
		snap(pool, q, &now);
		if (before[q].state != FRAME_INUSE)
			continue;
		ck_assert_msg(now.state == before[q].state &&
				      now.owner == before[q].owner &&
				      now.gpa == before[q].gpa,
			      "pfn 0x%x in an unmovable block changed", q);
	}
	/* Pinned pages and ownerless frames stayed in place. */
	for (p = 0; p < fg.g[1].npages; p++) {
		pfn_t pfn = fg.g[1].map[p];

		if (pfn != PFN_NONE && fg.g[1].pinned[p])
			ck_assert(before[pfn].owner == 2 &&
				  before[pfn].gpa == p << PAGE_SHIFT);
	}
	for (p = 0; p < 700; p++)
		ck_assert(before[fg.g[0].map[p]].gpa == p << PAGE_SHIFT);
	for (i = 0; i < nown; i++) {
		ck_assert_int_eq(frame_state(pfn_to_frame(pool, ownerless[i])),
				 FRAME_INUSE);
		__free_pages(pool, ownerless[i], 0);
	}
	for (i = 0; i < ARRAY_SIZE(vmm); i++)
		__free_pages(pool, vmm[i], 0);
	ck_assert_uint_eq(fake_guests_verify(&fg), 0);
	ck_validate(pool);
	free(before);
	free(ownerless);
	fake_guests_destroy(&fg);
	mm_pool_destroy(pool);
}
END_TEST

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

/* The op refuses some requests, or the owner drops the page meanwhile:
 * no frame is lost and the pool stays valid. */
START_TEST(test_eagain)
{
	struct frag s;
	unsigned long pages, free_before, owned = 0;
	long migrated;
	struct zone *zone;

	setup_fragmented(&s, MIB, GFP_GUEST);
	zone = normal(s.pool);
	s.fg.fail_every = 3;
	s.fg.free_on_fail = _i;
	s.fg.validate = true;
	pages = fake_guests_pages(&s.fg);
	free_before = mm_nr_free_pages(s.pool);

	migrated = compact_node(s.pool, 0);
	ck_assert_int_gt(migrated, 0);
	ck_assert_uint_gt(s.fg.eagain, 0);
	ck_assert_uint_eq(migrated, s.fg.moved);
	ck_assert_uint_eq(vm_event_sum(s.pool, PGMIGRATE_FAIL), s.fg.eagain);
	ck_assert_uint_eq(zone->nr_isolated_pages, 0);
	ck_validate(s.pool);
	drain_all_pages(s.pool);
	/* Every frame is free or a guest's: none leaked in between. */
	for (pfn_t p = 0; p < s.pool->nr_frames; p++) {
		struct frame *f = pfn_to_frame(s.pool, p);

		if (frame_state(f) == FRAME_INUSE) {
			ck_assert_uint_ne(f->owner, FRAME_OWNER_NONE);
			owned++;
		}
	}
	ck_assert_uint_eq(owned, fake_guests_pages(&s.fg));
	ck_assert_uint_eq(mm_nr_free_pages(s.pool) + owned, s.pool->nr_frames);
	if (_i)
		ck_assert_uint_eq(pages - fake_guests_pages(&s.fg),
				  s.fg.eagain);
	else
		ck_assert_uint_eq(mm_nr_free_pages(s.pool), free_before);
	teardown(&s);
}
END_TEST

/*
 * Targets isolated beyond the batch (a whole order-2 buddy for a batch of
 * one) while the op runs: mm_validate() in the op counts them and passes.
 */
START_TEST(test_validate_with_isolated)
{
	struct mm_pool *pool = pool_of(MIB, 0, false);
	struct fake_guests fg;
	struct compact_tunables t = pool->compact;

	t.batch = 1;
	ck_assert_int_eq(compaction_set_tunables(pool, &t), 0);
	fake_guests_init(&fg, pool, 1, pool->nr_frames);
	for (unsigned long p = 0;; p++)
		if (fake_guest_fault(&fg, 0, p, GFP_GUEST, false) == PFN_NONE)
			break;
	/* Free 4 aligned frames of every 16: order-2 buddies. */
	for (unsigned long p = 0; p < fg.g[0].npages; p++)
		if (fg.g[0].map[p] != PFN_NONE && (fg.g[0].map[p] & 15) < 4)
			fake_guest_discard(&fg, 0, p);
	drain_all_pages(pool);
	ck_assert_uint_gt(normal(pool)->free_area[2].nr_free, 100);

	fg.validate = true;
	ck_assert_int_gt(compact_node(pool, 0), 0);
	ck_no_violation(&fg);
	ck_assert_uint_eq(fg.max_batch, 1);
	ck_assert_uint_gt(fg.saw_isolated, 0);
	ck_assert_uint_eq(normal(pool)->nr_isolated_pages, 0);
	ck_assert_uint_eq(fake_guests_verify(&fg), 0);
	ck_validate(pool);
	fake_guests_destroy(&fg);
	mm_pool_destroy(pool);
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

static unsigned int rnd(unsigned int *seed, unsigned int n)
{
	return (unsigned int)(rand_r(seed) % n);
}

/*
 * Random guest faults and discards (some pinned), VMM allocations, and
 * compactions of every kind, with the op failing now and then;
 * mm_validate() after each step, contents checked at the end.
 */
START_TEST(test_random_stress)
{
	struct mm_pool *pool = pool_of(16, 8, false);
	struct fake_guests fg;
	unsigned int seed = 0xc0ffee + _i;
	pfn_t vmm[256];
	unsigned int nvmm = 0;
	struct alloc_context ac = { 0 };
	unsigned int flags = 0;

	fake_guests_init(&fg, pool, 4, 1024);
	for (int step = 0; step < 1500; step++) {
		unsigned int g = rnd(&seed, 4), what = rnd(&seed, 100);
		unsigned long page = rnd(&seed, 1024);
		struct zone *zone = pool->zones[rnd(&seed, pool->nr_zones)];

		if (what < 40) {
			for (int i = 0; i < 16; i++)
				fake_guest_fault(&fg, g, (page + i) % 1024,
						 rnd(&seed, 10) ?
							 GFP_GUEST :
							 GFP_GUEST_PINNED,
						 rnd(&seed, 20) == 0);
		} else if (what < 70) {
			for (int i = 0; i < 16; i++)
				fake_guest_discard(&fg, g,
						   (page + 2 * i) % 1024);
		} else if (what < 78) {
			if (nvmm < ARRAY_SIZE(vmm)) {
				pfn_t p = __alloc_pages(pool,
							GFP_VMM | __GFP_NOWARN,
							0, 0, NULL);

				if (p != PFN_NONE)
					vmm[nvmm++] = p;
			}
		} else if (what < 82) {
			if (nvmm)
				__free_pages(pool, vmm[--nvmm], 0);
		} else if (what < 92) {
			fg.fail_every = rnd(&seed, 4);
			fg.free_on_fail = rnd(&seed, 2);
			if (populated_zone(zone))
				compact_zone_order(
					pool, zone,
					1 + rnd(&seed, MAX_ORDER - 1),
					GFP_GUEST, rnd(&seed, 3),
					ALLOC_WMARK_MIN, ZONE_MOVABLE);
		} else if (what < 95) {
			ck_assert_int_ge(compact_node(pool, 0), 0);
		} else if (what < 98) {
			ck_assert(prepare_alloc_pages(pool, GFP_GUEST,
						      pageblock_order, 0, NULL,
						      &ac, &flags));
			try_to_compact_pages(pool, GFP_GUEST, pageblock_order,
					     ALLOC_WMARK_MIN, &ac,
					     rnd(&seed, 3));
		} else {
			pfn_t p = __alloc_pages(pool, GFP_GUEST_HUGE_LIGHT,
						pageblock_order, 0, NULL);

			if (p != PFN_NONE)
				__free_pages(pool, p, pageblock_order);
		}
		ck_validate(pool);
		ck_no_violation(&fg);
	}
	ck_assert_uint_eq(fake_guests_verify(&fg), 0);
	while (nvmm)
		__free_pages(pool, vmm[--nvmm], 0);
	fake_guests_destroy(&fg);
	drain_all_pages(pool);
	ck_validate(pool);
	ck_assert_uint_eq(mm_nr_free_pages(pool), pool->nr_frames);
	mm_pool_destroy(pool);
}
END_TEST

struct churn {
	struct fake_guests *fg;
	unsigned int g;
	unsigned int seed;
	int iters;
	unsigned long bad; /* pages found corrupt */
};

static bool page_ok(struct fake_guests *fg, unsigned int gi, unsigned long p)
{
	struct fake_guest *g = &fg->g[gi];
	bool ok = true;

	pthread_mutex_lock(&g->lock);
	if (g->map[p] != PFN_NONE) {
		const uint64_t *w = pfn_to_virt(fg->pool, g->map[p]);
		uint64_t first = w[0];

		/* A signature is unique to its page: a copy of another
		 * page or zeroes would differ (cheap check: one word). */
		ok = first != 0 &&
		     frame_state(pfn_to_frame(fg->pool, g->map[p])) ==
			     FRAME_INUSE;
	}
	pthread_mutex_unlock(&g->lock);
	return ok;
}

static void *churn_thread(void *arg)
{
	struct churn *c = arg;

	for (int i = 0; i < c->iters; i++) {
		unsigned long p = rnd(&c->seed, c->fg->g[c->g].npages);

		if (rnd(&c->seed, 2))
			fake_guest_fault(c->fg, c->g, p, GFP_GUEST, false);
		else
			fake_guest_discard(c->fg, c->g, p);
		if (!page_ok(c->fg, c->g, rnd(&c->seed, c->fg->g[c->g].npages)))
			c->bad++;
	}
	return NULL;
}

struct compactor {
	struct mm_pool *pool;
	volatile bool *stop;
	unsigned int seed;
	long migrated;
};

static void *compact_thread(void *arg)
{
	struct compactor *c = arg;

	while (!__atomic_load_n(c->stop, __ATOMIC_ACQUIRE)) {
		struct zone *zone = c->pool->zones[rnd(&c->seed, 2)];
		long ret;

		if (rnd(&c->seed, 2)) {
			ret = compact_node(c->pool, 0);
			if (ret > 0)
				c->migrated += ret;
		} else if (populated_zone(zone)) {
			compact_zone_order(c->pool, zone, pageblock_order,
					   GFP_GUEST, rnd(&c->seed, 3),
					   ALLOC_WMARK_MIN, ZONE_MOVABLE);
		}
	}
	return NULL;
}

/* Guests churn on two threads while a third compacts and kcompactd runs
 * eagerly: nothing lost, nothing corrupt, ThreadSanitizer quiet. */
START_TEST(test_threads)
{
	struct mm_pool *pool = pool_of(16, 8, false);
	struct fake_guests fg;
	struct churn ch[2];
	struct compactor co = { .pool = pool, .seed = 7 };
	struct compact_tunables t;
	volatile bool stop = false;
	pthread_t th[3];

	fake_guests_init(&fg, pool, 2, 1536);
	fg.fail_every = 7;
	t = pool->compact;
	t.proactiveness = 100;
	t.interval_ms = 1;
	ck_assert_int_eq(compaction_set_tunables(pool, &t), 0);
	ck_assert_int_eq(kcompactd_run(pool), 0);
	co.stop = &stop;
	for (int i = 0; i < 2; i++) {
		ch[i] = (struct churn){
			.fg = &fg, .g = i, .seed = 100 + i, .iters = 20000
		};
		ck_assert_int_eq(
			pthread_create(&th[i], NULL, churn_thread, &ch[i]), 0);
	}
	ck_assert_int_eq(pthread_create(&th[2], NULL, compact_thread, &co), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	__atomic_store_n(&stop, true, __ATOMIC_RELEASE);
	pthread_join(th[2], NULL);
	kcompactd_stop(pool);

	ck_assert_uint_eq(ch[0].bad + ch[1].bad, 0);
	ck_assert_uint_gt(fg.moved, 0);
	ck_no_violation(&fg);
	ck_assert_uint_eq(fake_guests_verify(&fg), 0);
	ck_validate(pool);
	fake_guests_destroy(&fg);
	drain_all_pages(pool);
	ck_validate(pool);
	ck_assert_uint_eq(mm_nr_free_pages(pool), pool->nr_frames);
	mm_pool_destroy(pool);
}
END_TEST

Suite *compaction_suite(void)
{
	Suite *s = suite_create("compaction");
	TCase *tc = tcase_create("scanners");
	TCase *frag = tcase_create("fragmentation");
	TCase *kd = tcase_create("kcompactd");
	TCase *stress = tcase_create("stress");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_scanners_meet);
	tcase_add_test(tc, test_fragmented_order9);
	tcase_add_test(tc, test_two_nodes);
	tcase_add_test(tc, test_free_pageblocks_kept);
	tcase_add_test(tc, test_pinned_never_moved);
	tcase_add_test(tc, test_unmovable_zone_fails_cleanly);
	tcase_add_test(tc, test_defer_arithmetic);
	tcase_add_test(tc, test_defer_reset_on_success);
	tcase_add_loop_test(tc, test_eagain, 0, 2);
	tcase_add_test(tc, test_priorities_skip_hints);
	tcase_add_test(tc, test_partial_skipped);
	tcase_add_test(tc, test_async_contended);
	tcase_add_loop_test(tc, test_async_skips_doomed_blocks, 0, 2);
	tcase_add_test(tc, test_validate_with_isolated);
	tcase_add_test(tc, test_direct_compaction);
	suite_add_tcase(s, tc);

	tcase_add_test(frag, test_fragmentation_index);
	tcase_add_test(frag, test_fragmentation_score);
	suite_add_tcase(s, frag);

	tcase_set_timeout(kd, 60);
	tcase_add_test(kd, test_kcompactd_proactive);
	tcase_add_test(kd, test_kcompactd_sleeps);
	tcase_add_test(kd, test_kcompactd_stop_midway);
	tcase_add_test(kd, test_kcompactd_wakeup);
	suite_add_tcase(s, kd);

	tcase_set_timeout(stress, 120);
	tcase_add_loop_test(stress, test_random_stress, 0, 2);
	tcase_add_test(stress, test_threads);
	suite_add_tcase(s, stress);
	return s;
}
