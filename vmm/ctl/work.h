/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket's worker thread: commands whose work may wait (a
 * guest's boot memory from a pool under pressure waits for reclaim, which
 * the event loop itself serves) run there, and complete on the loop.
 * Jobs run one at a time, in order.
 */
#ifndef VMM_CTL_WORK_H
#define VMM_CTL_WORK_H

struct ctl_server;
struct ctl_worker;
struct evloop;

int ctl_worker_start(struct ctl_server *s, struct evloop *loop,
		     struct ctl_worker **out)
	__attribute__((warn_unused_result));
/* work(arg) on the worker, then done(s, arg) on the loop.  0 or -errno. */
int ctl_worker_queue(struct ctl_worker *w, void (*work)(void *arg),
		     void (*done)(struct ctl_server *s, void *arg), void *arg);
/* Every job queued runs and completes (done() on this thread), then the
 * thread ends.  The loop must still exist. */
void ctl_worker_stop(struct ctl_worker *w);

#endif /* VMM_CTL_WORK_H */
