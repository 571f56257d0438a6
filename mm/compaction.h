/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compaction: move in-use guest frames so that free frames come together
 * into whole pageblocks (host hugepages), after Linux's mm/compaction.c.
 * The algorithm is here; moving one guest page is the migrate_pages op of
 * struct mm_ops, which the owner of guest memory registers.  Without that
 * op there is no compaction (as !CONFIG_COMPACTION).
 *
 * docs/compaction.md describes the algorithm and how it differs from
 * Linux's.
 */
#ifndef MM_COMPACTION_H
#define MM_COMPACTION_H

#include <stdio.h>

#include "mm/mm.h"

#define COMPACT_CLUSTER_MAX 32 /* default batch per migrate_pages call */
#define COMPACT_CLUSTER_MAX_LIMIT 512 /* largest batch allowed */
#define COMPACT_MAX_DEFER_SHIFT 6
#define COMPACTION_HPAGE_ORDER pageblock_order /* fragmentation score */
#define HPAGE_FRAG_CHECK_INTERVAL_MSEC 500
#define COMPACTION_PROACTIVENESS_DEFAULT 20
#define EXTFRAG_THRESHOLD_DEFAULT 500

/* Twice the order's pages: room to migrate into (compact_gap()). */
static inline unsigned long compact_gap(unsigned int order)
{
	return 2UL << order;
}

/*
 * Knobs.  -EINVAL when a value is out of range (proactiveness 0..100,
 * extfrag_threshold 0..1000, batch 1..COMPACT_CLUSTER_MAX_LIMIT,
 * interval_ms >= 1).  Raising proactiveness from 0 starts proactive work on
 * every node at once, as writing the sysctl does.
 * Context: any thread.
 */
int compaction_set_tunables(struct mm_pool *pool,
			    const struct compact_tunables *t) __must_check;

/*
 * Direct compaction for an allocation of order (the slow path): compact
 * each zone of ac's zonelist that is not deferred until one has a free
 * block of the order; defers the zones where that failed.  Returns the
 * best result over the zones (COMPACT_SKIPPED: nothing was tried).
 * Context: no mm lock held; calls ops.migrate_pages.
 */
enum compact_result try_to_compact_pages(struct mm_pool *pool, gfp_t gfp_mask,
					 unsigned int order,
					 unsigned int alloc_flags,
					 const struct alloc_context *ac,
					 enum compact_priority prio);

/*
 * Is compacting zone for order worthwhile?  COMPACT_SUCCESS: the order is
 * already available at the watermark of alloc_flags; COMPACT_SKIPPED: too
 * little free memory to migrate into (the low watermark plus
 * compact_gap()), or the failure would be for lack of memory rather than
 * fragmentation (fragmentation_index() <= extfrag_threshold);
 * COMPACT_CONTINUE: compact.  __compaction_suitable() takes the free
 * count to judge by (free plus reclaimable, for the retry decisions) and
 * skips the index.  Context: lockless.
 */
enum compact_result compaction_suitable(struct mm_pool *pool, struct zone *zone,
					int order, unsigned int alloc_flags,
					int highest_zoneidx);
enum compact_result __compaction_suitable(struct zone *zone, int order,
					  unsigned int alloc_flags,
					  int highest_zoneidx,
					  unsigned long wmark_target);

/*
 * Deferral after failures, exactly as Linux: each failure of an order
 * doubles the number of attempts skipped (up to 1 << 6); a success
 * forgets it.  compaction_deferred() counts an attempt and says whether to
 * skip it.  Context: lockless (racing updates lose at most one count).
 */
bool compaction_deferred(struct mm_pool *pool, struct zone *zone, int order);
void defer_compaction(struct mm_pool *pool, struct zone *zone, int order);
void compaction_defer_reset(struct mm_pool *pool, struct zone *zone, int order,
			    bool alloc_success);
/* Deferred to the maximum and retried since: start the zone afresh. */
bool compaction_restarting(struct zone *zone, int order);

/*
 * Compact every zone of node nid whole, ignoring skip hints, as writing
 * /sys/devices/system/node/nodeN/compact does; compact_memory() does
 * every node (/proc/sys/vm/compact_memory).  Per-thread page caches are
 * drained first so that their frames merge.  Returns the frames migrated,
 * -EINVAL for a bad node, -EOPNOTSUPP without ops.migrate_pages.
 * Context: no mm lock held; calls ops.migrate_pages.
 */
long compact_node(struct mm_pool *pool, int nid);
long compact_memory(struct mm_pool *pool);

/*
 * Fragmentation (mm/fragmentation.c), lockless snapshots of the free
 * areas.  fragmentation_index(): Linux's extfrag index times 1000: -1000
 * when a block of the order is free, else 0 (failure for lack of memory)
 * .. 1000 (failure for fragmentation).  extfrag_for_order(): percent of
 * free memory in blocks smaller than the order.  The fragmentation score
 * (0..100) is extfrag_for_order() at COMPACTION_HPAGE_ORDER, per node
 * weighted by zone size (Linux 5.9+); kcompactd keeps it between the
 * watermarks fragmentation_score_wmark() derives from proactiveness.
 */
int fragmentation_index(struct zone *zone, unsigned int order);
unsigned int extfrag_for_order(struct zone *zone, unsigned int order);
unsigned int fragmentation_score_zone(struct zone *zone);
unsigned int fragmentation_score_node(pg_data_t *pgdat);
unsigned int fragmentation_score_wmark(struct mm_pool *pool, bool low);

/*
 * Free pool memory that sits in whole free pageblocks (blocks of
 * pageblock_order or more on the free lists), in frames, and all free
 * frames on the free lists; the share in percent (100 when nothing is
 * free).  Context: takes each zone->lock in turn.
 */
void free_in_pageblocks(struct mm_pool *pool, unsigned long *in_blocks,
			unsigned long *free);
unsigned int free_in_pageblocks_pct(struct mm_pool *pool);

/* /sys/kernel/debug/extfrag/{extfrag_index,unusable_index} formats.
 * Context: takes each zone->lock in turn. */
void mm_show_extfrag_index(struct mm_pool *pool, FILE *f);
void mm_show_unusable_index(struct mm_pool *pool, FILE *f);

/*
 * kcompactd (mm/kcompactd.c): one thread per node, woken for an order by
 * wakeup_kcompactd() and every interval_ms for proactive compaction.
 * kcompactd_run() starts the threads of the nodes that have none;
 * kcompactd_stop() stops and joins them, ending a round at its next batch.
 * Register the ops before kcompactd_run(), stop before unregistering them.
 * Context: not concurrently with each other; kcompactd_stop() without a
 * lock the migrate_pages op takes (it waits for the batch in flight).
 */
int kcompactd_run(struct mm_pool *pool) __must_check;
void kcompactd_stop(struct mm_pool *pool);
/* Ask node nid's kcompactd to make order available.  Context: any. */
void wakeup_kcompactd(struct mm_pool *pool, int nid, int order,
		      enum zone_type highest_zoneidx);
/*
 * For kswapd once it has balanced node nid: flush direct compaction's
 * skip hints and pass the order kswapd was woken for (then reset) to
 * kcompactd, as Linux's kswapd_try_to_sleep() does.  Context: any.
 */
void kswapd_balanced(struct mm_pool *pool, int nid);

#endif /* MM_COMPACTION_H */
