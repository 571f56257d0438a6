// SPDX-License-Identifier: GPL-2.0
/*
 * The heart of the zoned buddy allocator, after Linux's mm/page_alloc.c:
 * prepare_alloc_pages() turns the request into an alloc_context and
 * alloc_flags, the fast path tries the zonelist once at the LOW watermark,
 * and the slow path (slowpath.c) does the rest.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "mm/internal.h"

__thread unsigned int current_flags;
static __thread unsigned int current_vm;

void mm_set_current_vm(unsigned int vm)
{
	current_vm = vm;
}

unsigned int mm_current_vm(void)
{
	return current_vm;
}

unsigned int memalloc_noreclaim_save(void)
{
	unsigned int old = current_flags & PF_MEMALLOC;

	current_flags |= PF_MEMALLOC;
	return old;
}

void memalloc_noreclaim_restore(unsigned int flags)
{
	current_flags = (current_flags & ~PF_MEMALLOC) | flags;
}

void mm_mark_oom_victim(bool victim)
{
	if (victim)
		current_flags |= PF_OOM_VICTIM;
	else
		current_flags &= ~PF_OOM_VICTIM;
}

BUILD_BUG_ON(__GFP_HIGH != ALLOC_HIGH);
BUILD_BUG_ON(__GFP_KSWAPD_RECLAIM != ALLOC_KSWAPD);

/*
 * The slow path's flags: MIN watermark; __GFP_HIGH and kswapd waking copied
 * bit for bit; a request that cannot sleep tries harder, since it has no
 * other way to make progress (gfp_to_alloc_flags()).
 */
unsigned int gfp_to_alloc_flags(gfp_t gfp_mask)
{
	unsigned int alloc_flags = ALLOC_WMARK_MIN;

	alloc_flags |= gfp_mask & (__GFP_HIGH | __GFP_KSWAPD_RECLAIM);
	if (!(gfp_mask & __GFP_DIRECT_RECLAIM) && (gfp_mask & __GFP_HIGH) &&
	    !(gfp_mask & __GFP_NOMEMALLOC))
		alloc_flags |= ALLOC_HARDER;
	return alloc_flags;
}

static inline enum zone_type gfp_zone(gfp_t gfp)
{
	return (gfp & __GFP_MOVABLE) ? ZONE_MOVABLE : ZONE_NORMAL;
}

bool prepare_alloc_pages(struct mm_pool *pool, gfp_t gfp_mask,
			 unsigned int order, int preferred_nid,
			 const nodemask_t *nodemask, struct alloc_context *ac,
			 unsigned int *alloc_flags)
{
	pg_data_t *pgdat = &pool->node_data[preferred_nid];

	ac->highest_zoneidx = gfp_zone(gfp_mask);
	ac->zonelist = &pgdat->node_zonelists[(gfp_mask & __GFP_THISNODE) ?
						      ZONELIST_NOFALLBACK :
						      ZONELIST_FALLBACK];
	ac->nodemask = nodemask;
	ac->migratetype = gfp_migratetype(gfp_mask);
	if (unlikely(READ_ONCE(pool->fail.enabled)) &&
	    should_fail_alloc_page(pool, gfp_mask, order))
		return false;
	/* The first usable zone; the fast path starts there. */
	ac->preferred_zoneref = first_zones_zonelist(
		ac->zonelist, ac->highest_zoneidx, ac->nodemask);
	(void)alloc_flags;
	return true;
}

/*
 * Forbid the first pass from falling back to types that fragment memory
 * while whole pageblocks remain: only ZONE_NORMAL mixes types here.
 */
static inline unsigned int alloc_flags_nofragment(struct zone *zone)
{
	return zone && zone->idx == ZONE_NORMAL ? ALLOC_NOFRAGMENT : 0;
}

/*
 * Zero what needs it and mark what was handed out.  In a PB_CLEAN
 * pageblock only FF_DIRTY frames can hold data; anywhere else every frame
 * may (prep_new_page()).
 */
static void prep_new_page(struct mm_pool *pool, pfn_t pfn, unsigned int order,
			  gfp_t gfp)
{
	struct frame *f = &pool->frames[pfn];
	unsigned long nr = 1UL << order;

	WRITE_ONCE(f->owner, FRAME_OWNER_NONE);
	frame_flags_update(f, FF_PINNED, 0);

	for (unsigned long done = 0; done < nr;) {
		pfn_t p = pfn + done;
		struct frame *pb =
			&pool->frames[ALIGN_DOWN(p, pageblock_nr_pages)];
		unsigned long n = pageblock_nr_pages -
				  (p - ALIGN_DOWN(p, pageblock_nr_pages));

		if (n > nr - done)
			n = nr - done;
		if (pb_get(pb) & PB_CLEAN) {
			for (unsigned long i = 0; i < n; i++) {
				struct frame *fi = &pool->frames[p + i];

				if ((gfp & __GFP_ZERO) &&
				    (frame_flags(fi) & FF_DIRTY))
					memset(pfn_to_virt(pool, p + i), 0,
					       PAGE_SIZE);
				frame_flags_update(fi, 0, FF_DIRTY);
			}
			/* All of it handed out: no frame left to track. */
			if (n == pageblock_nr_pages)
				pb_clear(pb, PB_CLEAN);
		} else if (gfp & __GFP_ZERO) {
			memset(pfn_to_virt(pool, p), 0, n << PAGE_SHIFT);
		}
		done += n;
	}
}

static pfn_t rmqueue(struct mm_pool *pool, struct zone *zone,
		     unsigned int order, gfp_t gfp_flags,
		     unsigned int alloc_flags, int migratetype)
{
	pfn_t pfn;

	if (likely(order == 0 && !pool->no_pcp)) {
		pfn = rmqueue_pcplist(pool, zone, migratetype, alloc_flags);
		if (likely(pfn != PFN_NONE))
			goto out;
	}
	pthread_mutex_lock(&zone->lock);
	pfn = __rmqueue(pool, zone, order, migratetype, alloc_flags);
	/* In use before the lock goes: mm_validate() never sees a block
	 * that is neither free nor allocated. */
	if (pfn != PFN_NONE)
		set_frame_state(&pool->frames[pfn], FRAME_INUSE, order);
	pthread_mutex_unlock(&zone->lock);
	if (pfn == PFN_NONE)
		return PFN_NONE;
out:
	count_vm_events(pool, zid_vm_event(PGALLOC, zone->idx), 1UL << order);
	prep_new_page(pool, pfn, order, gfp_flags);
	return pfn;
}

/*
 * Walk the zonelist from the preferred zone and take from the first zone
 * whose watermark allows it (get_page_from_freelist()).
 */
pfn_t get_page_from_freelist(struct mm_pool *pool, gfp_t gfp_mask,
			     unsigned int order, unsigned int alloc_flags,
			     const struct alloc_context *ac)
{
	struct zoneref *z;
	struct zone *zone;
	bool no_fallback;

retry:
	no_fallback = alloc_flags & ALLOC_NOFRAGMENT;
	z = ac->preferred_zoneref;
	for_next_zone_zonelist_nodemask(zone, z, ac->highest_zoneidx,
					ac->nodemask) {
		unsigned long mark;
		pfn_t pfn;

		/*
		 * Leaving the local node with the no-fragment restriction
		 * would rather fragment locally than spill remotely: drop the
		 * restriction and start again (as Linux does).
		 */
		if (no_fallback && pool->nr_nodes > 1 &&
		    zone->node != ac->preferred_zoneref->zone->node) {
			alloc_flags &= ~ALLOC_NOFRAGMENT;
			goto retry;
		}

		mark = wmark_pages(zone, alloc_flags & ALLOC_WMARK_MASK);
		if (!zone_watermark_ok(zone, order, mark, ac->highest_zoneidx,
				       alloc_flags)) {
			if ((alloc_flags & ALLOC_WMARK_MASK) == ALLOC_WMARK_LOW)
				trace_event(&pool->trace, TR_WMARK_BREACH,
					    zone->node, zone->idx,
					    zone_page_state_free(zone), mark);
			if (!(alloc_flags & ALLOC_NO_WATERMARKS))
				continue;
		}
		pfn = rmqueue(pool, zone, order, gfp_mask, alloc_flags,
			      ac->migratetype);
		if (pfn != PFN_NONE)
			return pfn;
	}
	/* Every zone refused without fragmenting: allow it now. */
	if (no_fallback) {
		alloc_flags &= ~ALLOC_NOFRAGMENT;
		goto retry;
	}
	return PFN_NONE;
}

/* This is the 'heart' of the zoned buddy allocator. */
pfn_t __alloc_pages(struct mm_pool *pool, gfp_t gfp, unsigned int order,
		    int preferred_nid, const nodemask_t *nodemask)
{
	unsigned int alloc_flags = ALLOC_WMARK_LOW;
	struct alloc_context ac;
	pfn_t pfn;

	/* Sanity of the request: every later step relies on it. */
	if (unlikely(order >= MAX_ORDER)) {
		if (!(gfp & __GFP_NOWARN))
			warn_alloc(pool, gfp, nodemask,
				   "order %u is out of range (MAX_ORDER %d)",
				   order, MAX_ORDER);
		return PFN_NONE;
	}
	if (unlikely(preferred_nid < 0 ||
		     preferred_nid >= (int)pool->nr_nodes)) {
		if (!(gfp & __GFP_NOWARN))
			warn_alloc(pool, gfp, nodemask,
				   "node %d does not exist", preferred_nid);
		return PFN_NONE;
	}
	gfp &= __GFP_BITS_MASK;

	if (!prepare_alloc_pages(pool, gfp, order, preferred_nid, nodemask, &ac,
				 &alloc_flags))
		return PFN_NONE;

	alloc_flags |= alloc_flags_nofragment(ac.preferred_zoneref->zone);

	/* First allocation attempt. */
	pfn = get_page_from_freelist(pool, gfp, order, alloc_flags, &ac);
	if (likely(pfn != PFN_NONE))
		goto out;

	ac.nodemask = nodemask;
	pfn = __alloc_pages_slowpath(pool, gfp, order, &ac);
out:
	trace_event(&pool->trace, TR_PAGE_ALLOC, pfn, order, gfp,
		    ac.migratetype);
	return pfn;
}

void __free_pages(struct mm_pool *pool, pfn_t pfn, unsigned int order)
{
	struct frame *f;
	struct zone *zone;
	int mt;

	if (unlikely(!pfn_valid(pool, pfn) || order >= MAX_ORDER ||
		     (pfn & ((1U << order) - 1)))) {
		pr_err(pool, "free of a bad block: pfn 0x%x order %u", pfn,
		       order);
		return;
	}
	f = &pool->frames[pfn];
	if (unlikely(frame_state(f) != FRAME_INUSE || f->order != order)) {
		static const char *const what[] = {
			[FRAME_TAIL] = "not a block head",
			[FRAME_BUDDY] = "already free",
			[FRAME_PCP] = "already free",
			[FRAME_INUSE] = "in use with",
			[FRAME_ISOLATED] = "isolated by compaction,",
			[FRAME_RELEASING] = "being given back to the host,",
			[FRAME_OFFLINE] = "offline,",
		};
		uint8_t state = frame_state(f);

		pr_err(pool, "bad free: pfn 0x%x order %u is %s order %u", pfn,
		       order,
		       state < ARRAY_SIZE(what) ? what[state] : "corrupt,",
		       f->order);
		return;
	}
	trace_event(&pool->trace, TR_PAGE_FREE, pfn, order, 0, 0);
	WRITE_ONCE(f->owner, FRAME_OWNER_NONE);
	frame_flags_update(f, FF_PINNED, 0);
	zone = page_zone(pool, pfn);
	mt = get_pageblock_migratetype(pool, pfn);
	count_vm_events(pool, PGFREE, 1UL << order);
	if (likely(order == 0 && !pool->no_pcp)) {
		free_unref_page(pool, zone, pfn, mt);
		return;
	}
	pthread_mutex_lock(&zone->lock);
	__free_one_page(pool, zone, pfn, order, mt);
	pthread_mutex_unlock(&zone->lock);
}

/*
 * The tails first, the head last: mm_validate() walks the zone without
 * the block's owner, and must find either the whole block or every
 * frame of it on its own, never a head of order 0 before tails.
 */
void split_page(struct mm_pool *pool, pfn_t pfn, unsigned int order)
{
	struct frame *head = &pool->frames[pfn];

	for (pfn_t p = pfn + (1U << order) - 1; p > pfn; p--) {
		struct frame *f = &pool->frames[p];

		set_frame_state(f, FRAME_INUSE, 0);
		WRITE_ONCE(f->owner, FRAME_OWNER_NONE);
		frame_flags_update(f, FF_PINNED, 0);
	}
	WRITE_ONCE(head->owner, FRAME_OWNER_NONE);
	/* Still FRAME_INUSE: only its order changes, after the tails. */
	__atomic_store_n(&head->order, 0, __ATOMIC_RELEASE);
}

void frame_set_owner(struct mm_pool *pool, pfn_t pfn, uint16_t owner, gpa_t gpa)
{
	struct frame *f = &pool->frames[pfn];

	/* Read locklessly by mm_validate()'s rmap checks: the gpa before
	 * the owner that makes it meaningful. */
	WRITE_ONCE(f->gpa, gpa.val);
	__atomic_store_n(&f->owner, owner, __ATOMIC_RELEASE);
}

void frame_clear_owner(struct mm_pool *pool, pfn_t pfn)
{
	struct frame *f = &pool->frames[pfn];

	__atomic_store_n(&f->owner, FRAME_OWNER_NONE, __ATOMIC_RELEASE);
	WRITE_ONCE(f->gpa, 0);
}

unsigned long node_nr_free_pages(struct mm_pool *pool, int nid)
{
	unsigned long n = 0;

	for (int i = 0; i < MAX_NR_ZONES; i++)
		n += zone_page_state_free(&pool->node_data[nid].node_zones[i]);
	return n;
}

unsigned long mm_nr_free_pages(struct mm_pool *pool)
{
	unsigned long n = 0;

	for (unsigned int nid = 0; nid < pool->nr_nodes; nid++)
		n += node_nr_free_pages(pool, nid);
	return n;
}
