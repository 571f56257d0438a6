// SPDX-License-Identifier: GPL-2.0
/*
 * What the allocator prints when things go wrong: warn_alloc() and the
 * zone summary (show_free_areas()) that allocation failures and OOM
 * reports carry.
 */
#include <stdarg.h>
#include <stdio.h>

#include "mm/internal.h"

void show_free_areas(struct mm_pool *pool, FILE *f)
{
	for (unsigned int z = 0; z < pool->nr_zones; z++) {
		struct zone *zone = pool->zones[z];

		if (!populated_zone(zone))
			continue;
		fprintf(f,
			"Node %d %s free:%ldkB min:%lukB low:%lukB high:%lukB present:%lukB managed:%lukB returned:%lukB\n",
			zone->node, zone->name, zone_page_state_free(zone) * 4,
			min_wmark_pages(zone) * 4, low_wmark_pages(zone) * 4,
			high_wmark_pages(zone) * 4, zone->spanned_pages * 4,
			zone_managed_pages(zone) * 4,
			READ_ONCE(zone->nr_returned_pages) * 4UL);
		fprintf(f, "Node %d %s:", zone->node, zone->name);
		pthread_mutex_lock(&zone->lock);
		for (int o = 0; o < MAX_ORDER; o++)
			fprintf(f, " %lu*%lukB", zone->free_area[o].nr_free,
				4UL << o);
		pthread_mutex_unlock(&zone->lock);
		fputc('\n', f);
	}
}

/* Rate limited as Linux's warn_alloc(): the first ten, then 1 in 100. */
void warn_alloc(struct mm_pool *pool, gfp_t gfp_mask,
		const nodemask_t *nodemask, const char *fmt, ...)
{
	unsigned long n =
		__atomic_fetch_add(&pool->warn_count, 1, __ATOMIC_RELAXED);
	char gfp[160], msg[160];
	FILE *f = mm_printk_file(pool);
	va_list ap;

	count_vm_event(pool, ALLOC_WARN);
	if (n >= 10 && n % 100)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	flockfile(f);
	fprintf(f, "mm: warning: %s, mode:%#x(%s), nodemask=", msg, gfp_mask,
		gfp_flags_str(gfp_mask, gfp, sizeof(gfp)));
	if (nodemask)
		fprintf(f, "%#x\n", nodemask->bits);
	else
		fprintf(f, "(null)\n");
	if (!(gfp_mask & __GFP_NOWARN) && n < 10)
		show_free_areas(pool, f);
	funlockfile(f);
}
