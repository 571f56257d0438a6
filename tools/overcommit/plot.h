/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The report's plots, drawn by gnuplot from the CSVs: DIR/plots.gp (kept,
 * so that `gnuplot plots.gp` in DIR draws them again after an edit) makes
 * each of these as PNG and SVG:
 *
 *   nodes     free memory per pool node against min/low/high, with
 *             markers for kswapd wake-ups, direct reclaim, compaction and
 *             OOM kills
 *   guests    each guest's backed memory and balloon
 *   host      the pool's host footprint, guest memory, free memory and
 *             memory returned to the host
 *   events    a timeline of kswapd runs, direct reclaim, compaction,
 *             balloon requests, OOM kills, guest starts and stops
 *   latency   histograms of every latency distribution with samples
 */
#ifndef TOOLS_OVERCOMMIT_PLOT_H
#define TOOLS_OVERCOMMIT_PLOT_H

#include "tools/overcommit/result.h"

#define OC_PLOTS(X)                                              \
	X(nodes, "free memory per node, with min, low and high") \
	X(guests, "guests: backed memory and balloon")           \
	X(host, "the pool's memory on the host")                 \
	X(events, "reclaim events")                              \
	X(latency, "latency histograms")

/* Write plots.gp and run gnuplot in r->dir: 0, or -errno with why. */
int oc_plot(struct oc_result *r, char *err, size_t errlen);

#endif /* TOOLS_OVERCOMMIT_PLOT_H */
