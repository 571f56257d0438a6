// SPDX-License-Identifier: GPL-2.0
/* mm/pcp.c: per-thread page caches, batch/high limits, draining. */
#include <pthread.h>

#include "tests/mm/mm_test.h"

static struct zone *zone0(struct mm_pool *pool)
{
	return pool->zones[0];
}

/* One order-0 allocation pulls a batch; frees drain a batch past high. */
START_TEST(test_batch_and_high)
{
	struct mm_config cfg = { .pool_bytes = 16 << 20,
				 .nr_nodes = 1,
				 .pcp_batch = 8,
				 .pcp_high = 24 };
	struct mm_pool *pool = test_pool_cfg(&cfg);
	long free0 = zone0(pool)->nr_free_pages;
	pfn_t p[40];

	p[0] = __alloc_pages(pool, GFP_VMM, 0, 0, NULL);
	ck_assert_uint_eq(pcp_count_frames(pool, zone0(pool)), 7);
	ck_assert_int_eq(zone0(pool)->nr_free_pages, free0 - 8);
	for (int i = 1; i < 40; i++)
		p[i] = __alloc_pages(pool, GFP_VMM, 0, 0, NULL);
	for (int i = 0; i < 40; i++)
		__free_pages(pool, p[i], 0);
	/* Never more than high cached: at 24 a batch of 8 goes back. */
	ck_assert_uint_lt(pcp_count_frames(pool, zone0(pool)), 24);
	ck_validate(pool);
	drain_local_pages(pool);
	ck_assert_uint_eq(pcp_count_frames(pool, zone0(pool)), 0);
	ck_assert_int_eq(zone0(pool)->nr_free_pages, free0);
	ck_validate(pool);
	mm_pool_destroy(pool);
}
END_TEST

/* A refill hands frames out in ascending order, so that consecutive guest
 * pages get consecutive pool offsets (and one host VMA). */
START_TEST(test_refill_ascending)
{
	struct mm_pool *pool = test_pool(16, 1, 0);
	pfn_t prev = __alloc_pages(pool, GFP_GUEST, 0, 0, NULL);

	for (int i = 0; i < 200; i++) {
		pfn_t p = __alloc_pages(pool, GFP_GUEST, 0, 0, NULL);

		ck_assert_uint_eq(p, prev + 1);
		prev = p;
	}
	mm_pool_destroy(pool);
}
END_TEST

struct worker {
	struct mm_pool *pool;
	pthread_barrier_t *bar;
	bool exit_early;
};

static void *cache_some(void *arg)
{
	struct worker *w = arg;
	pfn_t p[10];

	for (int i = 0; i < 10; i++)
		p[i] = __alloc_pages(w->pool, GFP_VMM, 0, 0, NULL);
	for (int i = 0; i < 10; i++)
		__free_pages(w->pool, p[i], 0);
	if (w->exit_early)
		return NULL;
	pthread_barrier_wait(w->bar); /* cached */
	pthread_barrier_wait(w->bar); /* drained by the other thread */
	return NULL;
}

/* drain_all_pages() empties another thread's cache. */
START_TEST(test_drain_all)
{
	struct mm_pool *pool = test_pool(16, 1, 0);
	pthread_barrier_t bar;
	struct worker w = { pool, &bar, false };
	long free0 = zone0(pool)->nr_free_pages;
	pthread_t t;

	pthread_barrier_init(&bar, NULL, 2);
	pthread_create(&t, NULL, cache_some, &w);
	pthread_barrier_wait(&bar);
	ck_assert_uint_gt(pcp_count_frames(pool, zone0(pool)), 0);
	ck_assert_int_lt(zone0(pool)->nr_free_pages, free0);
	drain_all_pages(pool);
	ck_assert_uint_eq(pcp_count_frames(pool, zone0(pool)), 0);
	ck_assert_int_eq(zone0(pool)->nr_free_pages, free0);
	ck_assert_uint_ge(vm_event_sum(pool, PCP_DRAIN), 1);
	pthread_barrier_wait(&bar);
	pthread_join(t, NULL);
	ck_validate(pool);
	pthread_barrier_destroy(&bar);
	mm_pool_destroy(pool);
}
END_TEST

/* A thread that exits gives its cache back and keeps its counts. */
START_TEST(test_thread_exit_drains)
{
	struct mm_pool *pool = test_pool(16, 1, 0);
	struct worker w = { pool, NULL, true };
	long free0 = zone0(pool)->nr_free_pages;
	pthread_t t;

	pthread_create(&t, NULL, cache_some, &w);
	pthread_join(t, NULL);
	ck_assert_uint_eq(pcp_count_frames(pool, zone0(pool)), 0);
	ck_assert_int_eq(zone0(pool)->nr_free_pages, free0);
	ck_assert_uint_eq(vm_event_sum(pool, PGFREE), 10);
	ck_assert_uint_eq(vm_event_sum(pool, PGALLOC_NORMAL), 10);
	ck_validate(pool);
	mm_pool_destroy(pool);
}
END_TEST

static void *park_reserves(void *arg)
{
	struct worker *w = arg;
	pfn_t p = __alloc_pages(w->pool, GFP_VMM | __GFP_MEMALLOC, 0, 0, NULL);

	/* One allocation pulled a whole batch from below MIN; all of it
	 * now sits in this thread's cache. */
	__free_pages(w->pool, p, 0);
	pthread_barrier_wait(w->bar);
	pthread_barrier_wait(w->bar);
	return NULL;
}

/* Direct reclaim's retry drains every cache before giving up. */
START_TEST(test_slowpath_drains)
{
	struct mm_config cfg = { .pool_bytes = 16 << 20,
				 .nr_nodes = 1,
				 .pcp_batch = 100,
				 .pcp_high = 10000 };
	struct mm_pool *pool = test_pool_cfg(&cfg);
	pthread_barrier_t bar;
	struct worker w = { pool, &bar, false };
	pthread_t t;

	pthread_barrier_init(&bar, NULL, 2);
	test_fill(pool, GFP_VMM, 0, 0, NULL, ~0UL);
	ck_assert_int_eq(zone0(pool)->nr_free_pages,
			 (long)min_wmark_pages(zone0(pool)));
	pthread_create(&t, NULL, park_reserves, &w);
	pthread_barrier_wait(&bar);
	ck_assert_uint_eq(pcp_count_frames(pool, zone0(pool)), 100);
	/* Below min/2 now; only draining the other cache can help. */
	ck_assert_int_le(zone0(pool)->nr_free_pages,
			 (long)min_wmark_pages(zone0(pool)) / 2);
	ck_assert_uint_ne(__alloc_pages(pool, GFP_VMM | __GFP_HIGH, 0, 0, NULL),
			  PFN_NONE);
	ck_assert_uint_lt(pcp_count_frames(pool, zone0(pool)), 100);
	pthread_barrier_wait(&bar);
	pthread_join(t, NULL);
	ck_validate(pool);
	pthread_barrier_destroy(&bar);
	mm_pool_destroy(pool);
}
END_TEST

Suite *pcp_suite(void)
{
	Suite *s = suite_create("pcp");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_batch_and_high);
	tcase_add_test(tc, test_refill_ascending);
	tcase_add_test(tc, test_drain_all);
	tcase_add_test(tc, test_thread_exit_drains);
	tcase_add_test(tc, test_slowpath_drains);
	suite_add_tcase(s, tc);
	return s;
}
