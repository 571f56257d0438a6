// SPDX-License-Identifier: GPL-2.0
/* khugepaged for guests (see khugepaged.h). */
#include <errno.h>
#include <time.h>

#include "vmm/host/host.h"
#include "vmm/host/khugepaged.h"

static void *khugepaged_thread(void *arg)
{
	struct khugepaged *k = arg;
	struct timespec ts;

	pthread_mutex_lock(&k->lock);
	while (!k->stop) {
		uint64_t deadline;
		long n;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		deadline = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec +
			   k->interval_ns;
		ts.tv_sec = deadline / 1000000000ULL;
		ts.tv_nsec = deadline % 1000000000ULL;
		while (!k->stop && pthread_cond_timedwait(&k->wait, &k->lock,
							  &ts) != ETIMEDOUT)
			;
		if (k->stop)
			break;
		pthread_mutex_unlock(&k->lock);
		/* Like khugepaged's pages_to_scan: a bounded pass, so a
		 * large guest costs the others no more than a small one. */
		n = host_collapse_all(k->h, k->max_scan, k->max_collapse);
		__atomic_add_fetch(&k->passes, 1, __ATOMIC_RELAXED);
		if (n > 0)
			__atomic_add_fetch(&k->collapsed, n, __ATOMIC_RELAXED);
		pthread_mutex_lock(&k->lock);
	}
	pthread_mutex_unlock(&k->lock);
	return NULL;
}

int host_khugepaged_start(struct vmm_host *h)
{
	struct khugepaged *k = &h->khugepaged;
	pthread_condattr_t ca;
	int ret;

	k->h = h;
	k->interval_ns = (uint64_t)(h->cfg.collapse_interval_ms ?
					    h->cfg.collapse_interval_ms :
					    1000) *
			 1000000ULL;
	k->max_scan = h->cfg.collapse_scan ? h->cfg.collapse_scan : 512;
	k->max_collapse = h->cfg.collapse_max ? h->cfg.collapse_max : 8;
	k->stop = false;
	pthread_mutex_init(&k->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&k->wait, &ca);
	pthread_condattr_destroy(&ca);
	ret = pthread_create(&k->thread, NULL, khugepaged_thread, k);
	if (ret) {
		pthread_cond_destroy(&k->wait);
		pthread_mutex_destroy(&k->lock);
		return -ret;
	}
	k->running = true;
	return 0;
}

void host_khugepaged_stop(struct vmm_host *h)
{
	struct khugepaged *k = &h->khugepaged;

	if (!k->running)
		return;
	pthread_mutex_lock(&k->lock);
	k->stop = true;
	pthread_cond_signal(&k->wait);
	pthread_mutex_unlock(&k->lock);
	pthread_join(k->thread, NULL);
	pthread_cond_destroy(&k->wait);
	pthread_mutex_destroy(&k->lock);
	k->running = false;
}
