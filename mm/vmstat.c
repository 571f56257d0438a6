// SPDX-License-Identifier: GPL-2.0
/*
 * Reports in the formats of /proc/buddyinfo, /proc/pagetypeinfo,
 * /proc/zoneinfo and /proc/vmstat (mm/vmstat.c), so that the tools people
 * already use on those files work on ours.
 */
#include <inttypes.h>
#include <stdio.h>

#include "mm/internal.h"

const char *const vmstat_text[NR_VM_EVENT_ITEMS] = {
#define X(e, name) [e] = name,
	VM_EVENTS(X)
#undef X
};

static const char *const migratetype_names[MIGRATE_TYPES] = {
	"Unmovable",
	"Movable",
	"HighAtomic",
	"Isolate",
};

const char *migratetype_name(int mt)
{
	return mt >= 0 && mt < MIGRATE_TYPES ? migratetype_names[mt] : "?";
}

void __zone_pageblock_counts(struct mm_pool *pool, struct zone *zone,
			     unsigned long count[MIGRATE_TYPES])
{
	for (int mt = 0; mt < MIGRATE_TYPES; mt++)
		count[mt] = 0;
	for (pfn_t p = zone->zone_start_pfn; p < zone_end_pfn(zone);
	     p += pageblock_nr_pages)
		count[get_pageblock_migratetype(pool, p)]++;
}

void walk_zones(struct mm_pool *pool, FILE *f,
		void (*print)(struct mm_pool *pool, struct zone *zone, FILE *f,
			      void *arg),
		void *arg)
{
	for (unsigned int z = 0; z < pool->nr_zones; z++) {
		struct zone *zone = pool->zones[z];

		if (!populated_zone(zone))
			continue;
		fprintf(f, "Node %d, zone %8s ", zone->node, zone->name);
		pthread_mutex_lock(&zone->lock);
		print(pool, zone, f, arg);
		pthread_mutex_unlock(&zone->lock);
		fputc('\n', f);
	}
}

static void frag_show_print(struct mm_pool *pool, struct zone *zone, FILE *f,
			    void *arg)
{
	(void)pool, (void)arg;
	for (int o = 0; o < MAX_ORDER; o++)
		fprintf(f, "%6lu ", zone->free_area[o].nr_free);
}

void mm_show_buddyinfo(struct mm_pool *pool, FILE *f)
{
	walk_zones(pool, f, frag_show_print, NULL);
}

static void pagetypeinfo_showblockcount_print(struct mm_pool *pool,
					      struct zone *zone, FILE *f,
					      void *arg)
{
	unsigned long count[MIGRATE_TYPES];

	(void)arg;
	__zone_pageblock_counts(pool, zone, count);
	for (int mt = 0; mt < MIGRATE_TYPES; mt++)
		fprintf(f, "%12lu ", count[mt]);
}

void mm_show_pagetypeinfo(struct mm_pool *pool, FILE *f)
{
	fprintf(f, "Page block order: %d\n", pageblock_order);
	fprintf(f, "Pages per block:  %lu\n", pageblock_nr_pages);
	fputc('\n', f);

	fprintf(f, "%-43s ", "Free pages count per migrate type at order");
	for (int o = 0; o < MAX_ORDER; o++)
		fprintf(f, "%6d ", o);
	fputc('\n', f);
	for (unsigned int z = 0; z < pool->nr_zones; z++) {
		struct zone *zone = pool->zones[z];

		if (!populated_zone(zone))
			continue;
		pthread_mutex_lock(&zone->lock);
		for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
			fprintf(f, "Node %4d, zone %8s, type %12s ", zone->node,
				zone->name, migratetype_names[mt]);
			for (int o = 0; o < MAX_ORDER; o++)
				fprintf(f, "%6lu ",
					zone->free_area[o].nr_free_mt[mt]);
			fputc('\n', f);
		}
		pthread_mutex_unlock(&zone->lock);
	}

	fprintf(f, "\n%-23s", "Number of blocks type ");
	for (int mt = 0; mt < MIGRATE_TYPES; mt++)
		fprintf(f, "%12s ", migratetype_names[mt]);
	fputc('\n', f);
	walk_zones(pool, f, pagetypeinfo_showblockcount_print, NULL);
}

static void zoneinfo_show_pageset(int i, int count, int high, int batch,
				  void *arg)
{
	fprintf(arg,
		"\n    cpu: %i"
		"\n              count: %i"
		"\n              high:  %i"
		"\n              batch: %i",
		i, count, high, batch);
}

/*
 * Linux's lines less those vmm has nothing for (boost, promo, cma, the
 * vm stats threshold, node_unreclaimable): a value printed is a value
 * measured.  docs/counters.md lists what is printed.
 */
static void zoneinfo_show_print(struct mm_pool *pool, struct zone *zone,
				FILE *f)
{
	pg_data_t *pgdat = zone->zone_pgdat;

	fprintf(f, "Node %d, zone %8s", zone->node, zone->name);
	if (zone == &pgdat->node_zones[ZONE_NORMAL]) {
		fprintf(f, "\n  per-node stats");
		fprintf(f, "\n      %-12s %lu", "nr_free_pages",
			node_nr_free_pages(pool, pgdat->node_id));
		fprintf(f, "\n      %-12s %d", "kswapd_order",
			READ_ONCE(pgdat->kswapd_order));
		fprintf(f, "\n      %-12s %d", "host_node", pgdat->host_node);
	}
	fprintf(f,
		"\n  pages free     %ld"
		"\n        min      %lu"
		"\n        low      %lu"
		"\n        high     %lu"
		"\n        spanned  %lu"
		"\n        present  %lu"
		"\n        managed  %lu",
		zone_page_state_free(zone), min_wmark_pages(zone),
		low_wmark_pages(zone), high_wmark_pages(zone),
		/* Offline pages are neither present nor managed, as in
		 * Linux. */
		zone->spanned_pages, zone_managed_pages(zone),
		zone_managed_pages(zone));
	fprintf(f, "\n        protection: (%ld", zone->lowmem_reserve[0]);
	for (int i = 1; i < MAX_NR_ZONES; i++)
		fprintf(f, ", %ld", zone->lowmem_reserve[i]);
	fputc(')', f);
	if (!populated_zone(zone)) {
		fputc('\n', f);
		return;
	}
	fprintf(f, "\n      %-12s %ld", "nr_free_pages",
		zone_page_state_free(zone));
	fprintf(f, "\n      %-12s %ld", "nr_returned_pages",
		READ_ONCE(zone->nr_returned_pages));
	fprintf(f, "\n      %-12s %ld", "nr_offline_pages",
		READ_ONCE(zone->nr_offline_pages));
	pthread_mutex_lock(&zone->lock);
	fprintf(f, "\n      %-12s %lu", "nr_isolated_free",
		zone->nr_isolated_pages);
	pthread_mutex_unlock(&zone->lock);
	/* A pageset per thread that allocated here, where Linux has one
	 * per CPU. */
	fprintf(f, "\n  pagesets");
	pcp_zone_for_each(pool, zone, zoneinfo_show_pageset, f);
	fprintf(f, "\n  start_pfn:           %lu\n",
		(unsigned long)zone->zone_start_pfn);
}

void mm_show_zoneinfo(struct mm_pool *pool, FILE *f)
{
	for (unsigned int z = 0; z < pool->nr_zones; z++)
		zoneinfo_show_print(pool, pool->zones[z], f);
}

void mm_show_vmstat(struct mm_pool *pool, FILE *f)
{
	unsigned long ev[NR_VM_EVENT_ITEMS];
	long returned = 0;

	for (unsigned int z = 0; z < pool->nr_zones; z++)
		returned += READ_ONCE(pool->zones[z]->nr_returned_pages);
	fprintf(f, "nr_free_pages %lu\n", mm_nr_free_pages(pool));
	fprintf(f, "nr_returned_pages %ld\n", returned);
	fprintf(f, "nr_offline_pages %lu\n", pool_nr_offline_pages(pool));
	all_vm_events(pool, ev);
	for (int i = 0; i < NR_VM_EVENT_ITEMS; i++)
		fprintf(f, "%s %lu\n", vmstat_text[i], ev[i]);
}
