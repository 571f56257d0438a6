// SPDX-License-Identifier: GPL-2.0
/*
 * Compaction's two scanners, after isolate_migratepages() and
 * isolate_freepages() in Linux's mm/compaction.c.
 *
 * The migrate scanner walks a zone upwards, one pageblock at a time, and
 * collects the in-use guest frames of MOVABLE pageblocks (order 0, an
 * owner, not pinned) as migrate_req candidates.  It changes nothing: the
 * frame stays its owner's, who may free it at any moment, so it reads the
 * descriptor with single lockless loads and the migrate_pages op
 * re-checks under the owner's lock.  UNMOVABLE pageblocks (the VMM's
 * frames, pinned guest memory) are never scanned, and a pinned or
 * ownerless frame met in a MOVABLE block is never a candidate.
 *
 * The free scanner walks downwards from the zone's end and takes the free
 * blocks below pageblock order of MOVABLE pageblocks that are not entirely
 * free off the free lists (a whole free pageblock is what compaction is
 * for: it is never a target, as suitable_migration_target() keeps
 * pageblock-order buddies).  They become order-0 FRAME_ISOLATED frames,
 * counted in zone->nr_isolated_pages, until a migration uses them or
 * release_freepages() frees them.
 *
 * Both scanners keep to whole pageblocks between them: the run is over
 * when they meet.  Each sets PB_SKIP on a block it finished with nothing
 * to show (migrate) or emptied of targets (free); runs that do not ignore
 * hints pass those blocks by until the hints are reset.
 */
#include <errno.h>

#include "mm/internal.h"

static inline struct frame *F(struct mm_pool *pool, pfn_t pfn)
{
	return &pool->frames[pfn];
}

void reset_cached_positions(struct zone *zone)
{
	WRITE_ONCE(zone->compact_cached_migrate_pfn[0], zone->zone_start_pfn);
	WRITE_ONCE(zone->compact_cached_migrate_pfn[1], zone->zone_start_pfn);
	WRITE_ONCE(zone->compact_cached_free_pfn,
		   pageblock_start_pfn(zone_end_pfn(zone) - 1));
}

/* Clear the zone's skip hints and start its scanners at the ends again. */
void __reset_isolation_suitable(struct mm_pool *pool, struct zone *zone)
{
	if (!populated_zone(zone))
		return;
	for (pfn_t p = zone->zone_start_pfn; p < zone_end_pfn(zone);
	     p += pageblock_nr_pages)
		if (pb_get(F(pool, p)) & PB_SKIP)
			pb_clear(F(pool, p), PB_SKIP);
	reset_cached_positions(zone);
	WRITE_ONCE(zone->compact_blockskip_flush, false);
}

/* The zones whose direct compaction ran the scanners into each other. */
void reset_isolation_suitable(struct mm_pool *pool, pg_data_t *pgdat)
{
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *zone = &pgdat->node_zones[i];

		if (populated_zone(zone) &&
		    READ_ONCE(zone->compact_blockskip_flush))
			__reset_isolation_suitable(pool, zone);
	}
}

static inline bool isolation_suitable(struct compact_control *cc, pfn_t block)
{
	return cc->ignore_skip_hint || !(pb_get(F(cc->pool, block)) & PB_SKIP);
}

static inline void set_pageblock_skip(struct compact_control *cc, pfn_t block)
{
	pb_set(F(cc->pool, block), PB_SKIP);
}

/* The next run of this mode starts past end (update_cached_migrate()). */
static void update_cached_migrate(struct compact_control *cc, pfn_t end)
{
	struct zone *zone = cc->zone;

	if (end > READ_ONCE(zone->compact_cached_migrate_pfn[0]))
		WRITE_ONCE(zone->compact_cached_migrate_pfn[0], end);
	if (cc->mode != MIGRATE_ASYNC &&
	    end > READ_ONCE(zone->compact_cached_migrate_pfn[1]))
		WRITE_ONCE(zone->compact_cached_migrate_pfn[1], end);
}

/* A free-scanned block: skip it, and restart below it next time. */
static void update_pageblock_skip(struct compact_control *cc, pfn_t block)
{
	struct zone *zone = cc->zone;

	set_pageblock_skip(cc, block);
	if (block < READ_ONCE(zone->compact_cached_free_pfn))
		WRITE_ONCE(zone->compact_cached_free_pfn, block);
}

/* Only MOVABLE pageblocks hold pages worth moving. */
static inline bool suitable_migration_source(struct compact_control *cc,
					     pfn_t block)
{
	return get_pageblock_migratetype(cc->pool, block) == MIGRATE_MOVABLE;
}

/* Targets: MOVABLE pageblocks the host still backs (a returned one is
 * entirely free anyway). */
static inline bool suitable_migration_target(struct compact_control *cc,
					     pfn_t block)
{
	uint8_t pb = pb_get(F(cc->pool, block));

	return (pb & PB_MT_MASK) == MIGRATE_MOVABLE && !(pb & PB_RETURNED);
}

static inline pfn_t block_end_pfn(pfn_t pfn, int order)
{
	return ALIGN_DOWN(pfn, 1U << order) + (1U << order);
}

/*
 * The migrate scanner's look at the frame at *pfn, without a lock: true
 * for an in-use block head, a candidate.  A free block is stepped over
 * whole (*pfn to its last frame) when the order read is sane; anything
 * else (in a page cache, another run's target, inside a block) holds
 * nothing to move.
 */
static inline bool scan_inuse_head(struct frame *f, pfn_t *pfn)
{
	unsigned int order;

	switch (frame_state(f)) {
	case FRAME_BUDDY:
		order = READ_ONCE(f->order);
		if (order < MAX_ORDER)
			*pfn += (1UL << order) - 1;
		return false;
	case FRAME_INUSE:
		return true;
	default:
		return false;
	}
}

/*
 * Could every in-use frame of [start, end) move?  Frames of other blocks
 * (a large order spans several) count as stuck unless their block is
 * MOVABLE.  Lockless, as the scan itself.
 */
static bool order_block_movable(struct compact_control *cc, pfn_t start,
				pfn_t end)
{
	struct mm_pool *pool = cc->pool;

	for (pfn_t p = start; p < end; p++) {
		struct frame *f = F(pool, p);

		if (!scan_inuse_head(f, &p))
			continue;
		if (READ_ONCE(f->order) ||
		    READ_ONCE(f->owner) == FRAME_OWNER_NONE ||
		    (frame_flags(f) & FF_PINNED) ||
		    !suitable_migration_source(cc, pageblock_start_pfn(p)))
			return false;
	}
	return true;
}

/*
 * Collect candidates in [low_pfn, end_pfn), one pageblock, until the batch
 * is full (isolate_migratepages_block()).  Returns where it stopped.
 *
 * Async direct compaction skips an order-aligned block that a frame which
 * cannot move dooms: it cannot become a free block of the order, so
 * moving the rest of it would be wasted (skip_on_failure).  Linux finds
 * out while isolating, after the batches before have moved; here each
 * batch pauses the owners, so the block is looked at whole first, and
 * the check while isolating stays for frames that change meanwhile.
 */
static pfn_t isolate_migratepages_block(struct compact_control *cc,
					pfn_t low_pfn, pfn_t end_pfn)
{
	struct mm_pool *pool = cc->pool;
	pfn_t start_pfn = low_pfn, next_skip_pfn = 0;
	unsigned long nr_scanned = 0, nr_isolated = 0;
	bool skip_on_failure = false;

	if (cc->direct_compaction && cc->mode == MIGRATE_ASYNC &&
	    cc->order > 0) {
		skip_on_failure = true;
		next_skip_pfn = block_end_pfn(low_pfn, cc->order);
	}

	for (; low_pfn < end_pfn; low_pfn++) {
		struct frame *f = F(pool, low_pfn);
		unsigned int order;
		uint16_t owner;

		if (skip_on_failure && low_pfn >= next_skip_pfn) {
			/* A whole order-aligned block isolated: move it. */
			if (nr_isolated)
				break;
			next_skip_pfn = block_end_pfn(low_pfn, cc->order);
		}
		if (skip_on_failure && IS_ALIGNED(low_pfn, 1U << cc->order) &&
		    !order_block_movable(cc, low_pfn, next_skip_pfn)) {
			low_pfn = next_skip_pfn - 1;
			continue;
		}
		nr_scanned++;
		if (!scan_inuse_head(f, &low_pfn))
			continue;

		order = READ_ONCE(f->order);
		if (order) {
			/* A block the VMM holds whole: it never moves. */
			if (order < MAX_ORDER)
				low_pfn += (1UL << order) - 1;
			goto isolate_fail;
		}
		/* The owner's release store publishes the gpa before it. */
		owner = __atomic_load_n(&f->owner, __ATOMIC_ACQUIRE);
		if (owner == FRAME_OWNER_NONE || (frame_flags(f) & FF_PINNED))
			goto isolate_fail;

		cc->migratepages[cc->nr_migratepages++] = (struct migrate_req){
			.old_pfn = low_pfn,
			.new_pfn = PFN_NONE,
			.gpa = gpa(READ_ONCE(f->gpa)),
			.owner = owner,
			.result = -EAGAIN,
		};
		nr_isolated++;
		if (cc->nr_migratepages == cc->batch) {
			low_pfn++;
			break;
		}
		continue;

isolate_fail:
		if (!skip_on_failure)
			continue;
		/* This order-aligned block cannot be freed: drop what was
		 * collected in it and go on after it. */
		if (nr_isolated) {
			cc->nr_migratepages = 0;
			nr_isolated = 0;
		}
		if (low_pfn < next_skip_pfn) {
			low_pfn = next_skip_pfn - 1;
			next_skip_pfn += 1U << cc->order;
		}
	}
	/* A buddy or block stepped over may end past the pageblock. */
	if (low_pfn > end_pfn)
		low_pfn = end_pfn;

	cc->total_migrate_scanned += nr_scanned;
	if (nr_isolated)
		count_vm_events(pool, COMPACTISOLATED, nr_isolated);
	/*
	 * A block scanned to its end without a candidate holds nothing to
	 * move for a while: skip it next time, and start after it.
	 */
	if (low_pfn == end_pfn && !nr_isolated) {
		set_pageblock_skip(cc, pageblock_start_pfn(start_pfn));
		update_cached_migrate(cc, end_pfn);
	}
	trace_event(&pool->trace, TR_COMPACT_ISOLATE_MIGRATE, start_pfn,
		    low_pfn, nr_scanned, nr_isolated);
	return low_pfn;
}

/*
 * The migrate scanner: from cc->migrate_pfn up to the free scanner, the
 * first suitable pageblock with candidates (isolate_migratepages()).
 * Only the start of a block decides whether to skip it: a block begun is
 * finished, hint or not.
 */
enum isolate_migrate_t isolate_migratepages(struct compact_control *cc)
{
	pfn_t low_pfn = cc->migrate_pfn;
	pfn_t block_start_pfn = pageblock_start_pfn(low_pfn);
	pfn_t block_end_pfn = pageblock_end_pfn(low_pfn);

	if (cc->contended)
		return ISOLATE_ABORT;
	for (; block_end_pfn <= cc->free_pfn;
	     cc->migrate_pfn = low_pfn = block_end_pfn,
	     block_start_pfn = block_end_pfn,
	     block_end_pfn += pageblock_nr_pages) {
		if (low_pfn == block_start_pfn &&
		    !isolation_suitable(cc, block_start_pfn))
			continue;
		if (!suitable_migration_source(cc, block_start_pfn)) {
			update_cached_migrate(cc, block_end_pfn);
			continue;
		}
		low_pfn =
			isolate_migratepages_block(cc, low_pfn, block_end_pfn);
		cc->migrate_pfn = low_pfn;
		break;
	}
	return cc->nr_migratepages ? ISOLATE_SUCCESS : ISOLATE_NONE;
}

/*
 * Async compaction gives up when a lock is contended; it still takes the
 * lock this once, so that the block in hand is done (compact_lock_irqsave()).
 */
static void compact_lock(struct compact_control *cc, pthread_mutex_t *lock)
{
	if (cc->mode == MIGRATE_ASYNC && !cc->contended) {
		if (!pthread_mutex_trylock(lock))
			return;
		cc->contended = true;
	}
	pthread_mutex_lock(lock);
}

/* Is the pageblock one free buddy, or part of a larger one?  Zone lock. */
static bool pageblock_free(struct mm_pool *pool, pfn_t block)
{
	for (unsigned int o = pageblock_order; o < MAX_ORDER; o++) {
		pfn_t head = ALIGN_DOWN(block, 1U << o);
		struct frame *f = F(pool, head);

		if (frame_state(f) == FRAME_BUDDY && f->order >= o)
			return true;
	}
	return false;
}

/*
 * Take the free blocks of [start, end) (inside one pageblock) off the
 * free lists as order-0 targets until there are as many targets as
 * candidates (isolate_freepages_block()).  Zone lock held.  Returns where
 * it stopped.
 */
static pfn_t isolate_freepages_block(struct compact_control *cc, pfn_t start,
				     pfn_t end)
{
	struct mm_pool *pool = cc->pool;
	struct zone *zone = cc->zone;
	unsigned long nr_isolated = 0;
	pfn_t p = start;

	while (p < end && cc->nr_freepages < cc->nr_migratepages) {
		struct frame *f = F(pool, p);
		unsigned int order = READ_ONCE(f->order);
		int mt;

		if (frame_state(f) != FRAME_BUDDY) {
			/* An in-use head covers its block; the order of a
			 * block its owner is splitting may be stale, which
			 * only costs a missed free frame. */
			p += frame_state(f) == FRAME_INUSE &&
					     order < MAX_ORDER ?
				     1U << order :
				     1;
			continue;
		}
		mt = (frame_flags(f) & FF_LIST_MT_MASK) >> FF_LIST_MT_SHIFT;
		/* Somebody else's isolation: not ours to take. */
		if (mt == MIGRATE_ISOLATE || order >= pageblock_order) {
			p += 1U << order;
			continue;
		}
		del_page_from_free_list(pool, zone, p, order, mt);
		WRITE_ONCE(zone->nr_free_pages,
			   zone->nr_free_pages - (1L << order));
		for (pfn_t q = p; q < p + (1U << order); q++) {
			set_frame_state(F(pool, q), FRAME_ISOLATED, 0);
			cc->freepages[cc->nr_freepages++] = q;
		}
		nr_isolated += 1U << order;
		p += 1U << order;
	}
	zone->nr_isolated_pages += nr_isolated;
	if (p > end)
		p = end;
	cc->total_free_scanned += p - start;
	if (nr_isolated)
		count_vm_events(pool, COMPACTISOLATED, nr_isolated);
	trace_event(&pool->trace, TR_COMPACT_ISOLATE_FREE, start, p, p - start,
		    nr_isolated);
	return p;
}

/* Unused targets move to the front, so that new ones append after them. */
static void compact_freepages(struct compact_control *cc)
{
	unsigned int n = cc->nr_freepages - cc->free_first;

	if (!cc->free_first)
		return;
	for (unsigned int i = 0; i < n; i++)
		cc->freepages[i] = cc->freepages[cc->free_first + i];
	cc->free_first = 0;
	cc->nr_freepages = n;
}

/*
 * The free scanner: from cc->free_pfn down to the pageblock after the
 * migrate scanner's, targets for every candidate (isolate_freepages()).
 * It resumes inside the block where it stopped, and past a block it
 * finished.
 */
void isolate_freepages(struct compact_control *cc)
{
	struct mm_pool *pool = cc->pool;
	struct zone *zone = cc->zone;
	pfn_t isolate_start_pfn = cc->free_pfn;
	pfn_t block_start_pfn = pageblock_start_pfn(isolate_start_pfn);
	pfn_t block_end_pfn = block_start_pfn + pageblock_nr_pages;
	pfn_t low_pfn = pageblock_end_pfn(cc->migrate_pfn);

	compact_freepages(cc);
	/* low_pfn is at least one pageblock: block_start_pfn never wraps. */
	for (; block_start_pfn >= low_pfn;
	     block_end_pfn = block_start_pfn,
	     block_start_pfn -= pageblock_nr_pages,
	     isolate_start_pfn = block_start_pfn) {
		pfn_t stop;

		if (!suitable_migration_target(cc, block_start_pfn) ||
		    !isolation_suitable(cc, block_start_pfn))
			continue;
		compact_lock(cc, &zone->lock);
		/* Checked again under the lock, which stealing takes. */
		if (!suitable_migration_target(cc, block_start_pfn) ||
		    pageblock_free(pool, block_start_pfn)) {
			pthread_mutex_unlock(&zone->lock);
			continue;
		}
		stop = isolate_freepages_block(cc, isolate_start_pfn,
					       block_end_pfn);
		pthread_mutex_unlock(&zone->lock);

		if (stop == block_end_pfn)
			update_pageblock_skip(cc, block_start_pfn);
		if (cc->nr_freepages >= cc->nr_migratepages) {
			/* Next time: the rest of this block, or the one
			 * below if this one is done. */
			isolate_start_pfn =
				stop < block_end_pfn ?
					stop :
					block_start_pfn - pageblock_nr_pages;
			break;
		}
		if (cc->contended) {
			isolate_start_pfn =
				block_start_pfn - pageblock_nr_pages;
			break;
		}
	}
	cc->free_pfn = isolate_start_pfn;
}

pfn_t release_freepages(struct compact_control *cc)
{
	struct mm_pool *pool = cc->pool;
	struct zone *zone = cc->zone;
	unsigned int n = cc->nr_freepages - cc->free_first;
	pfn_t high = 0;

	if (!n)
		goto out;
	pthread_mutex_lock(&zone->lock);
	for (unsigned int i = cc->free_first; i < cc->nr_freepages; i++) {
		pfn_t pfn = cc->freepages[i];

		if (pfn > high)
			high = pfn;
		__free_one_page(pool, zone, pfn, 0,
				get_pageblock_migratetype(pool, pfn));
	}
	zone->nr_isolated_pages -= n;
	pthread_mutex_unlock(&zone->lock);
out:
	cc->free_first = cc->nr_freepages = 0;
	return high;
}
