// SPDX-License-Identifier: GPL-2.0
/*
 * The fragmentation story where it happens: above, each node's
 * fragmentation score (the share of its free memory in blocks smaller
 * than a pageblock) against proactive compaction's marks, the share of
 * guest memory KVM maps with 2 MiB entries, and the share that sits in
 * whole pageblocks; below, on the same time axis, what moved memory:
 * kcompactd's rounds (woken for an order, or proactive), migration
 * batches, direct compactions.
 */
#include "tools/overcommit/plot_internal.h"

int plot_fragmentation_data(struct plot_run *p, FILE *f)
{
	(void)f;
	p->node_frag_col = plot_column(p, "nodes.csv", "frag_score");
	p->pool_kvm_col = plot_column(p, "pool.csv", "kvm_mapped_mib");
	p->pool_kvm2m_col = plot_column(p, "pool.csv", "kvm_2m_pct");
	p->pool_whole_col = plot_column(p, "pool.csv", "whole_pageblock_mib");
	p->pool_resident_col = plot_column(p, "pool.csv", "guest_resident_mib");
	return p->r->samples && p->node_frag_col && p->pool_kvm_col &&
	       p->pool_kvm2m_col && p->pool_whole_col && p->pool_resident_col;
}

/* The shares, in per cent. */
static void shares(struct plot_run *p, FILE *f)
{
	const struct oc_result *r = p->r;
	const char *sep = "plot ";

	for (unsigned int n = 0; n < r->nr_nodes; n++) {
		fprintf(f,
			"%s'nodes.csv' skip 1 using 1:($2 == %u ? $%d : NaN) with lines lw 2 lc rgb '%s' title 'fragmentation score, node %u'",
			sep, n, p->node_frag_col,
			plot_color[n % PLOT_NR_COLORS], n);
		sep = ", \\\n  ";
	}
	if (r->frag_score_high)
		fprintf(f,
			", \\\n  %u with lines dt 2 lw 1.5 lc rgb '#d62728' title 'proactive compaction above', \\\n"
			"  %u with lines dt 2 lw 1.5 lc rgb '#2ca02c' title '... until'",
			r->frag_score_high, r->frag_score_low);
	/* No share without guest memory mapped. */
	fprintf(f,
		", \\\n  'pool.csv' skip 1 using 1:($%d > 0 ? $%d : NaN) with lines lw 2.5 lc rgb 'black' title 'guest memory KVM maps 2 MiB'",
		p->pool_kvm_col, p->pool_kvm2m_col);
	fprintf(f,
		", \\\n  '' skip 1 using 1:($%d > 0 ? 100 * $%d / $%d : NaN) with lines lw 1.5 dt 3 lc rgb 'black' title 'guest memory in whole pageblocks'\n",
		p->pool_resident_col, p->pool_whole_col, p->pool_resident_col);
}

/* What moved memory, a row each, on the same time axis. */
static const struct timeline_row movers[] = {
	{ "kcompactd_run", "kcompactd", "vectors nohead lw 8 lc rgb '#8c564b'",
	  true },
	{ "kcompactd_proactive", "kcompactd, proactive",
	  "vectors nohead lw 8 lc rgb '#c49c94'", true },
	{ "migrate", "migration batch", "points pt 1 lc rgb '#7f7f7f'", false },
	{ "compaction", "direct compaction", "points pt 12 lc rgb '#8c564b'",
	  false },
};
#define NR_MOVERS (sizeof(movers) / sizeof(movers[0]))

void plot_fragmentation(struct plot_run *p, FILE *f, const struct term *t)
{
	const struct timeline_row *row[NR_MOVERS];
	unsigned int n = plot_timeline_rows(p, movers, NR_MOVERS, row);
	/* The lower panel's height, in screen fractions. */
	double low = n ? 0.06 + 0.05 * n : 0;

	plot_output(f, t, "fragmentation", 1100, 440 + 30 * n);
	/* Both panels share the margins, so that their time axes align. */
	fprintf(f,
		"set multiplot title 'fragmentation, 2 MiB mappings and what moved memory'\n"
		"set lmargin at screen 0.14\nset rmargin at screen 0.70\n"
		"set tmargin at screen 0.90\nset bmargin at screen %.2f\n"
		"set ylabel '%%'\nset yrange [0:105]\nset key font ',9'\n",
		n ? low + 0.1 : 0.1);
	if (n)
		fputs("set format x ''\nunset xlabel\n", f);
	shares(p, f);
	if (n) {
		fprintf(f,
			"set tmargin at screen %.2f\nset bmargin at screen 0.1\n"
			"set format x '%%g'\nset xlabel 'time (s)'\n",
			low + 0.06);
		plot_timeline(f, p, row, n);
	}
	fputs("unset multiplot\n", f);
}
