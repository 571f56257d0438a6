/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zsmalloc: objects of any size up to a page, packed into frames of the
 * pool, as Linux's mm/zsmalloc.c packs compressed pages.
 *
 * Sizes are rounded up to size classes 16 bytes apart (32 bytes to a
 * page).  A class keeps its objects in zspages: 1 to 4 order-0 frames,
 * not contiguous, as many as waste the least of them (a 1,376-byte class
 * puts 9 objects in 3 frames, 0.8% waste, where one frame would waste
 * 33%); an object may straddle two frames of its zspage.  Classes that
 * would have the same geometry share one.  Within a class, zspages sit
 * in fullness groups (a quarter of their objects in use, a half, ...)
 * and an allocation takes from the fullest, so that the emptiest drain;
 * a zspage whose last object is freed goes back to the pool at once.
 *
 * Frames come from the pool through __alloc_pages() with the caller's
 * gfp (GFP_ZSWAP for the store), on the pool's node nid, and carry
 * FRAME_OWNER_ZSWAP, pinned: mm_validate() sees them as the store's and
 * compaction leaves them alone.  max_pages bounds the frames: a new zspage
 * that would pass it is refused with -ENOSPC ("full"), whatever the pool
 * has free.
 *
 * A handle names an object for as long as it lives: it points to a small
 * record (host memory) of where the object is, not into the pool, so
 * that compaction can move objects later without the users knowing.
 * Compaction of zspages (Linux's zs_compact(): move objects from the
 * emptiest zspages of a class into the fullest, free the emptied) is
 * left for later; its design is in docs/cold_tier.md.
 *
 * Locking: one mutex per class guards its lists and its zspages' object
 * maps.  Frames are allocated and freed outside it: mm's locks are never
 * taken under a class lock (mm_validate() may then walk the pool while
 * objects come and go).  Reading and writing an object take no lock:
 * its handle is its user's, and nothing else moves it.
 */
#ifndef SWAP_ZSMALLOC_H
#define SWAP_ZSMALLOC_H

#include "mm/mm.h"

#define ZS_MIN_ALLOC_SIZE 32
#define ZS_SIZE_CLASS_DELTA 16
#define ZS_MAX_ALLOC_SIZE PAGE_SIZE
#define ZS_MAX_PAGES_PER_ZSPAGE 4
#define ZS_NR_CLASSES \
	((ZS_MAX_ALLOC_SIZE - ZS_MIN_ALLOC_SIZE) / ZS_SIZE_CLASS_DELTA + 1)

struct zs_pool;

struct zs_config {
	struct mm_pool *mm;
	int nid; /* the pool node whose frames hold the objects */
	gfp_t gfp;
	unsigned long max_pages; /* frames at most; 0: no bound */
};

struct zs_pool_stats {
	unsigned long pages; /* frames held */
	unsigned long zspages;
	unsigned long objs; /* objects allocated */
	uint64_t obj_bytes; /* their sizes as asked */
	uint64_t class_bytes; /* their sizes rounded up to their classes */
};

int zs_create_pool(const struct zs_config *cfg,
		   struct zs_pool **out) __must_check;
/* Frees every zspage left.  Context: nobody else uses the pool. */
void zs_destroy_pool(struct zs_pool *pool);

/*
 * A handle to a new object of size bytes (1 .. ZS_MAX_ALLOC_SIZE), its
 * contents undefined: 0, or -EINVAL (size), -ENOSPC (a new zspage would
 * pass max_pages), -ENOMEM (no frame from the pool, or no host memory).
 * Context: any thread; may take the class lock, then mm's.
 */
int zs_malloc(struct zs_pool *pool, size_t size,
	      unsigned long *handle) __must_check;
/* Context: any thread; the handle is the caller's and dies here. */
void zs_free(struct zs_pool *pool, unsigned long handle);

/* Copy len bytes (at most the object's size) out of and into the object.
 * Context: the caller owns the handle; no lock taken. */
void zs_obj_read(struct zs_pool *pool, unsigned long handle, void *dst,
		 size_t len);
void zs_obj_write(struct zs_pool *pool, unsigned long handle, const void *src,
		  size_t len);
/* The size the object was allocated with. */
size_t zs_obj_size(unsigned long handle);

/* Frames the pool holds (zs_get_total_pages()): a single load. */
unsigned long zs_get_total_pages(struct zs_pool *pool);
/* Counts over every class.  Context: takes each class lock in turn. */
void zs_pool_stats(struct zs_pool *pool, struct zs_pool_stats *st);
/* The class of an allocation of size bytes: its object size, frames per
 * zspage and objects per zspage (for tests and the documentation). */
void zs_class_geometry(struct zs_pool *pool, size_t size, unsigned int *obj,
		       unsigned int *pages, unsigned int *objs);

/*
 * The invariant walker: every zspage's object count matches its map and
 * its fullness group, the classes' counts match their zspages, the
 * frames held match, and each is the store's in the pool (in use, order
 * 0, pinned, FRAME_OWNER_ZSWAP).  0 or -EUCLEAN with the first problem
 * in err.  Context: takes each class lock in turn.
 */
int zs_validate(struct zs_pool *pool, char *err, size_t errlen);

#endif /* SWAP_ZSMALLOC_H */
