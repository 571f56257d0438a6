/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's one event loop, on io_uring (liburing): fd readiness
 * (signalfd, VM stop eventfds, later the control socket and queue
 * notifications), timers, wake-ups from other threads, and batched memory
 * release (fallocate punch-hole, madvise) submitted together.
 *
 * Context: everything runs on the loop's thread, except evloop_wake()
 * and evloop_stop(), which any thread may call.
 */
#ifndef VMM_EVENT_LOOP_H
#define VMM_EVENT_LOOP_H

#include <liburing.h>
#include <stdbool.h>
#include <stdint.h>

struct evloop;
struct ev;

/* res: the completion's result (poll events, 0 or -ETIME for timers,
 * the syscall's result for release ops). */
typedef void (*ev_fn)(struct evloop *l, struct ev *e, int res);

/* An ev starts zeroed (its owner may then set release). */
struct ev {
	ev_fn fn;
	void *arg;
	int fd;
	unsigned int poll_events;
	uint64_t period_ns; /* timers: 0 = one-shot */
	struct __kernel_timespec ts;
	bool active;
	/* Requests submitted for this ev whose completion has not been
	 * handled yet: the kernel still holds a pointer to it. */
	unsigned int inflight;
	/*
	 * Optional, set by the owner once: called when the ev is inactive
	 * and nothing is in flight any more, after the loop's last access
	 * to it.  An ev embedded in an object that is freed at run time
	 * (a control-socket client) frees it from here, never earlier.
	 */
	void (*release)(struct evloop *l, struct ev *e);
};

struct evloop {
	struct io_uring ring;
	int wake_efd;
	struct ev wake_ev;
	bool stop;
	unsigned int pending; /* SQEs queued, not yet submitted */
	unsigned int inflight; /* requests awaiting completion, all evs */
	uint64_t completions;
};

int evloop_init(struct evloop *l, unsigned int entries);
/* Cancels what is still in flight and releases those evs (their fn is
 * not called), so nothing the kernel points at is freed under it. */
void evloop_destroy(struct evloop *l);
/* Call fn whenever fd is readable (re-armed after each call). */
int evloop_add_poll(struct evloop *l, struct ev *e, int fd, ev_fn fn,
		    void *arg);
/* The same for other poll events (POLLOUT: writable). */
int evloop_add_poll_events(struct evloop *l, struct ev *e, int fd,
			   unsigned int events, ev_fn fn, void *arg);
/*
 * Stop watching e (its fn is not called again).  The cancelled request
 * completes later: e must stay valid until then (e->release says when)
 * and may be added again only once e->inflight is 0.
 */
void evloop_del(struct evloop *l, struct ev *e);
/* Neither active nor awaited by the kernel: e may be freed or reused. */
static inline bool ev_idle(const struct ev *e)
{
	return !e->active && !e->inflight;
}
/* Call fn after ns, then every period_ns if not 0. */
int evloop_add_timer(struct evloop *l, struct ev *e, uint64_t ns,
		     uint64_t period_ns, ev_fn fn, void *arg);
/* Release memory, batched with everything else queued this iteration. */
int evloop_punch_hole(struct evloop *l, struct ev *e, int fd, uint64_t off,
		      uint64_t len, ev_fn fn, void *arg);
int evloop_madvise(struct evloop *l, struct ev *e, void *addr, uint64_t len,
		   int advice, ev_fn fn, void *arg);
/* Run until evloop_stop(); returns 0 or -errno. */
int evloop_run(struct evloop *l);
/* Wait for at least one completion and handle what has come. */
int evloop_run_once(struct evloop *l);
void evloop_stop(struct evloop *l);
/* Make evloop_run() look around (other threads queued work). */
void evloop_wake(struct evloop *l);

#endif /* VMM_EVENT_LOOP_H */
