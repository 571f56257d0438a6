// SPDX-License-Identifier: GPL-2.0
/*
 * The cold tier in the summary (summary.h): its vmstat counters at the
 * end, the peaks of meminfo's Zswap and Zswapped and of the swap file,
 * and what each guest had in it at most and brought back by faults.
 */
#include <inttypes.h>

#include "tools/overcommit/summary.h"

/* vmstat's counters of the tier, in pages (docs/counters.md). */
static const enum vm_event_item tier_events[] = {
	ZSWPOUT,
	ZSWPIN,
	ZSWPWB,
	PSWPOUT,
	PSWPIN,
	WORKINGSET_REFAULT_ANON,
	WORKINGSET_ACTIVATE_ANON,
};
#define NR_TIER_EVENTS (sizeof(tier_events) / sizeof(tier_events[0]))

static double mib(uint64_t pages)
{
	return pages / 256.0;
}

void oc_tier_text(const struct oc_result *r, FILE *f)
{
	if (!r->tier)
		return;
	fprintf(f, "\ncold tier (docs/cold_tier.md)\n ");
	for (size_t i = 0; i < NR_TIER_EVENTS; i++)
		fprintf(f, " %s %lu", vmstat_text[tier_events[i]],
			r->vmstat[tier_events[i]]);
	fprintf(f,
		"\n  peak Zswap %" PRIu64 " kB, Zswapped %" PRIu64
		" kB, in the swap file %" PRIu64 " kB",
		r->peak_zswap_pages * 4, r->peak_zswapped_pages * 4,
		r->peak_in_file_pages * 4);
	if (r->swap_total_pages)
		fprintf(f, " (SwapTotal %" PRIu64 " kB)",
			r->swap_total_pages * 4);
	fputc('\n', f);
	for (unsigned int i = 0; i < r->nr_guests; i++) {
		const struct oc_guest *g = &r->guest[i];

		if (!g->peak_swap_pages && !g->mem.swap_in)
			continue;
		fprintf(f,
			"  %-16s swapped at peak %.1f MiB; %" PRIu64
			" pages out, %" PRIu64
			" refaulted (back in by its faults, %.1f MiB)\n",
			g->spec->name, mib(g->peak_swap_pages), g->mem.swap_out,
			g->mem.swap_in, mib(g->mem.swap_in));
	}
}

json_t *oc_tier_json(const struct oc_result *r)
{
	json_t *o = json_pack("{s:b}", "present", r->tier);

	for (size_t i = 0; i < NR_TIER_EVENTS; i++)
		json_object_set_new(
			o, vmstat_text[tier_events[i]],
			json_integer((json_int_t)r->vmstat[tier_events[i]]));
	json_object_set_new(o, "peak_zswap_mib",
			    json_real(mib(r->peak_zswap_pages)));
	json_object_set_new(o, "peak_zswapped_mib",
			    json_real(mib(r->peak_zswapped_pages)));
	json_object_set_new(o, "peak_swap_file_mib",
			    json_real(mib(r->peak_in_file_pages)));
	json_object_set_new(o, "swap_total_mib",
			    json_real(mib(r->swap_total_pages)));
	return o;
}

void oc_tier_guest_json(json_t *o, const struct oc_guest *g)
{
	json_object_set_new(o, "peak_swapped_mib",
			    json_real(mib(g->peak_swap_pages)));
	json_object_set_new(o, "swap_out_pages",
			    json_integer((json_int_t)g->mem.swap_out));
	json_object_set_new(o, "refaulted_pages",
			    json_integer((json_int_t)g->mem.swap_in));
}
