/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers of the cold tier's suites. */
#ifndef TESTS_SWAP_TEST_H
#define TESTS_SWAP_TEST_H

#include "tests/mm/mm_test.h"

/* Frames the pool says are the compressed store's (in use, its owner). */
static inline unsigned long store_frames(struct mm_pool *pool)
{
	unsigned long n = 0;

	for (pfn_t p = 0; p < pool->nr_frames; p++) {
		const struct frame *f = &pool->frames[p];

		if (READ_ONCE(f->state) == FRAME_INUSE &&
		    READ_ONCE(f->owner) == FRAME_OWNER_ZSWAP)
			n++;
	}
	return n;
}

/* Take every frame of the pool, reserves and all; *n says how many. */
static inline pfn_t *hog_pool(struct mm_pool *pool, unsigned long *n)
{
	pfn_t *held = malloc(pool->nr_frames * sizeof(*held));

	ck_assert_ptr_nonnull(held);
	*n = test_fill(pool, GFP_ATOMIC | __GFP_MEMALLOC, 0, 0, held,
		       pool->nr_frames);
	ck_assert_uint_gt(*n, 0);
	return held;
}

static inline void unhog_pool(struct mm_pool *pool, pfn_t *held,
			      unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		__free_pages(pool, held[i], 0);
	free(held);
}

/* A thread's own xorshift, seeded. */
static inline uint64_t test_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

#endif /* TESTS_SWAP_TEST_H */
