// SPDX-License-Identifier: GPL-2.0
/*
 * mm_validate(): the invariant walker that tests call after every
 * operation of a stress run (as mimalloc's mi_page_is_valid or llfree's
 * validate).  It stops the allocator (every pcp lock, then every zone
 * lock) and checks, zone by zone:
 *
 *  - every free-list entry is a FRAME_BUDDY head of that order, on the
 *    list it says, aligned to its order, inside the zone, doubly linked;
 *  - per-order and per-type counts match the lists;
 *  - a linear walk of the zone covers every frame by exactly one head
 *    (buddy, pcp or in-use block) and finds as many buddy heads as the
 *    lists hold and as many pcp frames as the caches hold;
 *  - no two free buddies of the same order are left unmerged;
 *  - nr_free_pages equals the free frames on the lists;
 *  - owners: free frames have none, an owned frame's gpa is page aligned
 *    and (through ops.rmap_check) its owner maps that gpa to it; frames
 *    of the compressed store (FRAME_OWNER_ZSWAP) are order 0, pinned and
 *    back no gpa;
 *  - frames compaction isolated as targets are order 0, without owner,
 *    and as many as zone->nr_isolated_pages says;
 *  - blocks being given back to the host are of pageblock order or more
 *    and as many pages as zone->nr_releasing_pages says;
 *  - offline pageblocks are single returned pageblocks, as many pages as
 *    zone->nr_offline_pages says;
 *  - returned pageblocks are free (or offline) and counted;
 *  - watermarks are ordered min <= low <= high.
 *
 * ops.rmap_check runs with every mm lock held and must not allocate.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "mm/internal.h"

#define FAIL(...)                                               \
	do {                                                    \
		ret = errf(err, errlen, -EUCLEAN, __VA_ARGS__); \
		goto out;                                       \
	} while (0)

struct pcp_walk {
	struct mm_pool *pool;
	struct zone *zone;
	unsigned long n;
	pfn_t bad;
};

static void check_pcp_frame(pfn_t pfn, void *arg)
{
	struct pcp_walk *w = arg;
	struct frame *f = &w->pool->frames[pfn];

	w->n++;
	if (w->bad == PFN_NONE &&
	    (frame_state(f) != FRAME_PCP || page_zone(w->pool, pfn) != w->zone))
		w->bad = pfn;
}

static int validate_lists(struct mm_pool *pool, struct zone *zone,
			  unsigned long *heads, long *free_pages, char *err,
			  size_t errlen)
{
	pfn_t zstart = zone->zone_start_pfn;
	pfn_t zend = zstart + zone->spanned_pages;
	int ret = 0;

	*heads = 0;
	*free_pages = 0;
	for (int o = 0; o < MAX_ORDER; o++) {
		struct free_area *area = &zone->free_area[o];
		unsigned long total = 0;

		for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
			unsigned long n = 0;
			pfn_t prev = PFN_NONE;

			for (pfn_t p = area->free_list[mt]; p != PFN_NONE;
			     p = pool->frames[p].lru.next) {
				struct frame *f = &pool->frames[p];

				if (p < zstart || p >= zend)
					FAIL("node %d %s order %d %s list: pfn 0x%x outside the zone",
					     zone->node, zone->name, o,
					     migratetype_name(mt), p);
				if (frame_state(f) != FRAME_BUDDY ||
				    f->order != o)
					FAIL("node %d %s order %d list: pfn 0x%x is state %d order %d",
					     zone->node, zone->name, o, p,
					     f->state, f->order);
				if (((f->flags & FF_LIST_MT_MASK) >>
				     FF_LIST_MT_SHIFT) != mt)
					FAIL("pfn 0x%x on the %s list says it is on another",
					     p, migratetype_name(mt));
				if (p & ((1U << o) - 1))
					FAIL("pfn 0x%x of order %d is misaligned",
					     p, o);
				if (f->lru.prev != prev)
					FAIL("pfn 0x%x: broken back link", p);
				if (f->owner != FRAME_OWNER_NONE)
					FAIL("free pfn 0x%x has owner %u", p,
					     f->owner);
				if (++n > zone->spanned_pages)
					FAIL("order %d %s list loops", o,
					     migratetype_name(mt));
				if (mt != MIGRATE_ISOLATE)
					*free_pages += 1L << o;
				prev = p;
			}
			if (area->free_tail[mt] != prev)
				FAIL("node %d %s order %d %s: tail 0x%x, last on the list 0x%x",
				     zone->node, zone->name, o,
				     migratetype_name(mt), area->free_tail[mt],
				     prev);
			if (n != area->nr_free_mt[mt])
				FAIL("node %d %s order %d %s: %lu on the list, nr_free_mt says %lu",
				     zone->node, zone->name, o,
				     migratetype_name(mt), n,
				     area->nr_free_mt[mt]);
			total += n;
		}
		if (total != area->nr_free)
			FAIL("node %d %s order %d: %lu free blocks, nr_free says %lu",
			     zone->node, zone->name, o, total, area->nr_free);
		*heads += total;
	}
out:
	return ret;
}

static int validate_zone(struct mm_pool *pool, struct zone *zone, char *err,
			 size_t errlen)
{
	pfn_t zstart = zone->zone_start_pfn;
	pfn_t zend = zstart + zone->spanned_pages;
	unsigned long list_heads, walk_heads = 0, walk_pcp = 0, returned = 0;
	unsigned long isolated = 0, releasing = 0, offline = 0;
	struct pcp_walk pw = { pool, zone, 0, PFN_NONE };
	long free_pages;
	int ret;

	if (min_wmark_pages(zone) > low_wmark_pages(zone) ||
	    low_wmark_pages(zone) > high_wmark_pages(zone))
		return errf(err, errlen, -EUCLEAN,
			    "node %d %s watermarks out of order: %lu %lu %lu",
			    zone->node, zone->name, min_wmark_pages(zone),
			    low_wmark_pages(zone), high_wmark_pages(zone));
	ret = validate_lists(pool, zone, &list_heads, &free_pages, err, errlen);
	if (ret)
		return ret;
	pcp_for_each_frame(pool, zone, check_pcp_frame, &pw);
	if (pw.bad != PFN_NONE)
		return errf(
			err, errlen, -EUCLEAN,
			"pfn 0x%x in a page cache is not a pcp frame of node %d %s",
			pw.bad, zone->node, zone->name);

	for (pfn_t p = zstart; p < zend;) {
		struct frame *f = &pool->frames[p];
		bool returned_pb =
			pb_get(&pool->frames[ALIGN_DOWN(p, pageblock_nr_pages)]) &
			PB_RETURNED;
		/* Acquire: split_page() stores a head's order last. */
		unsigned int o = __atomic_load_n(&f->order, __ATOMIC_ACQUIRE);
		uint16_t owner;

		if (f->zone != zone->zone_id)
			return errf(err, errlen, -EUCLEAN,
				    "pfn 0x%x says zone %u, is in %d", p,
				    f->zone, zone->zone_id);
		switch (frame_state(f)) {
		case FRAME_BUDDY:
			walk_heads++;
			if (o < MAX_ORDER - 1) {
				pfn_t b = __find_buddy_pfn(p, o);

				if (page_is_buddy(&pool->frames[b], o) &&
				    ((pool->frames[b].flags ^ f->flags) &
				     FF_LIST_MT_MASK) == 0 &&
				    ((f->flags & FF_LIST_MT_MASK) >>
				     FF_LIST_MT_SHIFT) != MIGRATE_ISOLATE)
					return errf(
						err, errlen, -EUCLEAN,
						"free buddies 0x%x and 0x%x of order %u not merged",
						p, b, o);
			}
			p += 1U << o;
			break;
		case FRAME_PCP:
			walk_pcp++;
			if (returned_pb)
				goto returned_in_use;
			p++;
			break;
		case FRAME_INUSE:
			if (p + (1U << o) > zend || (p & ((1U << o) - 1)))
				return errf(
					err, errlen, -EUCLEAN,
					"in-use block 0x%x order %u is misplaced",
					p, o);
			if (returned_pb)
				goto returned_in_use;
			owner = __atomic_load_n(&f->owner, __ATOMIC_ACQUIRE);
			if (owner == FRAME_OWNER_ZSWAP) {
				/* Freed meanwhile (the owner goes first): in
				 * transit, as below. */
				if ((o || !(frame_flags(f) & FF_PINNED) ||
				     READ_ONCE(f->gpa)) &&
				    __atomic_load_n(&f->owner,
						    __ATOMIC_ACQUIRE) == owner)
					return errf(
						err, errlen, -EUCLEAN,
						"pfn 0x%x of the compressed store: order %u, flags 0x%x, gpa 0x%" PRIx64
						" (order 0, pinned, no gpa)",
						p, o, frame_flags(f),
						READ_ONCE(f->gpa));
			} else if (owner != FRAME_OWNER_NONE) {
				uint64_t g = READ_ONCE(f->gpa);

				if (g & (PAGE_SIZE - 1))
					return errf(
						err, errlen, -EUCLEAN,
						"pfn 0x%x: owner %u gpa 0x%" PRIx64
						" is not page aligned",
						p, owner, g);
				/* A frame being unmapped loses its owner
				 * before its mapping: if the owner changed
				 * meanwhile, it is in transit, not wrong. */
				if (pool->ops.rmap_check &&
				    !pool->ops.rmap_check(pool->ops.priv, owner,
							  gpa(g), p) &&
				    __atomic_load_n(&f->owner,
						    __ATOMIC_ACQUIRE) == owner)
					return errf(
						err, errlen, -EUCLEAN,
						"pfn 0x%x: owner %u does not map gpa 0x%" PRIx64
						" to it",
						p, owner, g);
			}
			p += 1U << o;
			break;
		case FRAME_RELEASING:
			if (o < pageblock_order || o >= MAX_ORDER ||
			    p + (1U << o) > zend || (p & ((1U << o) - 1)))
				return errf(
					err, errlen, -EUCLEAN,
					"block 0x%x being released has order %u",
					p, o);
			releasing += 1UL << o;
			p += 1U << o;
			break;
		case FRAME_OFFLINE:
			if (o != pageblock_order ||
			    (p & (pageblock_nr_pages - 1)))
				return errf(err, errlen, -EUCLEAN,
					    "offline block 0x%x has order %u",
					    p, o);
			if (!returned_pb)
				return errf(
					err, errlen, -EUCLEAN,
					"offline pageblock 0x%x is not returned to the host",
					p);
			offline += pageblock_nr_pages;
			p += pageblock_nr_pages;
			break;
		case FRAME_ISOLATED:
			if (o != 0 || READ_ONCE(f->owner) != FRAME_OWNER_NONE)
				return errf(
					err, errlen, -EUCLEAN,
					"isolated pfn 0x%x has order %u owner %u",
					p, o, READ_ONCE(f->owner));
			if (returned_pb)
				goto returned_in_use;
			isolated++;
			p++;
			break;
		default:
			return errf(err, errlen, -EUCLEAN,
				    "pfn 0x%x (node %d %s) is in no block", p,
				    zone->node, zone->name);
		}
	}
	/* Offline pageblocks are returned too, but not free: not counted. */
	for (pfn_t p = zstart; p < zend; p += pageblock_nr_pages)
		if ((pb_get(&pool->frames[p]) & PB_RETURNED) &&
		    frame_state(&pool->frames[p]) != FRAME_OFFLINE)
			returned += pageblock_nr_pages;
	if (walk_heads != list_heads)
		return errf(
			err, errlen, -EUCLEAN,
			"node %d %s: %lu free heads in the zone, %lu on the lists",
			zone->node, zone->name, walk_heads, list_heads);
	if (walk_pcp != pw.n || pw.n != pcp_count_frames(pool, zone))
		return errf(
			err, errlen, -EUCLEAN,
			"node %d %s: %lu pcp frames in the zone, %lu on the lists, caches count %lu",
			zone->node, zone->name, walk_pcp, pw.n,
			pcp_count_frames(pool, zone));
	if (free_pages != zone->nr_free_pages)
		return errf(
			err, errlen, -EUCLEAN,
			"node %d %s: %ld free pages on the lists, nr_free_pages %ld",
			zone->node, zone->name, free_pages,
			zone->nr_free_pages);
	if (isolated != zone->nr_isolated_pages)
		return errf(err, errlen, -EUCLEAN,
			    "node %d %s: %lu isolated frames, counted %lu",
			    zone->node, zone->name, isolated,
			    zone->nr_isolated_pages);
	if (releasing != zone->nr_releasing_pages)
		return errf(err, errlen, -EUCLEAN,
			    "node %d %s: %lu pages being released, counted %lu",
			    zone->node, zone->name, releasing,
			    zone->nr_releasing_pages);
	if ((long)offline != zone->nr_offline_pages)
		return errf(err, errlen, -EUCLEAN,
			    "node %d %s: %lu offline pages, counted %ld",
			    zone->node, zone->name, offline,
			    zone->nr_offline_pages);
	if ((long)returned != zone->nr_returned_pages)
		return errf(err, errlen, -EUCLEAN,
			    "node %d %s: %lu returned pages, counted %ld",
			    zone->node, zone->name, returned,
			    zone->nr_returned_pages);
	return 0;

returned_in_use:
	return errf(err, errlen, -EUCLEAN,
		    "node %d %s: a returned pageblock holds an allocated frame",
		    zone->node, zone->name);
}

int mm_validate(struct mm_pool *pool, char *err, size_t errlen)
{
	int ret = 0;

	pcp_lock_all(pool);
	for (unsigned int z = 0; z < pool->nr_zones; z++)
		pthread_mutex_lock(&pool->zones[z]->lock);
	for (unsigned int z = 0; z < pool->nr_zones && !ret; z++)
		ret = validate_zone(pool, pool->zones[z], err, errlen);
	for (unsigned int z = pool->nr_zones; z-- > 0;)
		pthread_mutex_unlock(&pool->zones[z]->lock);
	pcp_unlock_all(pool);
	return ret;
}
