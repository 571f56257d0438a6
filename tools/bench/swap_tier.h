/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench_swap's measurements of the cold tier itself (tools/bench_swap.c):
 * eviction of an idle guest's realistic pages against compressing the
 * same pages alone, swap-in faults against faults on fresh pages of the
 * same guest, the ratio achieved.  Prints `name value unit` lines.
 */
#ifndef TOOLS_BENCH_SWAP_TIER_H
#define TOOLS_BENCH_SWAP_TIER_H

#include "tools/bench/bench.h"

/* On b's host (a cold tier with room for 128 MiB of ratio-3 pages): 0,
 * or -errno with b->err. */
int bench_swap_tier(struct bench *b);

/* A guest's faults on pages in a swap file, on a host of its own (prog:
 * for messages): 0, or -errno (said on stderr). */
int bench_swap_file(const char *prog);

#endif /* TOOLS_BENCH_SWAP_TIER_H */
