// SPDX-License-Identifier: GPL-2.0
/* The cold page scanner (see cold.h). */
#include <errno.h>

#include "vmm/guest_mem/guest_mem.h"
#include "vmm/host/cold.h"
#include "vmm/host/internal.h"
#include "vmm/host/proactive.h"

unsigned int host_cold_min_age(uint64_t age_ms, uint64_t interval_ms)
{
	uint64_t n = interval_ms ? age_ms / interval_ms : 1;

	return n < 1 ? 1 : n > UINT8_MAX ? UINT8_MAX : (unsigned int)n;
}

long host_cold_scan_all(struct vmm_host *h, unsigned long max_units)
{
	unsigned int nr_guests = 0;
	long seen = 0;

	pthread_mutex_lock(&h->lock);
	for (unsigned int slot = 1; slot <= VMM_MAX_GUESTS; slot++)
		nr_guests += h->vm[slot] != NULL;
	pthread_mutex_unlock(&h->lock);
	if (!nr_guests)
		return 0;
	/* Each guest gets its share, so a large guest costs the others no
	 * more than a small one; one guest at a time under reap_lock, so
	 * that none is freed under the pass. */
	for (unsigned int slot = 1; slot <= VMM_MAX_GUESTS; slot++) {
		struct guest_mem *mem;
		long ret = 0;

		pthread_mutex_lock(&h->reap_lock);
		mem = __host_live_mem(h, slot);
		if (mem)
			ret = guest_mem_idle_scan(mem,
						  max_units / nr_guests + 1);
		pthread_mutex_unlock(&h->reap_lock);
		if (ret > 0)
			seen += ret;
	}
	return seen;
}

static void cold_pass(void *arg)
{
	struct host_cold *c = arg;
	uint64_t t0 = trace_clock_ns();

	host_cold_scan_all(c->h, COLD_SCAN_UNITS);
	host_swap_proactive(c->h, trace_clock_ns());
	__atomic_add_fetch(&c->pass_ns, trace_clock_ns() - t0,
			   __ATOMIC_RELAXED);
	__atomic_add_fetch(&c->passes, 1, __ATOMIC_RELAXED);
}

int host_cold_start(struct vmm_host *h)
{
	struct host_cold *c = &h->cold;
	uint64_t interval_ms = h->cfg.cold_scan_interval_ms ?
				       h->cfg.cold_scan_interval_ms :
				       COLD_SCAN_INTERVAL_MS_DEFAULT;
	uint64_t age_ms = h->cfg.cold_age_ms ? h->cfg.cold_age_ms :
					       COLD_AGE_MS_DEFAULT;
	c->h = h;
	c->min_age = host_cold_min_age(age_ms, interval_ms);
	return periodic_start(&c->thread, interval_ms * 1000000ULL, cold_pass,
			      c);
}

void host_cold_stop(struct vmm_host *h)
{
	periodic_stop(&h->cold.thread);
}

long host_cold_pages(struct vmm_host *h, unsigned int id, uint64_t *gpa,
		     unsigned int max)
{
	struct guest_mem *mem;
	unsigned int slot;
	long ret;

	pthread_mutex_lock(&h->lock);
	slot = __host_slot(h, id);
	pthread_mutex_unlock(&h->lock);
	pthread_mutex_lock(&h->reap_lock);
	mem = slot ? __host_live_mem(h, slot) : NULL;
	if (!mem)
		ret = -ENOENT;
	else if (!h->cold.min_age)
		ret = 0; /* never scanned */
	else
		ret = guest_mem_cold_pages(mem, h->cold.min_age, gpa, max);
	pthread_mutex_unlock(&h->reap_lock);
	return ret;
}
