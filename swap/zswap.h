/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The compressed store of the cold tier, as Linux's zswap: a page given
 * to it is kept compressed in pool frames (zsmalloc.h), so the frame it
 * came from can be freed, and is given back on demand.
 *
 *  - A page that is one 64-bit value repeated (zeros, mostly) takes no
 *    storage: its entry holds the value (zswap's same-filled pages).
 *  - Any other page is compressed (lz4 or zstd, zcomp.h); one that does
 *    not compress to max_object bytes or less is refused with -E2BIG and
 *    stays with the caller, who keeps it or writes it to the swap file.
 *  - The store holds at most max_bytes of frames: past that it answers
 *    -ENOSPC, "full"; the caller keeps the page (later: writeback makes
 *    room, docs/cold_tier.md).
 *
 * The caller keeps each page's struct zswap_entry (16 bytes) wherever it
 * keeps what it evicted (later: beside the guest's GPA map), and hands
 * it back to load or invalidate the page.  Counters use Linux's names
 * (vmstat's zswpin and zswpout, zswap's debugfs statistics, meminfo's
 * Zswap and Zswapped) so the later wiring exports them as they are.
 *
 * Context: every function but create and destroy may run on any thread,
 * concurrently, each entry used by one thread at a time (its owner's).
 */
#ifndef SWAP_ZSWAP_H
#define SWAP_ZSWAP_H

#include "mm/mm.h"
#include "swap/zcomp.h"

struct zswap;

struct zswap_config {
	struct mm_pool *mm;
	int nid; /* the pool node whose frames hold the store */
	uint64_t max_bytes; /* the store's frames at most: > 0 */
	enum zcomp_alg compressor;
	int level; /* zstd's level; lz4 ignores it */
	/* Refuse a page that compresses to more: 0 is 3/4 of a page, where
	 * a page saves a quarter of its memory for the cost of a
	 * decompression on every touch. */
	unsigned int max_object;
};

/* What the store made of one page.  Zero it before a store. */
struct zswap_entry {
	union {
		unsigned long handle; /* length > 0: the object */
		uint64_t value; /* length 0: the word the page repeats */
	};
	uint32_t length; /* compressed bytes; 0: same-filled */
	uint32_t flags; /* ZSWAP_ENTRY_STORED while it holds a page */
};

#define ZSWAP_ENTRY_STORED 0x1

/*
 * The store's state and events, Linux's names.  Gauges: stored_pages
 * (meminfo's Zswapped is stored_pages pages), same_filled_pages (of
 * them, with no object), pool_pages (frames; meminfo's Zswap),
 * compressed_bytes (the objects' lengths).  Events, in pages: zswpout
 * stored, zswpin loaded, pool_limit_hit (refused: the store was full),
 * reject_compress_poor (refused: larger than max_object),
 * reject_alloc_fail (refused: no frame or no host memory),
 * reject_compress_fail (refused: the compressor failed),
 * decompress_fail (a load found its object corrupt).
 */
struct zswap_stats {
	uint64_t stored_pages;
	uint64_t same_filled_pages;
	uint64_t pool_pages;
	uint64_t compressed_bytes;
	uint64_t zswpout;
	uint64_t zswpin;
	uint64_t pool_limit_hit;
	uint64_t reject_compress_poor;
	uint64_t reject_alloc_fail;
	uint64_t reject_compress_fail;
	uint64_t decompress_fail;
};

int zswap_create(const struct zswap_config *cfg,
		 struct zswap **out) __must_check;
/* Context: nobody uses the store any more; entries still stored are
 * dropped (their objects' frames go back to the pool). */
void zswap_destroy(struct zswap *z);

/*
 * Store the page at src (PAGE_SIZE bytes, any host memory: a pool frame,
 * a buffer) into e, not stored yet.  0, or -ENOSPC (the store is full),
 * -E2BIG (it compresses to more than max_object), -ENOMEM (no frame from
 * the pool, or no host memory), -EIO (the compressor failed); on error
 * nothing is kept and e stays as it was.
 */
int zswap_store(struct zswap *z, const void *src,
		struct zswap_entry *e) __must_check;
/*
 * Write e's page into dst (PAGE_SIZE bytes); e stays stored (the caller
 * invalidates it once the page is safe elsewhere).  0, or -EIO when the
 * object does not decompress to a page (corrupt), -ENOMEM.
 */
int zswap_load(struct zswap *z, const struct zswap_entry *e,
	       void *dst) __must_check;
/* Drop e's page; e is not stored any more (an entry not stored: nothing). */
void zswap_invalidate(struct zswap *z, struct zswap_entry *e);

void zswap_get_stats(struct zswap *z, struct zswap_stats *st);
/* The store's frames in the pool, as zs_validate() checks them. */
int zswap_validate(struct zswap *z, char *err, size_t errlen);

#endif /* SWAP_ZSWAP_H */
