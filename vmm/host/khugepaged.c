// SPDX-License-Identifier: GPL-2.0
/* khugepaged for guests (see khugepaged.h). */
#include "vmm/host/host.h"
#include "vmm/host/khugepaged.h"

static void khugepaged_pass(void *arg)
{
	struct khugepaged *k = arg;
	long n;

	/* Like khugepaged's pages_to_scan: a bounded pass, so a large guest
	 * costs the others no more than a small one. */
	n = host_collapse_all(k->h, k->max_scan, k->max_collapse);
	__atomic_add_fetch(&k->passes, 1, __ATOMIC_RELAXED);
	if (n > 0)
		__atomic_add_fetch(&k->collapsed, n, __ATOMIC_RELAXED);
}

int host_khugepaged_start(struct vmm_host *h)
{
	struct khugepaged *k = &h->khugepaged;
	uint64_t interval_ms = h->cfg.collapse_interval_ms ?
				       h->cfg.collapse_interval_ms :
				       1000;

	k->h = h;
	k->max_scan = h->cfg.collapse_scan ? h->cfg.collapse_scan : 512;
	k->max_collapse = h->cfg.collapse_max ? h->cfg.collapse_max : 8;
	return periodic_start(&k->thread, interval_ms * 1000000ULL,
			      khugepaged_pass, k);
}

void host_khugepaged_stop(struct vmm_host *h)
{
	periodic_stop(&h->khugepaged.thread);
}
