// SPDX-License-Identifier: GPL-2.0
/*
 * Pageblocks going offline and coming back online, after Linux's
 * mm/memory_hotplug.c.
 *
 * The host may give the pool less than its size: a memory cgroup's limit,
 * or the host's available memory, leaves less room than the pool, or less
 * than it did (docs/host_limits.md).  Whatever the host will not back
 * goes offline, whole pageblocks of it: off the free lists and out of the
 * zone's managed pages (a FRAME_OFFLINE head, zone->nr_offline_pages),
 * the host holding nothing for it (PB_RETURNED), and the watermarks
 * recomputed for what is left, as Linux does when memory goes away.  The
 * pool then never holds more host memory than it has online, and the
 * allocator, kswapd and the OOM killer see the smaller pool as they see
 * any pool.
 *
 * offline_pages() takes, cheapest first: free pageblocks the host already
 * took back; free pageblocks the host still holds, once given back
 * (pool_return_free_pageblocks()); and, under memory pressure, pageblocks
 * allocated for the purpose through the slow path, which wakes kswapd,
 * reclaims through the balloons and compacts, as Linux's offlining
 * migrates pages out of the range it takes.  Like Linux's, it never kills:
 * the caller decides (offline_out_of_memory()).
 *
 * Locking: pool->hotplug_lock, outermost, around each offline_pages() and
 * online_pages() (they allocate and free under it, so no mm_ops callback
 * may take it); zone->lock for each pageblock.
 */
#include "mm/internal.h"

/* A pageblock of the free block at head whose memory the host took back. */
static pfn_t returned_pageblock(struct mm_pool *pool, pfn_t head,
				unsigned int order)
{
	for (pfn_t p = head; p < head + (1U << order); p += pageblock_nr_pages)
		if (pb_get(&pool->frames[p]) & PB_RETURNED)
			return p;
	return PFN_NONE;
}

/* The pageblock at pb, the caller's and returned, goes offline.  Zone
 * lock held. */
static void set_pageblock_offline(struct mm_pool *pool, struct zone *zone,
				  pfn_t pb)
{
	set_frame_state(&pool->frames[pb], FRAME_OFFLINE, pageblock_order);
	WRITE_ONCE(zone->nr_offline_pages,
		   zone->nr_offline_pages + (long)pageblock_nr_pages);
}

/*
 * Up to max free, returned pageblocks of zone offline, from the largest
 * free blocks down (what splitting an order-10 block leaves goes to the
 * order-9 lists, looked at next).  Zone lock held.
 */
static unsigned long __offline_free_pageblocks(struct mm_pool *pool,
					       struct zone *zone,
					       unsigned long max)
{
	unsigned long n = 0;

	for (int o = MAX_ORDER - 1; o >= pageblock_order && n < max; o--) {
		for (int mt = 0; mt < MIGRATE_PCPTYPES && n < max; mt++) {
			pfn_t p = zone->free_area[o].free_list[mt];

			while (p != PFN_NONE && n < max) {
				pfn_t next = pool->frames[p].lru.next;
				pfn_t pb = returned_pageblock(pool, p, o);

				if (pb != PFN_NONE) {
					take_pageblock_off_buddy(pool, zone, p,
								 o, mt, pb);
					WRITE_ONCE(
						zone->nr_returned_pages,
						zone->nr_returned_pages -
							(long)pageblock_nr_pages);
					set_pageblock_offline(pool, zone, pb);
					n++;
				}
				p = next;
			}
		}
	}
	return n;
}

/*
 * Run op over the zones with shares of max pageblocks by weight: free
 * pages to take offline (so that the zones stay alike), offline pages to
 * bring back; again over the zones that had enough, until max or no
 * progress.  Zone locks taken here.
 */
static unsigned long
spread(struct mm_pool *pool, unsigned long max, bool online,
       unsigned long (*op)(struct mm_pool *pool, struct zone *zone,
			   unsigned long max))
{
	bool done[MAX_ZONES_TOTAL] = { false };
	unsigned long n = 0;

	while (n < max) {
		unsigned long want = max - n, total = 0, got = 0;
		long w[MAX_ZONES_TOTAL];

		for (unsigned int z = 0; z < pool->nr_zones; z++) {
			struct zone *zone = pool->zones[z];

			w[z] = online ? READ_ONCE(zone->nr_offline_pages) :
					zone_page_state_free(zone);
			if (done[z] || w[z] <= 0)
				w[z] = 0;
			total += w[z];
		}
		if (!total)
			break;
		for (unsigned int z = 0; z < pool->nr_zones && n < max; z++) {
			struct zone *zone = pool->zones[z];
			unsigned long share = (want * w[z] + total - 1) / total,
				      took;

			if (!share)
				continue;
			if (share > max - n)
				share = max - n;
			pthread_mutex_lock(&zone->lock);
			took = op(pool, zone, share);
			pthread_mutex_unlock(&zone->lock);
			if (took < share)
				done[z] = true;
			n += took;
			got += took;
		}
		if (!got)
			break;
	}
	return n;
}

/* Free, returned pageblocks offline, up to max; how many. */
static unsigned long offline_free_pageblocks(struct mm_pool *pool,
					     unsigned long max)
{
	return spread(pool, max, false, __offline_free_pageblocks);
}

/* The node with the most pages online: where offlining leaves the most. */
static int fullest_node(struct mm_pool *pool)
{
	unsigned long best_n = 0;
	int best = 0;

	for (unsigned int nid = 0; nid < pool->nr_nodes; nid++) {
		unsigned long n = 0;

		for (int i = 0; i < MAX_NR_ZONES; i++)
			n += zone_managed_pages(
				&pool->node_data[nid].node_zones[i]);
		if (n > best_n) {
			best_n = n;
			best = nid;
		}
	}
	return best;
}

/*
 * Under memory pressure: a pageblock from the allocator (reclaim and
 * compaction as any costly allocation has them), given back to the host
 * and taken offline.  False when the allocator has none.
 */
static bool offline_allocated_pageblock(struct mm_pool *pool)
{
	pfn_t pb = __alloc_pages(pool, GFP_OFFLINE, pageblock_order,
				 fullest_node(pool), NULL);
	struct zone *zone;

	if (pb == PFN_NONE)
		return false;
	if (pool_punch_pageblock(pool, pb)) {
		__free_pages(pool, pb, pageblock_order);
		return false;
	}
	zone = page_zone(pool, pb);
	pthread_mutex_lock(&zone->lock);
	/* The host gives zeroes back, as for any returned pageblock. */
	for (pfn_t p = pb; p < pb + pageblock_nr_pages; p++)
		frame_flags_update(&pool->frames[p], FF_DIRTY | FF_PINNED, 0);
	pb_set(&pool->frames[pb], PB_RETURNED | PB_CLEAN);
	set_pageblock_offline(pool, zone, pb);
	pthread_mutex_unlock(&zone->lock);
	/* Out of use as surely as if it had been freed: pgalloc counted it
	 * in, pgfree counts it out (pgalloc - pgfree: the frames in use). */
	count_vm_events(pool, PGFREE, pageblock_nr_pages);
	return true;
}

/*
 * n pageblocks went offline or online (the event says which): the
 * watermarks follow the pages now managed, as init_per_zone_wmark_min()
 * does, and the event is traced.  hotplug_lock held.
 */
static void pageblocks_changed(struct mm_pool *pool, unsigned int event,
			       unsigned long n)
{
	if (!n)
		return;
	if (!pool->min_free_kbytes_set) {
		unsigned long managed = 0;

		for (unsigned int z = 0; z < pool->nr_zones; z++)
			managed += zone_managed_pages(pool->zones[z]);
		pool->min_free_kbytes =
			calculate_min_free_kbytes(managed << (PAGE_SHIFT - 10));
	}
	setup_per_zone_wmarks(pool);
	trace_event(&pool->trace, event, n * pageblock_nr_pages,
		    pool_nr_offline_pages(pool), 0, 0);
}

unsigned long offline_pages(struct mm_pool *pool, unsigned long nr_pages)
{
	unsigned long want =
		ALIGN_UP(nr_pages, pageblock_nr_pages) / pageblock_nr_pages;
	unsigned long n;

	pthread_mutex_lock(&pool->hotplug_lock);
	n = offline_free_pageblocks(pool, want);
	/* Free pageblocks the host still holds: give them back, then take
	 * them too.  Over the host's limit, every one goes back at once,
	 * whatever the release interval says. */
	if (n < want && pool_return_free_pageblocks(pool) > 0)
		n += offline_free_pageblocks(pool, want - n);
	while (n < want && offline_allocated_pageblock(pool))
		n++;
	pageblocks_changed(pool, TR_OFFLINE_PAGES, n);
	pthread_mutex_unlock(&pool->hotplug_lock);
	return n * pageblock_nr_pages;
}

bool offline_out_of_memory(struct mm_pool *pool, unsigned long nr_pages)
{
	struct oom_control oc = {
		.gfp_mask = GFP_OFFLINE,
		.order = pageblock_order,
		.nid = fullest_node(pool),
		.offline_pages = nr_pages,
	};
	bool killed;

	if (!pool->ops.out_of_memory)
		return false;
	/* Somebody else is killing: that frees memory too. */
	if (pthread_mutex_trylock(&pool->oom_lock))
		return true;
	count_vm_event(pool, OOM_INVOKE);
	trace_event(&pool->trace, TR_OOM, pageblock_order, GFP_OFFLINE, 0, 0);
	killed = pool->ops.out_of_memory(pool->ops.priv, &oc);
	pthread_mutex_unlock(&pool->oom_lock);
	return killed;
}

/* Up to max offline pageblocks of zone back to the free lists.  Zone lock
 * held. */
static unsigned long __online_pageblocks(struct mm_pool *pool,
					 struct zone *zone, unsigned long max)
{
	unsigned long n = 0;

	for (pfn_t p = zone->zone_start_pfn; p < zone_end_pfn(zone) && n < max;
	     p += pageblock_nr_pages) {
		if (frame_state(&pool->frames[p]) != FRAME_OFFLINE)
			continue;
		WRITE_ONCE(zone->nr_offline_pages,
			   zone->nr_offline_pages - (long)pageblock_nr_pages);
		WRITE_ONCE(zone->nr_returned_pages,
			   zone->nr_returned_pages + (long)pageblock_nr_pages);
		set_frame_state(&pool->frames[p], FRAME_TAIL, 0);
		__free_one_page(pool, zone, p, pageblock_order,
				get_pageblock_migratetype(pool, p));
		n++;
	}
	return n;
}

unsigned long online_pages(struct mm_pool *pool, unsigned long nr_pages)
{
	unsigned long n;

	pthread_mutex_lock(&pool->hotplug_lock);
	n = spread(pool, nr_pages / pageblock_nr_pages, true,
		   __online_pageblocks);
	pageblocks_changed(pool, TR_ONLINE_PAGES, n);
	pthread_mutex_unlock(&pool->hotplug_lock);
	return n * pageblock_nr_pages;
}

unsigned long pool_nr_offline_pages(struct mm_pool *pool)
{
	unsigned long n = 0;

	for (unsigned int z = 0; z < pool->nr_zones; z++)
		n += READ_ONCE(pool->zones[z]->nr_offline_pages);
	return n;
}
