/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Timed sleeps of threads that wake on a condition or a time-out
 * (kcompactd, kswapd, the periodic threads, a VM's waiters): condition
 * variables on CLOCK_MONOTONIC, so that a change of the wall clock
 * neither wakes them early nor keeps them asleep, and deadlines on that
 * clock for pthread_cond_timedwait().
 */
#ifndef UTIL_WAIT_H
#define UTIL_WAIT_H

#include <pthread.h>
#include <stdint.h>
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

/* ns from now, on CLOCK_MONOTONIC. */
static inline void deadline_after_ns(struct timespec *ts, uint64_t ns)
{
	uint64_t t;

	clock_gettime(CLOCK_MONOTONIC, ts);
	t = (uint64_t)ts->tv_sec * 1000000000ULL + ts->tv_nsec + ns;
	ts->tv_sec = t / 1000000000ULL;
	ts->tv_nsec = t % 1000000000ULL;
}

/* ms from now, on CLOCK_MONOTONIC. */
static inline void deadline_after_ms(struct timespec *ts, unsigned int ms)
{
	deadline_after_ns(ts, (uint64_t)ms * 1000000ULL);
}

#endif /* UTIL_WAIT_H */
