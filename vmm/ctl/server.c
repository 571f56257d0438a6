// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's server (see ctl.h): accepting connections, the
 * host's events out to every peer, balloon changes, start and stop.
 * Connections themselves are peer.c; the socket file socket.c.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "vmm/virtio/balloon.h"
#include "mm/trace.h"
#include "vmm/ctl/internal.h"
#include "vmm/ctl/work.h"
#include "util/errf.h"
#include "vmm/host/host.h"
#include "vmm/host/balloon.h"
#include "vmm/host/events.h"

/* The tick: balloon changes, while peers listen; guest-stop's and the
 * clients' time-outs. */
#define BALLOON_POLL_NS 200000000ULL
#define ACCEPT_PAUSE_NS 100000000ULL /* out of fds: try again after this */
#define FINAL_FLUSH_MS 200 /* at the end, for peers that read */

/* ------------------------------------------------------------------ */
/* Accepting                                                            */

/* One line to a client we will not keep, then close. */
static void refuse(int fd, const char *why)
{
	char line[256];
	int n = snprintf(
		line, sizeof(line),
		"{\"error\": {\"class\": \"GenericError\", \"desc\": \"%s\"}}\n",
		why);

	if (send(fd, line, n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		/* it is gone already */
	}
	close(fd);
}

static bool peer_allowed(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	/* The file's mode keeps others out; this holds even if someone
	 * loosens it, or the directory, by hand. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return false;
	return cred.uid == geteuid() || cred.uid == 0;
}

/*
 * All places taken: the client idle longest (not watching, nothing in
 * progress) gives its place to the new one, so that a management
 * command always gets in however many connections sit idle or trickle
 * bytes.  false: nobody may go.
 */
static bool make_room(struct ctl_server *s)
{
	struct ctl_peer *victim = NULL;
	uint64_t now = trace_clock_ns();

	for (unsigned int i = 0; i < CTL_MAX_CLIENTS; i++) {
		struct ctl_peer *c = s->client[i];

		if (c && ctl_peer_evictable(c) &&
		    (!victim || c->active_ns < victim->active_ns))
			victim = c;
	}
	if (!victim)
		return false;
	ctl_peer_drop(
		victim,
		"closing this connection, idle for %llu ms: a new client needs its place (%d clients at most)",
		(unsigned long long)(now - victim->active_ns) / 1000000,
		CTL_MAX_CLIENTS);
	return true;
}

static void on_accept(struct evloop *l, struct ev *e, int res);

static void on_accept_pause(struct evloop *l, struct ev *e, int res)
{
	struct ctl_server *s = e->arg;

	(void)res;
	if (!s->stopping && ev_idle(&s->accept_ev))
		evloop_add_poll(l, &s->accept_ev, s->lfd, on_accept, s);
}

static void on_accept(struct evloop *l, struct ev *e, int res)
{
	struct ctl_server *s = e->arg;

	(void)res;
	for (;;) {
		int fd = accept4(s->lfd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/* Readable until someone is accepted:
				 * look again later instead of spinning. */
				evloop_del(l, e);
				evloop_add_timer(l, &s->accept_pause_ev,
						 ACCEPT_PAUSE_NS, 0,
						 on_accept_pause, s);
			}
			return;
		}
		if (!peer_allowed(fd))
			refuse(fd, "permission denied");
		else if (s->stopping)
			refuse(fd, "vmm is shutting down");
		else if (s->nr_clients >= CTL_MAX_CLIENTS && !make_room(s))
			refuse(fd,
			       "too many clients, all watching events or waiting for a command");
		else
			ctl_peer_new(s, fd);
	}
}

/* ------------------------------------------------------------------ */
/* Events                                                               */

void ctl_broadcast(struct ctl_server *s, json_t *event, int type)
{
	uint64_t bit = ctl_event_bit(type);
	char *text;
	size_t len;

	if (!event || !s->nr_clients)
		return;
	text = json_dumps(event, JSON_COMPACT);
	if (!text)
		return;
	len = strlen(text);
	text[len] = '\n'; /* the NUL's byte: sent, never read as a string */
	for (unsigned int i = 0; i < CTL_MAX_CLIENTS; i++) {
		struct ctl_peer *c = s->client[i];

		if (c && (c->events & bit))
			ctl_peer_queue(c, text, len + 1);
	}
	free(text);
}

static void drain_events(struct ctl_server *s)
{
	struct host_event ev[32];
	unsigned int n;
	uint64_t lost;

	do {
		n = host_events_take(s->h, ev, ARRAY_SIZE(ev), &lost);
		if (lost) {
			json_t *j = ctl_event_new("EVENTS_DROPPED",
						  json_pack("{s:I}", "count",
							    (json_int_t)lost),
						  0);

			ctl_broadcast(s, j, CTL_EVENTS_DROPPED);
			json_decref(j);
		}
		for (unsigned int i = 0; i < n; i++) {
			json_t *j = ctl_event_json(&ev[i]);

			ctl_broadcast(s, j, ev[i].type);
			json_decref(j);
		}
	} while (n == ARRAY_SIZE(ev));
}

static void on_events(struct evloop *l, struct ev *e, int res)
{
	(void)l, (void)res;
	drain_events(e->arg);
}

/* Guests asked to shut down (guest-stop) that let the time-out pass:
 * stopped by force. */
static void stop_overdue(struct ctl_server *s)
{
	struct vmm_host *h = s->h;
	uint64_t now = vm_now_ns();

	for (unsigned int slot = 1; slot <= VMM_MAX_GUESTS; slot++) {
		struct vm *vm;

		pthread_mutex_lock(&h->lock);
		vm = h->vm[slot];
		pthread_mutex_unlock(&h->lock);
		/* Handlers and reaping share this thread: vm lives. */
		if (vm && vm_shutdown_overdue(vm, now))
			vm_stop(vm, VM_EXIT_KILLED,
				"asked to shut down, still running at the time-out");
	}
}

/* Clients that let a time-out pass (ctl.h): closed. */
static void clients_overdue(struct ctl_server *s)
{
	uint64_t now = trace_clock_ns();

	for (unsigned int i = 0; i < CTL_MAX_CLIENTS; i++)
		if (s->client[i])
			ctl_peer_timeouts(s->client[i], now);
}

/*
 * The server's tick: time-outs of guests and clients, and balloons.
 * Balloon sizes move with every inflation and deflation: rather than an
 * event for each, compare each guest's target and actual with what was
 * last reported, a few times a second while anyone listens.
 */
static void on_tick(struct evloop *l, struct ev *e, int res)
{
	struct ctl_server *s = e->arg;
	struct vmm_host *h = s->h;

	(void)l, (void)res;
	stop_overdue(s);
	clients_overdue(s);
	if (!s->nr_clients)
		return;
	for (unsigned int slot = 1; slot <= VMM_MAX_GUESTS; slot++) {
		struct ctl_balloon_seen *seen = &s->balloon_seen[slot];
		struct balloon_info bi;
		struct vm *vm;
		bool has;

		pthread_mutex_lock(&h->lock);
		vm = h->vm[slot];
		has = vm && h->balloon[slot];
		if (has)
			balloon_get_info(&h->balloon[slot]->vb, &bi);
		pthread_mutex_unlock(&h->lock);
		/* A slot's new guest: its balloon starts empty. */
		if (!has || seen->id != vm->id) {
			seen->id = has ? vm->id : 0;
			seen->target = seen->actual = 0;
		}
		if (!has ||
		    (bi.target == seen->target && bi.actual == seen->actual))
			continue;
		seen->target = bi.target;
		seen->actual = bi.actual;
		/* Handlers and reaping share this thread: vm lives. */
		host_event_balloon(h, vm, bi.target, bi.actual);
	}
}

/* ------------------------------------------------------------------ */
/* Start and stop                                                       */

int ctl_server_start(struct vmm_host *h, struct evloop *loop, const char *path,
		     bool private_dir, const struct ctl_ops *ops,
		     struct ctl_server **out, char *err, size_t errlen)
{
	struct ctl_server *s;
	int ret;

	*out = NULL;
	if (strlen(path) >= CTL_SOCKET_PATH_MAX)
		return errf(err, errlen, -ENAMETOOLONG,
			    "socket path too long (%d bytes at most): %s",
			    CTL_SOCKET_PATH_MAX - 1, path);
	s = calloc(1, sizeof(*s));
	if (!s)
		return errf(err, errlen, -ENOMEM, "out of memory");
	s->h = h;
	s->loop = loop;
	s->ops = *ops;
	s->lfd = -1;
	s->start_ns = trace_clock_ns();
	snprintf(s->path, sizeof(s->path), "%s", path);
	ret = ctl_socket_listen(s, private_dir, err, errlen);
	if (ret)
		goto err_close;
	ret = ctl_worker_start(s, loop, &s->worker);
	if (ret) {
		errf(err, errlen, ret, "worker thread: %s", strerror(-ret));
		goto err_unlink;
	}
	s->events_fd = host_events_enable(h);
	if (s->events_fd < 0) {
		ret = s->events_fd;
		errf(err, errlen, ret, "events: %s", strerror(-ret));
		goto err_worker;
	}
	ret = evloop_add_poll(loop, &s->accept_ev, s->lfd, on_accept, s);
	if (!ret)
		ret = evloop_add_poll(loop, &s->events_ev, s->events_fd,
				      on_events, s);
	if (!ret)
		ret = evloop_add_timer(loop, &s->balloon_ev, BALLOON_POLL_NS,
				       BALLOON_POLL_NS, on_tick, s);
	if (ret) {
		errf(err, errlen, ret, "event loop: %s", strerror(-ret));
		*out = s;
		ctl_server_stop(s);
		return ret;
	}
	*out = s;
	return 0;
err_worker:
	ctl_worker_stop(s->worker);
err_unlink:
	ctl_socket_unlink(s);
err_close:
	if (s->lfd >= 0)
		close(s->lfd);
	free(s);
	return ret;
}

static bool server_idle(struct ctl_server *s)
{
	return !s->nr_closing && ev_idle(&s->accept_ev) &&
	       ev_idle(&s->accept_pause_ev) && ev_idle(&s->events_ev) &&
	       ev_idle(&s->balloon_ev);
}

/* The last replies and events, to clients that read: a short wait. */
static void final_flush(struct ctl_server *s)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p[CTL_MAX_CLIENTS];
		unsigned int n = 0;
		long ms;

		for (unsigned int i = 0; i < CTL_MAX_CLIENTS; i++) {
			struct ctl_peer *c = s->client[i];

			if (c)
				ctl_peer_flush(c);
			if ((c = s->client[i]) && c->out_off < c->out_len)
				p[n++] = (struct pollfd){ .fd = c->fd,
							  .events = POLLOUT };
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		ms = FINAL_FLUSH_MS - (t.tv_sec - t0.tv_sec) * 1000 -
		     (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (!n || ms <= 0 || poll(p, n, ms) <= 0)
			return;
	}
}

void ctl_server_stop(struct ctl_server *s)
{
	if (!s)
		return;
	s->stopping = true;
	/* Launches in progress finish and answer (with a refusal). */
	ctl_worker_stop(s->worker);
	drain_events(s);
	host_events_disable(s->h);
	final_flush(s);
	for (unsigned int i = 0; i < CTL_MAX_CLIENTS; i++)
		if (s->client[i])
			ctl_peer_close(s->client[i]);
	evloop_del(s->loop, &s->accept_ev);
	evloop_del(s->loop, &s->accept_pause_ev);
	evloop_del(s->loop, &s->events_ev);
	evloop_del(s->loop, &s->balloon_ev);
	ctl_socket_unlink(s);
	close(s->lfd);
	/* The cancellations complete: then nothing points into s. */
	while (!server_idle(s))
		if (evloop_run_once(s->loop))
			break;
	free(s);
}

/* ------------------------------------------------------------------ */
/* For the commands                                                     */

struct vmm_host *ctl_host(struct ctl_server *s)
{
	return s->h;
}

const struct ctl_ops *ctl_ops(struct ctl_server *s)
{
	return &s->ops;
}

const char *ctl_socket_path(struct ctl_server *s)
{
	return s->path;
}

uint64_t ctl_start_ns(struct ctl_server *s)
{
	return s->start_ns;
}

unsigned int ctl_nr_clients(struct ctl_server *s)
{
	return s->nr_clients;
}

bool ctl_stopping(struct ctl_server *s)
{
	return s->stopping;
}

int ctl_watch(struct ctl_server *s, unsigned int client, uint64_t mask,
	      struct ctl_error *e)
{
	struct ctl_peer *c = ctl_peer_by_id(s, client);

	if (!c)
		return 0; /* gone meanwhile: nobody to answer */
	if (!c->watching && s->nr_watchers >= CTL_MAX_WATCHERS)
		return ctl_fail(
			e, CTL_ERR_GENERIC,
			"%d clients watch events already, the most there may be (a place stays for commands)",
			CTL_MAX_WATCHERS);
	if (!c->watching)
		s->nr_watchers++;
	c->watching = true;
	c->events = mask;
	return 0;
}

struct ctl_req *ctl_req_hold(const struct ctl_req *req)
{
	struct ctl_req *r = malloc(sizeof(*r));

	if (!r)
		return NULL;
	*r = *req;
	json_incref(r->id);
	return r;
}

void ctl_reply(struct ctl_req *req, json_t *ret, const struct ctl_error *e)
{
	struct ctl_peer *c = ctl_peer_by_id(req->s, req->client);

	if (c) {
		c->pending--;
		c->active_ns = trace_clock_ns(); /* idle from the answer on */
		ctl_peer_reply(c, req->id, ret, e);
	} else {
		json_decref(ret);
	}
	json_decref(req->id);
	free(req);
}

int ctl_work_queue(struct ctl_server *s, void (*work)(void *arg),
		   void (*done)(struct ctl_server *s, void *arg), void *arg)
{
	return ctl_worker_queue(s->worker, work, done, arg);
}

int ctl_work_defer(struct ctl_req *req, struct ctl_req **held,
		   void (*work)(void *arg),
		   void (*done)(struct ctl_server *s, void *arg), void *arg)
{
	int ret;

	*held = ctl_req_hold(req);
	if (!*held)
		return -ENOMEM;
	ret = ctl_work_queue(req->s, work, done, arg);
	if (ret) {
		json_decref((*held)->id);
		free(*held);
		*held = NULL;
	}
	return ret;
}
