// SPDX-License-Identifier: GPL-2.0
/* tools/trace/dist.c: exact nearest-rank percentiles, 1-2-5 buckets. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tools/trace/dist.h"

START_TEST(test_percentiles)
{
	struct dist d;

	dist_init(&d);
	ck_assert_uint_eq(dist_percentile(&d, 500), 0);
	/* 1000 values 1..1000, added out of order. */
	for (uint64_t i = 0; i < 1000; i++)
		dist_add(&d, (i * 7919) % 1000 + 1);
	ck_assert_uint_eq(dist_percentile(&d, 500), 500);
	ck_assert_uint_eq(dist_percentile(&d, 900), 900);
	ck_assert_uint_eq(dist_percentile(&d, 990), 990);
	ck_assert_uint_eq(dist_percentile(&d, 999), 999);
	ck_assert_uint_eq(dist_max(&d), 1000);
	ck_assert_uint_eq(dist_min(&d), 1);
	dist_destroy(&d);

	/* Nearest rank on few values: ceil(p * n). */
	dist_init(&d);
	for (uint64_t v = 1; v <= 4; v++)
		dist_add(&d, v * 10);
	ck_assert_uint_eq(dist_percentile(&d, 500), 20);
	ck_assert_uint_eq(dist_percentile(&d, 510), 30);
	ck_assert_uint_eq(dist_percentile(&d, 900), 40);
	ck_assert_uint_eq(dist_percentile(&d, 0), 10);
	dist_destroy(&d);
}
END_TEST

START_TEST(test_buckets)
{
	struct dist d;
	uint64_t count[DIST_BUCKETS];

	ck_assert_uint_eq(dist_bucket_lo(0), 0);
	ck_assert_uint_eq(dist_bucket_lo(1), 1);
	ck_assert_uint_eq(dist_bucket_lo(2), 2);
	ck_assert_uint_eq(dist_bucket_lo(3), 5);
	ck_assert_uint_eq(dist_bucket_lo(4), 10);
	ck_assert_uint_eq(dist_bucket_lo(10), 1000);
	ck_assert_uint_eq(dist_bucket_hi(DIST_BUCKETS - 1), UINT64_MAX);
	dist_init(&d);
	dist_add(&d, 0);
	dist_add(&d, 1999); /* [1 us, 2 us) */
	dist_add(&d, 2000); /* [2 us, 5 us) */
	dist_add(&d, 4999);
	dist_add(&d, UINT64_MAX);
	ck_assert_uint_eq(dist_histogram(&d, count), DIST_BUCKETS);
	ck_assert_uint_eq(count[0], 1);
	ck_assert_uint_eq(count[10], 1);
	ck_assert_uint_eq(count[11], 2);
	ck_assert_uint_eq(count[DIST_BUCKETS - 1], 1);
	dist_destroy(&d);
}
END_TEST

START_TEST(test_format)
{
	char b[32];

	ck_assert_str_eq(fmt_ns(850, b, sizeof(b)), "850 ns");
	ck_assert_str_eq(fmt_ns(12345, b, sizeof(b)), "12.3 us");
	ck_assert_str_eq(fmt_ns(4560000, b, sizeof(b)), "4.56 ms");
	ck_assert_str_eq(fmt_ns(10000000000ULL, b, sizeof(b)), "10 s");
	ck_assert_str_eq(fmt_ns(999999, b, sizeof(b)), "1 ms");
	ck_assert_str_eq(fmt_ns(999, b, sizeof(b)), "999 ns");
	ck_assert_str_eq(fmt_ns(3600000000000ULL, b, sizeof(b)), "3600 s");
}
END_TEST

Suite *trace_dist_suite(void)
{
	Suite *s = suite_create("trace_dist");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_percentiles);
	tcase_add_test(tc, test_buckets);
	tcase_add_test(tc, test_format);
	suite_add_tcase(s, tc);
	return s;
}
