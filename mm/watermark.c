// SPDX-License-Identifier: GPL-2.0
/*
 * Watermarks and lowmem reserves, computed as Linux's
 * __setup_per_zone_wmarks() and setup_per_zone_lowmem_reserve(), and the
 * check every allocation makes against them (__zone_watermark_ok()).
 */
#include "mm/internal.h"

static unsigned long int_sqrt(unsigned long x)
{
	unsigned long r = 0, bit = 1UL << (sizeof(long) * 8 - 2);

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

/*
 * min_free_kbytes = sqrt(lowmem_kbytes * 16), clamped to [128, 262144]:
 * 1 GiB gives 4 MiB, 16 GiB gives 16 MiB (calculate_min_free_kbytes()).
 */
unsigned long calculate_min_free_kbytes(unsigned long lowmem_kbytes)
{
	unsigned long kb = int_sqrt(lowmem_kbytes * 16);

	if (kb < 128)
		kb = 128;
	if (kb > 262144)
		kb = 262144;
	return kb;
}

static void setup_per_zone_lowmem_reserve(struct mm_pool *pool)
{
	unsigned int ratio = pool->lowmem_reserve_ratio;

	for (unsigned int nid = 0; nid < pool->nr_nodes; nid++) {
		pg_data_t *pgdat = &pool->node_data[nid];

		for (int i = 0; i < MAX_NR_ZONES; i++) {
			struct zone *zone = &pgdat->node_zones[i];
			unsigned long managed = 0;

			WRITE_ONCE(zone->lowmem_reserve[i], 0);
			/* Keep some of a lower zone from requests that could
			 * have used a higher one. */
			for (int j = i + 1; j < MAX_NR_ZONES; j++) {
				managed += zone_managed_pages(
					&pgdat->node_zones[j]);
				WRITE_ONCE(zone->lowmem_reserve[j],
					   ratio ? (long)(managed / ratio) : 0);
			}
		}
	}
}

/*
 * From the managed pages: memory hotplug calls it again when pageblocks
 * go offline or come back, while allocators read the marks (single
 * stores; under the zone lock, so that mm_validate() sees them whole).
 */
void setup_per_zone_wmarks(struct mm_pool *pool)
{
	unsigned long pages_min = pool->min_free_kbytes >> (PAGE_SHIFT - 10);
	unsigned long lowmem_pages = pool->nr_nodes ? 0 : 1;

	for (unsigned int z = 0; z < pool->nr_zones; z++)
		lowmem_pages += zone_managed_pages(pool->zones[z]);
	if (!lowmem_pages)
		lowmem_pages = 1;

	for (unsigned int z = 0; z < pool->nr_zones; z++) {
		struct zone *zone = pool->zones[z];
		uint64_t managed = zone_managed_pages(zone), tmp;
		unsigned long mark[NR_WMARK];

		/* Each zone's share of min_free, by size. */
		tmp = (uint64_t)pages_min * managed / lowmem_pages;
		mark[WMARK_MIN] = tmp;
		/* The gaps min->low->high: a quarter of min, or
		 * watermark_scale_factor/10000 of the zone if that is more. */
		tmp = tmp >> 2;
		if (tmp < managed * pool->watermark_scale_factor / 10000)
			tmp = managed * pool->watermark_scale_factor / 10000;
		mark[WMARK_LOW] = mark[WMARK_MIN] + tmp;
		mark[WMARK_HIGH] = mark[WMARK_MIN] + tmp * 2;
		pthread_mutex_lock(&zone->lock);
		for (int w = WMARK_MIN; w < NR_WMARK; w++)
			WRITE_ONCE(zone->_watermark[w], mark[w]);
		pthread_mutex_unlock(&zone->lock);
	}
	setup_per_zone_lowmem_reserve(pool);
}

/*
 * May an order-`order` allocation take frames from z, leaving free_pages
 * above mark?  ALLOC_HIGH may go to half of it, ALLOC_HARDER a further
 * quarter, an OOM victim half again; the higher-order check wants a free
 * block of at least that order (__zone_watermark_ok()).
 */
bool __zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
			 int highest_zoneidx, unsigned int alloc_flags,
			 long free_pages)
{
	long min = mark;
	const bool alloc_harder = alloc_flags & (ALLOC_HARDER | ALLOC_OOM);

	/* The request's own frames beyond the first do not count. */
	free_pages -= (1L << order) - 1;

	if (alloc_flags & ALLOC_HIGH)
		min -= min / 2;
	if (unlikely(alloc_harder)) {
		if (alloc_flags & ALLOC_OOM)
			min -= min / 2;
		else
			min -= min / 4;
	}

	if (free_pages <= min + READ_ONCE(z->lowmem_reserve[highest_zoneidx]))
		return false;
	if (!order)
		return true;

	/* Enough frames, but is there a block that large? */
	for (unsigned int o = order; o < MAX_ORDER; o++) {
		struct free_area *area = &z->free_area[o];

		if (!READ_ONCE(area->nr_free))
			continue;
		for (int mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			if (READ_ONCE(area->free_list[mt]) != PFN_NONE)
				return true;
		if (alloc_harder &&
		    READ_ONCE(area->free_list[MIGRATE_HIGHATOMIC]) != PFN_NONE)
			return true;
	}
	return false;
}

bool zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
		       int highest_zoneidx, unsigned int alloc_flags)
{
	return __zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags,
				   zone_page_state_free(z));
}
