// SPDX-License-Identifier: GPL-2.0
/*
 * bench_swap: the cold tier's costs on real guests, each figure with its
 * baseline from the same run (docs/PERFORMANCE.md): what finding cold
 * pages costs a guest (tools/bench/swap_track.c); eviction against
 * compression alone, swap-in against a fresh fault, the ratio achieved
 * (tools/bench/swap_tier.c), faults on pages in a swap file.  Needs
 * /dev/kvm.
 *
 *   bench_swap
 */
#include <stdio.h>

#include "tools/bench/bench.h"
#include "tools/bench/swap_tier.h"
#include "tools/bench/swap_track.h"

#define MiB (1ULL << 20)

int main(void)
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
	int ret;

	if (!bench_have_kvm(&b))
		return 0;
	if (bench_host_create(&b, &cfg))
		return bench_fail(&b);
	ret = bench_swap_track(&b);
	if (!ret)
		ret = bench_swap_tier(&b);
	if (ret) {
		bench_host_destroy(&b);
		return bench_fail(&b);
	}
	ret = bench_validate(&b) ? 0 : 1;
	bench_host_destroy(&b);
	if (!ret && bench_swap_file(b.prog))
		ret = 1;
	if (!ret && bench_swap_hot_cold(b.prog))
		ret = 1;
	return ret;
}
