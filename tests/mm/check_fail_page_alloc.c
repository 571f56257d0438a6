// SPDX-License-Identifier: GPL-2.0
/* mm/fail_page_alloc.c: probability, interval, times, min order. */
#include "tests/mm/mm_test.h"

static int count_failures(struct mm_pool *pool, gfp_t gfp, unsigned int order,
			  int n)
{
	int failed = 0;

	for (int i = 0; i < n; i++) {
		pfn_t p =
			__alloc_pages(pool, gfp | __GFP_NOWARN, order, 0, NULL);

		if (p == PFN_NONE)
			failed++;
		else
			__free_pages(pool, p, order);
	}
	return failed;
}

START_TEST(test_times)
{
	struct mm_pool *pool = test_pool(16, 1, 0);
	struct fail_page_alloc_attr a = { .probability = 100, .times = 3 };

	ck_assert_int_eq(fail_page_alloc_set(pool, &a), 0);
	ck_assert_int_eq(count_failures(pool, GFP_VMM, 0, 10), 3);
	ck_assert_uint_eq(vm_event_sum(pool, FAIL_PAGE_ALLOC), 3);
	ck_assert(!pool->fail.enabled);
	ck_validate(pool);
	mm_pool_destroy(pool);
}
END_TEST

START_TEST(test_interval_and_probability)
{
	struct mm_pool *pool = test_pool(16, 1, 0);
	struct fail_page_alloc_attr a = { .probability = 100,
					  .interval = 4,
					  .times = -1 };
	int f;

	ck_assert_int_eq(fail_page_alloc_set(pool, &a), 0);
	ck_assert_int_eq(count_failures(pool, GFP_VMM, 0, 100), 25);
	a.interval = 0;
	a.probability = 30;
	a.seed = 42;
	ck_assert_int_eq(fail_page_alloc_set(pool, &a), 0);
	f = count_failures(pool, GFP_VMM, 0, 2000);
	ck_assert_int_gt(f, 2000 * 25 / 100);
	ck_assert_int_lt(f, 2000 * 35 / 100);
	/* The same seed gives the same sequence. */
	ck_assert_int_eq(fail_page_alloc_set(pool, &a), 0);
	ck_assert_int_eq(count_failures(pool, GFP_VMM, 0, 2000), f);
	mm_pool_destroy(pool);
}
END_TEST

START_TEST(test_filters)
{
	struct mm_pool *pool = test_pool(16, 1, 0);
	struct fail_page_alloc_attr a = { .probability = 100,
					  .times = -1,
					  .min_order = 2 };

	ck_assert_int_eq(fail_page_alloc_set(pool, &a), 0);
	ck_assert_int_eq(count_failures(pool, GFP_VMM, 1, 10), 0);
	ck_assert_int_eq(count_failures(pool, GFP_VMM, 2, 10), 10);
	/* __GFP_NOFAIL is never failed. */
	ck_assert_int_eq(count_failures(pool, GFP_VMM | __GFP_NOFAIL, 3, 10),
			 0);
	a.min_order = 0;
	a.ignore_gfp_reclaim = true;
	ck_assert_int_eq(fail_page_alloc_set(pool, &a), 0);
	ck_assert_int_eq(count_failures(pool, GFP_VMM, 0, 10), 0);
	ck_assert_int_eq(count_failures(pool, GFP_NOWAIT, 0, 10), 10);
	/* Off again. */
	a.probability = 0;
	ck_assert_int_eq(fail_page_alloc_set(pool, &a), 0);
	ck_assert_int_eq(count_failures(pool, GFP_NOWAIT, 0, 10), 0);
	mm_pool_destroy(pool);
}
END_TEST

START_TEST(test_bad_attrs)
{
	struct mm_pool *pool = test_pool(16, 1, 0);
	struct fail_page_alloc_attr a = { .probability = 101 };

	ck_assert_int_eq(fail_page_alloc_set(pool, &a), -EINVAL);
	a.probability = 10;
	a.min_order = MAX_ORDER;
	ck_assert_int_eq(fail_page_alloc_set(pool, &a), -EINVAL);
	a.min_order = 0;
	a.times = -2;
	ck_assert_int_eq(fail_page_alloc_set(pool, &a), -EINVAL);
	mm_pool_destroy(pool);
}
END_TEST

Suite *fail_page_alloc_suite(void)
{
	Suite *s = suite_create("fail_page_alloc");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_times);
	tcase_add_test(tc, test_interval_and_probability);
	tcase_add_test(tc, test_filters);
	tcase_add_test(tc, test_bad_attrs);
	suite_add_tcase(s, tc);
	return s;
}
