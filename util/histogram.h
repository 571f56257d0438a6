/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A log-linear latency histogram (as HdrHistogram, coarsely): 16 linear
 * sub-buckets per power of two, so any percentile is within ~6% of the
 * true value, from 1 ns to hours, in a few KiB.  Updates are lock-free.
 */
#ifndef VMM_HISTOGRAM_H
#define VMM_HISTOGRAM_H

#include <stdint.h>

#define HIST_SUB_BITS 4
#define HIST_SUB (1U << HIST_SUB_BITS)
#define HIST_BUCKETS (64 * HIST_SUB)

struct histogram {
	uint64_t count[HIST_BUCKETS];
	uint64_t n;
	uint64_t sum;
	uint64_t max;
};

void hist_add(struct histogram *h, uint64_t v);
/* Percentile p in [0, 100] of the values added; 0 if empty. */
uint64_t hist_percentile(const struct histogram *h, double p);
void hist_merge(struct histogram *dst, const struct histogram *src);
/* Add to dst what a histogram gained from then (an earlier copy of it)
 * to now: the values of an interval, from two snapshots. */
void hist_merge_since(struct histogram *dst, const struct histogram *now,
		      const struct histogram *then);
/*
 * Copy src, which hist_add() may be adding to meanwhile, a bucket at a
 * time; the copy's n is the sum of the buckets it copied, so that it
 * agrees with itself (its sum and max may be a value ahead).
 */
void hist_snapshot(struct histogram *dst, const struct histogram *src);
/*
 * For each bound le[i] (ascending): how many values h (a copy no one adds
 * to: hist_snapshot()) knows
 * to be at most le[i], those of the buckets that end at or below it, into
 * cum[i].  A value less than a bucket's width (1/16 of its magnitude)
 * below a bound may be counted from the next bound on: never below its
 * value.
 */
void hist_cumulative(const struct histogram *h, const uint64_t *le,
		     unsigned int n, uint64_t *cum);

#endif /* VMM_HISTOGRAM_H */
