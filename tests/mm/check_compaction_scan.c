// SPDX-License-Identifier: GPL-2.0
/*
 * mm/compaction.c, compaction_scan.c: the migrate and free scanners over a
 * zone or a node, with fake guests (tests/mm/fake_guest.c) whose
 * migrate_pages op copies the pages and checks them afterwards: what
 * moves and what never does, an op that refuses, targets isolated, and
 * random and threaded stress in which nothing is lost.
 */
#include <stdlib.h>

#include "tests/mm/compaction_test.h"

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

Suite *compaction_scan_suite(void)
{
	Suite *s = suite_create("compaction_scan");
	TCase *tc = tcase_create("scanners");
	TCase *stress = tcase_create("stress");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_scanners_meet);
	tcase_add_test(tc, test_fragmented_order9);
	tcase_add_test(tc, test_two_nodes);
	tcase_add_test(tc, test_free_pageblocks_kept);
	tcase_add_test(tc, test_pinned_never_moved);
	tcase_add_loop_test(tc, test_eagain, 0, 2);
	tcase_add_test(tc, test_validate_with_isolated);
	suite_add_tcase(s, tc);

	tcase_set_timeout(stress, 120);
	tcase_add_loop_test(stress, test_random_stress, 0, 2);
	tcase_add_test(stress, test_threads);
	suite_add_tcase(s, stress);
	return s;
}
