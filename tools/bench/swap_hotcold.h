/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench_swap's measurement of the tier's choice (tools/bench_swap.c): a
 * guest holding 256 MiB that keeps re-touching 32 MiB of it, under
 * pressure for a few seconds; the share of its cold pages evicted and of
 * its hot pages (refaults), against the share of all it holds.  Prints
 * `name value unit` lines.
 */
#ifndef TOOLS_BENCH_SWAP_HOTCOLD_H
#define TOOLS_BENCH_SWAP_HOTCOLD_H

#include "tools/bench/bench.h"

/* On a host of its own (prog: for messages): 0, or -errno (said on
 * stderr). */
int bench_swap_hot_cold(const char *prog);

#endif /* TOOLS_BENCH_SWAP_HOTCOLD_H */
