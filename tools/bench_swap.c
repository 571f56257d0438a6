// SPDX-License-Identifier: GPL-2.0
/*
 * bench_swap: the cold tier's costs on real guests, each figure with its
 * baseline from the same run (docs/PERFORMANCE.md): what finding cold
 * pages costs a guest (tools/bench/swap_track.c); eviction against
 * compression alone, swap-in against a fresh fault, the ratio achieved,
 * faults on pages in a swap file (tools/bench/swap_tier.c); the share of
 * a guest's cold pages and of its hot pages evicted under pressure
 * (tools/bench/swap_hotcold.c); the all-in-use scenario's overcommit and
 * OOM kills with the tier and without it (tools/bench/swap_scenario.c).
 * Each part's seconds too (swap.time_*_s).  Needs /dev/kvm.
 *
 *   bench_swap [ALL_IN_USE.json]
 *
 * The scenario is found in the source tree by default.
 */
#include <stdio.h>

#include "tools/bench/bench.h"
#include "tools/bench/swap_hotcold.h"
#include "tools/bench/swap_scenario.h"
#include "tools/bench/swap_tier.h"
#include "tools/bench/swap_track.h"
#include "util/clock.h"

#define MiB (1ULL << 20)

/* The seconds since *t0, printed as part's; *t0 moves to now. */
static void part_time(const char *part, uint64_t *t0)
{
	uint64_t now = clock_now_ns(&clock_monotonic);

	printf("swap.time_%s_s %.1f s\n", part, (now - *t0) / 1e9);
	fflush(stdout);
	*t0 = now;
}

int main(int argc, char **argv)
{
	/* The benchmark scans and evicts by itself: no scanner, no
	 * balloons, no compaction. */
	struct vmm_config cfg = { .pool_bytes = 1024 * MiB,
				  .nr_nodes = 1,
				  .hugepages = true,
				  .balloon_off = true,
				  .compaction_off = true,
				  .cold_scan_off = true,
				  .swap_store_set = true,
				  .swap_store_bytes = 256 * MiB };
	struct bench b = { .prog = "bench_swap" };
	uint64_t t0 = clock_now_ns(&clock_monotonic), start = t0;
	int ret;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: bench_swap [ALL_IN_USE.json]\n");
		return 2;
	}
	if (!bench_have_kvm(&b))
		return 0;
	if (bench_host_create(&b, &cfg))
		return bench_fail(&b);
	ret = bench_swap_track(&b);
	part_time("track", &t0);
	if (!ret)
		ret = bench_swap_tier(&b);
	if (ret) {
		bench_host_destroy(&b);
		return bench_fail(&b);
	}
	ret = bench_validate(&b) ? 0 : 1;
	bench_host_destroy(&b);
	part_time("tier", &t0);
	if (!ret && bench_swap_file(b.prog))
		ret = 1;
	part_time("file", &t0);
	if (!ret && bench_swap_hot_cold(b.prog))
		ret = 1;
	part_time("hotcold", &t0);
	if (!ret && bench_swap_all_in_use(b.prog, argc == 2 ? argv[1] : NULL))
		ret = 1;
	part_time("all_in_use", &t0);
	part_time("total", &start);
	return ret;
}
