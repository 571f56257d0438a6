// SPDX-License-Identifier: GPL-2.0
/* The cold page scanner (see cold.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

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

#define DAMON_ADMIN "/sys/kernel/mm/damon/admin/kdamonds"

static bool read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

/*
 * DAMON as the host has it, read only: starting a kdamond of our own
 * would mean writing nr_kdamonds, which a host that runs one refuses
 * (EBUSY) and which must never disturb the one it runs.
 */
static const char *damon_state(void)
{
	char buf[32], path[128];
	unsigned long n;

	if (!read_line(DAMON_ADMIN "/nr_kdamonds", buf, sizeof(buf)))
		return "absent from the host kernel";
	n = strtoul(buf, NULL, 10);
	for (unsigned long i = 0; i < n && i < 64; i++) {
		snprintf(path, sizeof(path), DAMON_ADMIN "/%lu/state", i);
		if (read_line(path, buf, sizeof(buf)) && !strcmp(buf, "on"))
			return "busy: the host runs its own kdamond";
	}
	return "free, not used: vmm samples (docs/cold_pages.md)";
}

void host_cold_show(struct vmm_host *h, FILE *f)
{
	uint64_t passes = __atomic_load_n(&h->cold.passes, __ATOMIC_RELAXED);
	uint64_t ns = __atomic_load_n(&h->cold.pass_ns, __ATOMIC_RELAXED);

	if (h->cfg.cold_scan_off) {
		fprintf(f,
			"cold pages: not looked for (--cold-scan off); "
			"DAMON %s\n",
			damon_state());
		return;
	}
	fprintf(f,
		"cold pages: sampled (PTEs dropped, pagemap read) every %" PRIu64
		" ms, cold after %u passes; %" PRIu64
		" passes, %.1f ms each on average; DAMON %s\n",
		h->cold.thread.interval_ns / 1000000, h->cold.min_age, passes,
		passes ? ns / 1e6 / passes : 0.0, damon_state());
}
