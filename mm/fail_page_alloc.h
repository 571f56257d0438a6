/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault injection for page allocations, as Linux's fail_page_alloc
 * (Documentation/fault-injection): probability, interval, times, a minimum
 * order, and whether allocations that may sleep are spared.  Configurable
 * at run time; an injected failure makes __alloc_pages() fail at once.
 */
#ifndef MM_FAIL_PAGE_ALLOC_H
#define MM_FAIL_PAGE_ALLOC_H

#include <pthread.h>

#include "mm/types.h"

struct fail_page_alloc_attr {
	unsigned int probability; /* percent, 0 .. 100 */
	unsigned long interval; /* fail at most every interval-th call */
	long times; /* failures left, -1: unlimited */
	unsigned int min_order; /* spare orders below this */
	bool ignore_gfp_reclaim; /* spare allocations that may sleep */
	bool verbose; /* report every injected failure */
	uint64_t seed; /* of the private random stream */
};

struct fail_page_alloc {
	bool enabled; /* read locklessly on the hot path */
	pthread_mutex_t lock;
	struct fail_page_alloc_attr attr;
	unsigned long total; /* calls seen while enabled */
	unsigned long failed;
	uint64_t rnd;
};

struct mm_pool;

/* Set attributes; probability 0 (or times 0) disables injection. */
int fail_page_alloc_set(struct mm_pool *pool,
			const struct fail_page_alloc_attr *attr);
bool should_fail_alloc_page(struct mm_pool *pool, gfp_t gfp,
			    unsigned int order);

#endif /* MM_FAIL_PAGE_ALLOC_H */
