/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A latency distribution: every value kept, so percentiles are exact.
 *
 * Percentiles are nearest-rank: of n sorted values v[1..n], the p-th
 * percentile is v[ceil(p/100 * n)] (p50 of 1..4 is 2; p100 is the max).
 * The histogram's buckets follow 1-2-5 steps of nanoseconds, about three
 * a decade as log2 buckets are, with round edges: [1 us, 2 us),
 * [2 us, 5 us), [5 us, 10 us) ...; bucket 0 is [0, 1 ns).
 */
#ifndef TOOLS_TRACE_DIST_H
#define TOOLS_TRACE_DIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define DIST_BUCKETS 59 /* the last one, [1e19, 2e19), holds UINT64_MAX */

struct dist {
	uint64_t *v;
	size_t n, cap;
	bool sorted;
	bool nomem; /* a value could not be kept */
	uint64_t sum;
};

/* The percentiles every report shows, in tenths of a percent. */
#define DIST_PERCENTILES(X) \
	X(500, "p50")       \
	X(900, "p90")       \
	X(990, "p99")       \
	X(999, "p99.9")

void dist_init(struct dist *d);
void dist_destroy(struct dist *d);
void dist_add(struct dist *d, uint64_t ns);
/* Nearest-rank percentile, p in tenths of a percent (999: p99.9);
 * 0 when empty. */
uint64_t dist_percentile(struct dist *d, unsigned int p10);
uint64_t dist_max(struct dist *d);
uint64_t dist_min(struct dist *d);
/* Values in each bucket; returns the number of buckets used
 * (the highest non-empty one + 1). */
unsigned int dist_histogram(struct dist *d, uint64_t count[DIST_BUCKETS]);
uint64_t dist_bucket_lo(unsigned int b);
uint64_t dist_bucket_hi(unsigned int b); /* exclusive */
/* "850 ns", "12.3 us", "4.56 ms", "10 s": three digits at most */
const char *fmt_ns(uint64_t ns, char *buf, size_t len);
/* count, percentiles and max on one line; then a text histogram, each
 * row prefixed with indent. */
void dist_print(struct dist *d, FILE *f, const char *indent);

#endif /* TOOLS_TRACE_DIST_H */
