// SPDX-License-Identifier: GPL-2.0
/* A thread that runs a function every interval (see periodic.h). */
#include <errno.h>
#include <time.h>

#include "util/periodic.h"
#include "util/wait.h"

static void *periodic_thread(void *arg)
{
	struct periodic *p = arg;
	struct timespec ts;

	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		deadline_after_ns(&ts, p->interval_ns);
		/* A wake-up that is not the stop waits on. */
		while (!p->stop && pthread_cond_timedwait(&p->wait, &p->lock,
							  &ts) != ETIMEDOUT)
			;
		if (p->stop)
			break;
		pthread_mutex_unlock(&p->lock);
		p->fn(p->arg);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int periodic_start(struct periodic *p, uint64_t interval_ns,
		   void (*fn)(void *arg), void *arg)
{
	int ret;

	p->fn = fn;
	p->arg = arg;
	p->interval_ns = interval_ns;
	p->stop = false;
	pthread_mutex_init(&p->lock, NULL);
	ret = cond_init_monotonic(&p->wait);
	if (ret) {
		pthread_mutex_destroy(&p->lock);
		return ret;
	}
	ret = pthread_create(&p->thread, NULL, periodic_thread, p);
	if (ret) {
		pthread_cond_destroy(&p->wait);
		pthread_mutex_destroy(&p->lock);
		return -ret;
	}
	p->running = true;
	return 0;
}

void periodic_stop(struct periodic *p)
{
	if (!p->running)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_signal(&p->wait);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->wait);
	pthread_mutex_destroy(&p->lock);
	p->running = false;
}
