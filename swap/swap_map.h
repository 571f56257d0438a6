/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The slots of a swap file, as Linux's swap_map (mm/swapfile.c): a byte
 * per page-sized slot says how many references it has (1 ..
 * SWAP_MAP_MAX), whether a page in memory holds its data too
 * (SWAP_HAS_CACHE: a write or a read in flight), or that it is bad.  No
 * I/O here: the file's reads and writes come later (docs/cold_tier.md).
 *
 * Slot 0 is the file's header, never handed out, so offset 0 can mean
 * "no slot" to callers.  Slots are handed out in clusters of 512 (2 MiB
 * of file): each stream (a thread that evicts, such as one node's
 * kswapd) takes a whole free cluster and fills it in order, so that the
 * pages it evicts together sit together in the file, for batched writes
 * and read-ahead; a stream that finds no free cluster fills the holes of
 * partly used ones.  A full file answers -ENOSPC.
 *
 * Locking: one mutex guards the map (Linux's si->lock before it went per
 * cluster); every call takes it once, and an allocation takes a batch.
 */
#ifndef SWAP_SWAP_MAP_H
#define SWAP_SWAP_MAP_H

#include <stddef.h>

#include "mm/types.h"

#define SWAPFILE_CLUSTER 512
#define SWAP_MAP_MAX 0x3e /* the most references a slot takes */
#define SWAP_MAP_BAD 0x3f /* never used again */
#define SWAP_HAS_CACHE 0x40 /* a page in memory holds the data too */

struct swap_map;

struct swap_map_stats {
	unsigned long total; /* slots that may be used (SwapTotal) */
	unsigned long free; /* of them free (SwapFree) */
	unsigned long bad; /* marked bad */
	unsigned long free_clusters; /* no slot in use, no stream's */
	unsigned long nonfull_clusters; /* some free, no stream's */
	unsigned long discard_clusters; /* empty, waiting for a discard */
};

/*
 * A map for a file of nr_slots page-sized slots (the header's among
 * them, 2 .. 2^32), for nr_streams streams (1 .. 64).  0 or -EINVAL,
 * -ENOMEM.
 */
int swap_map_create(unsigned long nr_slots, unsigned int nr_streams,
		    struct swap_map **out) __must_check;
void swap_map_destroy(struct swap_map *m);

/*
 * Up to nr free slots for stream (0 .. nr_streams - 1), in offsets[],
 * each with one reference: how many (in the order they sit in the file
 * as far as one cluster goes), or -ENOSPC when no slot is free (a full
 * file), -EINVAL.  Fewer than nr: the file filled up meanwhile.
 */
int swap_alloc(struct swap_map *m, unsigned int stream, unsigned int nr,
	       unsigned long *offsets) __must_check;
/* One more reference to a slot in use: 0, or -ENOENT (free or bad),
 * -EOVERFLOW (SWAP_MAP_MAX already), -EINVAL (no such slot). */
int swap_duplicate(struct swap_map *m, unsigned long off);
/* One reference less; the slot is free once it has none and no cache.
 * The references left, or -ENOENT (none: a double free), -EINVAL. */
int swap_free(struct swap_map *m, unsigned long off);
/* Mark a slot in use as cached (I/O in flight): 0, or -EEXIST (somebody
 * else's I/O is), -ENOENT (free or bad), -EINVAL. */
int swapcache_prepare(struct swap_map *m, unsigned long off);
/* The I/O is done: 0 (the slot is free if nothing references it), or
 * -ENOENT (it was not cached), -EINVAL. */
int swapcache_clear(struct swap_map *m, unsigned long off);
/*
 * An I/O error on a slot with one reference and no cache: the slot is
 * never handed out again and the reference is gone.  0, or -EBUSY (more
 * references, or cached), -ENOENT (free or bad), -EINVAL.
 */
int swap_mark_bad(struct swap_map *m, unsigned long off);
/* The slot's references (0 .. SWAP_MAP_MAX; SWAP_MAP_BAD for a bad one),
 * or -EINVAL. */
int swap_count(struct swap_map *m, unsigned long off);

/*
 * Discards, as Linux's swap discard (the discard_clusters list): once
 * set, a cluster whose last slot is freed waits on a list of its own
 * instead of the free list, until its owner has taken it
 * (swap_discard_take(): its number, or -1 when none waits), discarded
 * its blocks (a hole punched in the file) and given it back
 * (swap_discard_done()).  No stream takes a cluster in between, so no
 * page is written into blocks being punched.  Its slots count as free
 * meanwhile; an allocation that finds only such clusters left answers
 * -ENOSPC.
 */
void swap_map_set_discard(struct swap_map *m);
long swap_discard_take(struct swap_map *m);
void swap_discard_done(struct swap_map *m, unsigned long cluster);

void swap_map_get_stats(struct swap_map *m, struct swap_map_stats *st);
/* The walker: each cluster's count matches its slots, its list its
 * count, the lists are whole, the free and bad counts match the map.
 * 0 or -EUCLEAN with the first problem in err. */
int swap_map_validate(struct swap_map *m, char *err, size_t errlen);

#endif /* SWAP_SWAP_MAP_H */
