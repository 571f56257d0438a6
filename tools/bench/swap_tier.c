// SPDX-License-Identifier: GPL-2.0
/* The cold tier's own costs (swap_tier.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/fill.h"
#include "swap/tier.h"
#include "tools/bench/swap_tier.h"
#include "util/clock.h"
#include "util/errf.h"
#include "vmm/host/swap.h"

/* The idle guest's memory and what it touches at ratio 3. */
#define GUEST_MIB 256
#define COLD_MIB 128
#define FRESH_MIB 64

static double gib_s(uint64_t pages, uint64_t ns)
{
	return ns ? (double)pages * 4096 / (1 << 30) / (ns / 1e9) : 0;
}

/*
 * The same pages as the guest's (fill_page() of their GPAs, generation
 * 1, ratio 3), stored into the tier with no guest: the limit eviction
 * approaches.  The GiB/s.
 */
static int store_alone(struct bench *b, unsigned long pages, double *out)
{
	struct swap_tier *t = host_swap_tier(b->h);
	long *h = calloc(pages, sizeof(*h));
	uint64_t *buf = aligned_alloc(4096, (size_t)pages * 4096);
	unsigned long stored = 0;
	uint64_t t0;
	int ret = 0;

	if (!h || !buf) {
		ret = -ENOMEM;
		goto out;
	}
	for (unsigned long i = 0; i < pages; i++)
		fill_page(buf + i * 512, GUEST_RAM_START + i * 4096, 1, 3);
	t0 = clock_now_ns(&clock_monotonic);
	for (; stored < pages; stored++) {
		h[stored] = swap_tier_store(t, buf + stored * 512, 0, 0,
					    stored * 4096);
		if (h[stored] < 0)
			break;
	}
	*out = gib_s(stored, clock_now_ns(&clock_monotonic) - t0);
	for (unsigned long i = 0; i < stored; i++)
		swap_tier_free(t, h[i], false);
	if (stored < pages) {
		snprintf(b->err, sizeof(b->err),
			 "the tier took %lu of %lu pages alone: %s", stored,
			 pages, strerror((int)-h[stored]));
		ret = (int)h[stored];
	}
out:
	free(h);
	free(buf);
	return ret;
}

int bench_swap_tier(struct bench *b)
{
	struct vm_resources res = b->res;
	struct host_guest_latency lat1, lat2;
	struct histogram fresh = { 0 };
	struct swap_tier_stats ts;
	struct guest_spec spec;
	unsigned long freed;
	double limit;
	uint64_t t0, ns;
	unsigned int id;
	int ret;

	/* 4 KiB faults on both sides of the comparison. */
	res.no_huge = true;
	bench_spec(&spec, "cold", GUEST_MIB,
		   "touch 128M ratio=3; hold 2s; verify; hold 500ms; "
		   "touch 64M; verify");
	ret = bench_launch_spec(b, &spec, &res, &id);
	if (!ret)
		ret = bench_wait_phases(b, id, 1, BENCH_WAIT_MS);
	if (ret)
		return ret;
	t0 = clock_now_ns(&clock_monotonic);
	freed = host_swap_reclaim(b->h, -1, (COLD_MIB << 20) >> 12);
	ns = clock_now_ns(&clock_monotonic) - t0;
	host_swap_get_stats(b->h, &ts);
	/* Swap-ins while it verifies, then faults on fresh pages. */
	ret = bench_wait_phases(b, id, 4, BENCH_WAIT_MS);
	if (!ret)
		ret = host_guest_latency(b->h, id, &lat1);
	if (!ret)
		ret = bench_wait_phases(b, id, 5, BENCH_WAIT_MS);
	if (!ret)
		ret = host_guest_latency(b->h, id, &lat2);
	if (ret)
		return ret;
	hist_merge_since(&fresh, &lat2.fault, &lat1.fault);
	if (!bench_guest_ok(b, id, 2)) {
		snprintf(b->err, sizeof(b->err),
			 "the guest did not get its pages back intact");
		return -EIO;
	}
	ret = store_alone(b, freed, &limit);
	if (ret)
		return ret;
	printf("swap.out_pages %lu pages\n", freed);
	printf("swap.out_gib_s %.3f GiB/s\n", gib_s(freed, ns));
	printf("swap.out_limit_gib_s %.3f GiB/s\n", limit);
	printf("swap.out_vs_limit %.2f ratio\n", gib_s(freed, ns) / limit);
	printf("swap.ratio %.2f ratio\n",
	       ts.pool_pages ? (double)ts.stored / ts.pool_pages : 0);
	printf("swap.in_faults %llu faults\n",
	       (unsigned long long)lat2.swap_in.n);
	printf("swap.in_p50_us %.1f us\n",
	       hist_percentile(&lat2.swap_in, 50) / 1e3);
	printf("swap.in_p99_us %.1f us\n",
	       hist_percentile(&lat2.swap_in, 99) / 1e3);
	printf("swap.fault_p50_us %.1f us\n",
	       hist_percentile(&fresh, 50) / 1e3);
	printf("swap.in_vs_fault %.2f ratio\n",
	       (double)hist_percentile(&lat2.swap_in, 50) /
		       hist_percentile(&fresh, 50));
	return 0;
}

/*
 * A guest's faults on pages in the swap file: a 1 MiB store in front of
 * a file on /var/tmp (a disk), so that nearly all it evicts is written
 * back; the guest then verifies it all, each fault reading its page and
 * up to 7 neighbours in one read.  A host of its own.
 */
int bench_swap_file(const char *prog)
{
	char dir[] = "/var/tmp/bench_swap.XXXXXX", path[64];
	struct vmm_config cfg = { .pool_bytes = 256 << 20,
				  .nr_nodes = 1,
				  .hugepages = true,
				  .balloon_off = true,
				  .compaction_off = true,
				  .cold_scan_off = true,
				  .swap_store_set = true,
				  .swap_store_bytes = 1 << 20,
				  .swap_file_path = path,
				  .swap_file_bytes = 256 << 20 };
	struct bench b = { .prog = prog };
	struct host_guest_latency lat;
	struct swap_tier_stats ts;
	unsigned int id;
	int ret;

	if (!mkdtemp(dir)) {
		ret = errf(b.err, sizeof(b.err), -errno, "%s: %s", dir,
			   strerror(errno));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/swap", dir);
	ret = bench_host_create(&b, &cfg);
	if (ret)
		goto out;
	ret = bench_start(&b, "filed", 128,
			  "touch 64M ratio=3; hold 1s; verify", 1, &id);
	if (!ret) {
		host_swap_reclaim(b.h, -1, (64 << 20) >> 12);
		host_swap_get_stats(b.h, &ts);
		ret = bench_wait_phases(&b, id, 3, BENCH_WAIT_MS);
	}
	if (!ret)
		ret = host_guest_latency(b.h, id, &lat);
	if (!ret && !bench_guest_ok(&b, id, 1))
		ret = errf(b.err, sizeof(b.err), -EIO,
			   "the guest did not get its pages back intact");
	if (!ret) {
		printf("swap.file_pages %llu pages\n",
		       (unsigned long long)ts.in_file);
		printf("swap.file_in_faults %llu faults\n",
		       (unsigned long long)lat.swap_in.n);
		printf("swap.file_in_p50_us %.1f us\n",
		       hist_percentile(&lat.swap_in, 50) / 1e3);
		printf("swap.file_in_p99_us %.1f us\n",
		       hist_percentile(&lat.swap_in, 99) / 1e3);
	}
out:
	if (ret)
		bench_fail(&b);
	bench_host_destroy(&b);
	unlink(path);
	rmdir(dir);
	return ret;
}
