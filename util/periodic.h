/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A thread that runs fn(arg) every interval until it is stopped: the
 * host's housekeeping threads (the collapse thread, the host limits
 * thread), as kswapd-like daemons are.  Each wait is a whole interval on
 * CLOCK_MONOTONIC, from the end of the last run; a stop ends it at once,
 * and a run in progress finishes first.
 *
 * Context: start and stop from the thread that owns p; fn runs on p's
 * own thread, without p's lock.
 */
#ifndef UTIL_PERIODIC_H
#define UTIL_PERIODIC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct periodic {
	void (*fn)(void *arg);
	void *arg;
	uint64_t interval_ns;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wait;
	bool running; /* started, not yet stopped */
	bool stop; /* guarded by lock */
};

/* 0 or -errno (nothing started). */
int periodic_start(struct periodic *p, uint64_t interval_ns,
		   void (*fn)(void *arg), void *arg)
	__attribute__((warn_unused_result));
/* Stop and join the thread, if it runs. */
void periodic_stop(struct periodic *p);

#endif /* UTIL_PERIODIC_H */
