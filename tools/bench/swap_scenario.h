/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench_swap's measurement of the tier in a whole scenario
 * (tools/bench_swap.c): tools/scenarios/all-in-use.json (ten guests using
 * 1.2 times the pool at once, every page touched; docs/overcommit.md) as
 * the overcommit runner runs it, with the tier and then without it
 * (reclaim.swap_store 0, the baseline): the achieved overcommit, the OOM
 * kills, whether the survivors' pages were intact, the seconds each run
 * took.  Prints `name value unit` lines.
 */
#ifndef TOOLS_BENCH_SWAP_SCENARIO_H
#define TOOLS_BENCH_SWAP_SCENARIO_H

/* path: the scenario file, NULL to look for it in the source tree the
 * program was built in, then in the current directory.  0, or -errno
 * (said on stderr, prog first). */
int bench_swap_all_in_use(const char *prog, const char *path);

#endif /* TOOLS_BENCH_SWAP_SCENARIO_H */
