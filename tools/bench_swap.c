// SPDX-License-Identifier: GPL-2.0
/*
 * bench_swap: the cold tier's costs on real guests, each figure with its
 * baseline from the same run (docs/PERFORMANCE.md): eviction against
 * compression alone, swap-in against a fresh fault, the ratio achieved.
 */
#include <stdio.h>

#include "tools/bench/bench.h"
#include "tools/bench/swap_tier.h"

#define MiB (1ULL << 20)

int main(void)
{
	/* The benchmark evicts by itself: no balloons, no compaction. */
	struct vmm_config cfg = { .pool_bytes = 1024 * MiB,
				  .nr_nodes = 1,
				  .hugepages = true,
				  .balloon_off = true,
				  .compaction_off = true,
				  .swap_store_set = true,
				  .swap_store_bytes = 256 * MiB };
	struct bench b = { .prog = "bench_swap" };

	if (!bench_have_kvm(&b))
		return 0;
	if (bench_host_create(&b, &cfg))
		return bench_fail(&b);
	if (bench_swap_tier(&b))
		return bench_fail(&b);
	bench_host_destroy(&b);
	return 0;
}
