// SPDX-License-Identifier: GPL-2.0
/* The io_uring event loop (see event_loop.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util/event_loop.h"

static struct io_uring_sqe *get_sqe(struct evloop *l)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&l->ring);

	/* Full: push what we have and try once more. */
	if (!sqe && io_uring_submit(&l->ring) >= 0) {
		l->pending = 0;
		sqe = io_uring_get_sqe(&l->ring);
	}
	if (sqe)
		l->pending++;
	return sqe;
}

static int arm_poll(struct evloop *l, struct ev *e)
{
	struct io_uring_sqe *sqe = get_sqe(l);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_poll_add(sqe, e->fd, e->poll_events);
	io_uring_sqe_set_data(sqe, e);
	e->inflight++;
	l->inflight++;
	return 0;
}

static int arm_timer(struct evloop *l, struct ev *e, uint64_t ns)
{
	struct io_uring_sqe *sqe = get_sqe(l);

	if (!sqe)
		return -EBUSY;
	e->ts.tv_sec = ns / 1000000000ULL;
	e->ts.tv_nsec = ns % 1000000000ULL;
	io_uring_prep_timeout(sqe, &e->ts, 0, 0);
	io_uring_sqe_set_data(sqe, e);
	e->inflight++;
	l->inflight++;
	return 0;
}

static void on_wake(struct evloop *l, struct ev *e, int res)
{
	uint64_t v;

	(void)res;
	if (read(e->fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		l->stop = true;
}

int evloop_init(struct evloop *l, unsigned int entries)
{
	int ret;

	memset(l, 0, sizeof(*l));
	ret = io_uring_queue_init(entries, &l->ring, 0);
	if (ret)
		return ret;
	l->wake_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (l->wake_efd < 0) {
		ret = -errno;
		io_uring_queue_exit(&l->ring);
		return ret;
	}
	return evloop_add_poll(l, &l->wake_ev, l->wake_efd, on_wake, NULL);
}

void evloop_destroy(struct evloop *l)
{
	struct __kernel_timespec ts = { .tv_sec = 1 };
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;

	l->wake_ev.active = false;
	sqe = l->inflight ? get_sqe(l) : NULL;
	if (sqe) {
		io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
		io_uring_sqe_set_data(sqe, NULL);
	}
	io_uring_submit(&l->ring);
	/* Memory release ops cannot be cancelled but end soon; a second
	 * with nothing completing means the kernel lost track: stop. */
	while (l->inflight && !io_uring_wait_cqe_timeout(&l->ring, &cqe, &ts)) {
		struct ev *e = io_uring_cqe_get_data(cqe);

		io_uring_cqe_seen(&l->ring, cqe);
		if (!e)
			continue;
		e->inflight--;
		l->inflight--;
		e->active = false;
		if (!e->inflight && e->release)
			e->release(l, e);
	}
	io_uring_queue_exit(&l->ring);
	close(l->wake_efd);
}

int evloop_add_poll_events(struct evloop *l, struct ev *e, int fd,
			   unsigned int events, ev_fn fn, void *arg)
{
	e->fn = fn;
	e->arg = arg;
	e->fd = fd;
	e->poll_events = events;
	e->period_ns = 0;
	e->active = true;
	return arm_poll(l, e);
}

int evloop_add_poll(struct evloop *l, struct ev *e, int fd, ev_fn fn, void *arg)
{
	return evloop_add_poll_events(l, e, fd, POLLIN, fn, arg);
}

void evloop_del(struct evloop *l, struct ev *e)
{
	struct io_uring_sqe *sqe;

	if (!e->active)
		return;
	e->active = false;
	/* The pending request completes with -ECANCELED; its ev must stay
	 * valid until then (callers keep evs in long-lived objects). */
	sqe = get_sqe(l);
	if (sqe) {
		io_uring_prep_cancel(sqe, e, 0);
		io_uring_sqe_set_data(sqe, NULL);
	}
}

int evloop_add_timer(struct evloop *l, struct ev *e, uint64_t ns,
		     uint64_t period_ns, ev_fn fn, void *arg)
{
	e->fn = fn;
	e->arg = arg;
	e->fd = -1;
	e->poll_events = 0;
	e->period_ns = period_ns;
	e->active = true;
	return arm_timer(l, e, ns);
}

int evloop_punch_hole(struct evloop *l, struct ev *e, int fd, uint64_t off,
		      uint64_t len, ev_fn fn, void *arg)
{
	struct io_uring_sqe *sqe = get_sqe(l);

	if (!sqe)
		return -EBUSY;
	e->fn = fn;
	e->arg = arg;
	e->fd = fd;
	e->poll_events = 0; /* not a poll: never re-armed */
	e->period_ns = 0;
	e->active = true;
	io_uring_prep_fallocate(
		sqe, fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len);
	io_uring_sqe_set_data(sqe, e);
	e->inflight++;
	l->inflight++;
	return 0;
}

int evloop_madvise(struct evloop *l, struct ev *e, void *addr, uint64_t len,
		   int advice, ev_fn fn, void *arg)
{
	struct io_uring_sqe *sqe = get_sqe(l);

	if (!sqe)
		return -EBUSY;
	e->fn = fn;
	e->arg = arg;
	e->fd = -1;
	e->poll_events = 0;
	e->period_ns = 0;
	e->active = true;
	io_uring_prep_madvise(sqe, addr, len, advice);
	io_uring_sqe_set_data(sqe, e);
	e->inflight++;
	l->inflight++;
	return 0;
}

static void dispatch(struct evloop *l, struct ev *e, int res)
{
	bool is_poll = e->fd >= 0 && e->poll_events && !e->period_ns;

	if (!e->active)
		return; /* deleted meanwhile */
	if (e->period_ns && e->active)
		arm_timer(l, e, e->period_ns);
	else if (!is_poll)
		e->active = false;
	e->fn(l, e, res);
	/* Polls are one-shot in the kernel: re-arm while still wanted. */
	if (is_poll && e->active)
		arm_poll(l, e);
}

int evloop_run_once(struct evloop *l)
{
	struct io_uring_cqe *cqe;
	unsigned int head, n = 0;
	int ret;

	ret = io_uring_submit_and_wait(&l->ring, 1);
	l->pending = 0;
	if (ret < 0 && ret != -EINTR)
		return ret;
	io_uring_for_each_cqe(&l->ring, head, cqe)
	{
		struct ev *e = io_uring_cqe_get_data(cqe);
		int res = cqe->res;

		n++;
		/* Completions are consumed before callbacks run, so a
		 * callback may queue new work freely. */
		io_uring_cq_advance(&l->ring, 1);
		if (!e)
			continue; /* a cancel request's own completion */
		e->inflight--;
		l->inflight--;
		if (res != -ECANCELED)
			dispatch(l, e, res);
		else
			e->active = false;
		/* The loop is done with e: its owner may free it now. */
		if (ev_idle(e) && e->release)
			e->release(l, e);
	}
	l->completions += n;
	return 0;
}

int evloop_run(struct evloop *l)
{
	while (!__atomic_load_n(&l->stop, __ATOMIC_ACQUIRE)) {
		int ret = evloop_run_once(l);

		if (ret)
			return ret;
	}
	return 0;
}

void evloop_stop(struct evloop *l)
{
	__atomic_store_n(&l->stop, true, __ATOMIC_RELEASE);
	evloop_wake(l);
}

void evloop_wake(struct evloop *l)
{
	uint64_t one = 1;

	if (write(l->wake_efd, &one, sizeof(one)) < 0) {
		/* Counter saturated: the loop is awake anyway. */
	}
}
