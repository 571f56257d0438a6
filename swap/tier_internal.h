/* SPDX-License-Identifier: GPL-2.0 */
/* What swap/tier.c and swap/writeback.c share, privately. */
#ifndef SWAP_TIER_INTERNAL_H
#define SWAP_TIER_INTERNAL_H

#include <pthread.h>

#include "swap/swapfile.h"
#include "swap/tier.h"
#include "swap/zswap.h"

/*
 * Entries live in chunks that never move, so that a handle's entry is
 * found without the tier's lock (its guest's lock orders the uses of
 * one handle); the chunk table is sized for the most entries a tier may
 * have: a page each, 2^26 pages (256 GiB) at most.
 */
#define CHUNK_SHIFT 12
#define CHUNK_ENTRIES (1U << CHUNK_SHIFT)
#define MAX_CHUNKS (1U << 14)

enum entry_state {
	ENTRY_FREE,
	ENTRY_STORED, /* in its node's store, on its LRU */
	ENTRY_WRITEBACK, /* in the store, off the LRU, being written */
	ENTRY_FILE, /* in the swap file, at slot */
};

struct tier_entry {
	struct zswap_entry z; /* STORED, WRITEBACK */
	uint64_t gpa;
	/* The node's LRU (newest at head), or the free list (next). */
	uint32_t prev, next;
	uint16_t owner;
	uint8_t nid;
	uint8_t state;
	/* Its node's evictions when it was evicted (the low bits of
	 * nonresident_age): its shadow entry, as mm/workingset.c packs. */
	uint32_t eviction;
	uint32_t slot; /* FILE */
	bool busy; /* a load reads its object: writeback leaves it */
	bool freed; /* dropped during its writeback: writeback frees it */
};

struct tier_lru {
	uint32_t head, tail;
	unsigned long nr;
};

struct swap_tier {
	struct swap_tier_config cfg;
	struct zswap *store[MAX_NUMNODES];
	unsigned long max_pages[MAX_NUMNODES]; /* each store's frames */
	unsigned long file_mib; /* the swap file's room, for its messages */
	pthread_mutex_t lock;
	/* Loads of entries being written back wait for them here. */
	pthread_cond_t writeback_done;
	/* One writeback per node at a time, with its bounce pages. */
	pthread_mutex_t wb_lock[MAX_NUMNODES];
	void *wb_buf[MAX_NUMNODES];
	/* Under lock: */
	struct tier_entry *chunk[MAX_CHUNKS];
	uint32_t nr_chunks;
	uint32_t next_unused; /* handles below it were handed out once */
	uint32_t free_head; /* freed entries, reused first */
	struct tier_lru lru[MAX_NUMNODES];
	/* Pages evicted from each node so far (Linux's lruvec
	 * nonresident_age, evictions only: nothing here is activated). */
	uint64_t nonresident_age[MAX_NUMNODES];
	uint32_t *owned; /* per owner: entries held */
	/* Per owner: compressed bytes in the stores, entries in the file
	 * (tier_owner_charge()). */
	struct tier_owner_bytes {
		uint64_t stored_bytes;
		uint32_t in_file;
	} * owner_bytes;
	unsigned long in_file; /* entries in the file */
	/* Events of the tier's own (the stores count the rest). */
	uint64_t invalidated, zswpwb, pswpin, pswpout, writeback_failed;
	/* The last I/O error, until swap_tier_error() reports it. */
	int error;
	char error_text[256];
};

static inline struct tier_entry *tier_entry(struct swap_tier *t, uint32_t h)
{
	return &t->chunk[h >> CHUNK_SHIFT][h & (CHUNK_ENTRIES - 1)];
}

/* The LRUs and the free list; t->lock held. */
void tier_lru_add(struct swap_tier *t, uint32_t h, bool tail);
void tier_lru_del(struct swap_tier *t, uint32_t h);
void tier_entry_release(struct swap_tier *t, uint32_t h);
/*
 * An entry's share of its owner's stored bytes or file pages, by its
 * state (STORED and WRITEBACK: its object's length; FILE: a page), added
 * (sign 1) when it starts to hold it, taken away (-1) before it stops.
 * t->lock held.
 */
void tier_owner_charge(struct swap_tier *t, const struct tier_entry *e,
		       int sign);
/* Note an I/O error for swap_tier_error(); t->lock held. */
void tier_note_error(struct swap_tier *t, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Writeback (writeback.c): up to SWAP_FILE_BATCH of node nid's coldest
 * stored entries into the file, their objects freed.  The entries
 * written back.  Context: no tier lock held.
 */
unsigned int tier_writeback(struct swap_tier *t, int nid);
/* The page at src straight to the file (it does not compress): a slot,
 * or -errno.  Context: no tier lock held. */
long tier_write_page(struct swap_tier *t, int nid, const void *src);

#endif /* SWAP_TIER_INTERNAL_H */
