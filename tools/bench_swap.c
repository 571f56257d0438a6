// SPDX-License-Identifier: GPL-2.0
/*
 * bench_swap: the cold tier's costs on real guests, each figure with its
 * baseline from the same run (docs/PERFORMANCE.md): what finding cold
 * pages costs a guest (tools/bench/swap_track.c).  Needs /dev/kvm.
 *
 *   bench_swap
 */
#include <stdio.h>

#include "tools/bench/bench.h"
#include "tools/bench/swap_track.h"

#define MiB (1ULL << 20)

int main(void)
{
	/* The benchmark scans by itself: no scanner, no compaction. */
	struct vmm_config cfg = { .pool_bytes = 256 * MiB,
				  .nr_nodes = 1,
				  .hugepages = true,
				  .compaction_off = true,
				  .cold_scan_off = true };
	struct bench b = { .prog = "bench_swap" };
	int ret;

	if (!bench_have_kvm(&b))
		return 0;
	if (bench_host_create(&b, &cfg))
		return bench_fail(&b);
	ret = bench_swap_track(&b);
	if (ret) {
		bench_host_destroy(&b);
		return bench_fail(&b);
	}
	ret = bench_validate(&b) ? 0 : 1;
	bench_host_destroy(&b);
	return ret;
}
