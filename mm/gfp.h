/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GFP flags in the kernel's three tiers: raw bits, typed __GFP_* flags, and
 * composite masks for the kinds of memory a hypervisor allocates.
 */
#ifndef MM_GFP_H
#define MM_GFP_H

#include "mm/types.h"

/*
 * Bit positions: __GFP_HIGH and __GFP_KSWAPD_RECLAIM sit where ALLOC_HIGH
 * and ALLOC_KSWAPD do (0x20, 0x800), as in Linux, so gfp_to_alloc_flags()
 * copies them without branches.
 */
enum {
	___GFP_MOVABLE_BIT,
	___GFP_ZERO_BIT,
	___GFP_DIRECT_RECLAIM_BIT,
	___GFP_THISNODE_BIT,
	___GFP_NOWARN_BIT,
	___GFP_HIGH_BIT, /* 0x20 */
	___GFP_RETRY_MAYFAIL_BIT,
	___GFP_NOFAIL_BIT,
	___GFP_NORETRY_BIT,
	___GFP_MEMALLOC_BIT,
	___GFP_NOMEMALLOC_BIT,
	___GFP_KSWAPD_RECLAIM_BIT, /* 0x800 */
	___GFP_LAST_BIT
};

/* Where the page may come from. */
#define __GFP_MOVABLE (1U << ___GFP_MOVABLE_BIT) /* ZONE_MOVABLE allowed */
#define __GFP_THISNODE (1U << ___GFP_THISNODE_BIT) /* no node fallback */
/* How hard to try: reserves. */
#define __GFP_HIGH (1U << ___GFP_HIGH_BIT) /* may dip into min/2 */
#define __GFP_MEMALLOC (1U << ___GFP_MEMALLOC_BIT) /* ignore watermarks */
#define __GFP_NOMEMALLOC (1U << ___GFP_NOMEMALLOC_BIT)
/* Reclaim. */
#define __GFP_DIRECT_RECLAIM (1U << ___GFP_DIRECT_RECLAIM_BIT)
#define __GFP_KSWAPD_RECLAIM (1U << ___GFP_KSWAPD_RECLAIM_BIT)
#define __GFP_RECLAIM (__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define __GFP_RETRY_MAYFAIL (1U << ___GFP_RETRY_MAYFAIL_BIT)
#define __GFP_NOFAIL (1U << ___GFP_NOFAIL_BIT)
#define __GFP_NORETRY (1U << ___GFP_NORETRY_BIT)
/* Action modifiers. */
#define __GFP_NOWARN (1U << ___GFP_NOWARN_BIT)
#define __GFP_ZERO (1U << ___GFP_ZERO_BIT)

#define __GFP_BITS_SHIFT ___GFP_LAST_BIT
#define __GFP_BITS_MASK ((gfp_t)((1U << __GFP_BITS_SHIFT) - 1))

/*
 * Composite masks.
 *
 * GFP_VMM: the hypervisor's own unmovable memory, may sleep.
 * GFP_ATOMIC: may not sleep, may use part of the reserves.
 * GFP_GUEST: guest RAM faulted in on first touch, like GFP_HIGHUSER_MOVABLE:
 *   movable (compaction may migrate it), reclaim allowed, zeroed because a
 *   frame may have held another guest's data.
 * GFP_GUEST_HUGE_LIGHT: the first try for an aligned, unbacked 2 MiB guest
 *   region, like GFP_TRANSHUGE_LIGHT: no reclaim, no kswapd, no retry,
 *   silent; the caller falls back to order 0.
 * GFP_GUEST_PINNED: guest memory that must never move (a device DMA
 *   region): unmovable, reclaim allowed, zeroed.
 * GFP_OFFLINE: a pageblock memory hotplug takes offline under memory
 *   pressure (offline_pages()): movable, reclaim and compaction, retries
 *   but no OOM (the caller decides), silent, not zeroed (the host takes
 *   it back).
 * GFP_ZSWAP: a frame of the compressed store (swap/), as zswap asks
 *   zsmalloc: the store fills from reclaim itself, so no direct reclaim
 *   (kswapd is woken), no retry, silent; unmovable (objects are reached
 *   by address), not zeroed (every object is written before it is read).
 *   A store that gets no frame answers "no memory" and the caller keeps
 *   the page.
 */
#define GFP_VMM (__GFP_RECLAIM)
#define GFP_ATOMIC (__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_NOWAIT (__GFP_KSWAPD_RECLAIM)
#define GFP_GUEST (__GFP_RECLAIM | __GFP_MOVABLE | __GFP_ZERO)
#define GFP_GUEST_HUGE_LIGHT                                         \
	(__GFP_MOVABLE | __GFP_ZERO | __GFP_NOWARN | __GFP_NORETRY | \
	 __GFP_NOMEMALLOC)
#define GFP_GUEST_PINNED (__GFP_RECLAIM | __GFP_ZERO)
#define GFP_OFFLINE                                                           \
	(__GFP_RECLAIM | __GFP_MOVABLE | __GFP_RETRY_MAYFAIL | __GFP_NOWARN | \
	 __GFP_NOMEMALLOC)
#define GFP_ZSWAP (__GFP_KSWAPD_RECLAIM | __GFP_NORETRY | __GFP_NOWARN)

static inline bool gfpflags_allow_blocking(gfp_t gfp)
{
	return gfp & __GFP_DIRECT_RECLAIM;
}

/* Writes "GFP_GUEST|__GFP_NOWARN"-style text; returns buf. */
const char *gfp_flags_str(gfp_t gfp, char *buf, size_t len);

#endif /* MM_GFP_H */
