/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench_swap's measurement of finding cold pages (tools/bench_swap.c,
 * docs/cold_pages.md): what idle sampling costs a guest that churns its
 * working set, scanning on against off in the same run, and what a pass
 * costs per MiB.  Prints `name value unit` lines.
 */
#ifndef TOOLS_BENCH_SWAP_TRACK_H
#define TOOLS_BENCH_SWAP_TRACK_H

#include "tools/bench/bench.h"

/*
 * On b's host: the scanner off (cfg.cold_scan_off: the passes are the
 * benchmark's own), nothing else moving guest pages (no compaction), 96
 * MiB for its guests.  0, or -errno with b->err.
 */
int bench_swap_track(struct bench *b);

#endif /* TOOLS_BENCH_SWAP_TRACK_H */
