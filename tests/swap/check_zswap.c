// SPDX-License-Identifier: GPL-2.0
/*
 * swap/zswap.c over a real pool: pages the guest would make go in and
 * come back byte for byte (lz4 and zstd), same-filled pages take no
 * frame, incompressible ones are refused, a full store says so and keeps
 * taking same-filled pages, an empty pool says so, a corrupt object is
 * an error, the counters count, the store's frames are the pool's
 * FRAME_OWNER_ZSWAP frames, and threads share the store.
 */
#include <pthread.h>
#include <stdio.h>

#include "guest/fill.h"
#include "swap/zswap.h"
#include "tests/swap/swap_test.h"

static struct zswap *make(struct mm_pool *mm, uint64_t max_bytes,
			  enum zcomp_alg alg)
{
	struct zswap_config cfg = {
		.mm = mm,
		.max_bytes = max_bytes,
		.compressor = alg,
		.level = 1,
	};
	struct zswap *z;

	ck_assert_int_eq(zswap_create(&cfg, &z), 0);
	return z;
}

#define ck_zswap_validate(z)                                          \
	do {                                                          \
		char _err[256];                                       \
		int _ret = zswap_validate(z, _err, sizeof(_err));     \
		ck_assert_msg(_ret == 0, "zswap_validate: %s", _err); \
	} while (0)

static void page_of(uint64_t *p, unsigned int i, unsigned int ratio)
{
	fill_page(p, (2ULL << 20) + i * 4096ULL, 1 + i % 200, ratio);
}

START_TEST(test_bad_config)
{
	struct mm_pool *mm = test_pool(16, 1, 0);
	struct zswap_config cfg = { .mm = mm, .max_bytes = 1 << 20 };
	struct zswap *z;

	cfg.max_bytes = 100;
	ck_assert_int_eq(zswap_create(&cfg, &z), -EINVAL);
	cfg.max_bytes = 1 << 20;
	cfg.max_object = PAGE_SIZE + 1;
	ck_assert_int_eq(zswap_create(&cfg, &z), -EINVAL);
	cfg.max_object = 0;
	cfg.nid = 1;
	ck_assert_int_eq(zswap_create(&cfg, &z), -EINVAL);
	cfg.nid = 0;
	cfg.compressor = ZCOMP_ZSTD;
	cfg.level = 99;
	ck_assert_int_eq(zswap_create(&cfg, &z), -EINVAL);
	ck_assert_int_eq(zcomp_lookup("zstd"), ZCOMP_ZSTD);
	ck_assert_int_eq(zcomp_lookup("lz4"), ZCOMP_LZ4);
	ck_assert_int_eq(zcomp_lookup("gzip"), -EINVAL);
	mm_pool_destroy(mm);
}
END_TEST

/* 1024 pages at ratio 3, both ways, with both compressors. */
START_TEST(test_round_trip)
{
	enum zcomp_alg alg = _i;
	struct mm_pool *mm = test_pool(32, 1, 0);
	struct zswap *z = make(mm, 16 << 20, alg);
	enum { N = 1024 };
	static struct zswap_entry e[N];
	static uint64_t page[FILL_PAGE_WORDS], back[FILL_PAGE_WORDS];
	struct zswap_stats st;

	for (unsigned int i = 0; i < N; i++) {
		page_of(page, i, 3);
		ck_assert_int_eq(zswap_store(z, page, &e[i]), 0);
		ck_assert(e[i].flags & ZSWAP_ENTRY_STORED);
		ck_assert_uint_gt(e[i].length, 0);
	}
	zswap_get_stats(z, &st);
	ck_assert_uint_eq(st.stored_pages, N);
	ck_assert_uint_eq(st.zswpout, N);
	ck_assert_uint_eq(st.same_filled_pages, 0);
	ck_assert_uint_eq(st.pool_pages, store_frames(mm));
	/* Zswapped / Zswap: what the store holds for what it costs. */
	printf("zswap %s: ratio=3 pages: %.2f:1 compressed, %.2f:1 in frames\n",
	       zcomp_name(alg), (double)N * PAGE_SIZE / st.compressed_bytes,
	       (double)N / st.pool_pages);
	ck_assert_msg(N > 2.5 * st.pool_pages, "%lu frames for %u pages",
		      (unsigned long)st.pool_pages, N);
	ck_zswap_validate(z);
	ck_validate(mm);
	for (unsigned int i = 0; i < N; i++) {
		page_of(page, i, 3);
		ck_assert_int_eq(zswap_load(z, &e[i], back), 0);
		ck_assert_msg(!memcmp(page, back, PAGE_SIZE), "page %u", i);
		zswap_invalidate(z, &e[i]);
		ck_assert(!(e[i].flags & ZSWAP_ENTRY_STORED));
		zswap_invalidate(z, &e[i]); /* twice: nothing */
	}
	zswap_get_stats(z, &st);
	ck_assert_uint_eq(st.zswpin, N);
	ck_assert_uint_eq(st.stored_pages, 0);
	ck_assert_uint_eq(st.compressed_bytes, 0);
	ck_assert_uint_eq(st.pool_pages, 0);
	ck_assert_uint_eq(store_frames(mm), 0);
	ck_validate(mm);
	zswap_destroy(z);
	mm_pool_destroy(mm);
}
END_TEST

/* A page of one repeated word is kept as that word, no frame. */
START_TEST(test_same_filled)
{
	static const uint64_t values[] = { 0, 0x5a5a5a5a5a5a5a5aULL,
					   0xffffffffffffffffULL, 42 };
	struct mm_pool *mm = test_pool(16, 1, 0);
	struct zswap *z = make(mm, 1 << 20, ZCOMP_LZ4);
	uint64_t page[FILL_PAGE_WORDS], back[FILL_PAGE_WORDS];
	struct zswap_entry e[4] = { 0 }, almost = { 0 };
	struct zswap_stats st;

	for (unsigned int i = 0; i < 4; i++) {
		for (unsigned int w = 0; w < FILL_PAGE_WORDS; w++)
			page[w] = values[i];
		ck_assert_int_eq(zswap_store(z, page, &e[i]), 0);
		ck_assert_uint_eq(e[i].length, 0);
		ck_assert_uint_eq(e[i].value, values[i]);
	}
	/* One word off, in the middle: an object. */
	page[200] ^= 1;
	ck_assert_int_eq(zswap_store(z, page, &almost), 0);
	ck_assert_uint_gt(almost.length, 0);
	zswap_get_stats(z, &st);
	ck_assert_uint_eq(st.same_filled_pages, 4);
	ck_assert_uint_eq(st.stored_pages, 5);
	ck_assert_uint_gt(st.pool_pages, 0); /* the one object's zspage */
	ck_assert_uint_eq(st.pool_pages, store_frames(mm));
	for (unsigned int i = 0; i < 4; i++) {
		memset(back, 0x77, sizeof(back));
		ck_assert_int_eq(zswap_load(z, &e[i], back), 0);
		for (unsigned int w = 0; w < FILL_PAGE_WORDS; w++)
			ck_assert_uint_eq(back[w], values[i]);
		zswap_invalidate(z, &e[i]);
	}
	ck_assert_int_eq(zswap_load(z, &almost, back), 0);
	ck_assert(!memcmp(back, page, PAGE_SIZE));
	zswap_invalidate(z, &almost);
	zswap_get_stats(z, &st);
	ck_assert_uint_eq(st.same_filled_pages, 0);
	ck_assert_uint_eq(st.stored_pages, 0);
	zswap_destroy(z);
	mm_pool_destroy(mm);
}
END_TEST

/* Incompressible pages are refused and nothing is kept. */
START_TEST(test_incompressible)
{
	struct mm_pool *mm = test_pool(16, 1, 0);
	struct zswap *z = make(mm, 1 << 20, ZCOMP_LZ4);
	uint64_t page[FILL_PAGE_WORDS];
	struct zswap_entry e = { .handle = 7 };
	struct zswap_stats st;

	page_of(page, 1, 1);
	ck_assert_int_eq(zswap_store(z, page, &e), -E2BIG);
	ck_assert_uint_eq(e.handle, 7);
	ck_assert_uint_eq(e.flags, 0);
	page_of(page, 2, 2); /* 2:1 is within 3/4 of a page */
	ck_assert_int_eq(zswap_store(z, page, &e), 0);
	zswap_invalidate(z, &e);
	zswap_get_stats(z, &st);
	ck_assert_uint_eq(st.reject_compress_poor, 1);
	ck_assert_uint_eq(st.zswpout, 1);
	ck_assert_uint_eq(st.pool_pages, 0);
	zswap_destroy(z);
	mm_pool_destroy(mm);
}
END_TEST

/* 64 KiB of store: full is -ENOSPC, same-filled pages still go in,
 * room comes back as pages leave. */
START_TEST(test_full)
{
	struct mm_pool *mm = test_pool(16, 1, 0);
	struct zswap *z = make(mm, 64 << 10, ZCOMP_LZ4);
	uint64_t page[FILL_PAGE_WORDS] = { 0 };
	static struct zswap_entry e[256];
	struct zswap_entry zero = { 0 };
	struct zswap_stats st;
	unsigned int n = 0;
	int ret;

	while ((ret = zswap_store(z, (page_of(page, n, 3), page), &e[n])) == 0)
		n++;
	ck_assert_int_eq(ret, -ENOSPC);
	ck_assert_uint_eq(e[n].flags, 0);
	zswap_get_stats(z, &st);
	ck_assert_uint_le(st.pool_pages, 16);
	ck_assert_uint_eq(st.pool_limit_hit, 1);
	ck_assert_uint_ge(n, 16 * 2); /* 3:1, less the classes' waste */
	memset(page, 0, sizeof(page));
	ck_assert_int_eq(zswap_store(z, page, &zero), 0);
	/* The first pages go: the next goes in. */
	for (unsigned int i = 0; i < 8; i++)
		zswap_invalidate(z, &e[i]);
	ck_assert_int_eq(zswap_store(z, (page_of(page, n, 3), page), &e[n]), 0);
	zswap_invalidate(z, &e[n]);
	for (unsigned int i = 8; i < n; i++)
		zswap_invalidate(z, &e[i]);
	zswap_invalidate(z, &zero);
	zswap_get_stats(z, &st);
	ck_assert_uint_eq(st.pool_pages, 0);
	ck_assert_uint_eq(st.stored_pages, 0);
	zswap_destroy(z);
	mm_pool_destroy(mm);
}
END_TEST

/* No frame in the pool: -ENOMEM, counted, nothing lost. */
START_TEST(test_no_frame)
{
	struct mm_pool *mm = test_pool(16, 1, 0);
	struct zswap *z = make(mm, 1 << 20, ZCOMP_LZ4);
	uint64_t page[FILL_PAGE_WORDS];
	struct zswap_entry e = { 0 };
	struct zswap_stats st;
	unsigned long n;
	pfn_t *held = hog_pool(mm, &n);

	page_of(page, 0, 3);
	ck_assert_int_eq(zswap_store(z, page, &e), -ENOMEM);
	ck_assert_uint_eq(e.flags, 0);
	zswap_get_stats(z, &st);
	ck_assert_uint_eq(st.reject_alloc_fail, 1);
	ck_assert_uint_eq(st.stored_pages, 0);
	unhog_pool(mm, held, n);
	ck_assert_int_eq(zswap_store(z, page, &e), 0);
	zswap_invalidate(z, &e);
	zswap_destroy(z);
	ck_validate(mm);
	mm_pool_destroy(mm);
}
END_TEST

/* A damaged object is an error on load, never a wrong page. */
START_TEST(test_corrupt)
{
	struct mm_pool *mm = test_pool(16, 1, 0);
	struct zswap *z = make(mm, 1 << 20, _i);
	uint64_t page[FILL_PAGE_WORDS];
	struct zswap_entry e = { 0 };
	struct zswap_stats st;

	page_of(page, 5, 4);
	ck_assert_int_eq(zswap_store(z, page, &e), 0);
	/* The store's only frame holds the object at its start. */
	for (pfn_t p = 0; p < mm->nr_frames; p++)
		if (mm->frames[p].owner == FRAME_OWNER_ZSWAP)
			memset(pfn_to_virt(mm, p), 0xff, e.length);
	ck_assert_int_eq(zswap_load(z, &e, page), -EIO);
	zswap_get_stats(z, &st);
	ck_assert_uint_eq(st.decompress_fail, 1);
	ck_assert_uint_eq(st.zswpin, 0);
	zswap_invalidate(z, &e);
	zswap_destroy(z);
	mm_pool_destroy(mm);
}
END_TEST

struct worker {
	struct zswap *z;
	unsigned int id;
};

/* Each thread stores its own pages, loads and checks them, drops them. */
static void *worker(void *arg)
{
	struct worker *w = arg;
	enum { N = 64 };
	struct zswap_entry e[N];
	uint64_t page[FILL_PAGE_WORDS], back[FILL_PAGE_WORDS];

	for (unsigned int round = 0; round < 30; round++) {
		for (unsigned int i = 0; i < N; i++) {
			unsigned int k = w->id * 10000 + round * N + i;

			e[i] = (struct zswap_entry){ 0 };
			page_of(page, k, 2 + k % 3);
			ck_assert_int_eq(zswap_store(w->z, page, &e[i]), 0);
		}
		for (unsigned int i = 0; i < N; i++) {
			unsigned int k = w->id * 10000 + round * N + i;

			page_of(page, k, 2 + k % 3);
			ck_assert_int_eq(zswap_load(w->z, &e[i], back), 0);
			ck_assert(!memcmp(page, back, PAGE_SIZE));
			zswap_invalidate(w->z, &e[i]);
		}
	}
	return NULL;
}

START_TEST(test_threads)
{
	struct mm_pool *mm = test_pool(32, 1, 0);
	struct zswap *z = make(mm, 8 << 20, _i);
	enum { T = 4 };
	struct worker w[T];
	pthread_t t[T];
	struct zswap_stats st;

	for (unsigned int i = 0; i < T; i++) {
		w[i] = (struct worker){ z, i };
		ck_assert_int_eq(pthread_create(&t[i], NULL, worker, &w[i]), 0);
	}
	for (unsigned int i = 0; i < T; i++)
		pthread_join(t[i], NULL);
	zswap_get_stats(z, &st);
	ck_assert_uint_eq(st.zswpout, T * 30 * 64);
	ck_assert_uint_eq(st.zswpin, T * 30 * 64);
	ck_assert_uint_eq(st.stored_pages, 0);
	ck_assert_uint_eq(st.pool_pages, 0);
	ck_zswap_validate(z);
	ck_validate(mm);
	zswap_destroy(z);
	mm_pool_destroy(mm);
}
END_TEST

Suite *zswap_suite(void)
{
	Suite *s = suite_create("zswap");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_bad_config);
	tcase_add_loop_test(tc, test_round_trip, ZCOMP_LZ4, NR_ZCOMP_ALGS);
	tcase_add_test(tc, test_same_filled);
	tcase_add_test(tc, test_incompressible);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_no_frame);
	tcase_add_loop_test(tc, test_corrupt, ZCOMP_LZ4, NR_ZCOMP_ALGS);
	tcase_add_loop_test(tc, test_threads, ZCOMP_LZ4, NR_ZCOMP_ALGS);
	suite_add_tcase(s, tc);
	return s;
}
