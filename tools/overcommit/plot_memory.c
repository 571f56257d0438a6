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
	int col[NR], pfree, pzswap, swap, ret, i;
	struct sample_walk w;
	char err[256];
	FILE *f;

	ret = plot_walk_open(r, &w);
	if (ret)
		return ret;
	f = oc_fopen(r->dir, "memory.csv", err, sizeof(err));
	if (!f) {
		ret = -errno;
		goto out;
	}
	col[RES] = csv_column(&w.g, "resident_mib");
	col[BAL] = csv_column(&w.g, "balloon_mib");
	col[TGT] = csv_column(&w.g, "balloon_target_mib");
	swap = csv_column(&w.g, "swap_mib");
	pfree = csv_column(&w.pool, "pool_free_mib");
	pzswap = csv_column(&w.pool, "zswap_mib");

	fputs("time_s,pool_free_mib", f);
	for (int k = 0; k < NR; k++)
		for (unsigned int j = 0; j < n; j++)
			fprintf(f, ",%s_%s",
				p->memory.b[j].name ? p->memory.b[j].name :
						      "others",
				k == RES ? "resident_mib" :
				k == BAL ? "balloon_mib" :
					   "balloon_target_mib");
	fputs(",zswap_mib,swapped_mib\n", f);
	memset(p->balloon_max, 0, sizeof(p->balloon_max));
	p->tier_max = p->swapped_top = 0;
	while (plot_walk_sample(&w)) {
		double v[NR][PLOT_TOP + 1] = { { 0 } };
		double zswap = pzswap >= 0 ? csv_num(&w.pool, pzswap) : 0,
		       swapped = 0;

		while ((i = plot_walk_guest(&w, r)) >= 0) {
			for (int k = 0; k < NR; k++)
				v[k][band[i]] += csv_num(&w.g, col[k]);
			if (swap >= 0)
				swapped += csv_num(&w.g, swap);
		}
		fprintf(f, "%s,%s", csv_str(&w.pool, w.p_time),
			csv_str(&w.pool, pfree));
		for (int k = 0; k < NR; k++)
			for (unsigned int j = 0; j < n; j++) {
				fprintf(f, ",%.3f", v[k][j]);
				if (k != RES && v[k][j] > p->balloon_max[j])
					p->balloon_max[j] = v[k][j];
			}
		/* The cold tier: its store's frames (pool memory) and the
		 * guests' memory in it. */
		fprintf(f, ",%.3f,%.3f\n", zswap, swapped);
		if (zswap + swapped > p->tier_max)
			p->tier_max = zswap + swapped;
		for (unsigned int j = 0; j < n; j++)
			swapped += v[RES][j];
		if (swapped > p->swapped_top)
			p->swapped_top = swapped;
	}
	ret = oc_fclose(&f);
out:
	plot_walk_close(&w);
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
	plot_rank(p->r, peak, &p->memory, band);
	ret = write_bands(p, band);
	return ret ? ret : 1;
}

/* Column 1 is the time, 2 the pool's free memory, then each band's
 * backed memory, balloon and balloon target, then the cold tier's store
 * (Zswap) and the guests' memory in the tier. */
#define RES_COL(j) (3 + (j))
#define BAL_COL(p, j) (3 + (p)->memory.n + (j))
#define TGT_COL(p, j) (3 + 2 * (p)->memory.n + (j))
#define ZSWAP_COL(p) (3 + 3 * (p)->memory.n)
#define SWAPPED_COL(p) (ZSWAP_COL(p) + 1)

void plot_memory(struct plot_run *p, FILE *f, const struct term *t)
{
	const struct bands *b = &p->memory;
	double pool = p->r->pool_bytes / 1048576.0, top = pool * 1.08;
	bool tier = p->tier_max > 0;
	char zswap[16];

	snprintf(zswap, sizeof(zswap), "$%u", ZSWAP_COL(p));
	/* The guests' memory with what is in the tier can pass the pool. */
	if (tier && p->swapped_top * 1.05 > top)
		top = p->swapped_top * 1.05;
	plot_output(f, t, "memory", 1100, 500);
	fprintf(f,
		"set title 'guest memory backed, stacked, and the pool%s'\n"
		"set ylabel 'MiB'\nset yrange [0:%.0f]\n"
		"set key invert\nset style fill solid 0.85 noborder\nplot ",
		b->b[b->n - 1].name ?
			"" :
			": the guests with the highest peaks by name",
		top);
	/* The largest at the bottom; the key reads top down as the stack. */
	for (unsigned int j = 0; j < b->n; j++) {
		fputs("'memory.csv' skip 1 using 1:", f);
		plot_sum(f, RES_COL(0), RES_COL(j) - 1);
		fputc(':', f);
		plot_sum(f, RES_COL(0), RES_COL(j));
		fprintf(f, " with filledcurves lc rgb '%s' title '%s', \\\n  ",
			b->b[j].color, b->b[j].title);
	}
	/* With a cold tier: its store's frames above the guests (they are
	 * pool memory in use), and a line as high as the guests' memory
	 * would stack with what they have in the tier. */
	if (tier) {
		fputs("'memory.csv' skip 1 using 1:", f);
		plot_sum(f, RES_COL(0), RES_COL(b->n - 1));
		fputs(":(", f);
		plot_sum(f, RES_COL(0), RES_COL(b->n - 1));
		fprintf(f,
			"+$%u) with filledcurves lc rgb '#2f4f4f' title 'tier store (Zswap)', \\\n  ",
			ZSWAP_COL(p));
	}
	fputs("'memory.csv' skip 1 using 1:(", f);
	plot_sum(f, RES_COL(0), RES_COL(b->n - 1));
	fprintf(f, "+%s):(", tier ? zswap : "0");
	plot_sum(f, RES_COL(0), RES_COL(b->n - 1));
	fprintf(f,
		"+%s+$2) with filledcurves lc rgb '#e4efe4' title 'pool free', \\\n"
		"  %.0f with lines lc rgb 'black' dt 3 lw 1.5 %s",
		tier ? zswap : "0", pool,
		/* At most 12 entries in the key with the tier's two. */
		tier ? "notitle" : "title 'pool size'");
	if (tier) {
		fputs(", \\\n  'memory.csv' skip 1 using 1:(", f);
		plot_sum(f, RES_COL(0), RES_COL(b->n - 1));
		fprintf(f,
			"+$%u) with lines lc rgb '#2f4f4f' dt 2 lw 2 title 'backed + swapped'",
			SWAPPED_COL(p));
	}
	fputc('\n', f);
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
