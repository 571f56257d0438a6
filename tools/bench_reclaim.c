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
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/guest_mem/guest_mem.h"
#include "vmm/host/host.h"
#include "vmm/host/balloon.h"

static struct vmm_host *host(uint64_t mib)
{
	/* No deflation: it would hand back what we measure taking. */
	struct vmm_config cfg = { .pool_bytes = mib << 20,
				  .nr_nodes = 1,
				  .hugepages = true,
				  .deflate_off = true };
	struct vmm_host *h;
	char err[256];

	if (host_create(&cfg, &h, err, sizeof(err))) {
		fprintf(stderr, "bench_reclaim: %s\n", err);
		exit(1);
	}
	h->out = fopen("/dev/null", "we");
	h->oom_log = h->out;
	return h;
}

static void host_done(struct vmm_host *h)
{
	FILE *out = h->out;

	host_stop_all(h, "benchmark done");
	host_destroy(h);
	fclose(out);
}

static unsigned int launch(struct vmm_host *h, const char *name, uint64_t mib,
			   const char *script)
{
	struct guest_spec spec = { .mem_bytes = mib << 20,
				   .nr_vcpus = 1,
				   .nr_vnodes = 1,
				   .vnode_to_pnode = { 0 },
				   .script = (char *)script };
	struct vm_resources res = { .pool = h->pool, .quiet = true };
	unsigned int id;
	char err[256];

	snprintf(spec.name, sizeof(spec.name), "%s", name);
	if (host_launch(h, &spec, &res, &id, err, sizeof(err))) {
		fprintf(stderr, "bench_reclaim: %s\n", err);
		exit(1);
	}
	return id;
}

static void wait_phases(struct vmm_host *h, unsigned int id, unsigned int n)
{
	struct vm_summary s;

	for (int i = 0; i < 60000; i++) {
		vm_get_summary(host_vm(h, id), &s);
		if (s.nr_phases >= n)
			return;
		usleep(1000);
	}
	fprintf(stderr, "bench_reclaim: guest %u never got to phase %u\n", id,
		n);
	exit(1);
}

/* Inflate 1 GiB; GiB/s and the host memory given back per byte. */
static void inflate_gib(double *gibs, double *returned)
{
	struct vmm_host *h = host(2048);
	unsigned int id =
		launch(h, "idle", 1600, "touch 1536M; free 1536M; hold 60s");
	struct virtio_balloon *vb;
	struct pool_footprint before, after;
	struct balloon_info info;
	uint64_t want = (1ULL << 30) >> PAGE_SHIFT, freed0, t0, t1;

	wait_phases(h, id, 2);
	vb = &host_vm_balloon(h, id)->vb;
	balloon_get_info(vb, &info);
	freed0 = info.c.frames_freed;
	/* Whatever was free before (pageblocks the guest never touched,
	 * free page reports) goes back first: only the inflation counts. */
	pool_return_free_pageblocks(h->pool);
	pool_footprint(h->pool, &before);
	t0 = trace_clock_ns();
	balloon_set_target(vb, info.target + want);
	do {
		/* Not a tight loop: the vCPU needs the device lock too. */
		usleep(50);
		balloon_get_info(vb, &info);
	} while (info.c.frames_freed - freed0 < want &&
		 trace_clock_ns() - t0 < 20000000000ULL);
	t1 = trace_clock_ns();
	*gibs = (double)(info.c.frames_freed - freed0) * PAGE_SIZE /
		(1ULL << 30) / ((t1 - t0) / 1e9);
	pool_return_free_pageblocks(h->pool);
	pool_footprint(h->pool, &after);
	*returned = (double)(before.resident_bytes - after.resident_bytes) /
		    ((info.c.frames_freed - freed0) * PAGE_SIZE);
	host_done(h);
}

/* The same amount straight through guest_mem_discard: no guest. */
static double limit_gib(void)
{
	struct vmm_host *h = host(2048);
	unsigned int id = launch(h, "idle", 1600, "touch 1536M; hold 60s");
	struct guest_mem *mem;
	uint64_t t0, t1;
	long freed;

	wait_phases(h, id, 1);
	mem = host_vm(h, id)->mem;
	t0 = trace_clock_ns();
	/* 1 GiB of the RAM it touched, in one call: the fewest unmaps and
	 * the longest runs of frees there can be. */
	freed = guest_mem_discard(mem, 256ULL << 20, 1ULL << 30);
	t1 = trace_clock_ns();
	host_done(h);
	return (double)freed * PAGE_SIZE / (1ULL << 30) / ((t1 - t0) / 1e9);
}

/*
 * Under pressure: an idle guest holds freed memory; another touches more
 * than is free.  Its faults (2 MiB regions) stall in direct reclaim;
 * kswapd answers LOW breaches.
 */
static void pressure(double *p50, double *p99, double *kswapd_ms)
{
	struct vmm_host *h = host(512);
	unsigned int idle =
		launch(h, "idle", 480, "touch 400M; free 400M; hold 60s");
	unsigned int busy;
	struct guest_mem *mem;
	double ks[4096];
	int nks = 0;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	wait_phases(h, idle, 2);
	trace_ring_enable(&h->pool->trace, true);
	busy = launch(h, "busy", 480, "touch 400M; verify");
	wait_phases(h, busy, 2);
	mem = host_vm(h, busy)->mem;
	*p50 = hist_percentile(&mem->fault_ns, 50) / 1e3;
	*p99 = hist_percentile(&mem->fault_ns, 99) / 1e3;
	trace_ring_enable(&h->pool->trace, false);
	f = open_memstream(&buf, &len);
	trace_ring_write(&h->pool->trace, f);
	fclose(f);
	for (char *l = strtok(buf, "\n"); l && nks < 4096;
	     l = strtok(NULL, "\n")) {
		char *p = strstr(l, "event=kswapd_sleep");
		unsigned long long ns;

		if (p && (p = strstr(p, " ns=")) &&
		    sscanf(p, " ns=%llu", &ns) == 1)
			ks[nks++] = ns / 1e6;
	}
	free(buf);
	*kswapd_ms = -1;
	if (nks) {
		for (int i = 1; i < nks; i++)
			for (int j = i; j > 0 && ks[j] < ks[j - 1]; j--) {
				double t = ks[j];

				ks[j] = ks[j - 1];
				ks[j - 1] = t;
			}
		*kswapd_ms = ks[nks / 2];
	}
	host_done(h);
}

#define ROUNDS 5

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

int main(void)
{
	double g[ROUNDS], r[ROUNDS], l[ROUNDS];
	double gibs, returned, limit, p50, p99, kms;

	if (access("/dev/kvm", R_OK | W_OK)) {
		printf("SKIP: bench_reclaim needs /dev/kvm: %s\n",
		       strerror(errno));
		return 0;
	}
	for (int i = 0; i < ROUNDS; i++) {
		inflate_gib(&g[i], &r[i]);
		l[i] = limit_gib();
	}
	gibs = median(g, ROUNDS);
	returned = median(r, ROUNDS);
	limit = median(l, ROUNDS);
	pressure(&p50, &p99, &kms);
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
