// SPDX-License-Identifier: GPL-2.0
/*
 * The guests' memory, readable with many guests: the top PLOT_TOP guests
 * by peak backed memory by name, the rest as one band.  memory.csv has
 * the bands side by side, one row per sample (guests.csv has a row per
 * guest per sample); the memory plot stacks their backed memory with the
 * pool's free memory up to the pool size, the balloons plot draws each
 * band's balloon against its target in a panel of its own.
 */
#include <errno.h>
#include <string.h>

#include "tools/overcommit/csv.h"
#include "tools/overcommit/files.h"
#include "tools/overcommit/plot_internal.h"

/* Each guest's peak backed memory in guests.csv, in MiB. */
static int peaks(struct plot_run *p, double *peak)
{
	struct csv c;
	int ret = csv_open(&c, p->r->dir, "guests.csv"), name, res;

	if (ret)
		return ret;
	name = csv_column(&c, "guest");
	res = csv_column(&c, "resident_mib");
	while (csv_next(&c))
		for (unsigned int i = 0; i < p->r->nr_guests; i++)
			if (!strcmp(csv_str(&c, name),
				    p->r->guest[i].spec->name) &&
			    csv_num(&c, res) > peak[i])
				peak[i] = csv_num(&c, res);
	csv_close(&c);
	return 0;
}

/* Bands by peak, largest first: band[i] is guest i's. */
static void rank(struct plot_run *p, const double *peak, unsigned int *band)
{
	struct oc_result *r = p->r;
	struct bands *b = &p->memory;
	unsigned int named = r->nr_guests <= PLOT_TOP + 1 ? r->nr_guests :
							    PLOT_TOP;
	bool taken[VMM_MAX_GUESTS] = { false };

	memset(b, 0, sizeof(*b));
	for (unsigned int k = 0; k < named; k++) {
		unsigned int best = 0;

		while (taken[best])
			best++;
		for (unsigned int i = best + 1; i < r->nr_guests; i++)
			if (!taken[i] && peak[i] > peak[best])
				best = i;
		taken[best] = true;
		band[best] = k;
		b->b[k].name = r->guest[best].spec->name;
		snprintf(b->b[k].title, sizeof(b->b[k].title), "%s",
			 b->b[k].name);
		b->b[k].color = plot_color[k % PLOT_NR_COLORS];
	}
	b->n = named;
	if (named == r->nr_guests)
		return;
	for (unsigned int i = 0; i < r->nr_guests; i++)
		if (!taken[i])
			band[i] = named;
	snprintf(b->b[named].title, sizeof(b->b[named].title),
		 "others (%u guests)", r->nr_guests - named);
	b->b[named].color = PLOT_OTHERS_COLOR;
	b->n++;
}

/* Which guest a row of guests.csv is about, or -1. */
static int guest_of(const struct oc_result *r, const char *name)
{
	for (unsigned int i = 0; i < r->nr_guests; i++)
		if (!strcmp(name, r->guest[i].spec->name))
			return (int)i;
	return -1;
}

/*
 * memory.csv: per sample of pool.csv, the bands' backed memory, balloons
 * and balloon targets (guests not running count 0), and the pool's free
 * memory.
 */
static int write_bands(struct plot_run *p, const unsigned int *band)
{
	enum { RES, BAL, TGT, NR };
	struct oc_result *r = p->r;
	unsigned int n = p->memory.n;
	int t_col, name, col[NR], pt, pfree, ret;
	char err[256];
	struct csv g, pool;
	bool more;
	FILE *f;

	ret = csv_open(&g, r->dir, "guests.csv");
	if (ret)
		return ret;
	ret = csv_open(&pool, r->dir, "pool.csv");
	if (ret) {
		csv_close(&g);
		return ret;
	}
	f = oc_fopen(r->dir, "memory.csv", err, sizeof(err));
	if (!f) {
		ret = -errno;
		goto out;
	}
	t_col = csv_column(&g, "time_s");
	name = csv_column(&g, "guest");
	col[RES] = csv_column(&g, "resident_mib");
	col[BAL] = csv_column(&g, "balloon_mib");
	col[TGT] = csv_column(&g, "balloon_target_mib");
	pt = csv_column(&pool, "time_s");
	pfree = csv_column(&pool, "pool_free_mib");

	fputs("time_s,pool_free_mib", f);
	for (int k = 0; k < NR; k++)
		for (unsigned int j = 0; j < n; j++)
			fprintf(f, ",%s_%s",
				p->memory.b[j].name ? p->memory.b[j].name :
						      "others",
				k == RES ? "resident_mib" :
				k == BAL ? "balloon_mib" :
					   "balloon_target_mib");
	fputc('\n', f);
	memset(p->balloon_max, 0, sizeof(p->balloon_max));
	more = csv_next(&g);
	while (csv_next(&pool)) {
		double t = csv_num(&pool, pt), v[NR][PLOT_TOP + 1] = { { 0 } };

		/* The sample's guest rows come before its pool row. */
		for (; more && csv_num(&g, t_col) <= t + 0.0005;
		     more = csv_next(&g)) {
			int i = guest_of(r, csv_str(&g, name));

			if (i < 0 || csv_num(&g, t_col) < t - 0.0005)
				continue;
			for (int k = 0; k < NR; k++)
				v[k][band[i]] += csv_num(&g, col[k]);
		}
		fprintf(f, "%s,%s", csv_str(&pool, pt), csv_str(&pool, pfree));
		for (int k = 0; k < NR; k++)
			for (unsigned int j = 0; j < n; j++) {
				fprintf(f, ",%.3f", v[k][j]);
				if (k != RES && v[k][j] > p->balloon_max[j])
					p->balloon_max[j] = v[k][j];
			}
		fputc('\n', f);
	}
	ret = oc_fclose(&f);
out:
	csv_close(&pool);
	csv_close(&g);
	return ret;
}

int plot_memory_data(struct plot_run *p, FILE *f)
{
	double peak[VMM_MAX_GUESTS] = { 0 };
	unsigned int band[VMM_MAX_GUESTS];
	int ret;

	(void)f;
	p->memory.n = 0;
	if (!p->r->nr_guests || !p->r->samples)
		return 0;
	ret = peaks(p, peak);
	if (ret)
		return ret;
	rank(p, peak, band);
	ret = write_bands(p, band);
	return ret ? ret : 1;
}

/* The sum of memory.csv's columns from..to (1-based), "(0)" if none (a
 * bare 0 in a using spec would be column 0, the row's number). */
static void sum(FILE *f, unsigned int from, unsigned int to)
{
	if (from > to) {
		fputs("(0)", f);
		return;
	}
	fputc('(', f);
	for (unsigned int c = from; c <= to; c++)
		fprintf(f, "%s$%u", c > from ? "+" : "", c);
	fputc(')', f);
}

/* Column 1 is the time, 2 the pool's free memory, then each band's
 * backed memory, balloon and balloon target. */
#define RES_COL(j) (3 + (j))
#define BAL_COL(p, j) (3 + (p)->memory.n + (j))
#define TGT_COL(p, j) (3 + 2 * (p)->memory.n + (j))

void plot_memory(struct plot_run *p, FILE *f, const struct term *t)
{
	const struct bands *b = &p->memory;
	double pool = p->r->pool_bytes / 1048576.0;

	plot_output(f, t, "memory", 1100, 500);
	fprintf(f,
		"set title 'guest memory backed, stacked, and the pool%s'\n"
		"set ylabel 'MiB'\nset yrange [0:%.0f]\n"
		"set key invert\nset style fill solid 0.85 noborder\nplot ",
		b->b[b->n - 1].name ?
			"" :
			": the guests with the highest peaks by name",
		pool * 1.08);
	/* The largest at the bottom; the key reads top down as the stack. */
	for (unsigned int j = 0; j < b->n; j++) {
		fputs("'memory.csv' skip 1 using 1:", f);
		sum(f, RES_COL(0), RES_COL(j) - 1);
		fputc(':', f);
		sum(f, RES_COL(0), RES_COL(j));
		fprintf(f, " with filledcurves lc rgb '%s' title '%s', \\\n  ",
			b->b[j].color, b->b[j].title);
	}
	fputs("'memory.csv' skip 1 using 1:", f);
	sum(f, RES_COL(0), RES_COL(b->n - 1));
	fputs(":(", f);
	sum(f, RES_COL(0), RES_COL(b->n - 1));
	fprintf(f,
		"+$2) with filledcurves lc rgb '#e4efe4' title 'pool free', \\\n"
		"  %.0f with lines lc rgb 'black' dt 3 lw 1.5 title 'pool size'\n",
		pool);
}

int plot_balloons_data(struct plot_run *p, FILE *f)
{
	(void)f;
	return p->memory.n > 0;
}

/* A panel per band; the named ones on one scale, the others on theirs. */
void plot_balloons(struct plot_run *p, FILE *f, const struct term *t)
{
	const struct bands *b = &p->memory;
	unsigned int cols = b->n < 3 ? b->n : 3,
		     rows = (b->n + cols - 1) / cols;
	double top = 1;

	for (unsigned int j = 0; j < b->n; j++)
		if (b->b[j].name && p->balloon_max[j] * 1.1 > top)
			top = p->balloon_max[j] * 1.1;

	plot_output(f, t, "balloons", 1100, 70 + 210 * rows);
	fprintf(f,
		"set multiplot layout %u,%u title 'balloons (MiB) over time (s): actual (filled) against target (line)'\n"
		"unset key\nunset xlabel\nset style fill solid 0.45 noborder\n",
		rows, cols);
	for (unsigned int j = 0; j < b->n; j++) {
		if (b->b[j].name)
			fprintf(f, "set title '%s'\nset yrange [0:%.1f]\n",
				b->b[j].title, top);
		else
			fprintf(f,
				"set title '%s, summed'\nset yrange [0:%.1f]\n",
				b->b[j].title,
				p->balloon_max[j] > 1 ?
					p->balloon_max[j] * 1.1 :
					1);
		fprintf(f,
			"plot 'memory.csv' skip 1 using 1:%u with filledcurves y1=0 lc rgb '%s', \\\n"
			"  '' skip 1 using 1:%u with lines lw 2 lc rgb '%s'\n",
			BAL_COL(p, j), b->b[j].color, TGT_COL(p, j),
			b->b[j].color);
	}
	fputs("unset multiplot\n", f);
}
