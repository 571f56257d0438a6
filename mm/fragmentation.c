// SPDX-License-Identifier: GPL-2.0
/*
 * How fragmented free memory is, as Linux measures it (mm/vmstat.c and
 * mm/compaction.c): the fragmentation index that tells compaction from
 * reclaim, the unusable free index, the fragmentation score that drives
 * proactive compaction, and the share of free memory in whole free
 * pageblocks, which is what the host can take back.
 *
 * The free areas are read without the lock (their counts are single
 * stores): a snapshot may be off by a block in flight, as in Linux.
 */
#include "mm/internal.h"

struct contig_page_info {
	unsigned long free_pages;
	unsigned long free_blocks_total;
	unsigned long free_blocks_suitable;
};

/* Free blocks and pages of zone, and blocks of suitable_order's size. */
static void fill_contig_page_info(struct zone *zone,
				  unsigned int suitable_order,
				  struct contig_page_info *info)
{
	*info = (struct contig_page_info){ 0 };
	for (unsigned int order = 0; order < MAX_ORDER; order++) {
		unsigned long blocks =
			READ_ONCE(zone->free_area[order].nr_free);

		info->free_blocks_total += blocks;
		info->free_pages += blocks << order;
		if (order >= suitable_order)
			info->free_blocks_suitable +=
				blocks << (order - suitable_order);
	}
}

/*
 * 0 (an allocation of order fails for lack of memory) .. 1000 (for
 * fragmentation); -1000 when it would not fail (__fragmentation_index()).
 */
static int __fragmentation_index(unsigned int order,
				 const struct contig_page_info *info)
{
	unsigned long requested = 1UL << order;

	if (order >= MAX_ORDER || !info->free_blocks_total)
		return 0;
	if (info->free_blocks_suitable)
		return -1000;
	return 1000 - (int)((1000 + info->free_pages * 1000 / requested) /
			    info->free_blocks_total);
}

int fragmentation_index(struct zone *zone, unsigned int order)
{
	struct contig_page_info info;

	fill_contig_page_info(zone, order, &info);
	return __fragmentation_index(order, &info);
}

/* Free memory unusable for order, 0..1000 (unusable_free_index()). */
static int unusable_free_index(unsigned int order,
			       const struct contig_page_info *info)
{
	/* No free memory at all is all unusable. */
	if (!info->free_pages)
		return 1000;
	return (int)((info->free_pages -
		      (info->free_blocks_suitable << order)) *
		     1000 / info->free_pages);
}

unsigned int extfrag_for_order(struct zone *zone, unsigned int order)
{
	struct contig_page_info info;

	fill_contig_page_info(zone, order, &info);
	if (!info.free_pages)
		return 0;
	return (unsigned int)((info.free_pages -
			       (info.free_blocks_suitable << order)) *
			      100 / info.free_pages);
}

unsigned int fragmentation_score_zone(struct zone *zone)
{
	return extfrag_for_order(zone, COMPACTION_HPAGE_ORDER);
}

/* A zone's share of its node's score, by size. */
static unsigned int fragmentation_score_zone_weighted(struct zone *zone)
{
	return (unsigned int)(zone->spanned_pages *
			      fragmentation_score_zone(zone) /
			      (zone->zone_pgdat->node_spanned_pages + 1));
}

unsigned int fragmentation_score_node(pg_data_t *pgdat)
{
	unsigned int score = 0;

	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *zone = &pgdat->node_zones[i];

		if (populated_zone(zone))
			score += fragmentation_score_zone_weighted(zone);
	}
	return score;
}

/*
 * Proactive compaction starts above the high mark and stops at the low
 * one: low = 100 - proactiveness, but at least 5 so that it never chases
 * perfection; high = low + 10.
 */
unsigned int fragmentation_score_wmark(struct mm_pool *pool, bool low)
{
	unsigned int proactiveness = READ_ONCE(pool->compact.proactiveness);
	unsigned int wmark_low = proactiveness > 95 ? 5 : 100 - proactiveness;

	return low ? wmark_low : (wmark_low + 10 < 100 ? wmark_low + 10 : 100);
}

void free_in_pageblocks(struct mm_pool *pool, unsigned long *in_blocks,
			unsigned long *free)
{
	*in_blocks = *free = 0;
	for (unsigned int z = 0; z < pool->nr_zones; z++) {
		struct zone *zone = pool->zones[z];

		pthread_mutex_lock(&zone->lock);
		for (unsigned int o = 0; o < MAX_ORDER; o++) {
			unsigned long pages = zone->free_area[o].nr_free << o;

			*free += pages;
			if (o >= pageblock_order)
				*in_blocks += pages;
		}
		pthread_mutex_unlock(&zone->lock);
	}
}

unsigned int free_in_pageblocks_pct(struct mm_pool *pool)
{
	unsigned long in_blocks, free;

	free_in_pageblocks(pool, &in_blocks, &free);
	return free ? (unsigned int)(in_blocks * 100 / free) : 100;
}

/* A zone's line of an index file: the index for every order. */
static void index_show_print(struct mm_pool *pool, struct zone *zone, FILE *f,
			     void *extfrag)
{
	(void)pool;
	for (unsigned int o = 0; o < MAX_ORDER; o++) {
		struct contig_page_info info;
		int index;

		fill_contig_page_info(zone, o, &info);
		if (*(bool *)extfrag) {
			index = __fragmentation_index(o, &info);
			fprintf(f, "%2d.%03d ", index / 1000, index % 1000);
		} else {
			index = unusable_free_index(o, &info);
			fprintf(f, "%d.%03d ", index / 1000, index % 1000);
		}
	}
}

void mm_show_extfrag_index(struct mm_pool *pool, FILE *f)
{
	bool extfrag = true;

	walk_zones(pool, f, index_show_print, &extfrag);
}

void mm_show_unusable_index(struct mm_pool *pool, FILE *f)
{
	bool extfrag = false;

	walk_zones(pool, f, index_show_print, &extfrag);
}
