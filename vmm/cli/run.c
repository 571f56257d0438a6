// SPDX-License-Identifier: GPL-2.0
/*
 * `vmm run` and `vmm host`: the pool, the guests, the control socket, one
 * io_uring loop.  run ends when its last guest does; host keeps its pool
 * until told to quit (over the socket, or SIGINT/SIGTERM).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "mm/mm.h"
#include "vmm/ctl/ctl.h"
#include "vmm/ctl/path.h"
#include "util/event_loop.h"
#include "vmm/host/host.h"
#include "vmm/host/events.h"
#include "vmm/kvm/kvm.h"
#include "vmm/metrics/metrics.h"
#include "vmm/cli/run.h"

#define RELEASE_BATCH 32 /* free blocks per round, up to 2 pageblocks each */

struct punch {
	struct ev ev;
	struct run *r;
	pfn_t pageblock;
};

struct run {
	struct vmm_host *h;
	struct evloop loop;
	struct ev sig_ev, stats_ev, release_ev, grace_ev;
	/* Giving free pageblocks back to the host through io_uring. */
	struct pool_release rel[RELEASE_BATCH];
	int nr_rel;
	unsigned int punches_in_flight;
	struct punch punch[RELEASE_BATCH * 2];
	uint64_t released; /* pageblocks */
	struct ev stop_ev[VMM_MAX_GUESTS + 1]; /* by the guests' slots */
	int sfd;
	unsigned int signals;
	bool failed; /* a guest did not end cleanly */
	bool quitting; /* every guest is being stopped: end when none left */
	bool grace; /* guests asked to shut down, grace_ev armed */
	struct ctl_server *ctl;
	struct metrics_server *metrics; /* --metrics */
};

/* Nothing left to run: run ends with its last guest, host when told. */
static void maybe_end(struct run *r)
{
	if (!host_nr_running(r->h) && (!r->h->cfg.host_mode || r->quitting))
		evloop_stop(&r->loop);
}

/* The guests asked had their time: the rest are killed. */
static void on_grace(struct evloop *l, struct ev *e, int res)
{
	struct run *r = e->arg;

	(void)l, (void)res;
	r->grace = false;
	host_kill_unresponsive(r->h);
	maybe_end(r);
}

/*
 * End: every guest is asked to shut down (ours verify their memory on
 * the way out) and killed timeout_ns later; with 0, or when asked again
 * meanwhile, they stop at once.
 */
static void run_quit(struct run *r, const char *why, uint64_t timeout_ns)
{
	r->quitting = true;
	if (timeout_ns && !r->grace) {
		if (host_shutdown_all(r->h) &&
		    !evloop_add_timer(&r->loop, &r->grace_ev, timeout_ns, 0,
				      on_grace, r)) {
			r->grace = true;
			return;
		}
	}
	host_stop_all(r->h, why);
	maybe_end(r);
}

static bool ended_cleanly(struct vm *vm)
{
	struct vm_summary s;
	char d[VM_DETAIL_MAX];

	vm_get_summary(vm, &s);
	return vm_exit_reason(vm, d, sizeof(d)) == VM_EXIT_GUEST_EXIT &&
	       s.exit_status == 0 && !s.verify_bad && !s.nr_corrupt;
}

static void on_guest_stop(struct evloop *l, struct ev *e, int res)
{
	struct run *r = e->arg;
	struct vm *vm = r->h->vm[e - r->stop_ev];

	(void)res;
	evloop_del(l, e);
	if (vm && !ended_cleanly(vm))
		r->failed = true;
	if (vm)
		host_reap(r->h, vm->id);
	fflush(r->h->out);
	maybe_end(r);
}

static void watch_guest(struct run *r, unsigned int id)
{
	struct vm *vm = host_vm(r->h, id);

	if (vm)
		evloop_add_poll(&r->loop, &r->stop_ev[vm->slot], vm->stop_efd,
				on_guest_stop, r);
}

static void on_signal(struct evloop *l, struct ev *e, int res)
{
	struct run *r = e->arg;
	struct signalfd_siginfo si;

	(void)l, (void)res;
	if (read(r->sfd, &si, sizeof(si)) != sizeof(si))
		return;
	r->signals++;
	if (r->signals == 1 && r->h->cfg.shutdown_timeout_ns &&
	    host_nr_running(r->h))
		fprintf(stderr,
			"vmm: %s: asking every guest to shut down (again to stop them at once)\n",
			strsignal(si.ssi_signo));
	else
		fprintf(stderr, "vmm: %s: stopping every guest%s\n",
			strsignal(si.ssi_signo),
			r->signals > 1 ? " (again)" : "");
	if (r->signals == 1)
		host_event_shutdown(r->h, strsignal(si.ssi_signo));
	run_quit(r,
		 r->signals > 1 ? "interrupted again" :
				  "interrupted by a signal",
		 r->signals > 1 ? 0 : r->h->cfg.shutdown_timeout_ns);
}

/* What the control socket may ask of us. */
static void ctl_watch_guest(void *priv, unsigned int id)
{
	watch_guest(priv, id);
}

static void ctl_quit(void *priv, const char *why, uint64_t timeout_ns)
{
	run_quit(priv, why, timeout_ns);
}

static bool ctl_quitting(void *priv)
{
	struct run *r = priv;

	return r->quitting;
}

static void on_stats(struct evloop *l, struct ev *e, int res)
{
	struct run *r = e->arg;

	(void)l, (void)res;
	host_print_stats_line(r->h, stdout);
}

static void on_punched(struct evloop *l, struct ev *e, int res)
{
	struct punch *p = (struct punch *)e;
	struct run *r = p->r;

	(void)l;
	if (!res) {
		pool_release_pageblock_done(r->h->pool, p->pageblock);
		r->released++;
	}
	/* The blocks go back to the free lists once every punch is in. */
	if (!--r->punches_in_flight) {
		pool_release_end(r->h->pool, r->rel, r->nr_rel);
		r->nr_rel = 0;
	}
}

/*
 * Every release interval: take the pool's free pageblocks that the host
 * still backs and punch them out of the memfd, one batch of io_uring
 * fallocate()s at a time.
 */
static void on_release(struct evloop *l, struct ev *e, int res)
{
	struct run *r = e->arg;
	struct mm_pool *pool = r->h->pool;
	unsigned int n = 0;

	(void)res;
	if (r->punches_in_flight)
		return; /* the last batch is still out */
	r->nr_rel = pool_release_begin(pool, r->rel, RELEASE_BATCH);
	for (int i = 0; i < r->nr_rel; i++) {
		for (pfn_t p = r->rel[i].pfn;
		     p < r->rel[i].pfn + (1U << r->rel[i].order);
		     p += pageblock_nr_pages) {
			struct punch *pu = &r->punch[n];

			if (pageblock_returned(pool, p))
				continue;
			pu->r = r;
			pu->pageblock = p;
			if (evloop_punch_hole(l, &pu->ev, pool->memfd,
					      pfn_to_offset(p),
					      pageblock_nr_pages << PAGE_SHIFT,
					      on_punched, pu))
				continue;
			n++;
		}
	}
	r->punches_in_flight = n;
	if (!n) {
		pool_release_end(pool, r->rel, r->nr_rel);
		r->nr_rel = 0;
	}
}

static int block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	/* Before any thread exists, so every thread inherits it and the
	 * signals come only through the signalfd. */
	return -pthread_sigmask(SIG_BLOCK, set, NULL);
}

/*
 * Where the control socket goes: --socket, or for `vmm host` the default
 * one vmmctl finds too (path.h); NULL for none.  *ours: its directory is
 * ours to make private.
 */
static const char *socket_path(const struct vmm_config *cfg, char *buf,
			       size_t len, bool *ours)
{
	int ret;

	*ours = false;
	if (cfg->socket_path || !cfg->host_mode)
		return cfg->socket_path;
	ret = ctl_default_socket(buf, len);
	if (ret < 0) {
		fprintf(stderr,
			"vmm: no default socket path fits in %d bytes: use --socket\n",
			CTL_SOCKET_PATH_MAX - 1);
		return NULL;
	}
	*ours = ret;
	return buf;
}

int vmm_run(const struct vmm_config *cfg)
{
	struct run r = { .sfd = -1 };
	struct ctl_ops ops = {
		.priv = &r,
		.mode = cfg->host_mode ? "host" : "run",
		.watch_guest = ctl_watch_guest,
		.quit = ctl_quit,
		.quitting = ctl_quitting,
	};
	char err[512], sock_buf[CTL_SOCKET_PATH_MAX];
	bool sock_ours;
	const char *sock =
		socket_path(cfg, sock_buf, sizeof(sock_buf), &sock_ours);
	sigset_t set;
	unsigned int launched;
	int ret, status = 2;

	if (cfg->host_mode && !sock)
		return 2;
	/* Before anything else: without KVM no guest runs, and the reason
	 * is the host's (a module, a permission), not a guest's. */
	ret = kvm_open_dev(KVM_DEV, err, sizeof(err));
	if (ret < 0 && !cfg->host_mode) {
		fprintf(stderr, "vmm: %s\n", err);
		return 2;
	}
	if (ret < 0)
		fprintf(stderr, "vmm: warning: %s; guests cannot start\n", err);
	else
		close(ret);
	ret = block_signals(&set);
	if (!ret)
		r.sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (ret || r.sfd < 0) {
		fprintf(stderr, "vmm: signals: %s\n", strerror(errno));
		return 2;
	}
	ret = evloop_init(&r.loop, 256);
	if (ret) {
		fprintf(stderr, "vmm: io_uring: %s\n", strerror(-ret));
		goto out_sfd;
	}
	ret = host_create(cfg, &r.h, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "vmm: pool: %s\n", err);
		goto out_loop;
	}
	if (r.h->pool_note[0])
		fprintf(stderr, "vmm: %s\n", r.h->pool_note);
	/* Queue notifications come to this loop through ioeventfds. */
	r.h->loop = &r.loop;
	if (cfg->metrics_addr.len) {
		ret = metrics_server_start(r.h, &cfg->metrics_addr, &r.metrics,
					   err, sizeof(err));
		if (ret) {
			fprintf(stderr, "vmm: --metrics: %s\n", err);
			goto out_host;
		}
		printf("vmm: metrics http://%s/metrics\n",
		       listen_addr_format(metrics_server_addr(r.metrics), err,
					  sizeof(err)));
	}
	if (sock) {
		ret = ctl_server_start(r.h, &r.loop, sock, sock_ours, &ops,
				       &r.ctl, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "vmm: control socket: %s\n", err);
			goto out_host;
		}
		printf("vmm: control socket %s\n", sock);
		fflush(stdout);
	}
	evloop_add_poll(&r.loop, &r.sig_ev, r.sfd, on_signal, &r);
	if (cfg->stats_interval_ms)
		evloop_add_timer(&r.loop, &r.stats_ev,
				 cfg->stats_interval_ms * 1000000ULL,
				 cfg->stats_interval_ms * 1000000ULL, on_stats,
				 &r);
	if (cfg->release_interval_ms)
		evloop_add_timer(&r.loop, &r.release_ev,
				 cfg->release_interval_ms * 1000000ULL,
				 cfg->release_interval_ms * 1000000ULL,
				 on_release, &r);
	status = 0;
	launched = 0;
	for (unsigned int i = 0; i < cfg->nr_guests; i++) {
		unsigned int id;

		ret = host_launch(r.h, &cfg->guest[i], NULL, &id, err,
				  sizeof(err));
		if (ret) {
			fprintf(stderr, "vmm: guest %s: %s\n",
				cfg->guest[i].name, err);
			status = 1;
			continue;
		}
		watch_guest(&r, id);
		launched++;
	}
	/* Nothing ran: the errors said it all, a pool summary would not. */
	if (!launched && !cfg->host_mode) {
		ctl_server_stop(r.ctl);
		goto out_host;
	}
	if (host_nr_running(r.h) || cfg->host_mode) {
		ret = evloop_run(&r.loop);
		if (ret)
			fprintf(stderr, "vmm: event loop: %s\n",
				strerror(-ret));
	}
	if (r.failed)
		status = cfg->host_mode ? status : 1;
	/* Punches still out: let them land before the pool goes. */
	while (r.punches_in_flight && !evloop_run_once(&r.loop))
		;
	/* The last events (guests stopped, shutdown) and replies go out. */
	ctl_server_stop(r.ctl);
	if (r.released)
		printf("host: %" PRIu64
		       " MiB of free pool memory given back to the host while running\n",
		       r.released * 2);
	host_print_pool_summary(r.h, stdout);
	/* A trace that could not be written fails the run; one that lost
	 * events says so (on stderr, and in the file). */
	if (host_trace_path(r.h)) {
		struct host_trace_result res;

		if (host_trace_finish(r.h, stderr, &res))
			status = status ? status : 1;
		else
			printf("trace: %s: %" PRIu64 " events, %" PRIu64
			       " lost\n",
			       cfg->trace_path, res.events, res.lost);
	}
out_host:
	metrics_server_stop(r.metrics);
	host_destroy(r.h);
out_loop:
	evloop_destroy(&r.loop);
out_sfd:
	close(r.sfd);
	return status;
}
