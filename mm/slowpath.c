// SPDX-License-Identifier: GPL-2.0
/*
 * The allocator's slow path, step by step as Linux's
 * __alloc_pages_slowpath(): wake kswapd, retry at MIN, direct compaction
 * for costly orders, direct reclaim, the retry decisions, OOM.  Reclaim
 * and OOM are mm_ops that the layers above register; compaction is mm's
 * own (compaction.c) once they register migrate_pages, or their
 * direct_compact in its place.  Without ops each step reports no progress
 * and the path still ends correctly.
 */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <unistd.h>

#include "mm/internal.h"
#include "mm/psi.h"

/* The node an allocation is for: its preferred zone's. */
static int ac_nid(const struct alloc_context *ac)
{
	return ac->preferred_zoneref->zone ? ac->preferred_zoneref->zone->node :
					     0;
}

/* Reserve access from the thread's context (__gfp_pfmemalloc_flags()). */
static unsigned int __gfp_pfmemalloc_flags(gfp_t gfp_mask)
{
	if (unlikely(gfp_mask & __GFP_NOMEMALLOC))
		return 0;
	if (gfp_mask & __GFP_MEMALLOC)
		return ALLOC_NO_WATERMARKS;
	if (current_flags & PF_MEMALLOC)
		return ALLOC_NO_WATERMARKS;
	if (current_flags & PF_OOM_VICTIM)
		return ALLOC_OOM;
	return 0;
}

static bool gfp_pfmemalloc_allowed(gfp_t gfp_mask)
{
	return !!__gfp_pfmemalloc_flags(gfp_mask);
}

/* A node is balanced when one eligible zone is above HIGH for order. */
static bool pgdat_balanced(pg_data_t *pgdat, unsigned int order,
			   enum zone_type highest_zoneidx)
{
	for (int i = 0; i <= (int)highest_zoneidx; i++) {
		struct zone *zone = &pgdat->node_zones[i];

		if (!populated_zone(zone))
			continue;
		if (zone_watermark_ok(zone, order, high_wmark_pages(zone),
				      highest_zoneidx, 0))
			return true;
	}
	return false;
}

static void wakeup_kswapd(struct mm_pool *pool, struct zone *zone,
			  gfp_t gfp_flags, unsigned int order,
			  enum zone_type highest_zoneidx)
{
	pg_data_t *pgdat = zone->zone_pgdat;

	if (READ_ONCE(pgdat->kswapd_order) < (int)order)
		WRITE_ONCE(pgdat->kswapd_order, order);
	if (READ_ONCE(pgdat->kswapd_highest_zoneidx) < highest_zoneidx)
		WRITE_ONCE(pgdat->kswapd_highest_zoneidx, highest_zoneidx);
	/* Nothing to do for kswapd, and the caller can reclaim itself. */
	if (pgdat_balanced(pgdat, order, highest_zoneidx) &&
	    !(gfp_flags & __GFP_DIRECT_RECLAIM))
		return;
	trace_event(&pool->trace, TR_WAKE_KSWAPD, pgdat->node_id, order,
		    zone->idx, 0);
	if (pool->ops.wake_kswapd)
		pool->ops.wake_kswapd(pool->ops.priv, pgdat->node_id, order,
				      highest_zoneidx);
}

static void wake_all_kswapds(struct mm_pool *pool, unsigned int order,
			     gfp_t gfp_mask, const struct alloc_context *ac)
{
	nodemask_t woken = { 0 };
	struct zoneref *z = first_zones_zonelist(
		ac->zonelist, ac->highest_zoneidx, ac->nodemask);
	struct zone *zone;

	for_next_zone_zonelist_nodemask(zone, z, ac->highest_zoneidx,
					ac->nodemask) {
		if (node_isset(zone->node, &woken))
			continue;
		node_set(zone->node, &woken);
		wakeup_kswapd(pool, zone, gfp_mask, order, ac->highest_zoneidx);
	}
}

/*
 * Compaction exists when the layers above can move guest pages
 * (migrate_pages), or bring their own (direct_compact).
 */
static inline bool compaction_available(struct mm_pool *pool)
{
	return pool->ops.direct_compact || pool->ops.migrate_pages;
}

static pfn_t __alloc_pages_direct_compact(struct mm_pool *pool, gfp_t gfp_mask,
					  unsigned int order,
					  unsigned int alloc_flags,
					  const struct alloc_context *ac,
					  enum compact_priority prio,
					  enum compact_result *compact_result)
{
	unsigned int noreclaim_flag;
	unsigned long pflags;
	uint64_t t0, ns;
	pfn_t pfn;

	*compact_result = COMPACT_SKIPPED;
	if (!order || !compaction_available(pool))
		return PFN_NONE;

	t0 = trace_clock_ns();
	trace_event(&pool->trace, TR_COMPACT_BEGIN, order, prio, 0, 0);
	psi_memstall_enter(&pflags, ac_nid(ac));
	noreclaim_flag = memalloc_noreclaim_save();
	if (pool->ops.direct_compact)
		*compact_result = pool->ops.direct_compact(
			pool->ops.priv, gfp_mask, order, alloc_flags, ac, prio);
	else
		*compact_result = try_to_compact_pages(pool, gfp_mask, order,
						       alloc_flags, ac, prio);
	memalloc_noreclaim_restore(noreclaim_flag);
	psi_memstall_leave(&pflags);
	ns = trace_clock_ns() - t0;
	hist_add(&pool->direct_compact_ns, ns);
	trace_event(&pool->trace, TR_COMPACT_END, order, *compact_result, ns,
		    mm_current_vm());
	if (*compact_result == COMPACT_SKIPPED)
		return PFN_NONE;

	count_vm_event(pool, COMPACTSTALL);
	pfn = get_page_from_freelist(pool, gfp_mask, order, alloc_flags, ac);
	if (pfn != PFN_NONE) {
		struct zone *zone = page_zone(pool, pfn);

		/* It worked: forget the zone's failures at this order. */
		WRITE_ONCE(zone->compact_blockskip_flush, false);
		compaction_defer_reset(pool, zone, order, true);
		count_vm_event(pool, COMPACTSUCCESS);
		return pfn;
	}
	count_vm_event(pool, COMPACTFAIL);
	sched_yield();
	return PFN_NONE;
}

/* Direct reclaim, then try again; drain the per-thread caches once. */
static pfn_t __alloc_pages_direct_reclaim(struct mm_pool *pool, gfp_t gfp_mask,
					  unsigned int order,
					  unsigned int alloc_flags,
					  const struct alloc_context *ac,
					  unsigned long *did_some_progress)
{
	unsigned int noreclaim_flag;
	unsigned long pflags;
	bool drained = false;
	uint64_t t0, ns;
	pfn_t pfn;

	*did_some_progress = 0;
	count_vm_event(pool, zid_vm_event(ALLOCSTALL, ac->highest_zoneidx));
	if (pool->ops.direct_reclaim) {
		t0 = trace_clock_ns();
		trace_event(&pool->trace, TR_DIRECT_RECLAIM_BEGIN, order,
			    gfp_mask, 0, 0);
		psi_memstall_enter(&pflags, ac_nid(ac));
		noreclaim_flag = memalloc_noreclaim_save();
		*did_some_progress = pool->ops.direct_reclaim(
			pool->ops.priv, gfp_mask, order, ac);
		memalloc_noreclaim_restore(noreclaim_flag);
		psi_memstall_leave(&pflags);
		ns = trace_clock_ns() - t0;
		hist_add(&pool->direct_reclaim_ns, ns);
		trace_event(&pool->trace, TR_DIRECT_RECLAIM_END,
			    *did_some_progress, ns, mm_current_vm(), 0);
	}
	/* Frames parked in other threads' caches are free memory too. */
retry:
	pfn = get_page_from_freelist(pool, gfp_mask, order, alloc_flags, ac);
	if (pfn == PFN_NONE && !drained) {
		drain_all_pages(pool);
		drained = true;
		goto retry;
	}
	return pfn;
}

static unsigned long zone_reclaimable_pages(struct mm_pool *pool,
					    struct zone *zone)
{
	return pool->ops.zone_reclaimable_pages ?
		       pool->ops.zone_reclaimable_pages(pool->ops.priv, zone) :
		       0;
}

/*
 * Retry reclaim while some eligible zone could meet MIN with what is free
 * plus what reclaim could still get, and reclaim has not gone
 * MAX_RECLAIM_RETRIES rounds without progress (should_reclaim_retry()).
 */
bool should_reclaim_retry(struct mm_pool *pool, gfp_t gfp_mask,
			  unsigned int order, struct alloc_context *ac,
			  unsigned int alloc_flags, bool did_some_progress,
			  int *no_progress_loops)
{
	struct zoneref *z;
	struct zone *zone;

	(void)gfp_mask;
	/* Costly orders count as no progress: reclaim alone rarely makes
	 * a large block. */
	if (did_some_progress && order <= PAGE_ALLOC_COSTLY_ORDER)
		*no_progress_loops = 0;
	else
		(*no_progress_loops)++;
	if (*no_progress_loops > MAX_RECLAIM_RETRIES)
		return false;

	z = first_zones_zonelist(ac->zonelist, ac->highest_zoneidx,
				 ac->nodemask);
	for_next_zone_zonelist_nodemask(zone, z, ac->highest_zoneidx,
					ac->nodemask) {
		long available = zone_reclaimable_pages(pool, zone) +
				 zone_page_state_free(zone);

		if (__zone_watermark_ok(zone, order, min_wmark_pages(zone),
					ac->highest_zoneidx, alloc_flags,
					available))
			return true;
	}
	return false;
}

/* Could reclaim bring a zone to where compaction can work? */
static bool compaction_zonelist_suitable(struct mm_pool *pool,
					 struct alloc_context *ac,
					 unsigned int order,
					 unsigned int alloc_flags)
{
	struct zoneref *z = first_zones_zonelist(
		ac->zonelist, ac->highest_zoneidx, ac->nodemask);
	struct zone *zone;

	for_next_zone_zonelist_nodemask(zone, z, ac->highest_zoneidx,
					ac->nodemask) {
		/* Reclaimable pages count for less than free ones: reclaim
		 * may not free them where compaction needs them. */
		unsigned long available =
			zone_reclaimable_pages(pool, zone) / order +
			zone_page_state_free(zone);

		if (__compaction_suitable(zone, order, alloc_flags,
					  ac->highest_zoneidx,
					  available) != COMPACT_SKIPPED)
			return true;
	}
	return false;
}

bool should_compact_retry(struct mm_pool *pool, struct alloc_context *ac,
			  unsigned int order, unsigned int alloc_flags,
			  enum compact_result compact_result,
			  enum compact_priority *compact_priority,
			  int *compaction_retries)
{
	int max_retries = MAX_COMPACT_RETRIES;
	int min_priority;

	if (!order)
		return false;

	if (!compaction_available(pool)) {
		/*
		 * No compaction: loop while order-0 watermarks are fine
		 * rather than go to OOM early, as Linux without
		 * CONFIG_COMPACTION does for non-costly orders.
		 */
		struct zoneref *z;
		struct zone *zone;

		if (order > PAGE_ALLOC_COSTLY_ORDER)
			return false;
		z = first_zones_zonelist(ac->zonelist, ac->highest_zoneidx,
					 ac->nodemask);
		for_next_zone_zonelist_nodemask(zone, z, ac->highest_zoneidx,
						ac->nodemask) {
			if (zone_watermark_ok(zone, 0, min_wmark_pages(zone),
					      ac->highest_zoneidx, alloc_flags))
				return ++*compaction_retries <= max_retries;
		}
		return false;
	}

	if (compact_result == COMPACT_SUCCESS)
		(*compaction_retries)++;
	if (compact_result == COMPACT_COMPLETE)
		goto check_priority;
	if (compact_result == COMPACT_SKIPPED)
		return compaction_zonelist_suitable(pool, ac, order,
						    alloc_flags);
	if (compact_result == COMPACT_DEFERRED ||
	    compact_result == COMPACT_CONTENDED ||
	    compact_result == COMPACT_PARTIAL_SKIPPED)
		goto check_priority;

	/* Costly orders: compaction success is less likely to hold. */
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		max_retries /= 4;
	if (*compaction_retries <= max_retries)
		return true;

check_priority:
	/* Before giving up, compact harder. */
	min_priority = order > PAGE_ALLOC_COSTLY_ORDER ?
			       MIN_COMPACT_COSTLY_PRIORITY :
			       MIN_COMPACT_PRIORITY;
	if ((int)*compact_priority > min_priority) {
		(*compact_priority)--;
		*compaction_retries = 0;
		return true;
	}
	return false;
}

static pfn_t __alloc_pages_may_oom(struct mm_pool *pool, gfp_t gfp_mask,
				   unsigned int order,
				   const struct alloc_context *ac,
				   unsigned long *did_some_progress)
{
	struct oom_control oc = {
		.ac = ac,
		.gfp_mask = gfp_mask,
		.order = order,
		.nodemask = ac->nodemask,
		.nid = ac_nid(ac),
	};
	pfn_t pfn = PFN_NONE;

	*did_some_progress = 0;
	/* Somebody else is killing: count it as progress and wait. */
	if (pthread_mutex_trylock(&pool->oom_lock)) {
		*did_some_progress = 1;
		usleep(1000);
		return PFN_NONE;
	}
	/*
	 * A last try at the HIGH watermark: a parallel OOM kill may have
	 * freed enough, and we must not kill again for nothing.
	 */
	pfn = get_page_from_freelist(pool, gfp_mask & ~__GFP_DIRECT_RECLAIM,
				     order, ALLOC_WMARK_HIGH, ac);
	if (pfn != PFN_NONE)
		goto out;
	/* Killing does not make large blocks. */
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		goto out;
	/* The caller can live with failure, or the kill may not help the
	 * one node it insists on. */
	if (gfp_mask & (__GFP_RETRY_MAYFAIL | __GFP_THISNODE))
		goto out;

	count_vm_event(pool, OOM_INVOKE);
	trace_event(&pool->trace, TR_OOM, order, gfp_mask, 0, 0);
	if ((pool->ops.out_of_memory &&
	     pool->ops.out_of_memory(pool->ops.priv, &oc)) ||
	    (gfp_mask & __GFP_NOFAIL)) {
		*did_some_progress = 1;
		/* NOFAIL must get something: any free frame will do. */
		if (gfp_mask & __GFP_NOFAIL)
			pfn = get_page_from_freelist(pool, gfp_mask, order,
						     ALLOC_NO_WATERMARKS, ac);
	}
out:
	pthread_mutex_unlock(&pool->oom_lock);
	return pfn;
}

pfn_t __alloc_pages_slowpath(struct mm_pool *pool, gfp_t gfp_mask,
			     unsigned int order, struct alloc_context *ac)
{
	bool can_direct_reclaim = gfp_mask & __GFP_DIRECT_RECLAIM;
	const bool costly_order = order > PAGE_ALLOC_COSTLY_ORDER;
	enum compact_priority compact_priority;
	enum compact_result compact_result;
	unsigned long did_some_progress;
	int compaction_retries, no_progress_loops;
	unsigned int alloc_flags, reserve_flags;
	uint64_t t0 = trace_clock_ns();
	unsigned long pflags;
	pfn_t pfn = PFN_NONE;

	trace_event(&pool->trace, TR_SLOWPATH_BEGIN, order, gfp_mask,
		    ac_nid(ac), mm_current_vm());
	compaction_retries = 0;
	no_progress_loops = 0;
	compact_priority = DEF_COMPACT_PRIORITY;

	/* The fast path was at LOW; from here MIN, plus what gfp grants. */
	alloc_flags = gfp_to_alloc_flags(gfp_mask);

	ac->preferred_zoneref = first_zones_zonelist(
		ac->zonelist, ac->highest_zoneidx, ac->nodemask);
	if (!ac->preferred_zoneref->zone)
		goto nopage;

	if (alloc_flags & ALLOC_KSWAPD)
		wake_all_kswapds(pool, order, gfp_mask, ac);

	/* The lower watermark may be all it takes. */
	pfn = get_page_from_freelist(pool, gfp_mask, order, alloc_flags, ac);
	if (pfn != PFN_NONE)
		goto got_pg;

	/*
	 * Costly orders (and unmovable high orders) try compaction first:
	 * there may be plenty of free frames, just not together.
	 */
	if (can_direct_reclaim &&
	    (costly_order ||
	     (order > 0 && ac->migratetype != MIGRATE_MOVABLE)) &&
	    !gfp_pfmemalloc_allowed(gfp_mask)) {
		pfn = __alloc_pages_direct_compact(pool, gfp_mask, order,
						   alloc_flags, ac,
						   INIT_COMPACT_PRIORITY,
						   &compact_result);
		if (pfn != PFN_NONE)
			goto got_pg;
		if (costly_order && (gfp_mask & __GFP_NORETRY)) {
			/* Compaction failed recently: don't disrupt the
			 * system further for an opportunistic request. */
			if (compact_result == COMPACT_DEFERRED)
				goto nopage;
			compact_priority = INIT_COMPACT_PRIORITY;
		}
	}

retry:
	/* Keep kswapd awake: it may have gone to sleep meanwhile. */
	if (alloc_flags & ALLOC_KSWAPD)
		wake_all_kswapds(pool, order, gfp_mask, ac);

	reserve_flags = __gfp_pfmemalloc_flags(gfp_mask);
	if (reserve_flags)
		alloc_flags = gfp_to_alloc_flags(gfp_mask) | reserve_flags;

	pfn = get_page_from_freelist(pool, gfp_mask, order, alloc_flags, ac);
	if (pfn != PFN_NONE)
		goto got_pg;

	if (!can_direct_reclaim)
		goto nopage;
	/* Reclaim itself is allocating: don't recurse into reclaim. */
	if (current_flags & PF_MEMALLOC)
		goto nopage;

	pfn = __alloc_pages_direct_reclaim(pool, gfp_mask, order, alloc_flags,
					   ac, &did_some_progress);
	if (pfn != PFN_NONE)
		goto got_pg;

	pfn = __alloc_pages_direct_compact(pool, gfp_mask, order, alloc_flags,
					   ac, compact_priority,
					   &compact_result);
	if (pfn != PFN_NONE)
		goto got_pg;

	if (gfp_mask & __GFP_NORETRY)
		goto nopage;
	/* Costly orders only retry when the caller asked for it. */
	if (costly_order && !(gfp_mask & __GFP_RETRY_MAYFAIL))
		goto nopage;

	if (should_reclaim_retry(pool, gfp_mask, order, ac, alloc_flags,
				 did_some_progress > 0, &no_progress_loops)) {
		trace_event(&pool->trace, TR_RETRY, order, no_progress_loops,
			    compaction_retries, 0);
		goto retry;
	}
	if (did_some_progress > 0 &&
	    should_compact_retry(pool, ac, order, alloc_flags, compact_result,
				 &compact_priority, &compaction_retries)) {
		trace_event(&pool->trace, TR_RETRY, order, no_progress_loops,
			    compaction_retries, 0);
		goto retry;
	}

	/* Reclaim has failed us, start killing things: a stall too, while
	 * the victim goes or another thread's kill completes. */
	psi_memstall_enter(&pflags, ac_nid(ac));
	pfn = __alloc_pages_may_oom(pool, gfp_mask, order, ac,
				    &did_some_progress);
	psi_memstall_leave(&pflags);
	if (pfn != PFN_NONE)
		goto got_pg;
	/* An OOM victim that still fails must not loop forever. */
	if ((current_flags & PF_OOM_VICTIM) &&
	    ((alloc_flags & ALLOC_OOM) || (gfp_mask & __GFP_NOMEMALLOC)))
		goto nopage;
	if (did_some_progress) {
		no_progress_loops = 0;
		goto retry;
	}

nopage:
	/* __GFP_NOFAIL: never give up, but let others run meanwhile. */
	if (gfp_mask & __GFP_NOFAIL) {
		if (!can_direct_reclaim) {
			warn_alloc(pool, gfp_mask, ac->nodemask,
				   "__GFP_NOFAIL without __GFP_DIRECT_RECLAIM");
			goto fail;
		}
		pfn = get_page_from_freelist(pool, gfp_mask, order,
					     ALLOC_HARDER | ALLOC_WMARK_MIN,
					     ac);
		if (pfn != PFN_NONE)
			goto got_pg;
		sched_yield();
		goto retry;
	}
fail:
	count_vm_event(pool, ALLOC_FAIL);
	trace_event(&pool->trace, TR_ALLOC_FAIL, order, gfp_mask, ac_nid(ac),
		    0);
	if (!(gfp_mask & __GFP_NOWARN))
		warn_alloc(pool, gfp_mask, ac->nodemask,
			   "page allocation failure: order:%u", order);
got_pg:
	trace_event(&pool->trace, TR_SLOWPATH_END, order, pfn,
		    trace_clock_ns() - t0, 0);
	return pfn;
}
