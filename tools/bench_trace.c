// SPDX-License-Identifier: GPL-2.0
/*
 * bench_trace: what a tracing session costs and how much it carries.
 *
 * Overhead: a 1-vCPU guest touches 256 MiB faulted in at order 0 (the
 * most trace events per byte: a fault, a slow path now and then), its
 * touch phase timed by the guest; rounds alternate no session, a session
 * with the default choices (page events off, memory samples every 100
 * ms) and one with page events on, in turns.  The overhead is the median
 * of each round's loss of throughput against its own run without
 * tracing.
 *
 * Sustained rate: while three guests fault and reclaim in an
 * overcommitted pool (the README's example, shorter; page events on), a
 * thread adds events to the ring at a paced rate, doubled each step of
 * half a second; a session streams everything to a file.  The highest
 * rate (the guests' events included) at which the session lost nothing
 * is trace.events_per_s; the guests' own rate is its baseline.
 *
 * Prints `name value unit` lines (BENCH_VERBOSE=1: each step on stderr).
 * Needs /dev/kvm.  Trace files go to $TMPDIR (or /tmp) and are removed.
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
#include "vmm/guest_mem/trace.h"

#define TOUCH_MIB 256
#define ROUNDS 11
#define STEP_MS 500
#define MAX_RATE 16000000.0

enum { OFF, ON, ON_PAGES, NR_MODES };

static const char *const mode_name[NR_MODES] = { "off", "on", "on_pages" };

/* What the sessions of one mode wrote and lost, all rounds. */
struct totals {
	uint64_t events, lost;
};

static int session_start(struct bench *b, const char *path, bool pages)
{
	struct host_trace_opts o;

	host_trace_default_opts(b->h, &o);
	o.page_events = pages;
	o.sample_ns = 100000000; /* vmm's default */
	return host_trace_start(b->h, path, HOST_TRACE_REPLACE, &o, b->err,
				sizeof(b->err));
}

static void session_stop(struct bench *b, const char *path, struct totals *t)
{
	struct host_trace_result res;

	if (host_trace_stop(b->h, &res, NULL))
		fprintf(stderr, "bench_trace: writing %s failed\n", path);
	t->events += res.events;
	t->lost += res.lost;
	unlink(path);
}

/* One touch guest, traced as mode says; GiB/s of its touch, or < 0. */
static double touch_run(struct bench *b, int mode, const char *path,
			struct totals *t)
{
	struct vm_resources res = b->res;
	struct guest_spec spec;
	struct vm_summary s;
	char script[64];
	unsigned int id;
	double gibs = -1;

	res.no_huge = true;
	snprintf(script, sizeof(script), "touch %dM", TOUCH_MIB);
	bench_spec(&spec, "touch", TOUCH_MIB + 64, script);
	if (mode != OFF && session_start(b, path, mode == ON_PAGES))
		return -1;
	if (bench_launch_spec(b, &spec, &res, &id)) {
		bench_fail(b);
	} else {
		if (!bench_wait_end(b, id, BENCH_WAIT_MS) &&
		    !host_guest_summary(b->h, id, &s) && s.nr_phases >= 1 &&
		    s.phase[0].ns)
			gibs = (TOUCH_MIB / 1024.0) / (s.phase[0].ns / 1e9);
		host_reap(b->h, id);
	}
	if (mode != OFF)
		session_stop(b, path, t);
	pool_return_free_pageblocks(host_pool(b->h));
	return gibs;
}

static int overhead(const char *dir)
{
	struct vmm_config cfg = {
		.pool_bytes = (uint64_t)(TOUCH_MIB + 512) << 20,
		.nr_nodes = 1,
		.hugepages = true,
	};
	struct bench b = { .prog = "bench_trace" };
	double g[NR_MODES][ROUNDS], loss[NR_MODES][ROUNDS];
	struct totals t[NR_MODES] = { 0 };
	char path[512];

	snprintf(path, sizeof(path), "%s/bench_trace.%d", dir, getpid());
	if (bench_host_create(&b, &cfg))
		return bench_fail(&b);
	/* Each mode after each other as often: a run pays for what the
	 * one before left (the writeback of its trace). */
	for (int r = 0; r < ROUNDS; r++)
		for (int i = 0; i < NR_MODES; i++) {
			int m = (r + i) % NR_MODES;

			g[m][r] = touch_run(&b, m, path, &t[m]);
			if (g[m][r] <= 0) {
				bench_host_destroy(&b);
				return 1;
			}
		}
	for (int m = 0; m < NR_MODES; m++)
		for (int r = 0; r < ROUNDS; r++)
			loss[m][r] = 100.0 * (1 - g[m][r] / g[OFF][r]);
	for (int m = 0; m < NR_MODES; m++)
		printf("trace.touch_%s_gib_s %.3f GiB/s\n", mode_name[m],
		       bench_median(g[m], ROUNDS));
	printf("trace.overhead_pct %.1f %%\n", bench_median(loss[ON], ROUNDS));
	printf("trace.overhead_page_events_pct %.1f %%\n",
	       bench_median(loss[ON_PAGES], ROUNDS));
	printf("trace.events %" PRIu64 " events\n", t[ON].events);
	printf("trace.lost %" PRIu64 " events\n", t[ON].lost);
	printf("trace.page_events %" PRIu64 " events\n", t[ON_PAGES].events);
	printf("trace.page_events_lost %" PRIu64 " events\n", t[ON_PAGES].lost);
	bench_host_destroy(&b);
	return 0;
}

struct emitter {
	struct trace_ring *ring;
	double rate; /* events per second */
	uint64_t sent, ns;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* rate events a second for STEP_MS, in a burst every millisecond. */
static void *emit_main(void *arg)
{
	struct emitter *e = arg;
	uint64_t t0 = now_ns(), sent = 0;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	for (int ms = 1; ms <= STEP_MS; ms++) {
		uint64_t until = (uint64_t)(e->rate * ms / 1000);

		for (; sent < until; sent++)
			trace_event(e->ring, TR_FAULT, 999, sent << 12, 0,
				    sent);
		ts.tv_nsec += 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
	e->sent = sent;
	e->ns = now_ns() - t0;
	return NULL;
}

/* One step: a session with the guests' events and rate more; events a
 * second written, and what was lost. */
static int step(struct bench *b, const char *path, double rate, double *eps,
		uint64_t *lost)
{
	struct emitter e = { .ring = host_trace_ring(b->h), .rate = rate };
	struct host_trace_result res;
	uint64_t t0;
	pthread_t th;

	if (session_start(b, path, true))
		return bench_fail(b);
	t0 = now_ns();
	if (pthread_create(&th, NULL, emit_main, &e)) {
		host_trace_stop(b->h, &res, NULL);
		return 1;
	}
	pthread_join(th, NULL);
	host_trace_stop(b->h, &res, NULL);
	*eps = (res.events + res.lost) / ((now_ns() - t0) / 1e9);
	*lost = res.lost;
	if (getenv("BENCH_VERBOSE"))
		fprintf(stderr,
			"step %.0f/s: emitted %.0f/s, %.0f events/s, %" PRIu64
			" lost\n",
			rate, e.sent / (e.ns / 1e9), *eps, res.lost);
	unlink(path);
	return 0;
}

/*
 * The README's three overcommitted guests, a shorter run of the same
 * shape (tests/cli/t_trace_whole.sh's): they fault, and reclaim from one
 * another through their balloons.  A trio that has ended is reaped and
 * launched again, so that every step has one at work.
 */
struct trio {
	unsigned int id[3];
	bool running;
};

static int trio_keep(struct bench *b, struct trio *t, bool wait)
{
	static const char *const script[3] = {
		"touch 150M; free 140M; hold 1500ms; touch 40M; verify",
		"sleep 700ms; touch 150M; free 140M; hold 1500ms; touch 40M; verify",
		"sleep 1400ms; touch 150M; free 140M; hold 1500ms; touch 40M; verify",
	};
	struct guest_spec spec;
	struct vm_summary s;

	if (t->running) {
		for (int i = 0; i < 3 && !wait; i++)
			if (host_guest_summary(b->h, t->id[i], &s) || !s.exited)
				return 0;
		for (int i = 0; i < 3; i++) {
			bench_wait_end(b, t->id[i], BENCH_WAIT_MS);
			host_reap(b->h, t->id[i]);
		}
		t->running = false;
	}
	for (int i = 0; i < 3; i++) {
		bench_spec(&spec, (const char *[]){ "a", "b", "c" }[i], 192,
			   script[i]);
		if (bench_launch_spec(b, &spec, NULL, &t->id[i]))
			return -1;
	}
	t->running = true;
	return 0;
}

/* The trio's own events a second, over one whole run of it. */
static int workload(struct bench *b, struct trio *t, const char *path,
		    double *eps, uint64_t *lost)
{
	struct host_trace_result res;
	uint64_t t0;

	if (session_start(b, path, true))
		return -1;
	t0 = now_ns();
	/* Launched, waited for, and launched again for what follows. */
	if (trio_keep(b, t, false) || trio_keep(b, t, true)) {
		host_trace_stop(b->h, &res, NULL);
		return -1;
	}
	host_trace_stop(b->h, &res, NULL);
	*eps = (res.events + res.lost) / ((now_ns() - t0) / 1e9);
	*lost = res.lost;
	unlink(path);
	return 0;
}

static int sustained(const char *dir)
{
	/*
	 * A small balloon step: direct reclaim, often (as the test's); a
	 * pool that holds two guests at their peak: reclaim, no OOM.
	 */
	struct vmm_config cfg = {
		.pool_bytes = 320ULL << 20,
		.nr_nodes = 1,
		.hugepages = true,
		.balloon_step_bytes = 256 << 10,
	};
	struct bench b = { .prog = "bench_trace" };
	struct trio t = { 0 };
	double best = 0, base = 0, eps, rate;
	uint64_t lost, base_lost;
	char path[512];

	snprintf(path, sizeof(path), "%s/bench_trace.%d", dir, getpid());
	if (bench_host_create(&b, &cfg))
		return bench_fail(&b);
	/* Three vCPUs on this machine's two CPUs: said once, here. */
	host_set_output(b.h, NULL, NULL, b.null);
	if (workload(&b, &t, path, &base, &base_lost))
		goto fail;
	for (rate = 250000; rate <= MAX_RATE; rate *= 2) {
		if (trio_keep(&b, &t, false) ||
		    step(&b, path, rate, &eps, &lost))
			goto fail;
		if (lost)
			break;
		best = eps;
	}
	/* Between the last rate kept and the one that lost events. */
	if (best && rate <= MAX_RATE && !trio_keep(&b, &t, false) &&
	    !step(&b, path, rate * 0.75, &eps, &lost) && !lost && eps > best)
		best = eps;
	printf("trace.workload_events_per_s %.0f events/s\n", base);
	printf("trace.workload_lost %" PRIu64 " events\n", base_lost);
	printf("trace.events_per_s %.0f events/s\n", best);
	if (rate > MAX_RATE)
		printf("trace.events_per_s_capped 1 flag\n");
	else
		printf("trace.loss_at_events_per_s %.0f events/s\n", rate);
	bench_host_destroy(&b);
	return 0;
fail:
	bench_fail(&b);
	bench_host_destroy(&b);
	return 1;
}

int main(void)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	struct bench b = { .prog = "bench_trace" };

	if (!bench_have_kvm(&b))
		return 0;
	if (overhead(dir))
		return 1;
	return sustained(dir);
}
