// SPDX-License-Identifier: GPL-2.0
/*
 * PSI over time: the place of the memory pressure plot.
 *
 * The pressure figures come from the PSI sampler, as columns of
 * nodes.csv in /proc/pressure/memory's terms (some and full, avg10).
 * Until the sampler writes them this plot draws nothing (its data step
 * finds none of the columns below and returns 0) and the page shows no
 * such plot.  Joining it is naming the columns here as the sampler names
 * them; per-guest pressure (guests.csv) would be drawn as the memory plot
 * draws guests, the top guests by name and the rest as one band.
 */
#include "tools/overcommit/plot_internal.h"

/* The nodes.csv columns drawn, each a line per node. */
static const struct {
	const char *column, *title;
	int dash;
} psi[] = {
	{ "psi_some_avg10", "some, avg10", 1 },
	{ "psi_full_avg10", "full, avg10", 2 },
};
#define NR_PSI (sizeof(psi) / sizeof(psi[0]))

int plot_pressure_data(struct plot_run *p, FILE *f)
{
	int any = 0;

	(void)f;
	for (size_t i = 0; i < NR_PSI; i++) {
		p->psi_col[i] = plot_column(p, "nodes.csv", psi[i].column);
		any |= p->psi_col[i] > 0;
	}
	return any && p->r->samples;
}

void plot_pressure(struct plot_run *p, FILE *f, const struct term *t)
{
	const char *sep = "plot ";

	plot_output(f, t, "pressure", 1100, 420);
	fputs("set title 'memory pressure per pool node (share of time stalled, %)'\n"
	      "set ylabel '%'\nset yrange [0:1 < *]\n",
	      f);
	for (unsigned int n = 0; n < p->r->nr_nodes; n++)
		for (size_t i = 0; i < NR_PSI; i++) {
			if (!p->psi_col[i])
				continue;
			fprintf(f,
				"%s'nodes.csv' skip 1 using 1:($2 == %u ? $%d : NaN) with lines lw 2 dt %d lc rgb '%s' title 'node %u, %s'",
				sep, n, p->psi_col[i], psi[i].dash,
				plot_color[n % PLOT_NR_COLORS], n,
				psi[i].title);
			sep = ", \\\n  ";
		}
	fputc('\n', f);
}
