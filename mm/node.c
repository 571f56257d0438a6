// SPDX-License-Identifier: GPL-2.0
/*
 * Nodes, zones and zonelists.  The pool is cut into nr_nodes equal parts;
 * each node's part is ZONE_NORMAL followed by ZONE_MOVABLE (the movable
 * size is per node, like movablecore=).  Every zone starts on a MAX_ORDER
 * boundary so that buddies never straddle zones.
 *
 * A node's fallback zonelist holds its own zones, then the other nodes' by
 * distance (build_zonelists()); within a node the higher zone comes first,
 * so a movable request uses ZONE_MOVABLE before ZONE_NORMAL.  The
 * no-fallback zonelist has the local zones only (__GFP_THISNODE).
 */
#include <errno.h>
#include <string.h>

#include "mm/internal.h"

static const char *const zone_names[MAX_NR_ZONES] = {
	[ZONE_NORMAL] = "Normal",
	[ZONE_MOVABLE] = "Movable",
};

static int check_distances(struct mm_pool *pool, const struct mm_config *cfg,
			   char *err, size_t errlen)
{
	unsigned int n = pool->nr_nodes;
	bool given = false;

	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = 0; j < n; j++)
			given |= cfg->distance[i][j] != 0;
	for (unsigned int i = 0; i < n; i++) {
		for (unsigned int j = 0; j < n; j++) {
			unsigned int d = given ? cfg->distance[i][j] :
						 (i == j ? 10 : 20);

			/* The ACPI SLIT rules: 10 is local, remote is more,
			 * 255 means unreachable. */
			if (i == j && d != 10)
				return errf(
					err, errlen, -EINVAL,
					"distance %u->%u is %u; a node's distance to itself must be 10",
					i, j, d);
			if (i != j && (d <= 10 || d > 254))
				return errf(
					err, errlen, -EINVAL,
					"distance %u->%u is %u; remote distances must be 11..254",
					i, j, d);
			pool->distance[i][j] = d;
		}
	}
	return 0;
}

static void init_zone(struct mm_pool *pool, pg_data_t *pgdat,
		      enum zone_type idx, pfn_t start, unsigned long pages)
{
	struct zone *zone = &pgdat->node_zones[idx];

	zone->zone_pgdat = pgdat;
	zone->node = pgdat->node_id;
	zone->idx = idx;
	zone->name = zone_names[idx];
	zone->zone_id = pgdat->node_id * MAX_NR_ZONES + idx;
	zone->zone_start_pfn = start;
	zone->spanned_pages = pages;
	zone->compact_order_failed = MAX_ORDER;
	pthread_mutex_init(&zone->lock, NULL);
	for (int o = 0; o < MAX_ORDER; o++)
		for (int mt = 0; mt < MIGRATE_TYPES; mt++)
			zone->free_area[o].free_list[mt] =
				zone->free_area[o].free_tail[mt] = PFN_NONE;
	pool->zones[zone->zone_id] = zone;

	/* Every pageblock starts clean and returned (the host holds nothing
	 * for a fresh memfd: its first use faults it in), movable as in
	 * Linux, and every frame knows its zone. */
	for (pfn_t p = start; p < start + pages; p++)
		pool->frames[p].zone = zone->zone_id;
	for (pfn_t p = start; p < start + pages; p += pageblock_nr_pages)
		pool->frames[p].pb = PB_CLEAN | PB_RETURNED | MIGRATE_MOVABLE;
	zone->nr_returned_pages = pages;
	for (pfn_t p = start; p < start + pages; p += MAX_ORDER_NR_PAGES)
		__free_one_page(pool, zone, p, MAX_ORDER - 1, MIGRATE_MOVABLE);
}

/* Nodes by distance from nid; ties go round-robin from nid so that
 * equidistant nodes share the fallback load (find_next_best_node()). */
static void nodes_by_distance(struct mm_pool *pool, int nid, int *order)
{
	unsigned int n = pool->nr_nodes;

	for (unsigned int i = 0; i < n; i++)
		order[i] = (nid + i) % n;
	for (unsigned int i = 1; i < n; i++) {
		int v = order[i];
		unsigned int j = i;

		while (j > 0 && pool->distance[nid][order[j - 1]] >
					pool->distance[nid][v]) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = v;
	}
}

static int add_node_zones(pg_data_t *pgdat, struct zoneref *zr, int nr)
{
	for (int idx = MAX_NR_ZONES - 1; idx >= 0; idx--) {
		struct zone *zone = &pgdat->node_zones[idx];

		if (!populated_zone(zone))
			continue;
		zr[nr].zone = zone;
		zr[nr].zone_idx = idx;
		nr++;
	}
	return nr;
}

static void build_zonelists(struct mm_pool *pool, pg_data_t *pgdat)
{
	int order[MAX_NUMNODES];
	struct zoneref *zr;
	int nr = 0;

	nodes_by_distance(pool, pgdat->node_id, order);
	zr = pgdat->node_zonelists[ZONELIST_FALLBACK]._zonerefs;
	for (unsigned int i = 0; i < pool->nr_nodes; i++)
		nr = add_node_zones(&pool->node_data[order[i]], zr, nr);
	zr[nr].zone = NULL;

	zr = pgdat->node_zonelists[ZONELIST_NOFALLBACK]._zonerefs;
	nr = add_node_zones(pgdat, zr, 0);
	zr[nr].zone = NULL;
}

int build_nodes(struct mm_pool *pool, const struct mm_config *cfg, char *err,
		size_t errlen)
{
	unsigned long node_pages, movable_pages;
	int ret;

	if (cfg->nr_nodes < 1 || cfg->nr_nodes > MAX_NUMNODES)
		return errf(err, errlen, -EINVAL,
			    "%u nodes: the pool has 1 to %d nodes",
			    cfg->nr_nodes, MAX_NUMNODES);
	pool->nr_nodes = cfg->nr_nodes;
	node_pages = ALIGN_DOWN(pool->nr_frames / pool->nr_nodes,
				MAX_ORDER_NR_PAGES);
	movable_pages =
		ALIGN_UP(cfg->movable_bytes >> PAGE_SHIFT, MAX_ORDER_NR_PAGES);
	if (node_pages < MAX_ORDER_NR_PAGES)
		return errf(
			err, errlen, -EINVAL,
			"a pool of %lu KiB cannot give %u nodes %lu KiB each",
			pool->nr_frames * 4, pool->nr_nodes,
			MAX_ORDER_NR_PAGES * 4);
	if (movable_pages >= node_pages)
		return errf(
			err, errlen, -EINVAL,
			"ZONE_MOVABLE of %lu KiB leaves nothing of a %lu KiB node for ZONE_NORMAL",
			movable_pages * 4, node_pages * 4);
	ret = check_distances(pool, cfg, err, errlen);
	if (ret)
		return ret;

	for (unsigned int nid = 0; nid < pool->nr_nodes; nid++) {
		pg_data_t *pgdat = &pool->node_data[nid];
		pfn_t start = nid * node_pages;

		pgdat->node_id = nid;
		pgdat->node_start_pfn = start;
		pgdat->node_spanned_pages = node_pages;
		pgdat->host_node = -1;
		init_zone(pool, pgdat, ZONE_NORMAL, start,
			  node_pages - movable_pages);
		init_zone(pool, pgdat, ZONE_MOVABLE,
			  start + node_pages - movable_pages, movable_pages);
		node_set(nid, &pool->online);
	}
	pool->nr_zones = pool->nr_nodes * MAX_NR_ZONES;
	for (unsigned int nid = 0; nid < pool->nr_nodes; nid++)
		build_zonelists(pool, &pool->node_data[nid]);
	return 0;
}

void destroy_nodes(struct mm_pool *pool)
{
	for (unsigned int z = 0; z < pool->nr_zones; z++)
		pthread_mutex_destroy(&pool->zones[z]->lock);
}

static inline bool zref_in_nodemask(const struct zoneref *z,
				    const nodemask_t *nodes)
{
	return !nodes || node_isset(z->zone->node, nodes);
}

struct zoneref *next_zones_zonelist(struct zoneref *z,
				    enum zone_type highest_zoneidx,
				    const nodemask_t *nodes)
{
	while (z->zone && (z->zone_idx > (int)highest_zoneidx ||
			   !zref_in_nodemask(z, nodes)))
		z++;
	return z;
}

struct zoneref *first_zones_zonelist(struct zonelist *zonelist,
				     enum zone_type highest_zoneidx,
				     const nodemask_t *nodes)
{
	return next_zones_zonelist(zonelist->_zonerefs, highest_zoneidx, nodes);
}
