/* SPDX-License-Identifier: GPL-2.0 */
/* mm/-internal definitions, as Linux's mm/internal.h. */
#ifndef MM_INTERNAL_H
#define MM_INTERNAL_H

#include <stdarg.h>

#include "mm/compaction.h"
#include "mm/mm.h"
#include "util/errf.h"

/*
 * alloc_flags.  The low bits index zone->_watermark[]; the bits of
 * ALLOC_HIGH and ALLOC_KSWAPD equal __GFP_HIGH and __GFP_KSWAPD_RECLAIM so
 * that gfp_to_alloc_flags() can copy them without branches.
 */
#define ALLOC_WMARK_MIN WMARK_MIN
#define ALLOC_WMARK_LOW WMARK_LOW
#define ALLOC_WMARK_HIGH WMARK_HIGH
#define ALLOC_NO_WATERMARKS 0x04 /* don't check watermarks at all */
#define ALLOC_WMARK_MASK (ALLOC_NO_WATERMARKS - 1)
#define ALLOC_OOM 0x08 /* an OOM victim tearing down: use more reserve */
#define ALLOC_HARDER 0x10 /* cannot sleep: try harder */
#define ALLOC_HIGH 0x20 /* __GFP_HIGH set */
#define ALLOC_NOFRAGMENT 0x100 /* don't mix pageblock types */
#define ALLOC_KSWAPD 0x800 /* __GFP_KSWAPD_RECLAIM set */

/* The watermark index must not run into the flags, nor flags overlap. */
BUILD_BUG_ON(ALLOC_NO_WATERMARKS < NR_WMARK);
BUILD_BUG_ON((ALLOC_WMARK_MASK | ALLOC_NO_WATERMARKS) &
	     (ALLOC_OOM | ALLOC_HARDER | ALLOC_HIGH | ALLOC_NOFRAGMENT |
	      ALLOC_KSWAPD));
BUILD_BUG_ON((ALLOC_OOM | ALLOC_HARDER | ALLOC_NOFRAGMENT) &
	     (ALLOC_HIGH | ALLOC_KSWAPD));

/* Thread context flags (current->flags in Linux). */
#define PF_MEMALLOC 0x1 /* reclaim context: no watermarks, no recursion */
#define PF_OOM_VICTIM 0x2 /* tearing down an OOM victim */
extern __thread unsigned int current_flags;

/* buddy.c: all with zone->lock held. */
void __free_one_page(struct mm_pool *pool, struct zone *zone, pfn_t pfn,
		     unsigned int order, int migratetype);
pfn_t __rmqueue(struct mm_pool *pool, struct zone *zone, unsigned int order,
		int migratetype, unsigned int alloc_flags);
int get_pageblock_migratetype(struct mm_pool *pool, pfn_t pfn);
void set_pageblock_migratetype(struct mm_pool *pool, pfn_t pfn, int mt);
void del_page_from_free_list(struct mm_pool *pool, struct zone *zone, pfn_t pfn,
			     unsigned int order, int mt);
int rmqueue_bulk(struct mm_pool *pool, struct zone *zone, unsigned int count,
		 int migratetype, unsigned int alloc_flags, pfn_t *list);
void free_pcppages_bulk(struct mm_pool *pool, struct zone *zone, pfn_t list,
			unsigned int count);
void take_pageblock_off_buddy(struct mm_pool *pool, struct zone *zone,
			      pfn_t head, unsigned int order, int mt, pfn_t pb);

/* The buddy of the order-`order` block at pfn (pfns are zone-relative
 * aligned because zones start on MAX_ORDER boundaries). */
static inline pfn_t __find_buddy_pfn(pfn_t pfn, unsigned int order)
{
	return pfn ^ (1U << order);
}

/*
 * A merge looks at its buddy under the zone lock while the buddy's owner
 * may be changing state and order outside it (pcp -> in use).  Only the
 * transition to and from FRAME_BUDDY needs the lock, so the racing
 * accesses are harmless, but they must be single loads and stores: state
 * and order are only ever touched through these.
 */
static inline uint8_t frame_state(const struct frame *f)
{
	return READ_ONCE(f->state);
}

static inline void set_frame_state(struct frame *f, uint8_t state,
				   uint8_t order)
{
	WRITE_ONCE(f->state, state);
	WRITE_ONCE(f->order, order);
}

/*
 * Pageblock bits: mostly changed under the zone lock, but the allocation
 * path clears PB_CLEAN without it, so every change is an atomic RMW and
 * lockless readers use single loads.
 */
static inline uint8_t pb_get(const struct frame *head)
{
	return READ_ONCE(head->pb);
}

static inline void pb_set(struct frame *head, uint8_t bits)
{
	__atomic_fetch_or(&head->pb, bits, __ATOMIC_RELAXED);
}

static inline void pb_clear(struct frame *head, uint8_t bits)
{
	__atomic_fetch_and(&head->pb, (uint8_t)~bits, __ATOMIC_RELAXED);
}

/*
 * frame->flags change only in the hands of whoever holds the frame (the
 * thread allocating or freeing it, or zone->lock for a free block), but
 * compaction's migrate scanner reads them without any lock: single loads
 * and stores, as for state and order.
 */
static inline uint8_t frame_flags(const struct frame *f)
{
	return READ_ONCE(f->flags);
}

static inline void frame_flags_update(struct frame *f, uint8_t clear,
				      uint8_t set)
{
	WRITE_ONCE(f->flags, (uint8_t)((READ_ONCE(f->flags) & ~clear) | set));
}

/*
 * The list links share their bytes with the gpa of an in-use frame, which
 * compaction's migrate scanner reads without a lock: list code stores them
 * with single stores too (it reads them under the list's lock).
 */
static inline void set_lru(struct frame *f, pfn_t next, pfn_t prev)
{
	WRITE_ONCE(f->lru.next, next);
	WRITE_ONCE(f->lru.prev, prev);
}

static inline bool page_is_buddy(const struct frame *buddy, unsigned int order)
{
	return READ_ONCE(buddy->state) == FRAME_BUDDY &&
	       READ_ONCE(buddy->order) == order;
}

/* pcp.c */
pfn_t rmqueue_pcplist(struct mm_pool *pool, struct zone *zone, int migratetype,
		      unsigned int alloc_flags);
void free_unref_page(struct mm_pool *pool, struct zone *zone, pfn_t pfn,
		     int migratetype);
void pcp_pool_init(struct mm_pool *pool);
void pcp_pool_destroy(struct mm_pool *pool);
unsigned long pcp_count_frames(struct mm_pool *pool, struct zone *zone);
void pcp_lock_all(struct mm_pool *pool);
void pcp_unlock_all(struct mm_pool *pool);
/* For each cached frame of zone: fn(pfn); with pcp_lock_all() held. */
void pcp_for_each_frame(struct mm_pool *pool, struct zone *zone,
			void (*fn)(pfn_t pfn, void *arg), void *arg);
int pcp_key_create(struct mm_pool *pool);
/* fn for each thread's pageset of zone, numbered from 0 (zoneinfo's "cpu"),
 * with its count, high and batch; under pcp_list_lock. */
void pcp_zone_for_each(struct mm_pool *pool, struct zone *zone,
		       void (*fn)(int i, int count, int high, int batch,
				  void *arg),
		       void *arg);

/* node.c */
int build_nodes(struct mm_pool *pool, const struct mm_config *cfg, char *err,
		size_t errlen);
void destroy_nodes(struct mm_pool *pool);
struct zoneref *first_zones_zonelist(struct zonelist *zonelist,
				     enum zone_type highest_zoneidx,
				     const nodemask_t *nodes);
struct zoneref *next_zones_zonelist(struct zoneref *z,
				    enum zone_type highest_zoneidx,
				    const nodemask_t *nodes);

#define for_next_zone_zonelist_nodemask(zone, z, highidx, nodemask) \
	for (zone = (z)->zone; zone;                                \
	     z = next_zones_zonelist(++z, highidx, nodemask),       \
	    zone = (z)->zone)

/* vmstat.c */
/*
 * The counter of a per-zone family (PGALLOC, ALLOCSTALL) for zone type
 * zid, as Linux's __count_zid_vm_events() picks it.
 */
#define zid_vm_event(item, zid) ((enum vm_event_item)(item##_NORMAL + (zid)))
BUILD_BUG_ON(ZONE_NORMAL != 0 ||
	     PGALLOC_MOVABLE != PGALLOC_NORMAL + ZONE_MOVABLE ||
	     ALLOCSTALL_MOVABLE != ALLOCSTALL_NORMAL + ZONE_MOVABLE);

/*
 * For each populated zone: "Node N, zone NAME ", then print(..., arg)
 * under the zone's lock, then the line's end, as the /proc files that
 * list zones write them (walk_zones_in_node()).
 */
void walk_zones(struct mm_pool *pool, FILE *f,
		void (*print)(struct mm_pool *pool, struct zone *zone, FILE *f,
			      void *arg),
		void *arg);

/* watermark.c */
bool __zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
			 int highest_zoneidx, unsigned int alloc_flags,
			 long free_pages);
unsigned long calculate_min_free_kbytes(unsigned long lowmem_kbytes);

/* pool.c */
/* Punch one pageblock out of the memfd: 0 or -errno. */
int pool_punch_pageblock(struct mm_pool *pool, pfn_t pb);

/* page_alloc.c */
unsigned int gfp_to_alloc_flags(gfp_t gfp_mask);
pfn_t get_page_from_freelist(struct mm_pool *pool, gfp_t gfp_mask,
			     unsigned int order, unsigned int alloc_flags,
			     const struct alloc_context *ac);
bool prepare_alloc_pages(struct mm_pool *pool, gfp_t gfp_mask,
			 unsigned int order, int preferred_nid,
			 const nodemask_t *nodemask, struct alloc_context *ac,
			 unsigned int *alloc_flags);
pfn_t __alloc_pages_slowpath(struct mm_pool *pool, gfp_t gfp_mask,
			     unsigned int order, struct alloc_context *ac);
bool should_reclaim_retry(struct mm_pool *pool, gfp_t gfp_mask,
			  unsigned int order, struct alloc_context *ac,
			  unsigned int alloc_flags, bool did_some_progress,
			  int *no_progress_loops);
bool should_compact_retry(struct mm_pool *pool, struct alloc_context *ac,
			  unsigned int order, unsigned int alloc_flags,
			  enum compact_result compact_result,
			  enum compact_priority *compact_priority,
			  int *compaction_retries);
void warn_alloc(struct mm_pool *pool, gfp_t gfp_mask,
		const nodemask_t *nodemask, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define MAX_RECLAIM_RETRIES 16
#define MAX_COMPACT_RETRIES 16

static inline int gfp_migratetype(gfp_t gfp)
{
	return (gfp & __GFP_MOVABLE) ? MIGRATE_MOVABLE : MIGRATE_UNMOVABLE;
}

/*
 * Compaction (compaction.c, compaction_scan.c, kcompactd.c).
 *
 * How hard one run tries: async gives up when a lock is contended and
 * respects skip hints; sync_light waits for locks; sync (compact_memory)
 * also scans the whole zone ignoring hints.
 */
enum migrate_mode {
	MIGRATE_ASYNC,
	MIGRATE_SYNC_LIGHT,
	MIGRATE_SYNC,
};

/* One run of compaction over one zone (struct compact_control). */
struct compact_control {
	struct mm_pool *pool;
	struct zone *zone;
	/*
	 * Migration targets: FRAME_ISOLATED frames, used from free_first
	 * on.  The free scanner takes whole buddies, up to half a pageblock
	 * past the batch.
	 */
	pfn_t freepages[COMPACT_CLUSTER_MAX_LIMIT + pageblock_nr_pages / 2];
	unsigned int free_first, nr_freepages;
	/* Migration candidates, filled in the op's format. */
	struct migrate_req migratepages[COMPACT_CLUSTER_MAX_LIMIT];
	unsigned int nr_migratepages;
	unsigned int batch; /* candidates per migrate_pages call */
	pfn_t free_pfn; /* the free scanner resumes here, going down */
	pfn_t migrate_pfn; /* the migrate scanner resumes here, going up */
	unsigned long total_migrate_scanned;
	unsigned long total_free_scanned;
	unsigned long nr_migrated; /* the op moved them */
	unsigned long nr_failed; /* the op refused, or no target */
	pg_data_t *kcompactd; /* run by this node's kcompactd */
	int order; /* -1: no allocation, the whole zone (compact_memory) */
	int migratetype; /* of the allocation compacted for */
	unsigned int alloc_flags;
	enum zone_type highest_zoneidx;
	enum migrate_mode mode;
	bool ignore_skip_hint; /* scan PB_SKIP blocks too */
	bool direct_compaction; /* an allocation is waiting */
	bool proactive_compaction; /* kcompactd: until the score is low */
	bool whole_zone; /* the scanners started at the zone's ends */
	bool contended; /* async met a contended lock: give up */
};

static inline pfn_t pageblock_start_pfn(pfn_t pfn)
{
	return ALIGN_DOWN(pfn, pageblock_nr_pages);
}

static inline pfn_t pageblock_end_pfn(pfn_t pfn)
{
	return ALIGN_DOWN(pfn, pageblock_nr_pages) + pageblock_nr_pages;
}

static inline bool is_via_compact_memory(int order)
{
	return order == -1;
}

/* Free scanner at or below the migrate scanner's pageblock: done. */
static inline bool compact_scanners_met(const struct compact_control *cc)
{
	return (cc->free_pfn >> pageblock_order) <=
	       (cc->migrate_pfn >> pageblock_order);
}

enum isolate_migrate_t {
	ISOLATE_ABORT, /* give up the run */
	ISOLATE_NONE, /* nothing in the scanned part */
	ISOLATE_SUCCESS, /* candidates in cc->migratepages */
};

/* compaction_scan.c; no lock held by the caller. */
enum isolate_migrate_t isolate_migratepages(struct compact_control *cc);
void isolate_freepages(struct compact_control *cc);
/* Give every unused target back to the free lists; the highest pfn. */
pfn_t release_freepages(struct compact_control *cc);
void reset_cached_positions(struct zone *zone);
void __reset_isolation_suitable(struct mm_pool *pool, struct zone *zone);
void reset_isolation_suitable(struct mm_pool *pool, pg_data_t *pgdat);

/* compaction.c */
enum compact_result compact_zone(struct compact_control *cc);
enum compact_result compact_zone_order(struct mm_pool *pool, struct zone *zone,
				       int order, gfp_t gfp_mask,
				       enum compact_priority prio,
				       unsigned int alloc_flags,
				       int highest_zoneidx);
void compaction_pool_init(struct mm_pool *pool);
void compaction_pool_destroy(struct mm_pool *pool);

/* kcompactd.c */
void kcompactd_init(pg_data_t *pgdat);
void kcompactd_destroy(pg_data_t *pgdat);
void wakeup_kcompactd_proactive(struct mm_pool *pool);

/* Messages: mm/ is a library, so it reports and returns, never exits. */
void mm_printk(struct mm_pool *pool, const char *level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The pool's mm_set_printk() file (stderr without a pool or one). */
FILE *mm_printk_file(struct mm_pool *pool);
#define pr_err(pool, ...) mm_printk(pool, "error", __VA_ARGS__)
#define pr_warn(pool, ...) mm_printk(pool, "warning", __VA_ARGS__)
#define pr_info(pool, ...) mm_printk(pool, NULL, __VA_ARGS__)

/* A PSI group's time since its last change goes to the states it is
 * in (psi.c).  g->lock held. */
struct psi_group;
void __psi_record_times(struct psi_group *g, uint64_t now);
/*
 * The triggers' poll (psi_trigger.c), from psi_group_tick() when it is
 * due: each trigger's window takes the new stall, and those over their
 * threshold fire into ev.  g->lock held, times recorded up to now.
 */
struct psi_trigger_event;
void __psi_poll_triggers(struct psi_group *g, uint64_t now,
			 struct psi_trigger_event *ev, unsigned int *nr_ev);

#endif /* MM_INTERNAL_H */
