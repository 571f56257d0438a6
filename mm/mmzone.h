/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Nodes, zones, free areas and zonelists, after include/linux/mmzone.h.
 *
 * Locking (outermost first; never two locks of one row at once, except
 * that mm_validate() takes every lock of a row in index order):
 *   pool->hotplug_lock    one offline_pages()/online_pages() at a time
 *   pool->pcp_list_lock   the registry of per-thread page caches
 *   pcp->lock             one thread's cache for one zone
 *   zone->lock            the zone's free lists, nr_free, pageblock bits
 * No mm lock is held while an mm_ops callback runs: reclaim, compaction
 * and OOM may allocate and free themselves.
 *
 * pgdat->kcompactd_lock guards kcompactd's wake-up state only; nothing
 * else is taken under it.
 */
#ifndef MM_MMZONE_H
#define MM_MMZONE_H

#include <pthread.h>

#include "mm/frame.h"
#include "mm/gfp.h"
#include "mm/vmstat.h"

enum migratetype {
	MIGRATE_UNMOVABLE,
	MIGRATE_MOVABLE,
	MIGRATE_PCPTYPES,
	MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES,
	MIGRATE_ISOLATE, /* compaction/offlining: never allocate from it */
	MIGRATE_TYPES
};

BUILD_BUG_ON(MIGRATE_TYPES - 1 > PB_MT_MASK);

enum zone_type {
	ZONE_NORMAL, /* any allocation */
	ZONE_MOVABLE, /* movable allocations only: can always be compacted */
	MAX_NR_ZONES
};

#define MAX_ZONES_TOTAL (MAX_NUMNODES * MAX_NR_ZONES)
BUILD_BUG_ON(MAX_ZONES_TOTAL > 255); /* zone index fits in frame->zone */

enum zone_watermarks { WMARK_MIN, WMARK_LOW, WMARK_HIGH, NR_WMARK };

struct free_area {
	pfn_t free_list[MIGRATE_TYPES]; /* heads, PFN_NONE when empty */
	/* Tails, for O(1) tail insertion: after ballooning took every
	 * other page the order-0 list holds most of the pool, and each
	 * merge-likely free walked it (compaction frees one per page). */
	pfn_t free_tail[MIGRATE_TYPES];
	unsigned long nr_free; /* blocks of this order, all types */
	unsigned long nr_free_mt[MIGRATE_TYPES];
};

struct pglist_data;
struct mm_pool;

struct zone {
	/* Read-mostly: set up at pool creation. */
	unsigned long _watermark[NR_WMARK];
	long lowmem_reserve[MAX_NR_ZONES];
	struct pglist_data *zone_pgdat;
	pfn_t zone_start_pfn;
	unsigned long spanned_pages; /* present; managed is less offline */
	const char *name;
	int node;
	int idx; /* enum zone_type */
	int zone_id; /* index in pool->zones[] */

	pthread_mutex_t lock;
	/* Guarded by lock. */
	struct free_area free_area[MAX_ORDER];
	unsigned long nr_isolated_blocks;

	/* Updated under lock, read locklessly by watermark checks. */
	long nr_free_pages;
	long nr_returned_pages; /* free pages the host took back */
	/* In FRAME_OFFLINE pageblocks: out of the zone's managed pages
	 * while the host will not back them (memory_hotplug.c). */
	long nr_offline_pages;

	/* FRAME_ISOLATED frames: free, off the lists, not in nr_free_pages
	 * (Linux's NR_ISOLATED_*, for compaction's targets); guarded by
	 * lock. */
	unsigned long nr_isolated_pages;
	/* In FRAME_RELEASING blocks: free, off the lists, not in
	 * nr_free_pages, being given back to the host; guarded by lock. */
	unsigned long nr_releasing_pages;

	/*
	 * Compaction (mm/compaction.c): hints read and written without the
	 * lock (single loads and stores) as in Linux, so that async
	 * compaction never waits for it: deferral after failures, where the
	 * scanners resume, whether the PB_SKIP bits want flushing.
	 */
	unsigned int compact_considered;
	unsigned int compact_defer_shift;
	int compact_order_failed;
	pfn_t compact_cached_free_pfn;
	pfn_t compact_cached_migrate_pfn[2]; /* [0] async, [1] sync */
	bool compact_blockskip_flush;
};

/*
 * Memory hotplug recomputes the marks (under the zone lock) while
 * allocators read them here without it, as in Linux: a plain load, which
 * sees the old mark or the new one, either being fine.  A READ_ONCE()
 * costs the fast path 17 instructions an order-0 pair (callgrind,
 * docs/PERFORMANCE.md); tests/tsan.supp says why ThreadSanitizer may
 * let it be.
 */
static inline unsigned long wmark_pages(const struct zone *z,
					enum zone_watermarks w)
{
	return z->_watermark[w];
}

#define min_wmark_pages(z) wmark_pages(z, WMARK_MIN)
#define low_wmark_pages(z) wmark_pages(z, WMARK_LOW)
#define high_wmark_pages(z) wmark_pages(z, WMARK_HIGH)

static inline long zone_page_state_free(const struct zone *z)
{
	return READ_ONCE(z->nr_free_pages);
}

static inline pfn_t zone_end_pfn(const struct zone *z)
{
	return z->zone_start_pfn + z->spanned_pages;
}

/* Pages the allocator may hand out: the zone less what is offline. */
static inline unsigned long zone_managed_pages(const struct zone *z)
{
	return z->spanned_pages - READ_ONCE(z->nr_offline_pages);
}

static inline bool populated_zone(const struct zone *z)
{
	return z->spanned_pages != 0;
}

enum { ZONELIST_FALLBACK, ZONELIST_NOFALLBACK, MAX_ZONELISTS };

struct zoneref {
	struct zone *zone; /* NULL terminates the list */
	int zone_idx; /* enum zone_type of zone */
};

struct zonelist {
	struct zoneref _zonerefs[MAX_ZONES_TOTAL + 1];
};

typedef struct pglist_data {
	struct zone node_zones[MAX_NR_ZONES];
	struct zonelist node_zonelists[MAX_ZONELISTS];
	int node_id;
	pfn_t node_start_pfn;
	unsigned long node_spanned_pages;
	int host_node; /* host NUMA node it is bound to, -1: none */
	/* kswapd bookkeeping, written by the allocator, read by kswapd. */
	int kswapd_order;
	enum zone_type kswapd_highest_zoneidx;

	/* kcompactd (mm/kcompactd.c); guarded by kcompactd_lock. */
	struct mm_pool *pool;
	pthread_mutex_t kcompactd_lock;
	pthread_cond_t kcompactd_wait;
	pthread_t kcompactd;
	bool kcompactd_running;
	bool kcompactd_should_stop; /* also read without the lock */
	bool proactive_compact_trigger; /* proactiveness was just raised */
	int kcompactd_max_order; /* 0: no request */
	enum zone_type kcompactd_highest_zoneidx;
} pg_data_t;

#endif /* MM_MMZONE_H */
