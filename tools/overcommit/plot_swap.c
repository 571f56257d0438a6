// SPDX-License-Identifier: GPL-2.0
/*
 * The cold tier per guest, readable with many guests: the top PLOT_TOP
 * guests by the most memory they had in the tier at once by name, the
 * rest as one band (as the memory plot ranks by backed memory).  swap.csv
 * has the bands side by side, one row per sample of pool.csv: each
 * band's memory in the tier now and the memory its faults brought back
 * from it so far (refaults, cumulative; a guest that ended keeps its
 * last count).  The plot stacks the first above, and draws the second
 * as a line per band below, on the same time axis.
 */
#include <errno.h>
#include <string.h>

#include "tools/overcommit/csv.h"
#include "tools/overcommit/files.h"
#include "tools/overcommit/plot_internal.h"

static int write_swap(struct plot_run *p, const unsigned int *band)
{
	struct oc_result *r = p->r;
	unsigned int n = p->swap.n;
	double refaulted[VMM_MAX_GUESTS] = { 0 };
	int swap, refault, ret, i;
	struct sample_walk w;
	char err[256];
	FILE *f;

	ret = plot_walk_open(r, &w);
	if (ret)
		return ret;
	f = oc_fopen(r->dir, "swap.csv", err, sizeof(err));
	if (!f) {
		ret = -errno;
		goto out;
	}
	swap = csv_column(&w.g, "swap_mib");
	refault = csv_column(&w.g, "refaulted_pages");
	fputs("time_s", f);
	for (int k = 0; k < 2; k++)
		for (unsigned int j = 0; j < n; j++)
			fprintf(f, ",%s_%s",
				p->swap.b[j].name ? p->swap.b[j].name :
						    "others",
				k ? "refaulted_mib" : "swap_mib");
	fputc('\n', f);
	while (plot_walk_sample(&w)) {
		double v[2][PLOT_TOP + 1] = { { 0 } };

		while ((i = plot_walk_guest(&w, r)) >= 0) {
			v[0][band[i]] += csv_num(&w.g, swap);
			refaulted[i] = csv_num(&w.g, refault) / 256.0;
		}
		for (unsigned int k = 0; k < r->nr_guests; k++)
			v[1][band[k]] += refaulted[k];
		fputs(csv_str(&w.pool, w.p_time), f);
		for (int k = 0; k < 2; k++)
			for (unsigned int j = 0; j < n; j++) {
				double *max = k ? &p->refault_max :
						  &p->swap_max;

				fprintf(f, ",%.3f", v[k][j]);
				if (v[k][j] > *max)
					*max = v[k][j];
			}
		fputc('\n', f);
	}
	ret = oc_fclose(&f);
out:
	plot_walk_close(&w);
	return ret;
}

int plot_swap_data(struct plot_run *p, FILE *f)
{
	double peak[VMM_MAX_GUESTS] = { 0 };
	unsigned int band[VMM_MAX_GUESTS];
	bool any = false;
	int ret;

	(void)f;
	p->swap.n = 0;
	p->swap_max = p->refault_max = 0;
	if (!p->r->tier || !p->r->samples)
		return 0;
	for (unsigned int i = 0; i < p->r->nr_guests; i++) {
		peak[i] = p->r->guest[i].peak_swap_pages;
		any |= peak[i] > 0 || p->r->guest[i].mem.swap_in;
	}
	if (!any)
		return 0;
	plot_rank(p->r, peak, &p->swap, band);
	ret = write_swap(p, band);
	return ret ? ret : 1;
}

/* Column 1 is the time, then each band's memory in the tier, then each
 * band's refaults so far. */
#define SWAP_COL(j) (2 + (j))
#define REFAULT_COL(p, j) (2 + (p)->swap.n + (j))

void plot_swap(struct plot_run *p, FILE *f, const struct term *t)
{
	const struct bands *b = &p->swap;

	plot_output(f, t, "swap", 1100, 640);
	fprintf(f,
		"set multiplot layout 2,1 title 'the cold tier per guest%s'\n"
		"unset xlabel\nset ylabel 'MiB'\nset yrange [0:%s]\nset key invert\n"
		/* One time axis: both panels as wide, the key beside. */
		"set lmargin at screen 0.07\nset rmargin at screen 0.84\n"
		"set style fill solid 0.85 noborder\n"
		"set title 'guest memory in the cold tier (swapped), stacked'\nplot ",
		b->b[b->n - 1].name ?
			"" :
			": the guests that had most in it by name",
		/* A panel of zeros (the run swapped between two samples,
		 * or nothing came back) is drawn empty, not as the empty
		 * range gnuplot warns of. */
		p->swap_max > 0 ? "*" : "1");
	/* The largest at the bottom, as the memory plot stacks. */
	for (unsigned int j = 0; j < b->n; j++) {
		fputs("'swap.csv' skip 1 using 1:", f);
		plot_sum(f, SWAP_COL(0), SWAP_COL(j) - 1);
		fputc(':', f);
		plot_sum(f, SWAP_COL(0), SWAP_COL(j));
		fprintf(f, " with filledcurves lc rgb '%s' title '%s'%s",
			b->b[j].color, b->b[j].title,
			j + 1 < b->n ? ", \\\n  " : "\n");
	}
	/* Below: the same bands' refaults, one line each, no key (the
	 * colours are the key above's). */
	fprintf(f,
		"unset key\nset title 'refaulted: memory its faults brought back from the tier so far (MiB, workingset_refault_anon)'\n"
		"set xlabel 'time (s)'\nset yrange [0:%s]\nplot ",
		p->refault_max > 0 ? "*" : "1");
	for (unsigned int j = 0; j < b->n; j++)
		fprintf(f,
			"'swap.csv' skip 1 using 1:%u with lines lw 2 lc rgb '%s'%s",
			REFAULT_COL(p, j), b->b[j].color,
			j + 1 < b->n ? ", \\\n  " : "\n");
	fputs("unset multiplot\nset yrange [*:*]\n", f);
}
