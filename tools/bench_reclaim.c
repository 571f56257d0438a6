// SPDX-License-Identifier: GPL-2.0
/*
 * bench_reclaim: memory back from guests through their balloons.
 *
 *   reclaim.gib_s             inflate 1 GiB from an idle guest that touched
 *                             1.5 GiB and freed it: request -> in the pool
 *   reclaim.limit_gib_s       the same amount released with no guest
 *                             involved (guest_mem_discard): the limit
 *   reclaim.vs_limit          the ratio
 *   reclaim.host_returned_ratio  host memory given back (st_blocks) /
 *                             memory inflated
 *   reclaim.direct_p50_us/p99 stall of a vCPU faulting 2 MiB regions under
 *                             pressure, with an idle guest to reclaim from
 *   reclaim.kswapd_response_ms  LOW breach -> above HIGH, median
 *
 * The inflation and its limit are measured ROUNDS times, interleaved so
 * that both see the same host, and the medians reported: one run of each
 * is at the mercy of whatever else this 2-core host is doing.
 *
 * Prints `name value unit` lines.  Needs /dev/kvm.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/bench/bench.h"

static int host(struct bench *b, uint64_t mib)
{
	/* No deflation: it would hand back what we measure taking. */
	struct vmm_config cfg = { .pool_bytes = mib << 20,
				  .nr_nodes = 1,
				  .hugepages = true,
				  .deflate_off = true };
	int ret = bench_host_create(b, &cfg);

	if (!ret)
		host_set_output(b->h, NULL, b->null, NULL);
	return ret;
}

/* Inflate 1 GiB; GiB/s and the host memory given back per byte. */
static int inflate_gib(struct bench *b, double *gibs, double *returned)
{
	struct pool_footprint before, after;
	struct balloon_info info;
	uint64_t want = (1ULL << 30) >> PAGE_SHIFT, freed0, t0, t1;
	struct mm_pool *pool;
	unsigned int id;
	int ret = host(b, 2048);

	if (ret)
		return ret;
	pool = host_pool(b->h);
	ret = bench_start(b, "idle", 1600, "touch 1536M; free 1536M; hold 60s",
			  2, &id);
	if (ret)
		goto out;
	host_balloon_info(b->h, id, &info);
	freed0 = info.c.frames_freed;
	/* Whatever was free before (pageblocks the guest never touched,
	 * free page reports) goes back first: only the inflation counts. */
	pool_return_free_pageblocks(pool);
	pool_footprint(pool, &before);
	t0 = trace_clock_ns();
	host_balloon_set_target(b->h, id, info.target + want);
	do {
		/* Not a tight loop: the vCPU needs the device lock too. */
		usleep(50);
		host_balloon_info(b->h, id, &info);
	} while (info.c.frames_freed - freed0 < want &&
		 trace_clock_ns() - t0 < 20000000000ULL);
	t1 = trace_clock_ns();
	*gibs = (double)(info.c.frames_freed - freed0) * PAGE_SIZE /
		(1ULL << 30) / ((t1 - t0) / 1e9);
	pool_return_free_pageblocks(pool);
	pool_footprint(pool, &after);
	*returned = (double)(before.resident_bytes - after.resident_bytes) /
		    ((info.c.frames_freed - freed0) * PAGE_SIZE);
out:
	bench_host_destroy(b);
	return ret;
}

/* The same amount straight through guest_mem_discard: no guest. */
static int limit_gib(struct bench *b, double *gibs)
{
	struct guest_mem *mem;
	uint64_t t0, t1;
	unsigned int id;
	long freed;
	int ret = host(b, 2048);

	if (ret)
		return ret;
	ret = bench_start(b, "idle", 1600, "touch 1536M; hold 60s", 1, &id);
	if (ret)
		goto out;
	mem = host_vm(b->h, id)->mem;
	t0 = trace_clock_ns();
	/* 1 GiB of the RAM it touched, in one call: the fewest unmaps and
	 * the longest runs of frees there can be. */
	freed = guest_mem_discard(mem, 256ULL << 20, 1ULL << 30);
	t1 = trace_clock_ns();
	*gibs = (double)freed * PAGE_SIZE / (1ULL << 30) / ((t1 - t0) / 1e9);
out:
	bench_host_destroy(b);
	return ret;
}

/* kswapd's response times (LOW breach -> above HIGH) in the trace, ms. */
static int kswapd_sleeps(struct trace_ring *ring, double *ks, int max)
{
	char *buf = NULL;
	size_t len = 0;
	int nks = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	if (!f)
		return 0;
	trace_ring_write(ring, f);
	fclose(f);
	for (char *l = strtok(buf, "\n"); l && nks < max;
	     l = strtok(NULL, "\n")) {
		char *p = strstr(l, "event=kswapd_sleep");
		unsigned long long ns;

		if (p && (p = strstr(p, " ns=")) &&
		    sscanf(p, " ns=%llu", &ns) == 1)
			ks[nks++] = ns / 1e6;
	}
	free(buf);
	return nks;
}

/*
 * Under pressure: an idle guest holds freed memory; another touches more
 * than is free.  Its faults (2 MiB regions) stall in direct reclaim;
 * kswapd answers LOW breaches.
 */
static int pressure(struct bench *b, double *p50, double *p99,
		    double *kswapd_ms)
{
	unsigned int idle, busy;
	struct guest_mem *mem;
	double ks[4096];
	int nks, ret = host(b, 512);

	if (ret)
		return ret;
	ret = bench_start(b, "idle", 480, "touch 400M; free 400M; hold 60s", 2,
			  &idle);
	if (ret)
		goto out;
	trace_ring_enable(host_trace_ring(b->h), true);
	ret = bench_start(b, "busy", 480, "touch 400M; verify", 2, &busy);
	if (ret)
		goto out;
	mem = host_vm(b->h, busy)->mem;
	*p50 = hist_percentile(&mem->fault_ns, 50) / 1e3;
	*p99 = hist_percentile(&mem->fault_ns, 99) / 1e3;
	trace_ring_enable(host_trace_ring(b->h), false);
	nks = kswapd_sleeps(host_trace_ring(b->h), ks, 4096);
	*kswapd_ms = nks ? bench_median(ks, nks) : -1;
out:
	bench_host_destroy(b);
	return ret;
}

#define ROUNDS 5

int main(void)
{
	struct bench b = { .prog = "bench_reclaim" };
	double g[ROUNDS], r[ROUNDS], l[ROUNDS];
	double gibs, returned, limit, p50, p99, kms;

	if (!bench_have_kvm(&b))
		return 0;
	for (int i = 0; i < ROUNDS; i++)
		if (inflate_gib(&b, &g[i], &r[i]) || limit_gib(&b, &l[i]))
			return bench_fail(&b);
	gibs = bench_median(g, ROUNDS);
	returned = bench_median(r, ROUNDS);
	limit = bench_median(l, ROUNDS);
	if (pressure(&b, &p50, &p99, &kms))
		return bench_fail(&b);
	printf("reclaim.gib_s %.2f GiB/s\n", gibs);
	printf("reclaim.limit_gib_s %.2f GiB/s\n", limit);
	printf("reclaim.vs_limit %.2f ratio\n", gibs / limit);
	printf("reclaim.host_returned_ratio %.3f ratio\n", returned);
	printf("reclaim.direct_p50_us %.1f us\n", p50);
	printf("reclaim.direct_p99_us %.1f us\n", p99);
	if (kms >= 0)
		printf("reclaim.kswapd_response_ms %.3f ms\n", kms);
	else
		printf("SKIP: reclaim.kswapd_response_ms: kswapd never woke\n");
	return 0;
}
