// SPDX-License-Identifier: GPL-2.0
/*
 * mm/page_alloc.c and mm/slowpath.c: the order of the slow path's steps,
 * checked with recording fake ops, and the meaning of each gfp modifier.
 */
#include <stdlib.h>

#include "tests/mm/mm_test.h"
#include "tests/mm/printk_capture.h"

#define STASH 256

struct setup {
	struct mm_pool *pool;
	struct fake_ops fo;
	pfn_t stash[STASH];
};

/* A pool at its MIN watermark whose fake guests hold STASH frames. */
static void setup_exhausted(struct setup *s, unsigned int mib)
{
	memset(s, 0, sizeof(*s));
	s->pool = test_pool(mib, 1, 0);
	s->fo.nstash = test_fill(s->pool, GFP_VMM, 0, 0, s->stash, STASH);
	s->fo.stash = s->stash;
	test_fill(s->pool, GFP_VMM, 0, 0, NULL, ~0UL);
	fake_ops_install(s->pool, &s->fo);
}

static int first(const char *steps, char c)
{
	const char *p = strchr(steps, c);

	return p ? (int)(p - steps) : -1;
}

/* kswapd is woken before the allocating thread reclaims itself. */
START_TEST(test_kswapd_before_direct_reclaim)
{
	struct setup s;
	unsigned long stalls;

	setup_exhausted(&s, 16);
	stalls = vm_event_sum(s.pool, ALLOCSTALL_NORMAL);
	s.fo.reclaim_frees = 32;
	ck_assert_uint_ne(__alloc_pages(s.pool, GFP_VMM, 0, 0, NULL), PFN_NONE);
	ck_assert_int_eq(first(fake_steps(&s.fo), STEP_KSWAPD), 0);
	ck_assert_int_gt(first(fake_steps(&s.fo), STEP_RECLAIM), 0);
	ck_assert_int_eq(first(fake_steps(&s.fo), STEP_OOM), -1);
	/* Order 0: no compaction. */
	ck_assert_int_eq(first(fake_steps(&s.fo), STEP_COMPACT), -1);
	ck_assert_uint_eq(vm_event_sum(s.pool, ALLOCSTALL_NORMAL), stalls + 1);
	ck_validate(s.pool);
	mm_pool_destroy(s.pool);
}
END_TEST

/* Costly orders try compaction before reclaim. */
START_TEST(test_costly_compaction_first)
{
	struct setup s;

	setup_exhausted(&s, 16);
	s.fo.compact_result = COMPACT_COMPLETE;
	ck_assert_uint_eq(__alloc_pages(s.pool, GFP_VMM | __GFP_NOWARN, 4, 0,
					NULL),
			  PFN_NONE);
	ck_assert_int_eq(first(fake_steps(&s.fo), STEP_KSWAPD), 0);
	ck_assert_int_eq(first(fake_steps(&s.fo), STEP_COMPACT), 1);
	ck_assert_int_gt(first(fake_steps(&s.fo), STEP_RECLAIM), 1);
	/* Costly orders never OOM. */
	ck_assert_int_eq(first(fake_steps(&s.fo), STEP_OOM), -1);
	ck_assert_uint_ge(vm_event_sum(s.pool, COMPACTSTALL), 1);
	ck_assert_uint_ge(vm_event_sum(s.pool, COMPACTFAIL), 1);
	mm_pool_destroy(s.pool);
}
END_TEST

/* Unmovable order 1..3 also compacts first; movable low orders do not. */
START_TEST(test_unmovable_low_order_compacts_first)
{
	struct setup s;

	setup_exhausted(&s, 16);
	s.fo.compact_result = COMPACT_COMPLETE;
	ck_assert_uint_eq(__alloc_pages(s.pool,
					GFP_VMM | __GFP_NOWARN | __GFP_NORETRY,
					2, 0, NULL),
			  PFN_NONE);
	ck_assert_int_eq(first(fake_steps(&s.fo), STEP_COMPACT), 1);
	fake_ops_install(s.pool, &s.fo);
	ck_assert_uint_eq(__alloc_pages(s.pool,
					GFP_VMM | __GFP_MOVABLE | __GFP_NOWARN |
						__GFP_NORETRY,
					2, 0, NULL),
			  PFN_NONE);
	ck_assert_int_gt(first(fake_steps(&s.fo), STEP_COMPACT),
			 first(fake_steps(&s.fo), STEP_RECLAIM));
	mm_pool_destroy(s.pool);
}
END_TEST

/* OOM comes only after reclaim stops making progress. */
START_TEST(test_oom_after_no_progress)
{
	struct setup s;
	unsigned long calls;
	const char *st;

	setup_exhausted(&s, 16);
	calls = vm_event_sum(s.pool, OOM_INVOKE);
	s.fo.reclaim_frees = 0;
	s.fo.oom_frees = true;
	ck_assert_uint_ne(__alloc_pages(s.pool, GFP_VMM, 0, 0, NULL), PFN_NONE);
	st = fake_steps(&s.fo);
	ck_assert_int_ge(first(st, STEP_RECLAIM), 0);
	ck_assert_int_gt(first(st, STEP_OOM), first(st, STEP_RECLAIM));
	/* After the kill freed frames the allocation retried and worked. */
	ck_assert_uint_eq(s.fo.nstash, 0);
	ck_assert_uint_eq(vm_event_sum(s.pool, OOM_INVOKE), calls + 1);
	ck_validate(s.pool);
	mm_pool_destroy(s.pool);
}
END_TEST

/* Reclaim progress keeps us away from OOM. */
START_TEST(test_progress_retries)
{
	struct setup s;
	int n = 0;

	setup_exhausted(&s, 16);
	s.fo.reclaim_frees = 1;
	s.fo.oom_frees = true;
	for (int i = 0; i < 100; i++)
		n += __alloc_pages(s.pool, GFP_VMM, 0, 0, NULL) != PFN_NONE;
	ck_assert_int_eq(n, 100);
	ck_assert_int_eq(first(fake_steps(&s.fo), STEP_OOM), -1);
	mm_pool_destroy(s.pool);
}
END_TEST

/* __GFP_NORETRY and __GFP_RETRY_MAYFAIL fail rather than kill. */
START_TEST(test_noretry_never_ooms)
{
	static const gfp_t mod[] = { __GFP_NORETRY, __GFP_RETRY_MAYFAIL };
	struct setup s;

	setup_exhausted(&s, 16);
	s.fo.oom_frees = true;
	ck_assert_uint_eq(__alloc_pages(s.pool,
					GFP_VMM | mod[_i] | __GFP_NOWARN, 0, 0,
					NULL),
			  PFN_NONE);
	ck_assert_int_ge(first(fake_steps(&s.fo), STEP_RECLAIM), 0);
	ck_assert_int_eq(first(fake_steps(&s.fo), STEP_OOM), -1);
	ck_assert_uint_eq(s.fo.nstash, STASH);
	ck_assert_uint_ge(vm_event_sum(s.pool, ALLOC_FAIL), 1);
	mm_pool_destroy(s.pool);
}
END_TEST

/* __GFP_NOFAIL gets memory even when nothing can be reclaimed or killed. */
START_TEST(test_nofail)
{
	struct setup s;

	setup_exhausted(&s, 16);
	s.fo.oom_frees = false;
	for (int i = 0; i < 50; i++)
		ck_assert_uint_ne(__alloc_pages(s.pool, GFP_VMM | __GFP_NOFAIL,
						0, 0, NULL),
				  PFN_NONE);
	ck_assert_int_ge(first(fake_steps(&s.fo), STEP_OOM), 0);
	ck_validate(s.pool);
	mm_pool_destroy(s.pool);
}
END_TEST

/* The light THP-like first try never reclaims, compacts or wakes. */
START_TEST(test_huge_light)
{
	struct setup s;

	setup_exhausted(&s, 16);
	ck_assert_uint_eq(__alloc_pages(s.pool, GFP_GUEST_HUGE_LIGHT, 9, 0,
					NULL),
			  PFN_NONE);
	ck_assert_str_eq(fake_steps(&s.fo), "");
	ck_assert_uint_eq(vm_event_sum(s.pool, ALLOC_WARN), 0);
	mm_pool_destroy(s.pool);
}
END_TEST

/* No ops registered: the slow path still ends, with a failure. */
START_TEST(test_no_ops)
{
	struct mm_pool *pool = test_pool(16, 1, 0);

	test_fill(pool, GFP_VMM, 0, 0, NULL, ~0UL);
	ck_assert_uint_eq(__alloc_pages(pool, GFP_VMM | __GFP_NOWARN, 0, 0,
					NULL),
			  PFN_NONE);
	ck_assert_uint_eq(__alloc_pages(pool, GFP_VMM | __GFP_NOWARN, 9, 0,
					NULL),
			  PFN_NONE);
	ck_validate(pool);
	mm_pool_destroy(pool);
}
END_TEST

/* Out-of-range requests fail, warning unless __GFP_NOWARN. */
START_TEST(test_bad_order_and_node)
{
	struct mm_pool *pool = test_pool(16, 1, 0);
	struct printk_capture c = { 0 };

	ck_assert_uint_eq(__alloc_pages(pool, GFP_VMM | __GFP_NOWARN, MAX_ORDER,
					0, NULL),
			  PFN_NONE);
	ck_assert_uint_eq(vm_event_sum(pool, ALLOC_WARN), 0);
	printk_capture_start(&c, pool);
	ck_assert_uint_eq(__alloc_pages(pool, GFP_VMM, MAX_ORDER + 5, 0, NULL),
			  PFN_NONE);
	printk_capture_expect(&c, "order 16 is out of range");
	ck_assert_uint_eq(vm_event_sum(pool, ALLOC_WARN), 1);
	printk_capture_start(&c, pool);
	ck_assert_uint_eq(__alloc_pages(pool, GFP_VMM, 0, 1, NULL), PFN_NONE);
	printk_capture_expect(&c, "node 1 does not exist");
	printk_capture_start(&c, pool);
	ck_assert_uint_eq(__alloc_pages(pool, GFP_VMM, 0, -1, NULL), PFN_NONE);
	printk_capture_expect(&c, "node -1 does not exist");
	ck_assert_uint_eq(vm_event_sum(pool, ALLOC_WARN), 3);
	ck_assert_uint_ne(__alloc_pages(pool, GFP_VMM, MAX_ORDER - 1, 0, NULL),
			  PFN_NONE);
	mm_pool_destroy(pool);
}
END_TEST

/* __GFP_ZERO: a frame that held data comes back zeroed. */
START_TEST(test_zeroing)
{
	struct mm_pool *pool = test_pool(8, 1, 0);
	uint8_t *v;
	pfn_t p, q;

	p = __alloc_pages(pool, GFP_GUEST, 0, 0, NULL);
	v = pfn_to_virt(pool, p);
	for (int i = 0; i < 4096; i++)
		ck_assert_int_eq(v[i], 0);
	memset(v, 0xa5, PAGE_SIZE);
	__free_pages(pool, p, 0);
	q = __alloc_pages(pool, GFP_GUEST, 0, 0, NULL);
	ck_assert_uint_eq(q, p); /* LIFO per-thread cache */
	for (int i = 0; i < 4096; i++)
		ck_assert_int_eq(v[i], 0);
	/* The same through the buddy lists and an order-9 block. */
	memset(v, 0x5a, PAGE_SIZE);
	__free_pages(pool, q, 0);
	drain_local_pages(pool);
	p = __alloc_pages(pool, GFP_GUEST | __GFP_MEMALLOC, MAX_ORDER - 1, 0,
			  NULL);
	ck_assert_uint_le(p, q);
	v = pfn_to_virt(pool, p);
	for (unsigned long i = 0; i < MAX_ORDER_NR_PAGES * PAGE_SIZE; i++)
		if (v[i])
			ck_abort_msg("byte %lu is 0x%x", i, v[i]);
	mm_pool_destroy(pool);
}
END_TEST

/* A reverse map that knows no page: any frame it is asked about fails. */
static unsigned long rmap_asked;

static bool rmap_none(void *priv, uint16_t owner, gpa_t g, pfn_t pfn)
{
	(void)priv, (void)owner, (void)g, (void)pfn;
	rmap_asked++;
	return false;
}

/*
 * A frame of the compressed store (GFP_ZSWAP, pinned, FRAME_OWNER_ZSWAP,
 * no gpa) is the store's to mm_validate(): no guest's reverse map is
 * asked about it, and one that is not order 0, not pinned or has a gpa
 * is reported.
 */
START_TEST(test_store_frames)
{
	struct mm_pool *pool = test_pool(16, 1, 0);
	struct mm_ops ops = { .rmap_check = rmap_none };
	char err[256], gfp[64];
	pfn_t p, q;

	mm_set_ops(pool, &ops);
	rmap_asked = 0;
	ck_assert_str_eq(gfp_flags_str(GFP_ZSWAP, gfp, sizeof(gfp)),
			 "GFP_ZSWAP");
	p = alloc_pages_node(pool, 0, GFP_ZSWAP, 0);
	ck_assert_uint_ne(p, PFN_NONE);
	/* Not movable: an unmovable pageblock. */
	ck_assert_int_eq(get_pageblock_migratetype(pool, p), MIGRATE_UNMOVABLE);
	frame_set_pinned(pool, p);
	frame_set_owner(pool, p, FRAME_OWNER_ZSWAP, gpa(0));
	ck_validate(pool);
	ck_assert_uint_eq(rmap_asked, 0);

	frame_flags_update(&pool->frames[p], FF_PINNED, 0);
	ck_assert_int_eq(mm_validate(pool, err, sizeof(err)), -EUCLEAN);
	ck_assert_msg(strstr(err, "of the compressed store"), "%s", err);
	frame_set_pinned(pool, p);
	frame_set_owner(pool, p, FRAME_OWNER_ZSWAP, gpa(0x5000));
	ck_assert_int_eq(mm_validate(pool, err, sizeof(err)), -EUCLEAN);
	q = alloc_pages_node(pool, 0, GFP_ZSWAP, 1);
	frame_set_pinned(pool, q);
	frame_set_owner(pool, q, FRAME_OWNER_ZSWAP, gpa(0));
	frame_clear_owner(pool, p);
	ck_assert_int_eq(mm_validate(pool, err, sizeof(err)), -EUCLEAN);
	ck_assert_msg(strstr(err, "order 1"), "%s", err);
	frame_clear_owner(pool, q);
	ck_validate(pool);
	__free_pages(pool, p, 0);
	__free_pages(pool, q, 1);
	ck_validate(pool);
	mm_pool_destroy(pool);
}
END_TEST

Suite *page_alloc_suite(void)
{
	Suite *s = suite_create("page_alloc");
	TCase *tc = tcase_create("slowpath");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_kswapd_before_direct_reclaim);
	tcase_add_test(tc, test_costly_compaction_first);
	tcase_add_test(tc, test_unmovable_low_order_compacts_first);
	tcase_add_test(tc, test_oom_after_no_progress);
	tcase_add_test(tc, test_progress_retries);
	tcase_add_loop_test(tc, test_noretry_never_ooms, 0, 2);
	tcase_add_test(tc, test_nofail);
	tcase_add_test(tc, test_huge_light);
	tcase_add_test(tc, test_no_ops);
	tcase_add_test(tc, test_bad_order_and_node);
	tcase_add_test(tc, test_zeroing);
	tcase_add_test(tc, test_store_frames);
	suite_add_tcase(s, tc);
	return s;
}
