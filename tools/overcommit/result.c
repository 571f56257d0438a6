// SPDX-License-Identifier: GPL-2.0
/* Small readings of an overcommit result (result.h). */
#include <stdio.h>

#include "tools/overcommit/result.h"

const char *oc_integrity(const struct oc_guest *g)
{
	if (g->state != OC_ENDED)
		return "not run";
	if (g->sum.nr_corrupt || g->sum.verify_bad)
		return "FAILED";
	return g->sum.nr_verify ? "ok" : "not checked";
}

bool oc_oom_killed(const struct oc_guest *g)
{
	return g->state == OC_ENDED && g->why == VM_EXIT_OOM_KILL;
}

/*
 * A guest's memory counts where the host keeps it: in pool frames (the
 * peak vmm keeps at every fault) or in the cold tier (sampled), so that
 * a page evicted to the tier still counts as memory the guest had.
 */
double oc_overcommit_achieved(const struct oc_result *r)
{
	uint64_t pages = 0;

	for (unsigned int i = 0; i < r->nr_guests; i++) {
		const struct oc_guest *g = &r->guest[i];

		if (g->state == OC_ENDED)
			pages += g->peak_held_pages > g->mem.peak_pages ?
					 g->peak_held_pages :
					 g->mem.peak_pages;
	}
	return r->pool_bytes ? (double)(pages << PAGE_SHIFT) / r->pool_bytes :
			       0;
}

const char *oc_ending(const struct oc_guest *g, char *buf, size_t len)
{
	switch (g->state) {
	case OC_PENDING:
		return "never started";
	case OC_RUNNING:
		return "still running";
	case OC_NOT_STARTED:
		return "not started: the run ended first";
	case OC_LAUNCH_FAILED:
		snprintf(buf, len, "launch failed: %s", g->error);
		return buf;
	case OC_ENDED:
		break;
	}
	if (g->why == VM_EXIT_GUEST_EXIT)
		snprintf(buf, len, "guest exit, status %d%s%s%s",
			 g->sum.exit_status,
			 g->sum.exit_status == 2 ? " (bad script)" :
			 g->sum.exit_status == 3 ? " (out of guest memory)" :
						   "",
			 g->sum.nr_panics ? "; guest panic: " : "",
			 g->sum.nr_panics ? g->sum.panic : "");
	else
		snprintf(buf, len, "%s%s%s", vm_exit_reason_name(g->why),
			 g->detail[0] ? ": " : "", g->detail);
	return buf;
}
