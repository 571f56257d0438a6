/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest-memory pool and its zoned buddy allocator: the public API.
 *
 * One pool (a memfd mapped once) backs every guest.  It is split into
 * nodes; each node has a ZONE_NORMAL and a ZONE_MOVABLE; frames are handed
 * out by __alloc_pages() which follows Linux's __alloc_pages(): fast path at
 * the LOW watermark, then the slow path (wake kswapd, retry at MIN, direct
 * compaction, direct reclaim, retry decisions, OOM).  Reclaim, compaction
 * and OOM are callbacks (struct mm_ops) that upper layers register.
 */
#ifndef MM_MM_H
#define MM_MM_H

#include <stdio.h>

#include "mm/mmzone.h"
#include "mm/fail_page_alloc.h"
#include "mm/trace.h"
#include "util/histogram.h"

struct mm_config {
	uint64_t pool_bytes;
	unsigned int nr_nodes; /* 1 .. MAX_NUMNODES */
	uint64_t movable_bytes; /* ZONE_MOVABLE per node, like movablecore= */
	uint64_t min_free_kbytes; /* 0: int_sqrt(lowmem_kbytes * 16) */
	unsigned int watermark_scale_factor; /* 1/10000 of a zone; 0: 10 */
	unsigned int lowmem_reserve_ratio; /* 0: 32 (ZONE_NORMAL's default) */
	/* node distances as in ACPI SLIT; all zero: 10 local, 20 remote */
	unsigned int distance[MAX_NUMNODES][MAX_NUMNODES];
	bool hugepages; /* MADV_HUGEPAGE, and enable shmem THP if needed */
	unsigned int pcp_batch; /* 0: derived from the zone size */
	unsigned int pcp_high; /* 0: 6 * batch */
	bool no_pcp; /* order-0 straight to the buddy lists (benchmarks) */
	unsigned int trace_events; /* trace ring size, 0: 65536 */
	bool quiet; /* no notices on stderr (unit tests) */
};

enum compact_priority {
	COMPACT_PRIO_SYNC_FULL,
	MIN_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_FULL,
	COMPACT_PRIO_SYNC_LIGHT,
	MIN_COMPACT_COSTLY_PRIORITY = COMPACT_PRIO_SYNC_LIGHT,
	DEF_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_LIGHT,
	COMPACT_PRIO_ASYNC,
	INIT_COMPACT_PRIORITY = COMPACT_PRIO_ASYNC
};

enum compact_result {
	COMPACT_NOT_SUITABLE_ZONE,
	COMPACT_SKIPPED, /* not enough free order-0 pages to migrate into */
	COMPACT_DEFERRED, /* failed recently: not tried */
	COMPACT_NO_SUITABLE_PAGE,
	COMPACT_CONTINUE,
	COMPACT_COMPLETE, /* scanned the whole zone, no page made */
	COMPACT_PARTIAL_SKIPPED, /* scanned part of the zone, no page */
	COMPACT_CONTENDED,
	COMPACT_SUCCESS, /* a page of the order is now free */
};

/*
 * Compaction's knobs (mm/compaction.h), Linux's sysctls of the same names
 * where there is one.  Set with compaction_set_tunables().
 */
struct compact_tunables {
	unsigned int proactiveness; /* vm.compaction_proactiveness, 0..100 */
	unsigned int extfrag_threshold; /* vm.extfrag_threshold, 0..1000 */
	unsigned int batch; /* frames per migrate_pages call */
	unsigned int interval_ms; /* kcompactd's proactive period */
};

struct alloc_context {
	struct zonelist *zonelist;
	const nodemask_t *nodemask;
	struct zoneref *preferred_zoneref;
	int migratetype;
	enum zone_type highest_zoneidx;
};

/*
 * One page compaction wants moved: the migrate scanner fills old_pfn and
 * the owner/gpa it read from the frame (racy: the op re-checks them under
 * the owner's lock), the free scanner fills new_pfn, the op sets result.
 */
struct migrate_req {
	pfn_t old_pfn;
	pfn_t new_pfn;
	gpa_t gpa;
	uint16_t owner;
	int result; /* 0: moved; -EAGAIN: changed hands; -EBUSY: pinned */
};

struct oom_control {
	const struct alloc_context *ac; /* NULL: not for an allocation */
	gfp_t gfp_mask;
	unsigned int order;
	const nodemask_t *nodemask; /* NULL: the whole pool */
	int nid; /* preferred node */
	/* Not 0: no allocation failed, the host will not back this many
	 * more pages of the pool, and nothing else takes them offline
	 * (offline_out_of_memory()). */
	unsigned long offline_pages;
};

/*
 * What the layers above provide.  Every callback is optional; each is
 * called without any mm lock held and may allocate and free.
 */
struct mm_ops {
	void *priv;
	/* Start asynchronous reclaim on node nid (wakeup_kswapd()). */
	void (*wake_kswapd)(void *priv, int nid, unsigned int order,
			    enum zone_type highest_zoneidx);
	/* Synchronous, bounded reclaim; returns frames freed to the pool. */
	unsigned long (*direct_reclaim)(void *priv, gfp_t gfp,
					unsigned int order,
					const struct alloc_context *ac);
	/* Frames reclaim could still get back from zone (for retries). */
	unsigned long (*zone_reclaimable_pages)(void *priv, struct zone *zone);
	/*
	 * Direct compaction for order, in place of mm's own
	 * try_to_compact_pages() (which needs migrate_pages): for tests of
	 * the slow path and for experiments.  Usually NULL.
	 */
	enum compact_result (*direct_compact)(void *priv, gfp_t gfp,
					      unsigned int order,
					      unsigned int alloc_flags,
					      const struct alloc_context *ac,
					      enum compact_priority prio);
	/*
	 * Migrate a batch of in-use frames (compaction).  For each req: copy
	 * old_pfn's page to new_pfn, make the owner map gpa to new_pfn, move
	 * the reverse map, free old_pfn to the pool.  A failed req leaves
	 * old_pfn mapped and new_pfn the caller's.  Returns reqs migrated.
	 * new_pfn comes as an in-use order-0 frame without an owner.  The op
	 * counts pgmigrate_success and pgmigrate_fail, as Linux's
	 * migrate_pages() does; compaction counts the rest.  Free old_pfn
	 * from the calling thread: compaction drains its page cache after
	 * each batch so that the freed frames merge (docs/compaction.md).
	 */
	unsigned int (*migrate_pages)(void *priv, struct migrate_req *req,
				      unsigned int nr);
	/* Kill a victim; true if that freed frames (progress). */
	bool (*out_of_memory)(void *priv, const struct oom_control *oc);
	/* mm_validate(): does the owner still map gpa to pfn? */
	bool (*rmap_check)(void *priv, uint16_t owner, gpa_t gpa, pfn_t pfn);
};

struct pcp_set; /* mm/pcp.c */

struct mm_pool {
	/* Backing memory. */
	int memfd;
	uint8_t *base; /* pool mapping, base + pfn * PAGE_SIZE */
	uint64_t size;
	unsigned long nr_frames;
	struct frame *frames;
	bool hugepages;
	bool quiet;
	uint64_t shmem_huge_base; /* ShmemHugePages when the pool was made */

	/* Topology. */
	unsigned int nr_nodes;
	pg_data_t node_data[MAX_NUMNODES];
	struct zone *zones[MAX_ZONES_TOTAL]; /* by zone_id */
	unsigned int nr_zones;
	unsigned int distance[MAX_NUMNODES][MAX_NUMNODES];
	nodemask_t online;

	/* Tunables. */
	uint64_t min_free_kbytes; /* hotplug_lock, once the pool exists */
	bool min_free_kbytes_set; /* by the user: hotplug keeps it */
	unsigned int watermark_scale_factor;
	unsigned int lowmem_reserve_ratio;
	unsigned int pcp_batch, pcp_high;
	bool no_pcp;

	struct mm_ops ops;
	struct compact_tunables compact; /* single loads and stores */

	/* Per-thread page caches. */
	pthread_mutex_t pcp_list_lock;
	struct pcp_set *pcp_list;
	pthread_key_t pcp_key;
	uint64_t generation; /* tells a thread's cached set from a stale one */
	unsigned long dead_events[NR_VM_EVENT_ITEMS]; /* of exited threads */

	pthread_mutex_t oom_lock; /* one OOM kill at a time */
	/* One offline_pages()/online_pages() at a time; outermost, held
	 * while they allocate (mm/memory_hotplug.c). */
	pthread_mutex_t hotplug_lock;
	struct fail_page_alloc fail;
	struct trace_ring trace;
	/* How long the slow path's steps took, per call, in ns (lock-free
	 * adds): one direct reclaim (drsnoop's unit), one direct
	 * compaction. */
	struct histogram direct_reclaim_ns;
	struct histogram direct_compact_ns;
	unsigned long warn_count; /* allocation failure reports printed */
	FILE *printk_file; /* mm_set_printk(); NULL: stderr */
};

int mm_pool_create(const struct mm_config *cfg, struct mm_pool **out, char *err,
		   size_t errlen) __must_check;
void mm_pool_destroy(struct mm_pool *pool);
void mm_set_ops(struct mm_pool *pool, const struct mm_ops *ops);
/*
 * Where the pool's messages (errors, warnings, allocation failure
 * reports) go from now on; NULL: stderr.  A test that makes a call fail
 * on purpose captures what it prints, so that only real failures print
 * errors.  Context: any thread; a message being printed goes to either.
 */
void mm_set_printk(struct mm_pool *pool, FILE *f);

/* Allocation and freeing. */
pfn_t __alloc_pages(struct mm_pool *pool, gfp_t gfp, unsigned int order,
		    int preferred_nid, const nodemask_t *nodemask) __must_check;
static inline pfn_t __must_check alloc_pages_node(struct mm_pool *pool, int nid,
						  gfp_t gfp, unsigned int order)
{
	return __alloc_pages(pool, gfp, order, nid, NULL);
}
void __free_pages(struct mm_pool *pool, pfn_t pfn, unsigned int order);
/* An allocated order-n block becomes 2^n order-0 frames (split_page). */
void split_page(struct mm_pool *pool, pfn_t pfn, unsigned int order);
/* Give every frame in this thread's caches back to the buddy lists. */
void drain_local_pages(struct mm_pool *pool);
/* ... and every thread's (drain_all_pages). */
void drain_all_pages(struct mm_pool *pool);

/* Reverse map: which guest page a frame backs. */
void frame_set_owner(struct mm_pool *pool, pfn_t pfn, uint16_t owner,
		     gpa_t gpa);
void frame_clear_owner(struct mm_pool *pool, pfn_t pfn);

static inline struct frame *pfn_to_frame(struct mm_pool *pool, pfn_t pfn)
{
	return &pool->frames[pfn];
}

/*
 * Mark a frame the caller holds as never to be migrated (a pinned guest
 * region).  Call it before frame_set_owner(): compaction reads the flags
 * without a lock once it sees the owner, so the pin must be published
 * with it, in a single store.
 */
static inline void frame_set_pinned(struct mm_pool *pool, pfn_t pfn)
{
	struct frame *f = &pool->frames[pfn];

	__atomic_store_n(
		&f->flags,
		(uint8_t)(__atomic_load_n(&f->flags, __ATOMIC_RELAXED) |
			  FF_PINNED),
		__ATOMIC_RELAXED);
}

static inline void *pfn_to_virt(struct mm_pool *pool, pfn_t pfn)
{
	return pool->base + ((uint64_t)pfn << PAGE_SHIFT);
}

static inline uint64_t pfn_to_offset(pfn_t pfn)
{
	return (uint64_t)pfn << PAGE_SHIFT;
}

static inline bool pfn_valid(struct mm_pool *pool, pfn_t pfn)
{
	return pfn < pool->nr_frames;
}

static inline struct zone *page_zone(struct mm_pool *pool, pfn_t pfn)
{
	return pool->zones[pool->frames[pfn].zone];
}

static inline int pfn_to_nid(struct mm_pool *pool, pfn_t pfn)
{
	return page_zone(pool, pfn)->node;
}

/* Watermarks (mm/watermark.c). */
bool zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
		       int highest_zoneidx, unsigned int alloc_flags);
void setup_per_zone_wmarks(struct mm_pool *pool);

/* Pool memory and the host (mm/pool.c). */
struct pool_footprint {
	uint64_t resident_bytes; /* memfd blocks the host holds (st_blocks) */
	uint64_t hugepage_bytes; /* host shmem hugepages since the pool was made
				  * (meminfo ShmemHugePages: system-wide) */
	uint64_t returned_bytes; /* free pageblocks punched out by us */
	uint64_t offline_bytes; /* offline pageblocks (memory_hotplug.c) */
};
int pool_footprint(struct mm_pool *pool, struct pool_footprint *fp);
/* Punch every fully free, still resident pageblock out of the memfd. */
long pool_return_free_pageblocks(struct mm_pool *pool);
/*
 * The same in steps, for a caller that releases asynchronously (io_uring):
 * begin takes up to max free blocks off the free lists; the caller
 * releases each of their pageblocks that is not yet returned and calls
 * pageblock_done for each one released; end gives the blocks back.
 */
struct pool_release {
	pfn_t pfn;
	uint8_t order;
	uint8_t mt;
	uint16_t zone_id;
};
int pool_release_begin(struct mm_pool *pool, struct pool_release *r, int max);
void pool_release_pageblock_done(struct mm_pool *pool, pfn_t pageblock);
/* Has the host's memory behind pageblock pb been given back already?  A
 * single load: exact for the blocks the caller took with _begin. */
static inline bool pageblock_returned(struct mm_pool *pool, pfn_t pb)
{
	return READ_ONCE(pool->frames[pb].pb) & PB_RETURNED;
}
void pool_release_end(struct mm_pool *pool, const struct pool_release *r,
		      int n);

/*
 * Memory hotplug (mm/memory_hotplug.c): pageblocks the host will not back
 * go offline, out of the allocator, and come back online when it will.
 * offline_pages() takes free pageblocks the host holds nothing for, then
 * gives free pageblocks back to the host and takes those, then allocates
 * pageblocks through the slow path (kswapd, direct reclaim, compaction)
 * and takes those; it returns the pages it took offline, whole
 * pageblocks, at least nr_pages unless it ran out of ways.  When it falls
 * short, offline_out_of_memory() asks the OOM killer (ops.out_of_memory,
 * oom_control.offline_pages set) for a victim; true if one was killed or
 * is on its way out.  online_pages() brings up to nr_pages back (whole
 * pageblocks) and returns how many.  Each recomputes the watermarks for
 * the managed pages (and min_free_kbytes, unless the user set it).
 * Context: a thread that may sleep and reclaim, holding no mm lock.
 */
unsigned long offline_pages(struct mm_pool *pool, unsigned long nr_pages);
bool offline_out_of_memory(struct mm_pool *pool, unsigned long nr_pages);
unsigned long online_pages(struct mm_pool *pool, unsigned long nr_pages);
unsigned long pool_nr_offline_pages(struct mm_pool *pool);

/* Statistics. */
void show_free_areas(struct mm_pool *pool, FILE *f);
/* "Unmovable", "Movable", ... as /proc/pagetypeinfo names them; "?". */
const char *migratetype_name(int mt);
/* The zone's pageblocks by migratetype, as pagetypeinfo's "Number of
 * blocks type" counts them.  Context: zone->lock held. */
void __zone_pageblock_counts(struct mm_pool *pool, struct zone *zone,
			     unsigned long count[MIGRATE_TYPES]);
unsigned long mm_nr_free_pages(struct mm_pool *pool);
unsigned long node_nr_free_pages(struct mm_pool *pool, int nid);

/* Invariant checker: 0 or -EUCLEAN with the first problem in err. */
int mm_validate(struct mm_pool *pool, char *err, size_t errlen);

/* Thread context, as Linux's PF_MEMALLOC and OOM-victim marks. */
unsigned int memalloc_noreclaim_save(void);
void memalloc_noreclaim_restore(unsigned int flags);
void mm_mark_oom_victim(bool victim);
/*
 * The guest this thread allocates for, as Linux's current: a guest's
 * fault thread sets it, so that the slow path's trace events (direct
 * reclaim, direct compaction) and their probes can say whose fault
 * stalled.  It is the guest's id as its trace events name it (vm=), not
 * necessarily its frames' owner; 0 elsewhere.
 */
void mm_set_current_vm(unsigned int vm);
unsigned int mm_current_vm(void);

#endif /* MM_MM_H */
