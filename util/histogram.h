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

#endif /* VMM_HISTOGRAM_H */
