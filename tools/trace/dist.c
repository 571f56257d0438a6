// SPDX-License-Identifier: GPL-2.0
/* Latency distributions with exact percentiles (see dist.h). */
#include <stdlib.h>
#include <string.h>

#include "tools/trace/dist.h"

void dist_init(struct dist *d)
{
	memset(d, 0, sizeof(*d));
	d->sorted = true;
}

void dist_destroy(struct dist *d)
{
	free(d->v);
	dist_init(d);
}

void dist_add(struct dist *d, uint64_t ns)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 256;
		uint64_t *v = realloc(d->v, cap * sizeof(*v));

		if (!v) {
			d->nomem = true;
			return;
		}
		d->v = v;
		d->cap = cap;
	}
	if (d->n && ns < d->v[d->n - 1])
		d->sorted = false;
	d->v[d->n++] = ns;
	d->sum += ns;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void sort(struct dist *d)
{
	if (!d->sorted)
		qsort(d->v, d->n, sizeof(*d->v), cmp_u64);
	d->sorted = true;
}

uint64_t dist_percentile(struct dist *d, unsigned int p10)
{
	size_t rank;

	if (!d->n)
		return 0;
	sort(d);
	/* ceil(p10 / 1000 * n) in integers: no rounding surprises. */
	rank = ((uint64_t)p10 * d->n + 999) / 1000;
	return d->v[rank ? rank - 1 : 0];
}

uint64_t dist_max(struct dist *d)
{
	return dist_percentile(d, 1000);
}

uint64_t dist_min(struct dist *d)
{
	if (!d->n)
		return 0;
	sort(d);
	return d->v[0];
}

/* Bucket b >= 1 starts at {1, 2, 5}[(b - 1) % 3] * 10^((b - 1) / 3). */
uint64_t dist_bucket_lo(unsigned int b)
{
	static const uint64_t step[3] = { 1, 2, 5 };
	uint64_t v;

	if (!b)
		return 0;
	if (b >= DIST_BUCKETS)
		return UINT64_MAX;
	v = step[(b - 1) % 3];
	for (unsigned int d = 0; d < (b - 1) / 3; d++)
		v *= 10;
	return v;
}

uint64_t dist_bucket_hi(unsigned int b)
{
	return dist_bucket_lo(b + 1);
}

static unsigned int bucket_of(uint64_t ns)
{
	uint64_t p = 1, lead;
	unsigned int d = 0;

	if (!ns)
		return 0;
	while (ns / p >= 10) { /* p = 10^d <= ns < 10^(d + 1) */
		p *= 10;
		d++;
	}
	lead = ns / p;
	return 1 + 3 * d + (lead >= 5 ? 2 : lead >= 2 ? 1 : 0);
}

unsigned int dist_histogram(struct dist *d, uint64_t count[DIST_BUCKETS])
{
	unsigned int used = 0;

	memset(count, 0, DIST_BUCKETS * sizeof(count[0]));
	for (size_t i = 0; i < d->n; i++) {
		unsigned int b = bucket_of(d->v[i]);

		count[b]++;
		if (b + 1 > used)
			used = b + 1;
	}
	return used;
}

const char *fmt_ns(uint64_t ns, char *buf, size_t len)
{
	static const struct {
		uint64_t div;
		const char *unit;
	} u[] = { { 1, "ns" },
		  { 1000, "us" },
		  { 1000000, "ms" },
		  { 1000000000ULL, "s" } };
	int i = 3;
	double v;

	while (i > 0 && ns < u[i].div)
		i--;
	v = (double)ns / u[i].div;
	/* 999.7 us is "1 ms", not "1e+03 us". */
	if (v >= 999.5 && i > 0 && i < 3)
		v = (double)ns / u[++i].div;
	if (!i || v >= 999.5)
		snprintf(buf, len, "%.0f %s", v, u[i].unit);
	else
		snprintf(buf, len, "%.3g %s", v, u[i].unit);
	return buf;
}

#define BAR_WIDTH 40

void dist_print(struct dist *d, FILE *f, const char *indent)
{
	uint64_t count[DIST_BUCKETS], most = 0;
	unsigned int used, first = DIST_BUCKETS;
	char a[32], b[32];

	fprintf(f, "%scount %zu", indent, d->n);
	if (!d->n) {
		fputc('\n', f);
		return;
	}
#define X(p10, name)                \
	fprintf(f, "  %s %s", name, \
		fmt_ns(dist_percentile(d, p10), a, sizeof(a)));
	DIST_PERCENTILES(X)
#undef X
	fprintf(f, "  max %s\n", fmt_ns(dist_max(d), a, sizeof(a)));
	used = dist_histogram(d, count);
	for (unsigned int i = 0; i < used; i++) {
		if (count[i] && first == DIST_BUCKETS)
			first = i;
		if (count[i] > most)
			most = count[i];
	}
	for (unsigned int i = first; i < used; i++) {
		unsigned int w =
			(unsigned int)((count[i] * BAR_WIDTH + most - 1) /
				       most);

		fprintf(f, "%s%9s .. %-9s |%-*.*s| %llu\n", indent,
			fmt_ns(dist_bucket_lo(i), a, sizeof(a)),
			fmt_ns(dist_bucket_hi(i), b, sizeof(b)), BAR_WIDTH, w,
			"########################################",
			(unsigned long long)count[i]);
	}
	if (d->nomem)
		fprintf(f, "%s(out of memory: some values were not kept)\n",
			indent);
}
