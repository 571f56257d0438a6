/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The report's plots, drawn by gnuplot from the CSVs: DIR/plots.gp (kept,
 * so that `gnuplot plots.gp` in DIR draws them again after an edit) makes
 * each of these as PNG and SVG, those the run has data for
 * (docs/overcommit.md, "Reading the plots"):
 *
 *   memory         the guests' backed memory stacked up to the pool: the
 *                  top guests by peak by name, the rest as one band
 *                  (memory.csv has the bands per sample)
 *   balloons       balloon target against actual, a panel per band
 *   swap           the cold tier per guest: memory in it stacked, and
 *                  the memory its faults brought back (plot_swap.c)
 *   nodes          free memory per pool node against min/low/high, with
 *                  kswapd wake-ups, direct reclaim, compaction, OOM kills
 *   pressure       PSI over time: each node's and the most stalled
 *                  guests' share of time stalled (plot_pressure.c)
 *   stalls         every direct-reclaim stall: time against its length,
 *                  by guest for the guests that stalled most
 *   latency        a CDF of each latency distribution on log axes, the
 *                  percentiles marked
 *   fragmentation  the fragmentation score per node and the share of
 *                  guest memory KVM maps with 2 MiB entries, over
 *                  kcompactd rounds, migration batches and compactions
 *   host           the pool's host footprint, guest memory, free memory
 *                  and memory returned to the host
 *   events         a timeline of kswapd runs, direct reclaim, compaction,
 *                  kcompactd, balloon requests, OOM kills, guest starts
 *                  and stops
 */
#ifndef TOOLS_OVERCOMMIT_PLOT_H
#define TOOLS_OVERCOMMIT_PLOT_H

#include <stddef.h>

struct oc_result;

/* X(name, title), in the order the page shows them. */
#define OC_PLOTS(X)                                                       \
	X(memory, "guest memory, stacked up to the pool")                 \
	X(balloons, "balloons: target against actual")                    \
	X(swap, "the cold tier per guest: memory swapped, and refaulted") \
	X(nodes, "free memory per node, with min, low and high")          \
	X(pressure, "memory pressure (PSI)")                              \
	X(stalls, "direct-reclaim stalls over time")                      \
	X(latency, "latency distributions (CDF)")                         \
	X(fragmentation, "fragmentation, 2 MiB mappings and compaction")  \
	X(host, "the pool's memory on the host")                          \
	X(events, "reclaim events")

/* Write plots.gp and run gnuplot in r->dir: 0, or -errno with why. */
int oc_plot(struct oc_result *r, char *err, size_t errlen);

#endif /* TOOLS_OVERCOMMIT_PLOT_H */
