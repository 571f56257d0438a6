// SPDX-License-Identifier: GPL-2.0
/*
 * bench_metrics: what serving /metrics costs, with as many guests as a
 * host holds (VMM_MAX_GUESTS, 64: 32 MiB each, 4 MiB touched, holding).
 *
 *   scrape     GET /metrics over HTTP (a connection each, as Prometheus
 *              without keep-alive), SCRAPES times: its latency and size;
 *              the page built alone (metrics_write(), no HTTP); how long
 *              a scrape holds the host's lock for one guest
 *              (host_guest_latency(): the median and the longest)
 *   fault      the cost to a running guest: a 1-vCPU guest touches
 *              TOUCH_MIB with order-0 faults (as bench_fault's order0),
 *              ROUNDS times quiet and ROUNDS times while a scraper asks
 *              every SCRAPE_EVERY_MS (150 times Prometheus' default
 *              rate), interleaved (ABBA), beside the 63 idle guests
 *              (paused: there for the scrapes, not taking the CPUs);
 *              medians of the touch rate and the fault latency,
 *              quiet being the baseline
 *
 * Prints `name value unit` lines.  Needs /dev/kvm.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tools/bench/bench.h"
#include "tools/bench/http.h"
#include "vmm/metrics/metrics.h"

#define SCRAPES 100
#define TOUCH_MIB 256
#define ROUNDS 7
#define SCRAPE_EVERY_MS 100
#define IDLE_MIB 32 /* each idle guest's RAM, 4 MiB of it touched */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return (*x > *y) - (*x < *y);
}

/* Percentile p of n sorted values (nearest rank). */
static uint64_t pct(const uint64_t *v, unsigned int n, double p)
{
	unsigned int rank = (unsigned int)(p / 100 * n + 0.999);

	return v[rank ? rank - 1 : 0];
}

/* SCRAPES scrapes over HTTP: latencies, sorted, into ns; bytes of the
 * last; 0 or -errno. */
static int scrape_latency(struct metrics_server *s, uint64_t *ns, size_t *bytes)
{
	for (unsigned int i = 0; i < SCRAPES; i++) {
		struct http_reply r;
		uint64_t t0 = now_ns();
		int ret =
			http_get(metrics_server_addr(s), "/metrics", 10000, &r);

		if (ret)
			return ret;
		ns[i] = now_ns() - t0;
		*bytes = strlen(r.body);
		if (r.status != 200)
			ret = -EPROTO;
		free(r.text);
		if (ret)
			return ret;
	}
	qsort(ns, SCRAPES, sizeof(ns[0]), cmp_u64);
	return 0;
}

/* The page built SCRAPES times without HTTP: its median, in ns. */
static uint64_t write_latency(struct vmm_host *h)
{
	uint64_t ns[SCRAPES];

	for (unsigned int i = 0; i < SCRAPES; i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		uint64_t t0 = now_ns();

		if (!f)
			return 0;
		metrics_write(h, f);
		fclose(f);
		ns[i] = now_ns() - t0;
		free(buf);
	}
	qsort(ns, SCRAPES, sizeof(ns[0]), cmp_u64);
	return pct(ns, SCRAPES, 50);
}

/*
 * host_guest_latency() of every guest, SCRAPES times: how long one
 * guest's snapshot holds the host's lock (the copy of its histograms),
 * p50 and max into ns[0], ns[1].
 */
static void lock_hold(struct vmm_host *h, uint64_t *ns)
{
	struct host_guest_latency *lat = malloc(sizeof(*lat));
	unsigned int ids[VMM_MAX_GUESTS],
		n = host_guest_ids(h, ids, VMM_MAX_GUESTS);
	uint64_t *t = calloc((size_t)SCRAPES * n + 1, sizeof(*t));
	unsigned int k = 0;

	ns[0] = ns[1] = 0;
	for (unsigned int r = 0; lat && t && r < SCRAPES; r++)
		for (unsigned int i = 0; i < n; i++) {
			uint64_t t0 = now_ns();

			host_guest_latency(h, ids[i], lat);
			t[k++] = now_ns() - t0;
		}
	if (k) {
		qsort(t, k, sizeof(t[0]), cmp_u64);
		ns[0] = pct(t, k, 50);
		ns[1] = t[k - 1];
	}
	free(t);
	free(lat);
}

struct scraper {
	pthread_t thread;
	struct metrics_server *s;
	volatile bool stop;
	unsigned int scrapes, failed;
};

static void *scrape_loop(void *arg)
{
	struct scraper *sc = arg;

	while (!sc->stop) {
		struct http_reply r;

		if (http_get(metrics_server_addr(sc->s), "/metrics", 10000,
			     &r) ||
		    r.status != 200)
			sc->failed++;
		else
			sc->scrapes++;
		free(r.text);
		usleep(SCRAPE_EVERY_MS * 1000);
	}
	return NULL;
}

/* One touch guest, order-0 faults: GiB/s of its touch phase (< 0: it
 * failed) and its faults' latencies into lat. */
static double touch_run(struct bench *b, struct histogram *lat)
{
	struct vm_resources res = b->res;
	struct guest_spec spec;
	struct vm_summary s;
	struct host_guest_latency *gl = malloc(sizeof(*gl));
	char script[64];
	unsigned int id;
	double gibs = -1;

	res.no_huge = true;
	snprintf(script, sizeof(script), "touch %dM; hold 30s", TOUCH_MIB);
	bench_spec(&spec, "touch", TOUCH_MIB + 64, script);
	spec.vnode_to_pnode[0] = -1;
	if (!gl || bench_launch_spec(b, &spec, &res, &id)) {
		free(gl);
		return -1;
	}
	if (!bench_wait_phases(b, id, 1, BENCH_WAIT_MS) &&
	    !host_guest_summary(b->h, id, &s) && s.phase[0].ns) {
		gibs = (TOUCH_MIB / 1024.0) / (s.phase[0].ns / 1e9);
		host_guest_latency(b->h, id, gl);
		hist_merge(lat, &gl->fault);
	}
	host_guest_stop(b->h, id, VM_EXIT_STOPPED, "benchmark done");
	host_guest_wait(b->h, id, -1);
	host_reap(b->h, id);
	free(gl);
	return gibs;
}

int main(void)
{
	struct vmm_config cfg = {
		.pool_bytes = (VMM_MAX_GUESTS * 8ULL + TOUCH_MIB + 512) << 20,
		.nr_nodes = 1,
		.hugepages = true,
	};
	struct bench b = { .prog = "bench_metrics" };
	struct histogram *lq = calloc(1, sizeof(*lq)),
			 *ls = calloc(1, sizeof(*ls));
	double quiet[ROUNDS], scraped[ROUNDS];
	unsigned int ids[VMM_MAX_GUESTS], nr = 0, scrapes = 0, failed = 0;
	struct metrics_server *s;
	struct listen_addr at;
	uint64_t ns[SCRAPES], hold[2];
	size_t bytes = 0;
	int ret;

	if (!bench_have_kvm(&b))
		return 0;
	if (!lq || !ls || bench_host_create(&b, &cfg))
		return bench_fail(&b);
	listen_addr_parse("0", &at, b.err, sizeof(b.err));
	if (metrics_server_start(b.h, &at, &s, b.err, sizeof(b.err)))
		return bench_fail(&b);
	/* The idle guests: as many as the host holds. */
	for (unsigned int i = 0; i < VMM_MAX_GUESTS; i++) {
		char name[16];

		snprintf(name, sizeof(name), "idle%u", i);
		if (bench_launch(&b, name, IDLE_MIB, "touch 4M; hold 10m",
				 &ids[nr]))
			break;
		nr++;
	}
	for (unsigned int i = 0; i < nr; i++)
		bench_wait_phases(&b, ids[i], 1, BENCH_WAIT_MS);
	printf("metrics.guests %u count\n", host_nr_running(b.h));

	ret = scrape_latency(s, ns, &bytes);
	if (ret) {
		fprintf(stderr, "bench_metrics: scrape: %s\n", strerror(-ret));
		return 1;
	}
	printf("metrics.scrape_bytes %zu bytes\n", bytes);
	printf("metrics.scrape_p50_ms %.3f ms\n", pct(ns, SCRAPES, 50) / 1e6);
	printf("metrics.scrape_p99_ms %.3f ms\n", pct(ns, SCRAPES, 99) / 1e6);
	printf("metrics.scrape_max_ms %.3f ms\n", ns[SCRAPES - 1] / 1e6);
	printf("metrics.write_p50_ms %.3f ms\n", write_latency(b.h) / 1e6);
	lock_hold(b.h, hold);
	printf("metrics.lock_hold_p50_us %.2f us\n", hold[0] / 1e3);
	printf("metrics.lock_hold_max_us %.1f us\n", hold[1] / 1e3);

	/* The last idle guest makes room for the touch guest. */
	if (nr == VMM_MAX_GUESTS) {
		nr--;
		host_guest_stop(b.h, ids[nr], VM_EXIT_STOPPED, "make room");
		host_guest_wait(b.h, ids[nr], -1);
		host_reap(b.h, ids[nr]);
	}
	/* The idle guests held out of KVM_RUN from here: still there for
	 * the scrapes, but their polling no longer takes the CPUs the
	 * touch guest and the scraper share. */
	for (unsigned int i = 0; i < nr; i++)
		if (vm_pause(host_vm(b.h, ids[i])))
			fprintf(stderr, "bench_metrics: could not pause %u\n",
				ids[i]);
	/* Each run from a pool the host backs no more of than the idle
	 * guests' (cold, as bench_fault's), quiet first in even rounds,
	 * scraped first in odd ones. */
	for (int r = 0; r < 2 * ROUNDS; r++) {
		bool scrape = (r & 1) ^ ((r / 2) & 1);
		struct scraper sc = { .s = s };

		pool_return_free_pageblocks(host_pool(b.h));
		if (!scrape) {
			quiet[r / 2] = touch_run(&b, lq);
			continue;
		}
		pthread_create(&sc.thread, NULL, scrape_loop, &sc);
		scraped[r / 2] = touch_run(&b, ls);
		sc.stop = true;
		pthread_join(sc.thread, NULL);
		scrapes += sc.scrapes;
		failed += sc.failed;
	}
	printf("fault.quiet_gib_s %.3f GiB/s\n", bench_median(quiet, ROUNDS));
	printf("fault.scraped_gib_s %.3f GiB/s\n",
	       bench_median(scraped, ROUNDS));
	printf("fault.scraped_vs_quiet %.3f ratio\n",
	       bench_median(scraped, ROUNDS) / bench_median(quiet, ROUNDS));
	printf("fault.quiet_p50_us %.2f us\n", hist_percentile(lq, 50) / 1e3);
	printf("fault.scraped_p50_us %.2f us\n", hist_percentile(ls, 50) / 1e3);
	printf("fault.quiet_p99_us %.2f us\n", hist_percentile(lq, 99) / 1e3);
	printf("fault.scraped_p99_us %.2f us\n", hist_percentile(ls, 99) / 1e3);
	printf("fault.scrapes_during %u count\n", scrapes);
	if (failed)
		printf("fault.scrapes_failed %u count\n", failed);
	for (unsigned int i = 0; i < nr; i++)
		vm_resume(host_vm(b.h, ids[i]));
	metrics_server_stop(s);
	bench_host_destroy(&b);
	free(lq);
	free(ls);
	return 0;
}
