// SPDX-License-Identifier: GPL-2.0
/* The control socket's worker thread (see work.h). */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vmm/ctl/work.h"
#include "util/event_loop.h"

struct ctl_job {
	struct ctl_job *next;
	void (*work)(void *arg);
	void (*done)(struct ctl_server *s, void *arg);
	void *arg;
};

struct ctl_worker {
	struct ctl_server *s;
	struct evloop *loop;
	pthread_t thread;
	bool started;
	int efd; /* readable when jobs are done */
	struct ev done_ev;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* Guarded by lock: */
	bool stop;
	struct ctl_job *todo, **todo_tail;
	struct ctl_job *done, **done_tail;
};

static void *worker_thread(void *arg)
{
	struct ctl_worker *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct ctl_job *j = w->todo;
		uint64_t one = 1;

		if (!j) {
			if (w->stop)
				break;
			pthread_cond_wait(&w->cond, &w->lock);
			continue;
		}
		w->todo = j->next;
		if (!w->todo)
			w->todo_tail = &w->todo;
		pthread_mutex_unlock(&w->lock);
		j->work(j->arg);
		pthread_mutex_lock(&w->lock);
		j->next = NULL;
		*w->done_tail = j;
		w->done_tail = &j->next;
		if (write(w->efd, &one, sizeof(one)) < 0) {
			/* saturated: the loop will look anyway */
		}
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Completions, on the loop's thread. */
static void run_done(struct ctl_worker *w)
{
	struct ctl_job *list, *next;
	uint64_t v;

	if (read(w->efd, &v, sizeof(v)) < 0) {
		/* EAGAIN: look anyway */
	}
	pthread_mutex_lock(&w->lock);
	list = w->done;
	w->done = NULL;
	w->done_tail = &w->done;
	pthread_mutex_unlock(&w->lock);
	for (; list; list = next) {
		next = list->next;
		list->done(w->s, list->arg);
		free(list);
	}
}

static void on_done(struct evloop *l, struct ev *e, int res)
{
	(void)l, (void)res;
	run_done(e->arg);
}

int ctl_worker_start(struct ctl_server *s, struct evloop *loop,
		     struct ctl_worker **out)
{
	struct ctl_worker *w = calloc(1, sizeof(*w));
	int ret;

	*out = NULL;
	if (!w)
		return -ENOMEM;
	w->s = s;
	w->loop = loop;
	w->todo_tail = &w->todo;
	w->done_tail = &w->done;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->efd < 0) {
		ret = -errno;
		goto err;
	}
	ret = evloop_add_poll(loop, &w->done_ev, w->efd, on_done, w);
	if (ret)
		goto err;
	/* Created lazily would save a thread for hosts nobody launches
	 * on; one sleeping thread is cheaper than the bookkeeping. */
	ret = -pthread_create(&w->thread, NULL, worker_thread, w);
	if (ret)
		goto err;
	w->started = true;
	*out = w;
	return 0;
err:
	w->started = false;
	*out = w;
	ctl_worker_stop(w);
	*out = NULL;
	return ret;
}

int ctl_worker_queue(struct ctl_worker *w, void (*work)(void *arg),
		     void (*done)(struct ctl_server *s, void *arg), void *arg)
{
	struct ctl_job *j = calloc(1, sizeof(*j));

	if (!j)
		return -ENOMEM;
	j->work = work;
	j->done = done;
	j->arg = arg;
	pthread_mutex_lock(&w->lock);
	*w->todo_tail = j;
	w->todo_tail = &j->next;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

void ctl_worker_stop(struct ctl_worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	if (w->started)
		pthread_join(w->thread, NULL);
	if (w->efd >= 0)
		run_done(w);
	/* Its poll's cancellation completes before w goes. */
	evloop_del(w->loop, &w->done_ev);
	while (!ev_idle(&w->done_ev))
		if (evloop_run_once(w->loop))
			break;
	if (w->efd >= 0)
		close(w->efd);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
}
