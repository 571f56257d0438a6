// SPDX-License-Identifier: GPL-2.0
/*
 * Latency as distributions: a CDF of each on log axes.  x is the latency
 * in microseconds (log); y is the share of samples at most that long on a
 * "nines" scale, -log10(1 - share), so that p50, p90, p99 and p99.9 are
 * evenly spaced and a tail of a few slow samples takes room instead of
 * hiding against 1.0.  The percentiles every report gives are marked on
 * each curve.
 */
#include <string.h>

#include "tools/overcommit/plot_internal.h"

/*
 * The panels, each a few distributions drawn together.  A new
 * distribution (LAT_DISTS) is a row here, or joins one; one in no row
 * still gets a panel of its own, titled as the table of distributions
 * titles it.
 */
static const struct cdf_panel {
	const char *title;
	enum lat_dist d[3];
	unsigned int n;
} panels[] = {
	{ "guest fault service", { LAT_FAULT, LAT_FAULT_4K, LAT_FAULT_2M }, 3 },
	{ "direct-reclaim stall, allocation slow path",
	  { LAT_DIRECT_RECLAIM, LAT_SLOWPATH },
	  2 },
	{ "kswapd response", { LAT_KSWAPD }, 1 },
	{ "balloon request to completion", { LAT_BALLOON }, 1 },
	{ "compaction stall, migration pause",
	  { LAT_COMPACTION, LAT_MIGRATE },
	  2 },
	{ "swap-in: from the compressed store, reading the swap file",
	  { LAT_SWAPIN, LAT_SWAPIN_FILE },
	  2 },
};
#define NR_PANELS (sizeof(panels) / sizeof(panels[0]))

/* The samples that are drawn: all of the slowest, then one where the
 * curve has moved by a visible step. */
#define CDF_TAIL 64

static double us(uint64_t ns)
{
	return (ns ? ns : 1) / 1000.0;
}

/* $cdf_KEY: "us,share" along the curve; $pct_KEY: the percentiles. */
static void cdf_data(FILE *f, struct dist *d, const char *key)
{
	double last_x = 0, last_rest = 2;

	dist_percentile(d, 500); /* sorts d->v */
	fprintf(f, "$cdf_%s << EOD\n", key);
	for (size_t i = 0; i < d->n; i++) {
		double x = us(d->v[i]), share = (i + 0.5) / d->n;

		/* 1% along x or along what is left above (y is log). */
		if (i && i + CDF_TAIL < d->n && x < last_x * 1.01 &&
		    1 - share > last_rest / 1.01)
			continue;
		fprintf(f, "%.4f,%.9f\n", x, share);
		last_x = x;
		last_rest = 1 - share;
	}
	fprintf(f, "EOD\n$pct_%s << EOD\n", key);
#define X(p10, name)                                                   \
	if ((p10) / 1000.0 <= (d->n - 0.5) / d->n)                     \
		fprintf(f, "%.4f,%.9f\n", us(dist_percentile(d, p10)), \
			(p10) / 1000.0);
	DIST_PERCENTILES(X)
#undef X
	fputs("EOD\n", f);
}

/* Is distribution i drawn in a panel of the table? */
static bool in_a_panel(int i)
{
	for (size_t k = 0; k < NR_PANELS; k++)
		for (unsigned int j = 0; j < panels[k].n; j++)
			if ((int)panels[k].d[j] == i)
				return true;
	return false;
}

int plot_latency_data(struct plot_run *p, FILE *f)
{
	struct oc_result *r = p->r;
	int any = 0;

	for (int i = 0; i < NR_LAT_DISTS && r->analyzed; i++)
		if (r->lat.d[i].n) {
			cdf_data(f, &r->lat.d[i], lat_key[i]);
			any = 1;
		}
	return any;
}

/* One panel: its distributions with samples; false if none has any. */
static bool panel(FILE *f, struct oc_result *r, const char *title,
		  const enum lat_dist *d, unsigned int n)
{
	const char *sep = "plot ";
	uint64_t lo = UINT64_MAX, hi = 0;
	size_t most = 0;
	char a[32], b[32], c[32];

	for (unsigned int j = 0; j < n; j++) {
		struct dist *x = &r->lat.d[d[j]];

		if (!x->n)
			continue;
		most = x->n > most ? x->n : most;
		lo = dist_min(x) < lo ? dist_min(x) : lo;
		hi = dist_max(x) > hi ? dist_max(x) : hi;
	}
	if (!most)
		return false;
	/* y: up to the slowest sample's share, p99 at least. */
	fprintf(f,
		"set title '%s'\nset yrange [0:(log10(%zu) > 2 ? log10(%zu) : 2) + 0.3]\n",
		title, 2 * most, 2 * most);
	plot_log_us_range(f, 'x', lo, hi);
	for (unsigned int j = 0; j < n; j++) {
		struct dist *x = &r->lat.d[d[j]];
		const char *color = plot_color[j];

		if (!x->n)
			continue;
		fprintf(f,
			"%s$cdf_%s using 1:(-log10(1 - $2)) with steps lw 2 lc rgb '%s' title '%s: %zu, p50 %s, p99 %s, max %s', \\\n"
			"  $pct_%s using 1:(-log10(1 - $2)) with points pt 7 ps 0.9 lc rgb '%s' notitle",
			sep, lat_key[d[j]], color, lat_key[d[j]], x->n,
			fmt_ns(dist_percentile(x, 500), a, sizeof(a)),
			fmt_ns(dist_percentile(x, 990), b, sizeof(b)),
			fmt_ns(dist_max(x), c, sizeof(c)), lat_key[d[j]],
			color);
		sep = ", \\\n  ";
	}
	fputc('\n', f);
	return true;
}

static unsigned int nr_panels(const struct oc_result *r)
{
	unsigned int n = 0;

	for (size_t k = 0; k < NR_PANELS; k++)
		for (unsigned int j = 0; j < panels[k].n; j++)
			if (r->lat.d[panels[k].d[j]].n) {
				n++;
				break;
			}
	for (int i = 0; i < NR_LAT_DISTS; i++)
		n += r->lat.d[i].n && !in_a_panel(i);
	return n;
}

void plot_latency(struct plot_run *p, FILE *f, const struct term *t)
{
	struct oc_result *r = p->r;
	unsigned int rows = (nr_panels(r) + 1) / 2;

	plot_output(f, t, "latency", 1100, 60 + 290 * rows);
	fprintf(f,
		"set multiplot layout %u,2 title 'latency: the share of samples at most x long (a point at p50, p90, p99, p99.9)'\n"
		"unset xlabel\nset ylabel 'percentile'\n"
		"set ytics ('50' 0.30103, '90' 1, '99' 2, '99.9' 3, '99.99' 4, '99.999' 5, '99.9999' 6)\n"
		"set key outside below left Left reverse font ',9' samplen 2\n",
		rows);
	for (size_t k = 0; k < NR_PANELS; k++)
		panel(f, r, panels[k].title, panels[k].d, panels[k].n);
	for (int i = 0; i < NR_LAT_DISTS; i++) {
		enum lat_dist d = (enum lat_dist)i;

		if (!in_a_panel(i))
			panel(f, r, lat_title[i], &d, 1);
	}
	fputs("unset multiplot\n", f);
}
