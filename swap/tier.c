// SPDX-License-Identifier: GPL-2.0
/* The cold tier's entries over the per-node compressed stores (tier.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
};

struct tier_entry {
	struct zswap_entry z;
	uint64_t gpa;
	/* The node's LRU (newest at head), or the free list (next). */
	uint32_t prev, next;
	uint16_t owner;
	uint8_t nid;
	uint8_t state;
	/* Its node's evictions when it was evicted (the low bits of
	 * nonresident_age): its shadow entry, as mm/workingset.c packs. */
	uint32_t eviction;
};

struct tier_lru {
	uint32_t head, tail;
	unsigned long nr;
};

struct swap_tier {
	struct swap_tier_config cfg;
	struct zswap *store[MAX_NUMNODES];
	unsigned long max_pages[MAX_NUMNODES]; /* each store's frames */
	pthread_mutex_t lock;
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
	/* Events of the tier's own (the stores count the rest). */
	uint64_t invalidated;
};

static struct tier_entry *entry(struct swap_tier *t, uint32_t h)
{
	return &t->chunk[h >> CHUNK_SHIFT][h & (CHUNK_ENTRIES - 1)];
}

int swap_tier_create(const struct swap_tier_config *cfg, struct swap_tier **out)
{
	struct swap_tier *t;
	int ret = -ENOMEM;

	*out = NULL;
	if (!cfg->mm || !cfg->max_bytes)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->cfg = *cfg;
	t->next_unused = 1; /* handle 0 means none */
	pthread_mutex_init(&t->lock, NULL);
	t->owned = calloc(1U << 16, sizeof(*t->owned));
	if (!t->owned)
		goto err;
	for (unsigned int nid = 0; nid < cfg->mm->nr_nodes; nid++) {
		struct zswap_config zc = {
			.mm = cfg->mm,
			.nid = nid,
			.max_bytes = (uint64_t)((double)cfg->max_bytes *
						cfg->mm->node_data[nid]
							.node_spanned_pages /
						cfg->mm->nr_frames),
			.compressor = cfg->compressor,
			.level = cfg->level,
		};

		if (zc.max_bytes < PAGE_SIZE)
			zc.max_bytes = PAGE_SIZE;
		t->max_pages[nid] = zc.max_bytes / PAGE_SIZE;
		ret = zswap_create(&zc, &t->store[nid]);
		if (ret)
			goto err;
	}
	*out = t;
	return 0;

err:
	swap_tier_destroy(t);
	return ret;
}

void swap_tier_destroy(struct swap_tier *t)
{
	if (!t)
		return;
	for (unsigned int nid = 0; nid < MAX_NUMNODES; nid++)
		if (t->store[nid])
			zswap_destroy(t->store[nid]);
	for (uint32_t c = 0; c < t->nr_chunks; c++)
		free(t->chunk[c]);
	free(t->owned);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* A free entry's handle, or 0 (no memory, or the table is full).
 * t->lock held. */
static uint32_t entry_alloc(struct swap_tier *t)
{
	uint32_t h = t->free_head;

	if (h) {
		t->free_head = entry(t, h)->next;
		return h;
	}
	h = t->next_unused;
	if ((h >> CHUNK_SHIFT) >= t->nr_chunks) {
		struct tier_entry *c;

		if (t->nr_chunks == MAX_CHUNKS)
			return 0;
		c = calloc(CHUNK_ENTRIES, sizeof(*c));
		if (!c)
			return 0;
		t->chunk[t->nr_chunks++] = c;
	}
	t->next_unused++;
	return h;
}

static void lru_add(struct swap_tier *t, uint32_t h)
{
	struct tier_entry *e = entry(t, h);
	struct tier_lru *l = &t->lru[e->nid];

	e->prev = 0;
	e->next = l->head;
	if (l->head)
		entry(t, l->head)->prev = h;
	else
		l->tail = h;
	l->head = h;
	l->nr++;
}

static void lru_del(struct swap_tier *t, uint32_t h)
{
	struct tier_entry *e = entry(t, h);
	struct tier_lru *l = &t->lru[e->nid];

	if (e->prev)
		entry(t, e->prev)->next = e->next;
	else
		l->head = e->next;
	if (e->next)
		entry(t, e->next)->prev = e->prev;
	else
		l->tail = e->prev;
	l->nr--;
}

long swap_tier_store(struct swap_tier *t, const void *src, int nid,
		     uint16_t owner, uint64_t gpa)
{
	struct zswap_entry z = { 0 };
	struct tier_entry *e;
	uint32_t h;
	int ret;

	if (nid < 0 || (unsigned int)nid >= t->cfg.mm->nr_nodes)
		return -EINVAL;
	/* Compress first, outside the lock: it is the work. */
	ret = zswap_store(t->store[nid], src, &z);
	if (ret)
		return ret;
	pthread_mutex_lock(&t->lock);
	h = entry_alloc(t);
	if (!h) {
		pthread_mutex_unlock(&t->lock);
		zswap_invalidate(t->store[nid], &z);
		return -ENOMEM;
	}
	e = entry(t, h);
	*e = (struct tier_entry){
		.z = z,
		.gpa = gpa,
		.owner = owner,
		.nid = nid,
		.state = ENTRY_STORED,
		.eviction = (uint32_t)t->nonresident_age[nid]++,
	};
	lru_add(t, h);
	t->owned[owner]++;
	pthread_mutex_unlock(&t->lock);
	return h;
}

int swap_tier_load(struct swap_tier *t, uint32_t h, void *dst)
{
	struct tier_entry *e = entry(t, h);

	if (e->state != ENTRY_STORED)
		return -ENOENT;
	return zswap_load(t->store[e->nid], &e->z, dst);
}

unsigned long swap_tier_refault_distance(struct swap_tier *t, uint32_t h,
					 int *nid)
{
	struct tier_entry *e = entry(t, h);
	uint32_t now;

	pthread_mutex_lock(&t->lock);
	now = (uint32_t)t->nonresident_age[e->nid];
	pthread_mutex_unlock(&t->lock);
	*nid = e->nid;
	return (uint32_t)(now - e->eviction);
}

void swap_tier_free(struct swap_tier *t, uint32_t h, bool loaded)
{
	struct tier_entry *e = entry(t, h);

	if (e->state != ENTRY_STORED)
		return;
	zswap_invalidate(t->store[e->nid], &e->z);
	pthread_mutex_lock(&t->lock);
	lru_del(t, h);
	t->owned[e->owner]--;
	e->state = ENTRY_FREE;
	e->next = t->free_head;
	t->free_head = h;
	if (!loaded)
		t->invalidated++;
	pthread_mutex_unlock(&t->lock);
}

unsigned long swap_tier_room(struct swap_tier *t, int nid)
{
	struct zswap_stats z;
	unsigned long max = t->max_pages[nid], ratio;

	zswap_get_stats(t->store[nid], &z);
	if (z.pool_pages >= max)
		return 0;
	ratio = z.pool_pages ? z.stored_pages / z.pool_pages : 1;
	return (max - z.pool_pages) * (ratio ? ratio : 1);
}

void swap_tier_owner(struct swap_tier *t, uint32_t h, uint16_t *owner,
		     uint64_t *gpa)
{
	struct tier_entry *e = entry(t, h);

	*owner = e->owner;
	*gpa = e->gpa;
}

unsigned long swap_tier_owned(struct swap_tier *t, uint16_t owner)
{
	unsigned long n;

	pthread_mutex_lock(&t->lock);
	n = t->owned[owner];
	pthread_mutex_unlock(&t->lock);
	return n;
}

void swap_tier_get_stats(struct swap_tier *t, struct swap_tier_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (unsigned int nid = 0; nid < t->cfg.mm->nr_nodes; nid++) {
		struct zswap_stats z;

		zswap_get_stats(t->store[nid], &z);
		st->stored += z.stored_pages;
		st->same_filled += z.same_filled_pages;
		st->pool_pages += z.pool_pages;
		st->compressed_bytes += z.compressed_bytes;
		st->zswpout += z.zswpout;
		st->zswpin += z.zswpin;
		st->pool_limit_hit += z.pool_limit_hit;
		st->reject_compress_poor += z.reject_compress_poor;
		st->reject_alloc_fail += z.reject_alloc_fail;
		st->reject_compress_fail += z.reject_compress_fail;
		st->decompress_fail += z.decompress_fail;
	}
	pthread_mutex_lock(&t->lock);
	st->invalidated = t->invalidated;
	pthread_mutex_unlock(&t->lock);
}

int swap_tier_validate(struct swap_tier *t, char *err, size_t errlen)
{
	unsigned long on_lrus = 0, stored = 0;
	int ret = 0;

	for (unsigned int nid = 0; nid < t->cfg.mm->nr_nodes && !ret; nid++)
		ret = zswap_validate(t->store[nid], err, errlen);
	if (ret)
		return ret;
	pthread_mutex_lock(&t->lock);
	for (unsigned int nid = 0; nid < t->cfg.mm->nr_nodes; nid++) {
		unsigned long n = 0;

		for (uint32_t h = t->lru[nid].head; h; h = entry(t, h)->next) {
			struct tier_entry *e = entry(t, h);

			if (e->state != ENTRY_STORED || e->nid != nid) {
				snprintf(
					err, errlen,
					"swap tier: entry %u on node %u's LRU is %s of node %u",
					h, nid,
					e->state == ENTRY_STORED ? "stored" :
								   "free",
					e->nid);
				ret = -EUCLEAN;
				goto out;
			}
			if (++n > t->lru[nid].nr)
				break;
		}
		if (n != t->lru[nid].nr) {
			snprintf(
				err, errlen,
				"swap tier: node %u's LRU has %lu entries, counted %lu",
				nid, n, t->lru[nid].nr);
			ret = -EUCLEAN;
			goto out;
		}
		on_lrus += n;
	}
	for (uint32_t h = 1; h < t->next_unused; h++)
		stored += entry(t, h)->state == ENTRY_STORED;
	if (stored != on_lrus) {
		snprintf(err, errlen,
			 "swap tier: %lu entries stored, %lu on the LRUs",
			 stored, on_lrus);
		ret = -EUCLEAN;
	}
out:
	pthread_mutex_unlock(&t->lock);
	return ret;
}
