// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>

#include "util/histogram.h"

static unsigned int bucket_of(uint64_t v)
{
	unsigned int msb, shift;

	if (v < HIST_SUB)
		return (unsigned int)v;
	msb = 63 - __builtin_clzll(v);
	shift = msb - HIST_SUB_BITS;
	/* (shift + 1) groups of HIST_SUB above the first, linear within. */
	return (shift + 1) * HIST_SUB +
	       (unsigned int)((v >> shift) & (HIST_SUB - 1));
}

/* The upper bound of a bucket: percentiles never understate. */
static uint64_t bucket_high(unsigned int b)
{
	unsigned int group = b / HIST_SUB, sub = b % HIST_SUB, shift;

	if (group == 0)
		return b;
	shift = group - 1;
	return ((uint64_t)(HIST_SUB + sub + 1) << shift) - 1;
}

void hist_add(struct histogram *h, uint64_t v)
{
	uint64_t max = __atomic_load_n(&h->max, __ATOMIC_RELAXED);

	__atomic_add_fetch(&h->count[bucket_of(v)], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&h->n, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&h->sum, v, __ATOMIC_RELAXED);
	while (v > max &&
	       !__atomic_compare_exchange_n(&h->max, &max, v, true,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

uint64_t hist_percentile(const struct histogram *h, double p)
{
	uint64_t n = __atomic_load_n(&h->n, __ATOMIC_RELAXED), seen = 0;
	uint64_t rank;

	if (!n)
		return 0;
	rank = (uint64_t)(p / 100.0 * (double)n + 0.5);
	if (rank < 1)
		rank = 1;
	for (unsigned int b = 0; b < HIST_BUCKETS; b++) {
		seen += __atomic_load_n(&h->count[b], __ATOMIC_RELAXED);
		if (seen >= rank) {
			uint64_t hi = bucket_high(b),
				 max = __atomic_load_n(&h->max,
						       __ATOMIC_RELAXED);

			return hi < max ? hi : max;
		}
	}
	return __atomic_load_n(&h->max, __ATOMIC_RELAXED);
}

void hist_merge(struct histogram *dst, const struct histogram *src)
{
	for (unsigned int b = 0; b < HIST_BUCKETS; b++)
		dst->count[b] += src->count[b];
	dst->n += src->n;
	dst->sum += src->sum;
	if (src->max > dst->max)
		dst->max = src->max;
}

void hist_merge_since(struct histogram *dst, const struct histogram *now,
		      const struct histogram *then)
{
	for (unsigned int b = 0; b < HIST_BUCKETS; b++)
		dst->count[b] += now->count[b] - then->count[b];
	dst->n += now->n - then->n;
	dst->sum += now->sum - then->sum;
	/* When the largest value since then came is not known: now's max
	 * bounds it, and percentiles never exceed it. */
	if (now->max > dst->max)
		dst->max = now->max;
}

void hist_snapshot(struct histogram *dst, const struct histogram *src)
{
	dst->n = 0;
	for (unsigned int b = 0; b < HIST_BUCKETS; b++) {
		dst->count[b] =
			__atomic_load_n(&src->count[b], __ATOMIC_RELAXED);
		dst->n += dst->count[b];
	}
	dst->sum = __atomic_load_n(&src->sum, __ATOMIC_RELAXED);
	dst->max = __atomic_load_n(&src->max, __ATOMIC_RELAXED);
}

void hist_cumulative(const struct histogram *h, const uint64_t *le,
		     unsigned int n, uint64_t *cum)
{
	unsigned int i = 0, b = 0;
	uint64_t seen = 0;

	for (; i < n; i++) {
		for (; b < HIST_BUCKETS && bucket_high(b) <= le[i]; b++)
			seen += h->count[b];
		cum[i] = seen;
	}
}
