// SPDX-License-Identifier: GPL-2.0
/*
 * Randomized stress of the whole allocator, deterministic by seed, with
 * mm_validate() after every operation; and a multi-threaded run in which
 * threads free each other's frames.  STRESS_SEED, STRESS_ITER and
 * STRESS_THREADS override the defaults.
 */
#include <pthread.h>
#include <stdlib.h>

#include "tests/mm/mm_test.h"

static unsigned long env_ul(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v ? strtoul(v, NULL, 0) : def;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

struct block {
	pfn_t pfn;
	unsigned int order;
	uint16_t owner;
};

static const gfp_t masks[] = {
	GFP_VMM,
	GFP_GUEST,
	GFP_GUEST_PINNED,
	GFP_ATOMIC,
	GFP_NOWAIT,
	GFP_GUEST_HUGE_LIGHT,
	GFP_VMM | __GFP_THISNODE,
};

static bool rmap_ok(void *priv, uint16_t owner, gpa_t g, pfn_t pfn)
{
	(void)priv;
	/* The fake guests map gpa = pfn * 4096 ^ owner << 32. */
	return g.val ==
	       (((uint64_t)pfn << PAGE_SHIFT) ^ ((uint64_t)owner << 32));
}

START_TEST(test_random_validated)
{
	uint64_t seed = env_ul("STRESS_SEED", 1 + _i);
	unsigned long iters = env_ul("STRESS_ITER", 3000);
	struct mm_pool *pool = test_pool(32, 2, 8);
	struct mm_ops ops = { .rmap_check = rmap_ok };
	struct block *live = calloc(iters, sizeof(*live));
	unsigned long nlive = 0;

	mm_set_ops(pool, &ops);
	for (unsigned long i = 0; i < iters; i++) {
		uint64_t r = rnd(&seed);

		if (nlive && (r % 5 < 2)) {
			unsigned long k = (r >> 8) % nlive;

			__free_pages(pool, live[k].pfn, live[k].order);
			live[k] = live[--nlive];
		} else if (r % 5 == 2) {
			if (r & 0x100)
				drain_local_pages(pool);
			else
				(void)pool_return_free_pageblocks(pool);
		} else {
			unsigned int order = (r >> 16) % 100 < 80 ?
						     0 :
						     (r >> 24) % MAX_ORDER;
			gfp_t gfp = masks[(r >> 32) % ARRAY_SIZE(masks)];
			int nid = (r >> 40) & 1;
			pfn_t p = __alloc_pages(pool, gfp | __GFP_NOWARN, order,
						nid, NULL);

			if (p != PFN_NONE) {
				live[nlive].pfn = p;
				live[nlive].order = order;
				if (!order && (r & 0x200)) {
					uint16_t owner = 1 + (r >> 48) % 7;

					frame_set_owner(
						pool, p, owner,
						gpa(((uint64_t)p
						     << PAGE_SHIFT) ^
						    ((uint64_t)owner << 32)));
				}
				nlive++;
			}
		}
		ck_validate(pool);
	}
	while (nlive--)
		__free_pages(pool, live[nlive].pfn, live[nlive].order);
	drain_local_pages(pool);
	ck_validate(pool);
	ck_assert_uint_eq(mm_nr_free_pages(pool), pool->nr_frames);
	free(live);
	mm_pool_destroy(pool);
}
END_TEST

#define SLOTS 4096

struct shared {
	struct mm_pool *pool;
	pfn_t slot[SLOTS]; /* frames any thread may free, PFN_NONE if empty */
	unsigned long iters;
	unsigned long allocs;
};

static void *hammer(void *arg)
{
	struct shared *sh = arg;
	uint64_t seed = (uint64_t)pthread_self() | 1;

	for (unsigned long i = 0; i < sh->iters; i++) {
		uint64_t r = rnd(&seed);
		unsigned int k = r % SLOTS;
		unsigned int order = (r >> 20) % 16 ? 0 : 3;
		pfn_t old;

		if (order) {
			pfn_t p = __alloc_pages(sh->pool,
						GFP_VMM | __GFP_NOWARN, order,
						(r >> 30) & 1, NULL);

			if (p != PFN_NONE)
				__free_pages(sh->pool, p, order);
			continue;
		}
		/* Take whatever is in the slot and free it: often another
		 * thread's frame, cached by that thread. */
		old = __atomic_exchange_n(&sh->slot[k], PFN_NONE,
					  __ATOMIC_ACQ_REL);
		if (old != PFN_NONE) {
			__free_pages(sh->pool, old, 0);
		} else {
			pfn_t p = __alloc_pages(sh->pool,
						GFP_GUEST | __GFP_NOWARN, 0,
						(r >> 30) & 1, NULL);

			if (p == PFN_NONE)
				continue;
			__atomic_add_fetch(&sh->allocs, 1, __ATOMIC_RELAXED);
			old = __atomic_exchange_n(&sh->slot[k], p,
						  __ATOMIC_ACQ_REL);
			if (old != PFN_NONE)
				__free_pages(sh->pool, old, 0);
		}
		if ((r & 0xfff) == 0)
			drain_all_pages(sh->pool);
	}
	return NULL;
}

START_TEST(test_threads)
{
	unsigned long nthreads = env_ul("STRESS_THREADS", 4);
	struct shared *sh = calloc(1, sizeof(*sh));
	pthread_t t[64];

	sh->pool = test_pool(64, 2, 16);
	sh->iters = env_ul("STRESS_ITER", 200000);
	for (int i = 0; i < SLOTS; i++)
		sh->slot[i] = PFN_NONE;
	for (unsigned long i = 0; i < nthreads && i < 64; i++)
		pthread_create(&t[i], NULL, hammer, sh);
	for (unsigned long i = 0; i < nthreads && i < 64; i++)
		pthread_join(t[i], NULL);
	ck_validate(sh->pool);
	for (int i = 0; i < SLOTS; i++)
		if (sh->slot[i] != PFN_NONE)
			__free_pages(sh->pool, sh->slot[i], 0);
	drain_all_pages(sh->pool);
	ck_validate(sh->pool);
	ck_assert_uint_gt(sh->allocs, 1000);
	ck_assert_uint_eq(mm_nr_free_pages(sh->pool), sh->pool->nr_frames);
	mm_pool_destroy(sh->pool);
	free(sh);
}
END_TEST

Suite *stress_suite(void)
{
	Suite *s = suite_create("stress");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_random_validated, 0, 3);
	tcase_add_test(tc, test_threads);
	suite_add_tcase(s, tc);
	return s;
}
