// SPDX-License-Identifier: GPL-2.0
/* Proactive eviction into the cold tier (proactive.h). */
#include <stdlib.h>

#include "mm/psi.h"
#include "util/clock.h"
#include "vmm/guest_mem/guest_mem.h"
#include "vmm/host/internal.h"
#include "vmm/host/proactive.h"

/* Senpai's window: the target is a stall per this long. */
#define PROACTIVE_WINDOW_NS 6000000000ULL

static int cmp_gpa(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Its memory stall so far (us), or false when it is not running. */
static bool guest_stall(struct vmm_host *h, unsigned int slot, unsigned int *id,
			uint64_t *stall_us)
{
	struct psi_stats st;
	struct vm *vm;

	pthread_mutex_lock(&h->lock);
	vm = h->vm[slot];
	if (vm) {
		psi_group_read(&vm->psi, clock_now_ns(&clock_monotonic), &st);
		*id = vm->id;
		*stall_us = st.total_us[PSI_MEM_SOME];
	}
	pthread_mutex_unlock(&h->lock);
	return vm;
}

/* A step of mem's cold pages into the tier: the pages it took. */
static long step(struct vmm_host *h, struct guest_mem *mem)
{
	struct guest_mem_stats st;
	unsigned long max;
	uint64_t *gpa;
	long n;

	/* The fault path writes the count of backed pages under mem->lock,
	 * with plain stores: read it under the lock too (once a step). */
	guest_mem_get_stats(mem, &st);
	max = st.pages * PROACTIVE_STEP_PCT / 100;
	if (max < PROACTIVE_STEP_MIN)
		max = PROACTIVE_STEP_MIN;
	if (max > PROACTIVE_STEP_MAX)
		max = PROACTIVE_STEP_MAX;
	gpa = malloc(max * sizeof(*gpa));
	if (!gpa)
		return 0;
	n = guest_mem_cold_pages(mem, h->cold.min_age, gpa, max);
	if (n > 0) {
		qsort(gpa, n, sizeof(*gpa), cmp_gpa); /* runs */
		n = guest_mem_swap_out(mem, gpa, n);
	}
	free(gpa);
	return n > 0 ? n : 0;
}

void host_swap_proactive(struct vmm_host *h, uint64_t now)
{
	uint64_t target_ns = (uint64_t)h->cfg.swap_proactive_ms * 1000000;

	if (!target_ns || !h->tier)
		return;
	for (unsigned int slot = 1; slot <= VMM_MAX_GUESTS; slot++) {
		struct host_proactive *p = &h->proactive[slot];
		struct guest_mem *mem;
		uint64_t stall_us, budget_ns;
		unsigned int id;

		pthread_mutex_lock(&h->reap_lock);
		mem = __host_live_mem(h, slot);
		if (!mem || !guest_stall(h, slot, &id, &stall_us)) {
			pthread_mutex_unlock(&h->reap_lock);
			continue;
		}
		/* A guest new in the slot: a baseline first. */
		if (p->id == id && p->t) {
			budget_ns =
				target_ns * (now - p->t) / PROACTIVE_WINDOW_NS;
			if ((stall_us - p->stall_us) * 1000 <= budget_ns)
				__atomic_add_fetch(&p->evicted, step(h, mem),
						   __ATOMIC_RELAXED);
			else
				__atomic_add_fetch(&p->backoffs, 1,
						   __ATOMIC_RELAXED);
		}
		p->id = id;
		p->t = now;
		p->stall_us = stall_us;
		pthread_mutex_unlock(&h->reap_lock);
	}
}
