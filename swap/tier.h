/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cold tier's entries: each guest page swapped out, wherever its data
 * is now, behind a handle (a 32-bit index; 0 is "no entry") that the
 * guest's GPA map keeps in place of a frame, as Linux keeps a swap entry
 * in the PTE of a page swapped out.
 *
 * The data sits in the compressed store of the pool node the page's
 * frame was on (zswap.h: one store per node, its frames from that node,
 * so evicting a node's pages frees that node's memory), and the store's
 * entries are kept on a per-node LRU in eviction order: the writeback
 * to a swap file, when there is one, takes the coldest from its tail.
 *
 * Who calls what: the evicting thread (a kswapd) stores a page and gets
 * a handle; the owning guest's fault thread loads it and frees it on a
 * swap-in; the guest's discard (a balloon inflation on a swapped page,
 * an OOM kill's reap) frees it.  A handle is used by its guest, under
 * the guest's own lock, one thread at a time; the tier's own lock guards
 * the table and the LRUs.
 */
#ifndef SWAP_TIER_H
#define SWAP_TIER_H

#include <stddef.h>

#include "mm/mm.h"
#include "swap/zcomp.h"

struct swap_file;
struct swap_tier;

struct swap_tier_config {
	struct mm_pool *mm;
	/* The stores' frames at most, all nodes together (zswap's
	 * max_pool_percent of memory, in bytes): each node's store gets
	 * its node's share of the pool. */
	uint64_t max_bytes;
	enum zcomp_alg compressor;
	int level; /* zstd's; lz4 ignores it */
	/* Where a full store writes its coldest pages back, and pages
	 * that do not compress go (NULL: none; opened with a stream per
	 * pool node, the caller's to close after the tier). */
	struct swap_file *file;
};

/*
 * The tier's state and events, in pages unless said (Linux's names).
 * Gauges: stored (pages in the stores; meminfo's Zswapped), same_filled
 * (of them, with no object), pool_pages (the stores' frames; meminfo's
 * Zswap), compressed_bytes.  Events: zswpout (pages stored), zswpin
 * (pages loaded back by a fault), invalidated (freed without being read:
 * a discard, a reap), and the refusals: pool_limit_hit (the store was
 * full), reject_compress_poor (would not compress enough),
 * reject_alloc_fail (no frame or host memory), reject_compress_fail,
 * decompress_fail (a load found an object corrupt).
 */
struct swap_tier_stats {
	uint64_t stored;
	uint64_t same_filled;
	uint64_t pool_pages;
	uint64_t compressed_bytes;
	uint64_t zswpout;
	uint64_t zswpin;
	uint64_t invalidated;
	uint64_t pool_limit_hit;
	uint64_t reject_compress_poor;
	uint64_t reject_alloc_fail;
	uint64_t reject_compress_fail;
	uint64_t decompress_fail;
	/* The swap file: entries there now, pages written back from the
	 * store (zswpwb), pages written to it and read from it (pswpout,
	 * pswpin), writebacks that failed (the pages stayed in the store),
	 * and its slots (SwapTotal, SwapFree: meminfo's, in pages). */
	uint64_t in_file;
	uint64_t zswpwb;
	uint64_t pswpout;
	uint64_t pswpin;
	uint64_t writeback_failed;
	uint64_t swap_total;
	uint64_t swap_free;
};

int swap_tier_create(const struct swap_tier_config *cfg,
		     struct swap_tier **out) __must_check;
/* Context: no guest holds a handle any more (each freed its own). */
void swap_tier_destroy(struct swap_tier *t);

/*
 * Store the page at src (a frame of node nid, being evicted from guest
 * owner at gpa): its handle (> 0), or -ENOSPC (the node's store is
 * full, and so is the file or there is none), -E2BIG (it does not
 * compress well enough, and the file cannot take it), -ENOMEM, -EIO (the
 * compressor failed); nothing is kept on error.  A full store first
 * writes back its coldest pages to the file, and a page that does not
 * compress goes there as it is.  Context: any thread.
 */
long swap_tier_store(struct swap_tier *t, const void *src, int nid,
		     uint16_t owner, uint64_t gpa);
/*
 * Write handle h's page into dst (PAGE_SIZE bytes), from the store or
 * the file (waiting out its writeback); the entry stays until
 * swap_tier_free().  0, or -EIO (corrupt or unreadable: the page is lost
 * and the guest must not be given anything in its place), -ENOMEM.
 */
int swap_tier_load(struct swap_tier *t, uint32_t h, void *dst) __must_check;
/* The same for n handles (read-ahead: neighbours in the file come in
 * one read): 0, or the first error, with the pages loaded before it in
 * *done. */
int swap_tier_load_many(struct swap_tier *t, const uint32_t *h,
			void *const *dst, unsigned int n, unsigned int *done);
/* The last I/O error of the file since the last call (its message in
 * buf), 0: none.  For the caller to report once. */
int swap_tier_error(struct swap_tier *t, char *buf, size_t len);
/*
 * How many pages node *nid (the node h was evicted from) has evicted
 * since h (mm/workingset.c's refault distance): a refault at a distance
 * below what the node holds in use would have stayed resident with that
 * much more memory, so the eviction was of the working set.
 */
unsigned long swap_tier_refault_distance(struct swap_tier *t, uint32_t h,
					 int *nid);
/* Drop h (after a load that mapped it: loaded true, counted zswpin;
 * else the page is gone unread, counted invalidated). */
void swap_tier_free(struct swap_tier *t, uint32_t h, bool loaded);
/*
 * About how many more pages node nid's store can take: its free frames
 * times the ratio it achieves so far (at least 1).  0 once it is full:
 * reclaim then asks it for nothing.
 */
unsigned long swap_tier_room(struct swap_tier *t, int nid);
/* The guest and GPA whose page h holds (the invariant checker). */
void swap_tier_owner(struct swap_tier *t, uint32_t h, uint16_t *owner,
		     uint64_t *gpa);
void swap_tier_get_stats(struct swap_tier *t, struct swap_tier_stats *st);
/* Entries held by guest owner (the invariant checker: each guest's count
 * of swapped pages must match). */
unsigned long swap_tier_owned(struct swap_tier *t, uint16_t owner);
/*
 * What the tier holds of one owner (a guest) now: its entries (pages),
 * the compressed bytes its stored entries take in the stores (objects'
 * lengths; a same-filled page takes none), and its entries in the swap
 * file (pages).  Gauges, kept as entries come and go.
 */
struct swap_tier_owner_stats {
	uint64_t pages;
	uint64_t stored_bytes;
	uint64_t in_file;
};

void swap_tier_get_owner_stats(struct swap_tier *t, uint16_t owner,
			       struct swap_tier_owner_stats *st);
/* Of the n handles h (loaded, not yet freed), how many are in the swap
 * file (a load read them from there): for the swap_in trace event. */
unsigned int swap_tier_count_in_file(struct swap_tier *t, const uint32_t *h,
				     unsigned int n);
/* The stores' frames and the table against the LRUs: 0, or -EUCLEAN with
 * the first problem in err. */
int swap_tier_validate(struct swap_tier *t, char *err, size_t errlen);

#endif /* SWAP_TIER_H */
