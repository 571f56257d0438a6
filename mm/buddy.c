// SPDX-License-Identifier: GPL-2.0
/*
 * The buddy free lists: splitting, merging and migratetype fallback, after
 * mm/page_alloc.c.  Every function here runs with zone->lock held.
 *
 * Free lists are doubly linked through frame->lru by pfn, PFN_NONE-ended,
 * with a head and a tail per list;
 * a free head remembers its list in frame->flags so that a merge can take
 * its buddy off the right list.
 */
#include "mm/internal.h"

static inline struct frame *F(struct mm_pool *pool, pfn_t pfn)
{
	return &pool->frames[pfn];
}

int get_pageblock_migratetype(struct mm_pool *pool, pfn_t pfn)
{
	return pb_get(F(pool, ALIGN_DOWN(pfn, pageblock_nr_pages))) &
	       PB_MT_MASK;
}

void set_pageblock_migratetype(struct mm_pool *pool, pfn_t pfn, int mt)
{
	struct frame *head = F(pool, ALIGN_DOWN(pfn, pageblock_nr_pages));

	uint8_t old = pb_get(head);

	while (!__atomic_compare_exchange_n(
		&head->pb, &old, (uint8_t)((old & ~PB_MT_MASK) | mt), true,
		__ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

static inline int frame_list_mt(const struct frame *f)
{
	return (f->flags & FF_LIST_MT_MASK) >> FF_LIST_MT_SHIFT;
}

static inline void set_buddy_order(struct frame *f, unsigned int order, int mt)
{
	set_frame_state(f, FRAME_BUDDY, order);
	frame_flags_update(f, FF_LIST_MT_MASK, mt << FF_LIST_MT_SHIFT);
	WRITE_ONCE(f->owner, FRAME_OWNER_NONE);
}

static void add_to_free_list(struct mm_pool *pool, struct zone *zone, pfn_t pfn,
			     unsigned int order, int mt, bool tail)
{
	struct free_area *area = &zone->free_area[order];
	struct frame *f = F(pool, pfn);
	pfn_t first = area->free_list[mt];

	set_buddy_order(f, order, mt);
	if (first == PFN_NONE) {
		set_lru(f, PFN_NONE, PFN_NONE);
		WRITE_ONCE(area->free_list[mt], pfn);
		area->free_tail[mt] = pfn;
	} else if (!tail) {
		set_lru(f, first, PFN_NONE);
		WRITE_ONCE(F(pool, first)->lru.prev, pfn);
		WRITE_ONCE(area->free_list[mt], pfn);
	} else {
		pfn_t last = area->free_tail[mt];

		set_lru(f, PFN_NONE, last);
		WRITE_ONCE(F(pool, last)->lru.next, pfn);
		area->free_tail[mt] = pfn;
	}
	/* Lockless readers: the watermark check (WRITE_ONCE for them). */
	WRITE_ONCE(area->nr_free, area->nr_free + 1);
	area->nr_free_mt[mt]++;
}

void del_page_from_free_list(struct mm_pool *pool, struct zone *zone, pfn_t pfn,
			     unsigned int order, int mt)
{
	struct free_area *area = &zone->free_area[order];
	struct frame *f = F(pool, pfn);

	if (f->lru.prev != PFN_NONE)
		WRITE_ONCE(F(pool, f->lru.prev)->lru.next, f->lru.next);
	else
		WRITE_ONCE(area->free_list[mt], f->lru.next);
	if (f->lru.next != PFN_NONE)
		WRITE_ONCE(F(pool, f->lru.next)->lru.prev, f->lru.prev);
	else
		area->free_tail[mt] = f->lru.prev;
	set_frame_state(f, FRAME_TAIL, 0);
	WRITE_ONCE(area->nr_free, area->nr_free - 1);
	area->nr_free_mt[mt]--;
}

static void move_to_free_list(struct mm_pool *pool, struct zone *zone,
			      pfn_t pfn, unsigned int order, int old_mt,
			      int new_mt)
{
	del_page_from_free_list(pool, zone, pfn, order, old_mt);
	add_to_free_list(pool, zone, pfn, order, new_mt, false);
}

static inline void account_freepages(struct zone *zone, long nr, int mt)
{
	/* Isolated blocks are not free for anybody but their isolator. */
	if (mt != MIGRATE_ISOLATE)
		WRITE_ONCE(zone->nr_free_pages, zone->nr_free_pages + nr);
}

/*
 * Take the pageblock at pb out of the free block of 2^order frames at
 * head (on list mt) and give the rest back in halves, largest first, as
 * Linux's take_page_off_buddy() does for one page.  The pageblock leaves
 * the zone's free pages and is the caller's, every frame FRAME_TAIL.
 * Zone lock held.
 */
void take_pageblock_off_buddy(struct mm_pool *pool, struct zone *zone,
			      pfn_t head, unsigned int order, int mt, pfn_t pb)
{
	del_page_from_free_list(pool, zone, head, order, mt);
	account_freepages(zone, -(long)pageblock_nr_pages, mt);
	while (order > pageblock_order) {
		pfn_t half = head + (1U << --order);

		if (pb >= half) {
			add_to_free_list(pool, zone, head, order, mt, false);
			head = half;
		} else {
			add_to_free_list(pool, zone, half, order, mt, false);
		}
	}
}

/*
 * If the buddy one order up is free too, this block is likely to merge
 * soon: put it at the tail so that it is not handed out first
 * (buddy_merge_likely()).
 */
static bool buddy_merge_likely(struct mm_pool *pool, pfn_t pfn,
			       unsigned int order)
{
	pfn_t higher;

	if (order >= MAX_ORDER - 2)
		return false;
	higher = pfn & ~((2U << order) - 1);
	return page_is_buddy(F(pool, __find_buddy_pfn(higher, order + 1)),
			     order + 1);
}

void __free_one_page(struct mm_pool *pool, struct zone *zone, pfn_t pfn,
		     unsigned int order, int migratetype)
{
	account_freepages(zone, 1L << order, migratetype);

	while (order < MAX_ORDER - 1) {
		pfn_t buddy_pfn = __find_buddy_pfn(pfn, order);
		struct frame *buddy = F(pool, buddy_pfn);

		if (!page_is_buddy(buddy, order))
			break;
		/*
		 * Never merge an isolated block with a normal one: the
		 * result would be on the wrong list (Linux checks the same
		 * at pageblock order).
		 */
		if (order >= pageblock_order &&
		    (migratetype == MIGRATE_ISOLATE) !=
			    (frame_list_mt(buddy) == MIGRATE_ISOLATE))
			break;
		del_page_from_free_list(pool, zone, buddy_pfn, order,
					frame_list_mt(buddy));
		set_frame_state(F(pool, pfn), FRAME_TAIL, 0);
		pfn &= buddy_pfn;
		order++;
	}
	add_to_free_list(pool, zone, pfn, order, migratetype,
			 buddy_merge_likely(pool, pfn, order));
}

/*
 * A block of 2^high frames was taken for an order-`low` request: give the
 * upper halves back, largest first (expand()).
 */
static void expand(struct mm_pool *pool, struct zone *zone, pfn_t pfn,
		   unsigned int low, unsigned int high, int migratetype)
{
	while (high > low) {
		high--;
		add_to_free_list(pool, zone, pfn + (1U << high), high,
				 migratetype, false);
	}
}

/*
 * The first allocation from a pageblock the host took back faults it in
 * again: it is no longer "returned".
 */
static void clear_returned(struct mm_pool *pool, struct zone *zone, pfn_t pfn,
			   unsigned int order)
{
	pfn_t start = ALIGN_DOWN(pfn, pageblock_nr_pages);
	pfn_t end = pfn + (1U << order);

	for (pfn_t p = start; p < end; p += pageblock_nr_pages) {
		struct frame *h = F(pool, p);

		if (pb_get(h) & PB_RETURNED) {
			pb_clear(h, PB_RETURNED);
			WRITE_ONCE(zone->nr_returned_pages,
				   zone->nr_returned_pages -
					   (long)pageblock_nr_pages);
			count_vm_event(pool, POOL_PAGEBLOCK_REFAULT);
		}
	}
}

/* Take the block at pfn of current_order off its list, split to order. */
static pfn_t take_block(struct mm_pool *pool, struct zone *zone, pfn_t pfn,
			unsigned int order, unsigned int current_order,
			int list_mt, int migratetype)
{
	del_page_from_free_list(pool, zone, pfn, current_order, list_mt);
	expand(pool, zone, pfn, order, current_order, migratetype);
	account_freepages(zone, -(1L << order), migratetype);
	clear_returned(pool, zone, pfn, order);
	return pfn;
}

/* Smallest free block of exactly this migratetype (__rmqueue_smallest). */
static pfn_t __rmqueue_smallest(struct mm_pool *pool, struct zone *zone,
				unsigned int order, int migratetype)
{
	for (unsigned int o = order; o < MAX_ORDER; o++) {
		pfn_t pfn = zone->free_area[o].free_list[migratetype];

		if (pfn != PFN_NONE)
			return take_block(pool, zone, pfn, order, o,
					  migratetype, migratetype);
	}
	return PFN_NONE;
}

static const int fallbacks[MIGRATE_PCPTYPES][MIGRATE_PCPTYPES - 1] = {
	[MIGRATE_UNMOVABLE] = { MIGRATE_MOVABLE },
	[MIGRATE_MOVABLE] = { MIGRATE_UNMOVABLE },
};

/*
 * May an allocation of start_mt take the whole pageblock it falls back
 * into?  Large blocks yes; unmovable allocations always try, to keep them
 * clustered (can_steal_fallback()).
 */
static bool can_steal_fallback(unsigned int order, int start_mt)
{
	if (order >= pageblock_order)
		return true;
	return order >= pageblock_order / 2 || start_mt == MIGRATE_UNMOVABLE;
}

static int find_suitable_fallback(struct free_area *area, unsigned int order,
				  int migratetype, bool *can_steal)
{
	if (area->nr_free == 0)
		return -1;
	for (unsigned int i = 0; i < ARRAY_SIZE(fallbacks[0]); i++) {
		int fmt = fallbacks[migratetype][i];

		if (area->free_list[fmt] == PFN_NONE)
			continue;
		*can_steal = can_steal_fallback(order, migratetype);
		return fmt;
	}
	return -1;
}

/*
 * Move the free blocks of the pageblock at pfn to new_mt's lists; count the
 * free frames and the in-use frames that are already of new_mt's kind
 * (move_freepages_block()).
 */
static unsigned long move_freepages_block(struct mm_pool *pool,
					  struct zone *zone, pfn_t pfn,
					  int new_mt, unsigned long *alike)
{
	pfn_t start = ALIGN_DOWN(pfn, pageblock_nr_pages);
	pfn_t end = start + pageblock_nr_pages;
	unsigned long moved = 0;

	*alike = 0;
	for (pfn_t p = start; p < end;) {
		struct frame *f = F(pool, p);

		if (frame_state(f) == FRAME_BUDDY) {
			unsigned int o = f->order;

			/* A larger block spans past us: leave it. */
			if (p + (1U << o) > end)
				break;
			move_to_free_list(pool, zone, p, o, frame_list_mt(f),
					  new_mt);
			moved += 1U << o;
			p += 1U << o;
			continue;
		}
		if (frame_state(f) == FRAME_INUSE) {
			bool movable = !(frame_flags(f) & FF_PINNED) &&
				       READ_ONCE(f->owner);

			/* An in-use frame's order is written by allocations
			 * from per-thread caches without the zone lock. */
			unsigned int o = READ_ONCE(f->order);

			if (movable == (new_mt == MIGRATE_MOVABLE))
				*alike += 1U << o;
			p += 1U << o;
			continue;
		}
		p++;
	}
	return moved;
}

static void steal_suitable_fallback(struct mm_pool *pool, struct zone *zone,
				    pfn_t pfn, unsigned int current_order,
				    int start_type, bool whole_block)
{
	int old_block_type = get_pageblock_migratetype(pool, pfn);
	unsigned long free_pages, alike;

	/* A block of pageblock order or more: take all of it. */
	if (current_order >= pageblock_order) {
		for (pfn_t p = pfn; p < pfn + (1U << current_order);
		     p += pageblock_nr_pages)
			set_pageblock_migratetype(pool, p, start_type);
		/* Pageblocks, as below: an order-10 block is two. */
		count_vm_events(pool, EXTFRAG_STEAL_BLOCK,
				1UL << (current_order - pageblock_order));
		move_to_free_list(pool, zone, pfn, current_order,
				  frame_list_mt(F(pool, pfn)), start_type);
		return;
	}
	if (!whole_block || old_block_type == MIGRATE_ISOLATE)
		goto single_page;

	free_pages = move_freepages_block(pool, zone, pfn, start_type, &alike);
	/*
	 * Claim the pageblock when at least half of it is free or already
	 * used by our kind; otherwise we only borrowed its free pages.
	 */
	if (free_pages + alike >= (1U << (pageblock_order - 1))) {
		set_pageblock_migratetype(pool, pfn, start_type);
		count_vm_event(pool, EXTFRAG_STEAL_BLOCK);
	}
	return;

single_page:
	move_to_free_list(pool, zone, pfn, current_order,
			  frame_list_mt(F(pool, pfn)), start_type);
}

/*
 * Fall back to another migratetype's free list, taking the largest block
 * so that the stolen pageblock is as homogeneous as possible.  With
 * ALLOC_NOFRAGMENT only whole pageblocks may be taken (__rmqueue_fallback).
 */
static bool __rmqueue_fallback(struct mm_pool *pool, struct zone *zone,
			       int order, int start_migratetype,
			       unsigned int alloc_flags)
{
	int min_order = order;
	int current_order, fallback_mt = -1;
	bool can_steal = false;
	struct free_area *area;
	pfn_t pfn;

	if (alloc_flags & ALLOC_NOFRAGMENT)
		min_order = pageblock_order;

	for (current_order = MAX_ORDER - 1; current_order >= min_order;
	     --current_order) {
		area = &zone->free_area[current_order];
		fallback_mt = find_suitable_fallback(
			area, current_order, start_migratetype, &can_steal);
		if (fallback_mt == -1)
			continue;
		/*
		 * A movable request that may not take the whole block had
		 * better take the smallest one, to leave large blocks of the
		 * other type intact.
		 */
		if (!can_steal && start_migratetype == MIGRATE_MOVABLE &&
		    current_order > order)
			goto find_smallest;
		goto do_steal;
	}
	return false;

find_smallest:
	for (current_order = order; current_order < MAX_ORDER;
	     current_order++) {
		area = &zone->free_area[current_order];
		fallback_mt = find_suitable_fallback(
			area, current_order, start_migratetype, &can_steal);
		if (fallback_mt != -1)
			break;
	}
	if (current_order == MAX_ORDER)
		return false;

do_steal:
	pfn = area->free_list[fallback_mt];
	count_vm_event(pool, EXTFRAG_FALLBACK);
	trace_event(&pool->trace, TR_EXTFRAG, pfn, order, fallback_mt,
		    can_steal);
	steal_suitable_fallback(pool, zone, pfn, current_order,
				start_migratetype, can_steal);
	return true;
}

pfn_t __rmqueue(struct mm_pool *pool, struct zone *zone, unsigned int order,
		int migratetype, unsigned int alloc_flags)
{
	pfn_t pfn;

retry:
	pfn = __rmqueue_smallest(pool, zone, order, migratetype);
	if (unlikely(pfn == PFN_NONE) &&
	    __rmqueue_fallback(pool, zone, order, migratetype, alloc_flags))
		goto retry;
	return pfn;
}

/*
 * Fill a per-thread cache with up to count order-0 frames, linked by
 * lru.next in ascending allocation order (list_add_tail in Linux): callers
 * that map consecutive guest pages then get consecutive pool offsets, and
 * the host merges their mappings into one VMA.
 */
int rmqueue_bulk(struct mm_pool *pool, struct zone *zone, unsigned int count,
		 int migratetype, unsigned int alloc_flags, pfn_t *list)
{
	pfn_t *tail = list;
	int n = 0;

	while (*tail != PFN_NONE)
		tail = &F(pool, *tail)->lru.next;
	pthread_mutex_lock(&zone->lock);
	for (unsigned int i = 0; i < count; i++) {
		pfn_t pfn = __rmqueue(pool, zone, 0, migratetype, alloc_flags);
		struct frame *f;

		if (pfn == PFN_NONE)
			break;
		f = F(pool, pfn);
		set_frame_state(f, FRAME_PCP, 0);
		WRITE_ONCE(f->lru.next, PFN_NONE);
		WRITE_ONCE(*tail, pfn);
		tail = &f->lru.next;
		n++;
	}
	pthread_mutex_unlock(&zone->lock);
	return n;
}

/* Return count frames of a per-thread cache list to the buddy lists. */
void free_pcppages_bulk(struct mm_pool *pool, struct zone *zone, pfn_t list,
			unsigned int count)
{
	pthread_mutex_lock(&zone->lock);
	while (count-- && list != PFN_NONE) {
		pfn_t next = F(pool, list)->lru.next;

		__free_one_page(pool, zone, list, 0,
				get_pageblock_migratetype(pool, list));
		list = next;
	}
	pthread_mutex_unlock(&zone->lock);
}
