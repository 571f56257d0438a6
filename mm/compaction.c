// SPDX-License-Identifier: GPL-2.0
/*
 * Zone compaction, after Linux's mm/compaction.c: one run over one zone
 * (compact_zone()), whether it is worth it (compaction_suitable()) and
 * when it is done (compact_finished()), the batches handed to the
 * migrate_pages op, deferral after failures, and the entry points: direct
 * compaction for the slow path (try_to_compact_pages()) and whole-node
 * compaction (compact_node()).  The scanners are in compaction_scan.c,
 * the fragmentation measures in fragmentation.c, kcompactd in kcompactd.c.
 */
#include <errno.h>

#include "mm/internal.h"

static inline struct frame *F(struct mm_pool *pool, pfn_t pfn)
{
	return &pool->frames[pfn];
}

void compaction_pool_init(struct mm_pool *pool)
{
	pool->compact = (struct compact_tunables){
		.proactiveness = COMPACTION_PROACTIVENESS_DEFAULT,
		.extfrag_threshold = EXTFRAG_THRESHOLD_DEFAULT,
		.batch = COMPACT_CLUSTER_MAX,
		.interval_ms = HPAGE_FRAG_CHECK_INTERVAL_MSEC,
	};
	for (unsigned int nid = 0; nid < pool->nr_nodes; nid++) {
		pg_data_t *pgdat = &pool->node_data[nid];

		pgdat->pool = pool;
		kcompactd_init(pgdat);
		for (int i = 0; i < MAX_NR_ZONES; i++)
			if (populated_zone(&pgdat->node_zones[i]))
				reset_cached_positions(&pgdat->node_zones[i]);
	}
}

void compaction_pool_destroy(struct mm_pool *pool)
{
	kcompactd_stop(pool);
	for (unsigned int nid = 0; nid < pool->nr_nodes; nid++)
		kcompactd_destroy(&pool->node_data[nid]);
}

int compaction_set_tunables(struct mm_pool *pool,
			    const struct compact_tunables *t)
{
	unsigned int old = READ_ONCE(pool->compact.proactiveness);

	if (t->proactiveness > 100 || t->extfrag_threshold > 1000 ||
	    !t->batch || t->batch > COMPACT_CLUSTER_MAX_LIMIT ||
	    !t->interval_ms)
		return -EINVAL;
	WRITE_ONCE(pool->compact.proactiveness, t->proactiveness);
	WRITE_ONCE(pool->compact.extfrag_threshold, t->extfrag_threshold);
	WRITE_ONCE(pool->compact.batch, t->batch);
	WRITE_ONCE(pool->compact.interval_ms, t->interval_ms);
	/* A new proactiveness applies now, not at the next period. */
	if (t->proactiveness && t->proactiveness != old)
		wakeup_kcompactd_proactive(pool);
	return 0;
}

/*
 * Deferral, as Linux: after a failure at order, skip the next
 * 1 << compact_defer_shift attempts at that order or above.  The fields
 * are hints updated without a lock, as in Linux (async compaction must
 * not wait for the zone lock): single loads and stores, and a racing
 * update at worst skips one attempt more or less.
 */
bool compaction_deferred(struct mm_pool *pool, struct zone *zone, int order)
{
	unsigned long defer_limit = 1UL << READ_ONCE(zone->compact_defer_shift);
	unsigned int considered;

	if (order < READ_ONCE(zone->compact_order_failed))
		return false;
	/* Past the limit: try, and stay at the limit. */
	considered = READ_ONCE(zone->compact_considered) + 1;
	if (considered >= defer_limit) {
		WRITE_ONCE(zone->compact_considered, defer_limit);
		return false;
	}
	WRITE_ONCE(zone->compact_considered, considered);
	trace_event(&pool->trace, TR_COMPACT_DEFERRED, zone->zone_id, order,
		    considered, READ_ONCE(zone->compact_defer_shift));
	return true;
}

void defer_compaction(struct mm_pool *pool, struct zone *zone, int order)
{
	unsigned int shift = READ_ONCE(zone->compact_defer_shift) + 1;

	if (shift > COMPACT_MAX_DEFER_SHIFT)
		shift = COMPACT_MAX_DEFER_SHIFT;
	WRITE_ONCE(zone->compact_considered, 0);
	WRITE_ONCE(zone->compact_defer_shift, shift);
	if (order < READ_ONCE(zone->compact_order_failed))
		WRITE_ONCE(zone->compact_order_failed, order);
	trace_event(&pool->trace, TR_COMPACT_DEFER, zone->zone_id, order, 0,
		    shift);
}

/*
 * Compaction made order available in zone.  alloc_success: an allocation
 * got it, so forget the failures; otherwise only the orders up to this
 * one are known to work again.
 */
void compaction_defer_reset(struct mm_pool *pool, struct zone *zone, int order,
			    bool alloc_success)
{
	if (alloc_success) {
		WRITE_ONCE(zone->compact_considered, 0);
		WRITE_ONCE(zone->compact_defer_shift, 0);
	}
	if (order >= READ_ONCE(zone->compact_order_failed))
		WRITE_ONCE(zone->compact_order_failed, order + 1);
	trace_event(&pool->trace, TR_COMPACT_DEFER_RESET, zone->zone_id, order,
		    READ_ONCE(zone->compact_considered),
		    READ_ONCE(zone->compact_defer_shift));
}

bool compaction_restarting(struct zone *zone, int order)
{
	unsigned int shift = READ_ONCE(zone->compact_defer_shift);

	return order >= READ_ONCE(zone->compact_order_failed) &&
	       shift == COMPACT_MAX_DEFER_SHIFT &&
	       READ_ONCE(zone->compact_considered) >= 1UL << shift;
}

enum compact_result __compaction_suitable(struct zone *zone, int order,
					  unsigned int alloc_flags,
					  int highest_zoneidx,
					  unsigned long wmark_target)
{
	unsigned long watermark;

	if (is_via_compact_memory(order))
		return COMPACT_CONTINUE;
	/* The order is there already at the caller's watermark. */
	watermark = wmark_pages(zone, alloc_flags & ALLOC_WMARK_MASK);
	if (zone_watermark_ok(zone, order, watermark, highest_zoneidx,
			      alloc_flags))
		return COMPACT_SUCCESS;
	/*
	 * Migration needs free order-0 frames to copy into, above the
	 * watermark so that it does not push the zone into the reserves:
	 * low for costly orders (likely to fail anyway), min otherwise,
	 * plus twice the order's pages.
	 */
	watermark = order > PAGE_ALLOC_COSTLY_ORDER ? low_wmark_pages(zone) :
						      min_wmark_pages(zone);
	watermark += compact_gap(order);
	if (!__zone_watermark_ok(zone, 0, watermark, highest_zoneidx, 0,
				 wmark_target))
		return COMPACT_SKIPPED;
	return COMPACT_CONTINUE;
}

enum compact_result compaction_suitable(struct mm_pool *pool, struct zone *zone,
					int order, unsigned int alloc_flags,
					int highest_zoneidx)
{
	enum compact_result ret;
	int fragindex;

	ret = __compaction_suitable(zone, order, alloc_flags, highest_zoneidx,
				    zone_page_state_free(zone));
	/*
	 * For a costly order, a low fragmentation index says the allocation
	 * fails for lack of memory, not for fragmentation: reclaim, don't
	 * compact.  Lower orders are compacted regardless: they are likely
	 * to succeed and failing them costs more (Linux's reasoning).
	 */
	if (ret == COMPACT_CONTINUE && order > PAGE_ALLOC_COSTLY_ORDER) {
		fragindex = fragmentation_index(zone, order);
		if (fragindex >= 0 &&
		    fragindex <=
			    (int)READ_ONCE(pool->compact.extfrag_threshold))
			ret = COMPACT_NOT_SUITABLE_ZONE;
	}
	trace_event(&pool->trace, TR_COMPACT_SUITABLE, zone->zone_id, order,
		    ret, 0);
	if (ret == COMPACT_NOT_SUITABLE_ZONE)
		ret = COMPACT_SKIPPED;
	return ret;
}

static enum compact_result __compact_finished(struct compact_control *cc)
{
	struct zone *zone = cc->zone;

	if (compact_scanners_met(cc)) {
		/* The next run starts anew, without direct compaction's
		 * hints once kswapd has balanced the node. */
		reset_cached_positions(zone);
		if (cc->direct_compaction)
			WRITE_ONCE(zone->compact_blockskip_flush, true);
		return cc->whole_zone ? COMPACT_COMPLETE :
					COMPACT_PARTIAL_SKIPPED;
	}
	/* Async met a contended lock, or kcompactd is being stopped (Linux's
	 * fatal signal). */
	if (cc->contended ||
	    (cc->kcompactd && READ_ONCE(cc->kcompactd->kcompactd_should_stop)))
		return COMPACT_CONTENDED;
	if (cc->proactive_compaction)
		return fragmentation_score_zone(zone) >
				       fragmentation_score_wmark(cc->pool,
								 true) ?
			       COMPACT_CONTINUE :
			       COMPACT_SUCCESS;
	if (is_via_compact_memory(cc->order))
		return COMPACT_CONTINUE;
	/* Finish the pageblock begun, so that it is not left half moved. */
	if (!IS_ALIGNED(cc->migrate_pfn, pageblock_nr_pages))
		return COMPACT_CONTINUE;
	/*
	 * Is a block of the order free?  Any type will do: a movable
	 * allocation falls back to unmovable blocks, and an unmovable one
	 * steals a block it needs whole (find_suitable_fallback()).
	 */
	for (int order = cc->order; order < MAX_ORDER; order++)
		for (int mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			if (READ_ONCE(zone->free_area[order].free_list[mt]) !=
			    PFN_NONE)
				return COMPACT_SUCCESS;
	return COMPACT_NO_SUITABLE_PAGE;
}

static enum compact_result compact_finished(struct compact_control *cc)
{
	enum compact_result ret = __compact_finished(cc);

	return ret == COMPACT_NO_SUITABLE_PAGE ? COMPACT_CONTINUE : ret;
}

/*
 * Hand the candidates to the migrate_pages op, each with a target from
 * the isolated free frames (compaction_alloc()), and take back the
 * targets of the requests that failed (compaction_free()).  No mm lock
 * is held across the op: the owners' locks come before ours.
 */
static void migrate_isolated(struct compact_control *cc)
{
	struct mm_pool *pool = cc->pool;
	struct zone *zone = cc->zone;
	struct migrate_req *req = cc->migratepages;
	unsigned int n = cc->nr_freepages - cc->free_first;
	unsigned int done, migrated = 0, kept = 0;
	uint64_t t0;

	/* Without targets (the free scanner ran into the migrate scanner)
	 * the rest stays where it is. */
	if (n > cc->nr_migratepages)
		n = cc->nr_migratepages;
	cc->nr_failed += cc->nr_migratepages - n;
	cc->nr_migratepages = 0;
	if (!n)
		return;

	pthread_mutex_lock(&zone->lock);
	for (unsigned int i = 0; i < n; i++) {
		pfn_t pfn = cc->freepages[cc->free_first++];
		struct frame *f = F(pool, pfn);

		/* Allocated to the migration, to hold guest data: dirty,
		 * as prep_new_page() marks what it hands out. */
		set_frame_state(f, FRAME_INUSE, 0);
		frame_flags_update(f, FF_PINNED, FF_DIRTY);
		req[i].new_pfn = pfn;
		req[i].result = -EAGAIN;
	}
	zone->nr_isolated_pages -= n;
	pthread_mutex_unlock(&zone->lock);

	t0 = trace_clock_ns();
	done = pool->ops.migrate_pages(pool->ops.priv, req, n);

	/* The targets of failed requests go back in front, in order. */
	pthread_mutex_lock(&zone->lock);
	for (unsigned int i = n; i-- > 0;) {
		struct frame *f = F(pool, req[i].new_pfn);

		if (!req[i].result) {
			migrated++;
			continue;
		}
		/* The op broke its contract with this frame: leave it be
		 * rather than free what somebody may map. */
		if (frame_state(f) != FRAME_INUSE ||
		    READ_ONCE(f->owner) != FRAME_OWNER_NONE) {
			kept++;
			continue;
		}
		set_frame_state(f, FRAME_ISOLATED, 0);
		cc->freepages[--cc->free_first] = req[i].new_pfn;
		zone->nr_isolated_pages++;
	}
	pthread_mutex_unlock(&zone->lock);

	if (unlikely(kept || done != migrated))
		pr_err(pool,
		       "migrate_pages: %u of %u moved, %u said; %u failed targets in use",
		       migrated, n, done, kept);
	/* The targets the pages moved into are allocated now, as if
	 * rmqueue() had handed them out (Linux does not count them): the old
	 * frames count in pgfree as they are freed, and pgalloc - pgfree
	 * stays the frames in use. */
	if (migrated)
		count_vm_events(pool, zid_vm_event(PGALLOC, zone->idx),
				migrated);
	cc->nr_migrated += migrated;
	cc->nr_failed += n - migrated;
	trace_event(&pool->trace, TR_COMPACT_MIGRATE, n, migrated, n - migrated,
		    trace_clock_ns() - t0);
	/* The op freed the old frames into this thread's cache: to the
	 * buddy lists with them, where they merge. */
	if (migrated)
		drain_local_pages(pool);
}

enum compact_result compact_zone(struct compact_control *cc)
{
	struct mm_pool *pool = cc->pool;
	struct zone *zone = cc->zone;
	pfn_t start_pfn = zone->zone_start_pfn;
	pfn_t end_pfn = zone_end_pfn(zone);
	const bool sync = cc->mode != MIGRATE_ASYNC;
	uint64_t t0 = trace_clock_ns();
	enum compact_result ret;
	pfn_t high;

	if (!pool->ops.migrate_pages || !populated_zone(zone))
		return COMPACT_SKIPPED;
	if (!cc->batch || cc->batch > COMPACT_CLUSTER_MAX_LIMIT)
		cc->batch = COMPACT_CLUSTER_MAX;
	if (!is_via_compact_memory(cc->order)) {
		ret = compaction_suitable(pool, zone, cc->order,
					  cc->alloc_flags, cc->highest_zoneidx);
		if (ret == COMPACT_SUCCESS || ret == COMPACT_SKIPPED)
			return ret;
	}
	/* Deferred as far as it goes and due again: forget the hints. */
	if (compaction_restarting(zone, cc->order))
		__reset_isolation_suitable(pool, zone);

	if (cc->whole_zone) {
		cc->migrate_pfn = start_pfn;
		cc->free_pfn = pageblock_start_pfn(end_pfn - 1);
	} else {
		cc->migrate_pfn =
			READ_ONCE(zone->compact_cached_migrate_pfn[sync]);
		cc->free_pfn = READ_ONCE(zone->compact_cached_free_pfn);
		if (cc->free_pfn < start_pfn || cc->free_pfn >= end_pfn) {
			cc->free_pfn = pageblock_start_pfn(end_pfn - 1);
			WRITE_ONCE(zone->compact_cached_free_pfn, cc->free_pfn);
		}
		if (cc->migrate_pfn < start_pfn || cc->migrate_pfn >= end_pfn) {
			cc->migrate_pfn = start_pfn;
			WRITE_ONCE(zone->compact_cached_migrate_pfn[0],
				   start_pfn);
			WRITE_ONCE(zone->compact_cached_migrate_pfn[1],
				   start_pfn);
		}
		if (cc->migrate_pfn == start_pfn &&
		    cc->free_pfn == pageblock_start_pfn(end_pfn - 1))
			cc->whole_zone = true;
	}
	/* order=0: the whole zone (compaction is never for order 0). */
	trace_event(&pool->trace, TR_COMPACT_ZONE_BEGIN, zone->zone_id,
		    is_via_compact_memory(cc->order) ? 0 : cc->order,
		    cc->migrate_pfn, cc->free_pfn);

	while ((ret = compact_finished(cc)) == COMPACT_CONTINUE) {
		switch (isolate_migratepages(cc)) {
		case ISOLATE_ABORT:
			ret = COMPACT_CONTENDED;
			goto out;
		case ISOLATE_NONE:
			continue;
		case ISOLATE_SUCCESS:
			break;
		}
		if (cc->nr_freepages - cc->free_first < cc->nr_migratepages)
			isolate_freepages(cc);
		migrate_isolated(cc);
	}
out:
	cc->nr_failed += cc->nr_migratepages;
	cc->nr_migratepages = 0;
	/* Unused targets go back; the free scanner may find them again
	 * next time (only back, never forward: the position may have been
	 * reset to the zone's end). */
	high = release_freepages(cc);
	if (high) {
		high = pageblock_start_pfn(high);
		if (high > READ_ONCE(zone->compact_cached_free_pfn))
			WRITE_ONCE(zone->compact_cached_free_pfn, high);
	}
	count_vm_events(pool, COMPACTMIGRATE_SCANNED,
			cc->total_migrate_scanned);
	count_vm_events(pool, COMPACTFREE_SCANNED, cc->total_free_scanned);
	trace_event(&pool->trace, TR_COMPACT_ZONE_END, zone->zone_id, ret,
		    cc->nr_migrated, trace_clock_ns() - t0);
	return ret;
}

/*
 * One zone for an allocation (compact_zone_order()): async at first,
 * then sync_light; the last priority also scans the whole zone and
 * ignores the skip hints.
 */
enum compact_result compact_zone_order(struct mm_pool *pool, struct zone *zone,
				       int order, gfp_t gfp_mask,
				       enum compact_priority prio,
				       unsigned int alloc_flags,
				       int highest_zoneidx)
{
	struct compact_control cc = {
		.pool = pool,
		.zone = zone,
		.order = order,
		.migratetype = gfp_migratetype(gfp_mask),
		.alloc_flags = alloc_flags,
		.highest_zoneidx = highest_zoneidx,
		.mode = prio == COMPACT_PRIO_ASYNC ? MIGRATE_ASYNC :
						     MIGRATE_SYNC_LIGHT,
		.direct_compaction = true,
		.whole_zone = prio == MIN_COMPACT_PRIORITY,
		.ignore_skip_hint = prio == MIN_COMPACT_PRIORITY,
		.batch = READ_ONCE(pool->compact.batch),
	};

	return compact_zone(&cc);
}

enum compact_result try_to_compact_pages(struct mm_pool *pool, gfp_t gfp_mask,
					 unsigned int order,
					 unsigned int alloc_flags,
					 const struct alloc_context *ac,
					 enum compact_priority prio)
{
	enum compact_result rc = COMPACT_SKIPPED;
	struct zoneref *z;
	struct zone *zone;

	if (!pool->ops.migrate_pages)
		return COMPACT_SKIPPED;
	z = first_zones_zonelist(ac->zonelist, ac->highest_zoneidx,
				 ac->nodemask);
	for_next_zone_zonelist_nodemask(zone, z, ac->highest_zoneidx,
					ac->nodemask) {
		enum compact_result status;

		if (prio > MIN_COMPACT_PRIORITY &&
		    compaction_deferred(pool, zone, order)) {
			if (rc < COMPACT_DEFERRED)
				rc = COMPACT_DEFERRED;
			continue;
		}
		status = compact_zone_order(pool, zone, order, gfp_mask, prio,
					    alloc_flags, ac->highest_zoneidx);
		if (status > rc)
			rc = status;
		if (status == COMPACT_SUCCESS) {
			/* Likely but not certain to be allocated: the slow
			 * path resets for good when it is. */
			compaction_defer_reset(pool, zone, order, false);
			break;
		}
		/* A sync run that scanned to the end without a page: this
		 * zone will not do for a while. */
		if (prio != COMPACT_PRIO_ASYNC &&
		    (status == COMPACT_COMPLETE ||
		     status == COMPACT_PARTIAL_SKIPPED))
			defer_compaction(pool, zone, order);
		/* Async gave up on contention: so do the other zones. */
		if (prio == COMPACT_PRIO_ASYNC && status == COMPACT_CONTENDED)
			break;
	}
	return rc;
}

long compact_node(struct mm_pool *pool, int nid)
{
	unsigned int noreclaim_flag;
	long migrated = 0;

	if (nid < 0 || nid >= (int)pool->nr_nodes)
		return -EINVAL;
	if (!pool->ops.migrate_pages)
		return -EOPNOTSUPP;
	/* Free frames in page caches are free memory that does not merge. */
	drain_all_pages(pool);
	noreclaim_flag = memalloc_noreclaim_save();
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *zone = &pool->node_data[nid].node_zones[i];
		struct compact_control cc = {
			.pool = pool,
			.zone = zone,
			.order = -1,
			.migratetype = MIGRATE_MOVABLE,
			.mode = MIGRATE_SYNC,
			.ignore_skip_hint = true,
			.whole_zone = true,
			.batch = READ_ONCE(pool->compact.batch),
		};

		if (!populated_zone(zone))
			continue;
		compact_zone(&cc);
		migrated += cc.nr_migrated;
	}
	memalloc_noreclaim_restore(noreclaim_flag);
	return migrated;
}

long compact_memory(struct mm_pool *pool)
{
	long migrated = 0;

	for (unsigned int nid = 0; nid < pool->nr_nodes; nid++) {
		long ret = compact_node(pool, nid);

		if (ret < 0)
			return ret;
		migrated += ret;
	}
	return migrated;
}
