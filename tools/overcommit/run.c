// SPDX-License-Identifier: GPL-2.0
/* Running an overcommit scenario in this process (run.h). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "mm/mm.h"
#include "mm/trace_writer.h"
#include "tools/overcommit/files.h"
#include "tools/overcommit/run.h"
#include "tools/overcommit/sample.h"
#include "util/event_loop.h"
#include "vmm/host/api.h"

struct oc_run;

/* A guest's events on the loop. */
struct oc_slot {
	struct oc_run *run;
	struct oc_guest *g;
	struct ev start_ev, stop_ev;
};

struct oc_run {
	const struct scenario *sc;
	struct oc_result *r;
	struct vmm_host *h;
	struct evloop loop;
	struct ev sig_ev, sample_ev, release_ev, end_ev, timeout_ev, grace_ev;
	int sfd;
	unsigned int signals;
	bool stopping; /* no more launches */
	bool shutting_down; /* guests asked to shut down, grace_ev armed */
	struct sampler sampler;
	FILE *trace, *guests_txt, *oom_txt, *console;
	struct trace_writer tw; /* the ring into trace.txt */
	struct oc_slot slot[VMM_MAX_GUESTS];
};

static uint64_t now(struct oc_run *run)
{
	return trace_clock_ns() - run->r->t0;
}

/* Everything in the ring so far into trace.txt, and where events were
 * lost (mm/trace_writer.h). */
static void drain_trace(struct oc_run *run)
{
	trace_writer_drain(&run->tw, trace_ring_head(host_trace_ring(run->h)));
}

static bool all_done(struct oc_run *run)
{
	for (unsigned int i = 0; i < run->r->nr_guests; i++)
		if (run->r->guest[i].state == OC_PENDING ||
		    run->r->guest[i].state == OC_RUNNING)
			return false;
	return true;
}

/* How it ended, read before host_reap() frees it. */
static void record_end(struct oc_run *run, struct oc_guest *g)
{
	struct host_guest_info gi;
	struct psi_stats psi;

	g->ended_ns = now(run);
	g->state = OC_ENDED;
	/* Its last pressure sample: the totals at its end. */
	if (!host_guest_pressure(run->h, g->id, &psi))
		oc_pressure_add(&g->psi, &psi);
	if (host_guest_info(run->h, g->id, &gi))
		return;
	g->sum = gi.sum;
	g->why = gi.why;
	memcpy(g->detail, gi.detail, sizeof(g->detail));
	g->mem = gi.mem;
	g->swap = gi.swap;
	g->has_balloon = gi.has_balloon;
	if (gi.has_balloon)
		g->balloon = gi.balloon;
}

static void guest_stopped(struct evloop *l, struct ev *e, int res)
{
	struct oc_slot *slot = e->arg;
	struct oc_run *run = slot->run;
	struct oc_guest *g = slot->g;

	(void)res;
	evloop_del(l, e);
	record_end(run, g);
	/* Its summary goes to guests.txt; every frame back to the pool. */
	host_reap(run->h, g->id);
	fflush(run->guests_txt);
	if (all_done(run))
		evloop_stop(l);
}

static void launch(struct oc_run *run, struct oc_slot *slot)
{
	struct oc_guest *g = slot->g;
	struct vm_resources res = { .pool = host_pool(run->h),
				    .no_irqchip = run->sc->cfg.irqchip_off,
				    .console = run->console };
	unsigned int id = 0, next;
	int stop_fd;

	if (run->stopping) {
		g->state = OC_NOT_STARTED;
		return;
	}
	/* Name the guest in the trace before its first event: it gets the
	 * host's next id. */
	next = host_next_id(run->h);
	drain_trace(run);
	fprintf(run->trace, "# vm=%u name=%s\n", next, g->spec->name);
	g->started_ns = now(run);
	if (host_launch(run->h, g->spec, &res, &id, g->error,
			sizeof(g->error))) {
		/*
		 * A VM whose vCPUs would not start exists, stopped with a
		 * host error: it is reaped like any other that stops.
		 */
		if (!g->error[0])
			snprintf(g->error, sizeof(g->error), "failed");
	}
	stop_fd = host_guest_stop_fd(run->h, id);
	if (id != next || stop_fd < 0) {
		g->state = OC_LAUNCH_FAILED;
		return;
	}
	g->id = id;
	g->state = OC_RUNNING;
	evloop_add_poll(&run->loop, &slot->stop_ev, stop_fd, guest_stopped,
			slot);
}

static void on_start(struct evloop *l, struct ev *e, int res)
{
	struct oc_slot *slot = e->arg;

	(void)res;
	evloop_del(l, e);
	if (slot->g->state == OC_PENDING)
		launch(slot->run, slot);
	if (all_done(slot->run))
		evloop_stop(l);
}

/* The end of the run: stop every guest; those to come never start. */
static void stop_all(struct oc_run *run, const char *why)
{
	run->stopping = true;
	for (unsigned int i = 0; i < run->r->nr_guests; i++) {
		struct oc_guest *g = &run->r->guest[i];

		if (g->state == OC_PENDING)
			g->state = OC_NOT_STARTED;
		else if (g->state == OC_RUNNING)
			g->stopped_by_runner = true;
	}
	host_stop_all(run->h, why);
	if (all_done(run))
		evloop_stop(&run->loop);
}

/* The shutdown's time-out: whoever did not shut down is killed. */
static void end_grace(struct oc_run *run)
{
	run->shutting_down = false;
	/* Every guest still there was asked (on_end()). */
	host_kill_unresponsive(run->h);
	stop_all(run, "the scenario's duration is over");
}

static void on_grace(struct evloop *l, struct ev *e, int res)
{
	(void)l, (void)res;
	end_grace(e->arg);
}

/*
 * The duration is over: each running guest is asked to shut down (ours
 * verify their memory on the way out), those to come never start, and
 * run.shutdown_timeout later the rest are killed.
 */
static void on_end(struct evloop *l, struct ev *e, int res)
{
	struct oc_run *run = e->arg;
	uint64_t grace = run->sc->shutdown_timeout_ns;

	(void)res;
	run->r->duration_reached = true;
	if (!grace) {
		stop_all(run, "the scenario's duration is over");
		return;
	}
	run->stopping = true;
	for (unsigned int i = 0; i < run->r->nr_guests; i++) {
		struct oc_guest *g = &run->r->guest[i];

		if (g->state == OC_PENDING) {
			g->state = OC_NOT_STARTED;
		} else if (g->state == OC_RUNNING) {
			g->stopped_by_runner = true;
		}
	}
	/* The guests running are the scenario's: each is asked. */
	host_shutdown_all(run->h);
	if (all_done(run)) {
		evloop_stop(l);
		return;
	}
	run->shutting_down = true;
	evloop_add_timer(l, &run->grace_ev, grace, 0, on_grace, run);
}

static void on_timeout(struct evloop *l, struct ev *e, int res)
{
	struct oc_run *run = e->arg;

	(void)l, (void)res;
	/* Within the shutdown's grace: that ends, not the run's time. */
	if (run->shutting_down) {
		end_grace(run);
		return;
	}
	run->r->timed_out = true;
	stop_all(run, "the scenario timed out");
}

static void on_signal(struct evloop *l, struct ev *e, int res)
{
	struct oc_run *run = e->arg;
	struct signalfd_siginfo si;

	(void)l, (void)res;
	if (read(run->sfd, &si, sizeof(si)) != sizeof(si))
		return;
	run->signals++;
	run->r->interrupted = true;
	sampler_break_line(&run->sampler);
	fprintf(stderr, "overcommit: %s: stopping every guest%s\n",
		strsignal(si.ssi_signo), run->signals > 1 ? " (again)" : "");
	stop_all(run, "interrupted by a signal");
}

static void on_sample(struct evloop *l, struct ev *e, int res)
{
	struct oc_run *run = e->arg;
	uint64_t t = now(run);

	(void)l, (void)res;
	sampler_take(&run->sampler, run->h, run->r, t);
	drain_trace(run);
	sampler_progress(&run->sampler, run->h, run->r, t, false);
}

/*
 * Free pageblocks back to the host, every release_interval.  Synchronous
 * fallocate()s from this thread: `vmm run` batches them through io_uring,
 * here the few milliseconds they take do not matter.
 */
static void on_release(struct evloop *l, struct ev *e, int res)
{
	struct oc_run *run = e->arg;
	long n;

	(void)l, (void)res;
	n = pool_return_free_pageblocks(host_pool(run->h));
	if (n > 0)
		run->r->released_pageblocks += n;
}

static int block_signals(sigset_t *set, sigset_t *old)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	/* Before any thread exists: every thread inherits the mask. */
	return -pthread_sigmask(SIG_BLOCK, set, old);
}

static void pool_info(struct oc_run *run)
{
	struct oc_result *r = run->r;
	struct host_stats st;

	host_get_stats(run->h, &st);
	r->nr_nodes = st.nr_nodes;
	r->pool_bytes = st.pool_bytes;
	r->hugepages = st.hugepages;
	for (unsigned int nid = 0; nid < st.nr_nodes; nid++) {
		r->node_min_free[nid] = ULONG_MAX;
		memcpy(r->wmark[nid], st.node[nid].wmark,
		       sizeof(r->wmark[nid]));
		r->node_pages[nid] = st.node[nid].spanned;
	}
}

/* What each node's kswapd asked out of balloons, at the end. */
static void node_deflated(struct oc_run *run)
{
	struct host_stats st;

	host_get_stats(run->h, &st);
	for (unsigned int nid = 0; nid < st.nr_nodes; nid++)
		run->r->node_deflated[nid] = st.node[nid].deflated;
}

static int __attribute__((format(printf, 3, 4)))
fail(struct oc_result *r, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	r->host_error = true;
	return ret;
}

static void start_timers(struct oc_run *run)
{
	const struct scenario *sc = run->sc;
	struct oc_result *r = run->r;

	evloop_add_poll(&run->loop, &run->sig_ev, run->sfd, on_signal, run);
	evloop_add_timer(&run->loop, &run->sample_ev, r->sample_ns,
			 r->sample_ns, on_sample, run);
	if (sc->cfg.release_interval_ms)
		evloop_add_timer(&run->loop, &run->release_ev,
				 sc->cfg.release_interval_ms * 1000000ULL,
				 sc->cfg.release_interval_ms * 1000000ULL,
				 on_release, run);
	if (sc->duration_ns)
		evloop_add_timer(&run->loop, &run->end_ev, sc->duration_ns, 0,
				 on_end, run);
	evloop_add_timer(&run->loop, &run->timeout_ev, sc->timeout_ns, 0,
			 on_timeout, run);
	for (unsigned int i = 0; i < r->nr_guests; i++) {
		struct oc_slot *slot = &run->slot[i];

		slot->run = run;
		slot->g = &r->guest[i];
		if (slot->g->start_ns)
			evloop_add_timer(&run->loop, &slot->start_ev,
					 slot->g->start_ns, 0, on_start, slot);
		else
			launch(run, slot);
	}
}

int oc_run(const struct scenario *sc, const char *dir,
	   const struct oc_options *opt, struct oc_result *r)
{
	struct oc_run run = { .sc = sc, .r = r, .sfd = -1 };
	struct vmm_config cfg = sc->cfg;
	uint64_t mask = ~0ULL;
	char err[512], swap_path[4096];
	sigset_t set, old;
	int ret;

	memset(r, 0, sizeof(*r));
	r->sc = sc;
	r->dir = dir;
	r->sample_ns = opt->sample_ns ? opt->sample_ns : sc->sample_ns;
	r->trace_ring = sc->trace_events;
	r->nr_guests = sc->cfg.nr_guests;
	for (unsigned int i = 0; i < r->nr_guests; i++) {
		r->guest[i].spec = &sc->cfg.guest[i];
		r->guest[i].start_ns = sc->start_ns[i];
	}
	if (!(run.trace = oc_fopen(dir, "trace.txt", err, sizeof(err))) ||
	    !(run.guests_txt = oc_fopen(dir, "guests.txt", err, sizeof(err))) ||
	    !(run.oom_txt = oc_fopen(dir, "oom.txt", err, sizeof(err))) ||
	    !(run.console = oc_fopen(dir, "console.txt", err, sizeof(err)))) {
		ret = fail(r, -EIO, "%s", err);
		goto out_files;
	}
	ret = sampler_open(&run.sampler, dir, opt->progress ? stderr : NULL,
			   err, sizeof(err));
	if (ret) {
		fail(r, ret, "%s", err);
		goto out_files;
	}
	ret = block_signals(&set, &old);
	if (ret) {
		fail(r, ret, "signals: %s", strerror(-ret));
		goto out_sampler;
	}
	run.sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (run.sfd < 0) {
		ret = fail(r, -errno, "signalfd: %s", strerror(errno));
		goto out_sfd;
	}
	ret = evloop_init(&run.loop, 256);
	if (ret) {
		fail(r, ret, "io_uring: %s", strerror(-ret));
		goto out_sfd;
	}
	cfg.trace_path = NULL; /* the ring is ours to drain */
	cfg.trace_events = sc->trace_events;
	/* A swap file sized by the scenario and not placed by it lives in
	 * the report directory. */
	if (cfg.swap_file_size_set && !cfg.swap_file_path) {
		snprintf(swap_path, sizeof(swap_path), "%s/swap.file", dir);
		cfg.swap_file_path = swap_path;
	}
	ret = host_create(&cfg, &run.h, err, sizeof(err));
	if (ret) {
		fail(r, ret, "pool: %s", err);
		goto out_loop;
	}
	/* Warnings to guests.txt: not across the progress line. */
	host_set_output(run.h, run.guests_txt, run.oom_txt, run.guests_txt);
	/*
	 * Balloon notifications are served by the vCPUs' MMIO exits, not
	 * by this loop (the host is given none): a launch here allocates the
	 * new guest's boot memory from the pool and may wait in direct
	 * reclaim for balloons to inflate; if this loop had to carry their
	 * notifications it would wait for itself until the OOM killer
	 * struck (seen: a guest killed with all its free memory unasked).
	 */
	if (!sc->cfg.trace_page_events)
		mask &= ~((1ULL << TR_PAGE_ALLOC) | (1ULL << TR_PAGE_FREE));
	trace_ring_set_events(host_trace_ring(run.h), mask);
	trace_writer_begin(&run.tw, host_trace_ring(run.h), run.trace, NULL,
			   NULL);
	trace_ring_enable(host_trace_ring(run.h), true);
	pool_info(&run);
	fprintf(run.trace,
		"# vmm overcommit: scenario %s, time 0 at ts=%" PRIu64 "\n",
		sc->name, trace_clock_ns());
	r->t0 = trace_clock_ns();
	sampler_take(&run.sampler, run.h, r, 0);
	start_timers(&run);
	if (!all_done(&run)) {
		ret = evloop_run(&run.loop);
		if (ret)
			fail(r, ret, "event loop: %s", strerror(-ret));
	}
	r->elapsed_ns = now(&run);
	sampler_take(&run.sampler, run.h, r, r->elapsed_ns);
	sampler_progress(&run.sampler, run.h, r, r->elapsed_ns, true);
	/* Stops and reaps anything left (only after an error). */
	for (unsigned int i = 0; i < r->nr_guests; i++)
		if (r->guest[i].state == OC_RUNNING) {
			host_stop_all(run.h, "the run failed");
			host_guest_wait(run.h, r->guest[i].id, -1);
			record_end(&run, &r->guest[i]);
			host_reap(run.h, r->guest[i].id);
		}
	all_vm_events(host_pool(run.h), r->vmstat);
	node_deflated(&run);
	trace_ring_enable(host_trace_ring(run.h), false);
	trace_writer_end(&run.tw);
	r->trace_events = run.tw.records;
	r->trace_lost = run.tw.lost;
	host_destroy(run.h);
out_loop:
	evloop_destroy(&run.loop);
out_sfd:
	if (run.sfd >= 0)
		close(run.sfd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
out_sampler:
	if (sampler_close(&run.sampler) && !ret)
		ret = fail(r, -EIO, "%s: writing the CSV files failed", dir);
out_files:
	if ((oc_fclose(&run.trace) | oc_fclose(&run.guests_txt) |
	     oc_fclose(&run.oom_txt) | oc_fclose(&run.console)) &&
	    !ret)
		ret = fail(r, -EIO, "%s: writing the report failed", dir);
	return ret;
}
