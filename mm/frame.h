/* SPDX-License-Identifier: GPL-2.0 */
/*
 * struct frame: the descriptor of one 4 KiB pool frame, 16 bytes (Linux's
 * struct page is 64).  What a frame is depends on its state:
 *
 *   FRAME_BUDDY  head of a free block of 2^order frames on a free list;
 *                lru links it into zone->free_area[order].free_list[mt]
 *   FRAME_PCP    a free order-0 frame parked in a per-thread page cache;
 *                lru.next links it into that cache's list
 *   FRAME_INUSE  head of an allocated block of 2^order frames; owner and
 *                gpa say which guest page it backs (the reverse map)
 *   FRAME_ISOLATED  a free order-0 frame compaction took off the free
 *                lists to migrate a page into (zone->nr_isolated_pages)
 *   FRAME_RELEASING  head of a free block of pageblock order or more taken
 *                off the free lists while its memory goes back to the
 *                host (pool_release_begin() to _end(), which may span an
 *                io_uring round trip; zone->nr_releasing_pages)
 *   FRAME_OFFLINE  head of an offline pageblock (order pageblock_order):
 *                neither free nor in use, out of the zone's managed pages,
 *                the host holds nothing for it (PB_RETURNED); the host
 *                will not back it (memory_hotplug.c, zone->nr_offline_pages)
 *   FRAME_TAIL   any other frame: inside a block whose head says more
 *
 * As in Linux only heads are kept exact: a tail's fields are stale and
 * nothing reads them, except zone, which every frame carries so that a
 * free finds its zone in the cache line it already touches.  The
 * pageblock's migratetype and state live in the pb byte of the first frame
 * of each pageblock (Linux keeps the same in pageblock_flags).
 */
#ifndef MM_FRAME_H
#define MM_FRAME_H

#include "mm/types.h"

enum frame_state {
	FRAME_TAIL = 0,
	FRAME_BUDDY,
	FRAME_PCP,
	FRAME_INUSE,
	FRAME_ISOLATED,
	FRAME_RELEASING,
	FRAME_OFFLINE,
};

/* frame->flags */
#define FF_DIRTY 0x01 /* handed out since its pageblock was last clean */
#define FF_PINNED 0x02 /* never migrate (pinned guest region, VMM use) */
#define FF_LIST_MT_SHIFT 4 /* FRAME_BUDDY: the free list it is on */
#define FF_LIST_MT_MASK (0x3 << FF_LIST_MT_SHIFT)

/* frame->pb, meaningful in the first frame of a pageblock */
#define PB_MT_MASK 0x03 /* enum migratetype */
#define PB_RETURNED 0x04 /* punched out: the host holds no memory for it */
#define PB_SKIP 0x08 /* compaction: skip this block (isolation hint) */
/* Every frame not FF_DIRTY is zero: only dirty ones need clearing. */
#define PB_CLEAN 0x10

#define FRAME_OWNER_NONE 0 /* VM ids start at 1 */
/*
 * The compressed store of the cold tier (swap/zsmalloc.c): its frames
 * hold compressed pages of many guests, back no GPA (gpa 0), are order 0
 * and pinned (the store's handles point into them).  mm_validate()
 * checks that much and asks no reverse map about them; the OOM killer
 * counts them for no guest.
 */
#define FRAME_OWNER_ZSWAP 0xfffe
#define FRAME_OWNER_MAX 0xffff

struct frame {
	uint8_t state;
	uint8_t order;
	uint8_t flags;
	uint8_t pb;
	uint8_t zone; /* index in pool->zones[] */
	uint8_t reserved;
	uint16_t owner; /* VM id while FRAME_INUSE (or FRAME_OWNER_ZSWAP),
			 * else FRAME_OWNER_NONE */
	union {
		struct {
			pfn_t next;
			pfn_t prev;
		} lru;
		uint64_t gpa; /* while FRAME_INUSE with an owner */
	};
};

_Static_assert(sizeof(struct frame) == 16, "frame descriptor is 16 bytes");

#endif /* MM_FRAME_H */
