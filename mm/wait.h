/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Timed sleeps of the pool's per-node daemons (kcompactd here, kswapd in
 * the reclaim engine above): condition variables on CLOCK_MONOTONIC, so
 * that a change of the wall clock neither wakes them early nor keeps
 * them asleep, and deadlines on that clock for pthread_cond_timedwait().
 */
#ifndef MM_WAIT_H
#define MM_WAIT_H

#include <pthread.h>
#include <time.h>

/* 0, or the -errno of pthread_cond_init(). */
static inline int cond_init_monotonic(pthread_cond_t *cond)
{
	pthread_condattr_t ca;
	int ret;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	ret = -pthread_cond_init(cond, &ca);
	pthread_condattr_destroy(&ca);
	return ret;
}

/* ms from now, on CLOCK_MONOTONIC. */
static inline void deadline_after_ms(struct timespec *ts, unsigned int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

#endif /* MM_WAIT_H */
