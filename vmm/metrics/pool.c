// SPDX-License-Identifier: GPL-2.0
/*
 * The pool's families: its size, its zones (free memory against the
 * watermarks), every vmstat counter, and the slow path's latencies.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "mm/vmstat.h"
#include "vmm/host/api.h"
#include "vmm/metrics/internal.h"

#define PAGE_BYTES 4096ULL
#define MAX_ZONES (VMM_MAX_POOL_NODES * MAX_NR_ZONES)

/*
 * One family a counter, vmm_vmstat_<name>_total, rather than one family
 * labelled by counter: the counters count different things (pages,
 * stalls, wake-ups, scans), so that a sum over such a label would mean
 * nothing, and each reads as the /proc/vmstat line users know
 * (docs/metrics.md).
 */
static void vmstat_counters(struct vmm_host *h, FILE *f)
{
	unsigned long ev[NR_VM_EVENT_ITEMS];
	char name[96], help[160];

	all_vm_events(host_pool(h), ev);
	for (unsigned int i = 0; i < NR_VM_EVENT_ITEMS; i++) {
		snprintf(name, sizeof(name), "vmm_vmstat_%s_total",
			 vmstat_text[i]);
		snprintf(help, sizeof(help),
			 "The pool's vmstat counter %s: what it counts and in "
			 "what unit is in docs/counters.md.",
			 vmstat_text[i]);
		prom_family(f, name, "counter", help);
		prom_u64(f, name, NULL, 0, ev[i]);
	}
}

/* A zone's families, in the order written. */
enum zone_value {
	ZV_FREE,
	ZV_MANAGED,
	ZV_MIN,
	ZV_LOW,
	ZV_HIGH,
	ZV_RETURNED,
	ZV_OFFLINE,
	NR_ZONE_VALUES
};

static const struct {
	const char *name, *help;
} zone_families[NR_ZONE_VALUES] = {
	[ZV_FREE] = { "vmm_zone_free_bytes",
		      "Free memory of the zone on its free lists, what the "
		      "watermarks are checked against." },
	[ZV_MANAGED] = { "vmm_zone_managed_bytes",
			 "Memory of the zone the allocator may hand out (less "
			 "what is offline)." },
	[ZV_MIN] = { "vmm_zone_watermark_min_bytes",
		     "The zone's MIN watermark: below it only the slow path's "
		     "reserves allocate." },
	[ZV_LOW] = { "vmm_zone_watermark_low_bytes",
		     "The zone's LOW watermark: below it kswapd is woken." },
	[ZV_HIGH] = { "vmm_zone_watermark_high_bytes",
		      "The zone's HIGH watermark: kswapd sleeps again above "
		      "it." },
	[ZV_RETURNED] = { "vmm_zone_returned_bytes",
			  "Free memory of the zone given back to the host "
			  "(its pages punched out of the pool's file)." },
	[ZV_OFFLINE] = { "vmm_zone_offline_bytes",
			 "Memory of the zone offline because the host would "
			 "not back it (memory cgroup limits, MemAvailable)." },
};

static unsigned long zone_value(const struct host_zone_stats *z,
				enum zone_value v)
{
	switch (v) {
	case ZV_FREE:
		return z->free;
	case ZV_MANAGED:
		return z->managed;
	case ZV_MIN:
		return z->wmark[WMARK_MIN];
	case ZV_LOW:
		return z->wmark[WMARK_LOW];
	case ZV_HIGH:
		return z->wmark[WMARK_HIGH];
	case ZV_RETURNED:
		return z->returned;
	default:
		return z->offline;
	}
}

static void zones(struct vmm_host *h, FILE *f)
{
	struct host_zone_stats zs[MAX_ZONES];
	unsigned int n = host_zone_stats(h, zs, MAX_ZONES);
	char node[MAX_ZONES][12];

	for (unsigned int i = 0; i < n; i++)
		snprintf(node[i], sizeof(node[i]), "%u", zs[i].node);
	for (int v = 0; v < NR_ZONE_VALUES; v++) {
		const char *name = zone_families[v].name;

		prom_family(f, name, "gauge", zone_families[v].help);
		for (unsigned int i = 0; i < n; i++) {
			struct prom_label l[] = { { "node", node[i] },
						  { "zone", zs[i].name } };

			prom_u64(f, name, l, 2,
				 zone_value(&zs[i], v) * PAGE_BYTES);
		}
	}
}

/* /proc/meminfo's lines of the cold tier, in bytes (0 without one). */
static void cold_tier(const struct host_stats *st, FILE *f)
{
	static const struct {
		const char *name, *help;
	} fam[] = {
		{ "vmm_swap_total_bytes",
		  "The cold tier's swap file (meminfo's SwapTotal)." },
		{ "vmm_swap_free_bytes",
		  "Free room in the cold tier's swap file (meminfo's "
		  "SwapFree)." },
		{ "vmm_zswap_bytes",
		  "Pool memory the cold tier's compressed stores take "
		  "(meminfo's Zswap)." },
		{ "vmm_zswapped_bytes",
		  "Guest memory the compressed stores hold, uncompressed "
		  "(meminfo's Zswapped)." },
	};
	const uint64_t v[] = { st->tier.swap_total, st->tier.swap_free,
			       st->tier.zswap, st->tier.zswapped };

	for (size_t i = 0; i < sizeof(fam) / sizeof(fam[0]); i++) {
		prom_family(f, fam[i].name, "gauge", fam[i].help);
		prom_u64(f, fam[i].name, NULL, 0, v[i] * PAGE_BYTES);
	}
}

static int slowpath_latency(struct vmm_host *h, FILE *f)
{
	struct host_pool_latency *lat = malloc(sizeof(*lat)); /* 16 KiB */
	struct prom_hist reclaim, compact;

	if (!lat)
		return -ENOMEM;
	host_pool_latency(h, lat);
	prom_hist_from(&reclaim, &lat->direct_reclaim);
	prom_hist_from(&compact, &lat->direct_compact);
	free(lat);
	prom_family(f, "vmm_direct_reclaim_seconds", "histogram",
		    "How long one direct reclaim of the allocation slow path "
		    "took (a faulting vCPU waits that long; an allocation may "
		    "reclaim several times).");
	prom_histogram(f, "vmm_direct_reclaim_seconds", NULL, 0, &reclaim);
	prom_family(f, "vmm_direct_compaction_seconds", "histogram",
		    "How long one direct compaction of the allocation slow "
		    "path took.");
	prom_histogram(f, "vmm_direct_compaction_seconds", NULL, 0, &compact);
	return 0;
}

int metrics_pool(struct vmm_host *h, FILE *f)
{
	struct host_stats st;

	host_get_stats(h, &st);
	prom_family(f, "vmm_pool_size_bytes", "gauge",
		    "Host memory of the pool, for every guest.");
	prom_u64(f, "vmm_pool_size_bytes", NULL, 0, st.pool_bytes);
	prom_family(f, "vmm_guests", "gauge",
		    "Guests launched and not yet reaped.");
	prom_u64(f, "vmm_guests", NULL, 0, st.nr_running);
	zones(h, f);
	cold_tier(&st, f);
	vmstat_counters(h, f);
	return slowpath_latency(h, f);
}
