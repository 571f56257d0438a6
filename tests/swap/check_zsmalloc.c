// SPDX-License-Identifier: GPL-2.0
/*
 * swap/zsmalloc.c over a real pool: size classes, objects that straddle
 * frames, fullness, the frame bound, a pool with no frame left, the
 * store's frames as mm_validate() sees them, and many threads at once
 * while mm_validate() walks the pool.
 */
#include <pthread.h>
#include <stdio.h>

#include "swap/zsmalloc.h"
#include "tests/swap/swap_test.h"

static struct zs_pool *make(struct mm_pool *mm, unsigned long max_pages)
{
	struct zs_config cfg = {
		.mm = mm, .nid = 0, .gfp = GFP_ZSWAP, .max_pages = max_pages
	};
	struct zs_pool *zs;

	ck_assert_int_eq(zs_create_pool(&cfg, &zs), 0);
	return zs;
}

#define ck_zs_validate(zs)                                         \
	do {                                                       \
		char _err[256];                                    \
		int _ret = zs_validate(zs, _err, sizeof(_err));    \
		ck_assert_msg(_ret == 0, "zs_validate: %s", _err); \
	} while (0)

/* An object's bytes, from its handle and a seed: any two differ. */
static void pattern(uint8_t *p, size_t len, unsigned long seed)
{
	uint64_t s = seed * 0x9e3779b97f4a7c15ULL | 1;

	for (size_t i = 0; i < len; i++)
		p[i] = test_rand(&s) >> 56;
}

static void check_obj(struct zs_pool *zs, unsigned long h, unsigned long seed)
{
	uint8_t want[PAGE_SIZE], got[PAGE_SIZE];
	size_t len = zs_obj_size(h);

	pattern(want, len, seed);
	zs_obj_read(zs, h, got, len);
	ck_assert_msg(!memcmp(want, got, len), "object of %zu bytes changed",
		      len);
}

START_TEST(test_classes)
{
	struct mm_pool *mm = test_pool(16, 1, 0);
	struct zs_pool *zs = make(mm, 0);
	unsigned int obj, pages, objs;

	for (size_t size = 1; size <= PAGE_SIZE; size++) {
		zs_class_geometry(zs, size, &obj, &pages, &objs);
		ck_assert_uint_ge(obj, size);
		ck_assert_uint_le(obj, PAGE_SIZE);
		ck_assert(pages >= 1 && pages <= ZS_MAX_PAGES_PER_ZSPAGE);
		ck_assert_uint_eq(objs, pages * PAGE_SIZE / obj);
	}
	/* Two frames hold five 1632-byte objects (0.4% waste) where one
	 * would hold two (20%). */
	zs_class_geometry(zs, 1632, &obj, &pages, &objs);
	ck_assert_uint_eq(obj, 1632);
	ck_assert_uint_eq(pages, 2);
	ck_assert_uint_eq(objs, 5);
	zs_class_geometry(zs, PAGE_SIZE, &obj, &pages, &objs);
	ck_assert_uint_eq(objs, 1);
	zs_destroy_pool(zs);
	mm_pool_destroy(mm);
}
END_TEST

/* Objects of every size class, many straddling two frames, read back
 * whole; every frame the store's in the pool; all back when freed. */
START_TEST(test_objects)
{
	struct mm_pool *mm = test_pool(32, 1, 0);
	struct zs_pool *zs = make(mm, 0);
	enum { N = 3000 };
	static unsigned long h[N];
	uint8_t buf[PAGE_SIZE];
	struct zs_pool_stats st;
	uint64_t asked = 0;

	ck_assert_int_eq(zs_malloc(zs, 0, &h[0]), -EINVAL);
	ck_assert_int_eq(zs_malloc(zs, PAGE_SIZE + 1, &h[0]), -EINVAL);
	for (unsigned int i = 0; i < N; i++) {
		size_t len = 1 + (i * 997) % PAGE_SIZE;

		ck_assert_int_eq(zs_malloc(zs, len, &h[i]), 0);
		ck_assert_uint_eq(zs_obj_size(h[i]), len);
		pattern(buf, len, i);
		zs_obj_write(zs, h[i], buf, len);
		asked += len;
	}
	for (unsigned int i = 0; i < N; i++)
		check_obj(zs, h[i], i);
	zs_pool_stats(zs, &st);
	ck_assert_uint_eq(st.objs, N);
	ck_assert_uint_eq(st.obj_bytes, asked);
	ck_assert_uint_ge(st.class_bytes, asked);
	ck_assert_uint_le(st.class_bytes, st.pages * PAGE_SIZE);
	ck_assert_uint_eq(st.pages, store_frames(mm));
	ck_zs_validate(zs);
	ck_validate(mm);
	/* Every other one goes: the rest stay whole. */
	for (unsigned int i = 0; i < N; i += 2)
		zs_free(zs, h[i]);
	for (unsigned int i = 1; i < N; i += 2)
		check_obj(zs, h[i], i);
	ck_zs_validate(zs);
	ck_validate(mm);
	for (unsigned int i = 1; i < N; i += 2)
		zs_free(zs, h[i]);
	ck_assert_uint_eq(zs_get_total_pages(zs), 0);
	ck_assert_uint_eq(store_frames(mm), 0);
	ck_zs_validate(zs);
	ck_validate(mm);
	zs_destroy_pool(zs);
	mm_pool_destroy(mm);
}
END_TEST

/* The fullest zspage gives first, so small churn does not spread. */
START_TEST(test_fullest_first)
{
	struct mm_pool *mm = test_pool(16, 1, 0);
	struct zs_pool *zs = make(mm, 0);
	unsigned int obj, pages, objs;
	unsigned long h[64] = { 0 };

	zs_class_geometry(zs, 1024, &obj, &pages, &objs);
	ck_assert_uint_eq(objs, 4); /* a frame of 4 */
	for (unsigned int i = 0; i < 16; i++)
		ck_assert_int_eq(zs_malloc(zs, 1024, &h[i]), 0);
	ck_assert_uint_eq(zs_get_total_pages(zs), 4);
	/* Three objects out of the first zspage, one out of each other. */
	for (unsigned int i = 0; i < 16; i++)
		if (i < 3 || (i && i % 4 == 0)) {
			zs_free(zs, h[i]);
			h[i] = 0;
		}
	/* Three new objects fill the three zspages with one hole, not the
	 * one with three. */
	for (unsigned int i = 0; i < 3; i++)
		ck_assert_int_eq(zs_malloc(zs, 1024, &h[16 + i]), 0);
	ck_assert_uint_eq(zs_get_total_pages(zs), 4);
	zs_free(zs, h[3]); /* the first zspage's last object: it goes */
	h[3] = 0;
	ck_assert_uint_eq(zs_get_total_pages(zs), 3);
	ck_assert_uint_eq(store_frames(mm), 3);
	ck_zs_validate(zs);
	for (unsigned int i = 0; i < 19; i++)
		if (h[i])
			zs_free(zs, h[i]);
	ck_assert_uint_eq(zs_get_total_pages(zs), 0);
	zs_destroy_pool(zs);
	mm_pool_destroy(mm);
}
END_TEST

/* A bound of 8 frames: full is -ENOSPC, and room comes back. */
START_TEST(test_max_pages)
{
	struct mm_pool *mm = test_pool(16, 1, 0);
	struct zs_pool *zs = make(mm, 8);
	unsigned long h[64];
	unsigned int n = 0;
	int ret;

	while ((ret = zs_malloc(zs, 2048, &h[n])) == 0)
		n++;
	ck_assert_int_eq(ret, -ENOSPC);
	ck_assert_uint_eq(n, 16); /* 2 a frame */
	ck_assert_uint_eq(zs_get_total_pages(zs), 8);
	/* Smaller objects still go where there is room: none here. */
	ck_assert_int_eq(zs_malloc(zs, 100, &h[n]), -ENOSPC);
	zs_free(zs, h[0]);
	ck_assert_int_eq(zs_malloc(zs, 2048, &h[0]), 0);
	/* Two frames empty: room for a zspage of two frames of the 112-byte
	 * class. */
	for (unsigned int i = 0; i < 4; i++)
		zs_free(zs, h[i]);
	ck_assert_uint_eq(zs_get_total_pages(zs), 6);
	ck_assert_int_eq(zs_malloc(zs, 100, &h[0]), 0);
	ck_assert_uint_eq(zs_get_total_pages(zs), 8);
	zs_free(zs, h[0]);
	for (unsigned int i = 4; i < n; i++)
		zs_free(zs, h[i]);
	ck_assert_uint_eq(zs_get_total_pages(zs), 0);
	ck_zs_validate(zs);
	zs_destroy_pool(zs);
	mm_pool_destroy(mm);
}
END_TEST

/* No frame left in the pool: -ENOMEM, nothing held, nothing lost. */
START_TEST(test_pool_empty)
{
	struct mm_pool *mm = test_pool(16, 1, 0);
	struct zs_pool *zs = make(mm, 0);
	unsigned long h, big, n;
	pfn_t *held;

	ck_assert_int_eq(zs_malloc(zs, 3000, &big), 0);
	held = hog_pool(mm, &n);
	/* A class with room still gives; a new zspage cannot be had. */
	ck_assert_int_eq(zs_malloc(zs, 3000, &h), 0);
	zs_free(zs, h);
	ck_assert_int_eq(zs_malloc(zs, 100, &h), -ENOMEM);
	ck_assert_uint_eq(zs_get_total_pages(zs), 3);
	ck_zs_validate(zs);
	ck_validate(mm);
	unhog_pool(mm, held, n);
	ck_assert_int_eq(zs_malloc(zs, 100, &h), 0);
	zs_free(zs, h);
	zs_free(zs, big);
	zs_destroy_pool(zs);
	ck_assert_uint_eq(store_frames(mm), 0);
	ck_validate(mm);
	mm_pool_destroy(mm);
}
END_TEST

/* Threads allocate, write, check and free objects of random sizes, a
 * bound in the way, while another walks the pool with mm_validate(). */
struct worker {
	struct zs_pool *zs;
	unsigned int id;
	unsigned long ops, full;
};

static bool stop_validating;

static void *worker(void *arg)
{
	struct worker *w = arg;
	enum { SLOTS = 256 };
	unsigned long h[SLOTS] = { 0 }, seed[SLOTS];
	uint64_t rng = 0x1234 + w->id;
	uint8_t buf[PAGE_SIZE];

	for (unsigned int i = 0; i < 20000; i++) {
		unsigned int k = test_rand(&rng) % SLOTS;

		if (h[k]) {
			check_obj(w->zs, h[k], seed[k]);
			zs_free(w->zs, h[k]);
			h[k] = 0;
		} else {
			size_t len = 1 + test_rand(&rng) % 3500;
			int ret = zs_malloc(w->zs, len, &h[k]);

			if (ret == -ENOSPC) {
				w->full++;
				h[k] = 0;
				continue;
			}
			ck_assert_int_eq(ret, 0);
			seed[k] = test_rand(&rng);
			pattern(buf, len, seed[k]);
			zs_obj_write(w->zs, h[k], buf, len);
		}
		w->ops++;
	}
	for (unsigned int k = 0; k < SLOTS; k++)
		if (h[k]) {
			check_obj(w->zs, h[k], seed[k]);
			zs_free(w->zs, h[k]);
		}
	return NULL;
}

static void *validator(void *arg)
{
	struct mm_pool *mm = arg;
	unsigned long n = 0;

	while (!__atomic_load_n(&stop_validating, __ATOMIC_ACQUIRE)) {
		ck_validate(mm);
		n++;
	}
	return (void *)n;
}

START_TEST(test_threads)
{
	struct mm_pool *mm = test_pool(32, 1, 0);
	/* Each thread alone wants about 110 frames: the bound is met. */
	struct zs_pool *zs = make(mm, 64);
	enum { T = 4 };
	struct worker w[T];
	pthread_t t[T], v;
	void *walks;
	unsigned long full = 0;

	stop_validating = false;
	ck_assert_int_eq(pthread_create(&v, NULL, validator, mm), 0);
	for (unsigned int i = 0; i < T; i++) {
		w[i] = (struct worker){ .zs = zs, .id = i };
		ck_assert_int_eq(pthread_create(&t[i], NULL, worker, &w[i]), 0);
	}
	for (unsigned int i = 0; i < T; i++) {
		pthread_join(t[i], NULL);
		full += w[i].full;
	}
	__atomic_store_n(&stop_validating, true, __ATOMIC_RELEASE);
	pthread_join(v, &walks);
	printf("zsmalloc: %u threads, %lu refused as full, %lu pool walks meanwhile\n",
	       T, full, (unsigned long)walks);
	ck_assert_uint_gt((unsigned long)walks, 0);
	ck_assert_uint_gt(full, 0);
	ck_assert_uint_eq(zs_get_total_pages(zs), 0);
	ck_assert_uint_eq(store_frames(mm), 0);
	ck_zs_validate(zs);
	ck_validate(mm);
	zs_destroy_pool(zs);
	mm_pool_destroy(mm);
}
END_TEST

Suite *zsmalloc_suite(void)
{
	Suite *s = suite_create("zsmalloc");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_classes);
	tcase_add_test(tc, test_objects);
	tcase_add_test(tc, test_fullest_first);
	tcase_add_test(tc, test_max_pages);
	tcase_add_test(tc, test_pool_empty);
	tcase_add_test(tc, test_threads);
	suite_add_tcase(s, tc);
	return s;
}
