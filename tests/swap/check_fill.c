// SPDX-License-Identifier: GPL-2.0
/*
 * guest/fill.h, the guest's page generator, as the host builds it: pages
 * at ratio R compress about R:1 with lz4 (within 20% for R = 2, 3, 4,
 * within 25% up to 8; ratio 1 not at all), zstd does better, as on real
 * memory, and fill_check() finds every wrong byte, naming the first.
 */
#include <check.h>
#include <lz4.h>
#include <stdio.h>
#include <string.h>
#include <zstd.h>

#include "guest/fill.h"

#define PAGES 512

struct ratios {
	double lz4, zstd;
};

/* Pages of many GPAs and generations, as a guest's would be. */
static struct ratios measure(unsigned int r)
{
	static uint64_t page[FILL_PAGE_WORDS];
	static char dst[LZ4_COMPRESSBOUND(4096) + 4096];
	uint64_t in = 0, lz = 0, zs = 0;
	ZSTD_CCtx *cctx = ZSTD_createCCtx();

	ck_assert_ptr_nonnull(cctx);
	for (unsigned int i = 0; i < PAGES; i++) {
		uint64_t gpa = (2ULL << 20) + i * 7919ULL * 4096;
		int n;
		size_t z;

		fill_page(page, gpa, 1 + i % 255, r);
		n = LZ4_compress_default((const char *)page, dst, 4096,
					 sizeof(dst));
		ck_assert_int_gt(n, 0);
		z = ZSTD_compressCCtx(cctx, dst, sizeof(dst), page, 4096, 1);
		ck_assert(!ZSTD_isError(z));
		in += 4096;
		lz += n;
		zs += z;
	}
	ZSTD_freeCCtx(cctx);
	return (struct ratios){ (double)in / lz, (double)in / zs };
}

START_TEST(test_ratio)
{
	unsigned int r = _i;
	struct ratios got = measure(r);
	double slack = r <= 4 ? 0.2 : 0.25;

	printf("fill: ratio=%u: lz4 %.2f:1, zstd-1 %.2f:1\n", r, got.lz4,
	       got.zstd);
	ck_assert_msg(got.lz4 > r * (1 - slack) && got.lz4 < r * (1 + slack),
		      "ratio=%u: lz4 compresses %.2f:1", r, got.lz4);
	ck_assert_msg(got.zstd > got.lz4, "ratio=%u: zstd %.2f, lz4 %.2f", r,
		      got.zstd, got.lz4);
}
END_TEST

START_TEST(test_incompressible)
{
	struct ratios got = measure(1);

	ck_assert_msg(got.lz4 < 1.01 && got.zstd < 1.01,
		      "ratio=1: lz4 %.3f, zstd %.3f", got.lz4, got.zstd);
}
END_TEST

/* One word at a time says what a whole page says. */
START_TEST(test_words)
{
	static uint64_t page[FILL_PAGE_WORDS];
	unsigned int random = 0;

	for (unsigned int r = 1; r <= FILL_RATIO_MAX; r++) {
		fill_page(page, 0x123456000, 7, r);
		random = 0;
		for (unsigned int i = 0; i < FILL_PAGE_WORDS; i++) {
			ck_assert_uint_eq(page[i],
					  fill_word(0x123456000, 7, r, i));
			random += page[i] != 0;
		}
		ck_assert_uint_eq(random, fill_random_words(r));
		ck_assert_int_eq(fill_check(page, 0x123456000, 7, r), -1);
	}
}
END_TEST

/* Every byte counts, the first bad one is named; another page, another
 * generation and a zeroed page all fail. */
START_TEST(test_check)
{
	static uint64_t page[FILL_PAGE_WORDS];
	uint8_t *b = (uint8_t *)page;
	const uint64_t gpa = 0x7654321000;
	int bad;

	fill_page(page, gpa, 3, 3);
	for (unsigned int off = 0; off < 4096; off += 37) {
		b[off] ^= 0x80;
		ck_assert_int_eq(fill_check(page, gpa, 3, 3), off);
		b[off + 1 < 4096 ? off + 1 : off - 1] ^= 0x01;
		ck_assert_int_eq(fill_check(page, gpa, 3, 3),
				 off + 1 < 4096 ? off : off - 1);
		b[off + 1 < 4096 ? off + 1 : off - 1] ^= 0x01;
		b[off] ^= 0x80;
	}
	ck_assert_int_eq(fill_check(page, gpa, 3, 3), -1);
	ck_assert_int_ge(fill_check(page, gpa + 4096, 3, 3), 0);
	ck_assert_int_ge(fill_check(page, gpa, 4, 3), 0);
	ck_assert_int_ge(fill_check(page, gpa, 3, 4), 0);
	memset(page, 0, sizeof(page));
	bad = fill_check(page, gpa, 3, 3);
	ck_assert_msg(bad >= 0 && bad < 8, "a zeroed page fails at %d", bad);
}
END_TEST

Suite *fill_suite(void)
{
	Suite *s = suite_create("fill");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_ratio, 2, FILL_RATIO_MAX + 1);
	tcase_add_test(tc, test_incompressible);
	tcase_add_test(tc, test_words);
	tcase_add_test(tc, test_check);
	suite_add_tcase(s, tc);
	return s;
}
