// SPDX-License-Identifier: GPL-2.0
/* The cold tier's entries over the per-node compressed stores and the
 * swap file (tier.h); writeback is writeback.c. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>

#include "swap/tier_internal.h"

#define entry tier_entry

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
	if (cfg->file) {
		struct swap_file_stats f;

		swap_file_get_stats(cfg->file, &f);
		/* Nearest: the header's page makes a 4 MiB file 1023. */
		t->file_mib = (f.total + (1UL << (19 - PAGE_SHIFT))) >>
			      (20 - PAGE_SHIFT);
	}
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->writeback_done, NULL);
	for (unsigned int nid = 0; nid < MAX_NUMNODES; nid++)
		pthread_mutex_init(&t->wb_lock[nid], NULL);
	t->owned = calloc(1U << 16, sizeof(*t->owned));
	t->owner_bytes = calloc(1U << 16, sizeof(*t->owner_bytes));
	if (!t->owned || !t->owner_bytes)
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
		ret = -ENOMEM;
		if (cfg->file &&
		    !(t->wb_buf[nid] = aligned_alloc(
			      PAGE_SIZE, SWAP_FILE_BATCH * PAGE_SIZE)))
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
	/* Entries still held go: objects back to their stores, slots to
	 * the file (its map, not its data: the file is the user's). */
	for (uint32_t h = 1; h < t->next_unused; h++) {
		struct tier_entry *e = entry(t, h);

		if (e->state == ENTRY_FILE)
			swap_file_free(t->cfg.file, e->slot);
		else if (e->state != ENTRY_FREE)
			zswap_invalidate(t->store[e->nid], &e->z);
	}
	for (unsigned int nid = 0; nid < MAX_NUMNODES; nid++) {
		if (t->store[nid])
			zswap_destroy(t->store[nid]);
		free(t->wb_buf[nid]);
		pthread_mutex_destroy(&t->wb_lock[nid]);
	}
	for (uint32_t c = 0; c < t->nr_chunks; c++)
		free(t->chunk[c]);
	free(t->owned);
	free(t->owner_bytes);
	pthread_cond_destroy(&t->writeback_done);
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

void tier_lru_add(struct swap_tier *t, uint32_t h, bool tail)
{
	struct tier_entry *e = entry(t, h);
	struct tier_lru *l = &t->lru[e->nid];

	if (tail) {
		e->next = 0;
		e->prev = l->tail;
		if (l->tail)
			entry(t, l->tail)->next = h;
		else
			l->head = h;
		l->tail = h;
	} else {
		e->prev = 0;
		e->next = l->head;
		if (l->head)
			entry(t, l->head)->prev = h;
		else
			l->tail = h;
		l->head = h;
	}
	l->nr++;
}

void tier_lru_del(struct swap_tier *t, uint32_t h)
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

void tier_entry_release(struct swap_tier *t, uint32_t h)
{
	struct tier_entry *e = entry(t, h);

	t->owned[e->owner]--;
	e->state = ENTRY_FREE;
	e->next = t->free_head;
	t->free_head = h;
}

void tier_note_error(struct swap_tier *t, int err, const char *fmt, ...)
{
	va_list ap;

	t->error = err;
	va_start(ap, fmt);
	vsnprintf(t->error_text, sizeof(t->error_text), fmt, ap);
	va_end(ap);
}

int swap_tier_error(struct swap_tier *t, char *buf, size_t len)
{
	int err;

	pthread_mutex_lock(&t->lock);
	err = t->error;
	if (err)
		snprintf(buf, len, "%s", t->error_text);
	t->error = 0;
	pthread_mutex_unlock(&t->lock);
	return err;
}

/*
 * A full store writes back until it is below ACCEPT_PCT of its limit,
 * as zswap accepts again only below accept_threshold_percent: objects
 * freed from the LRU's cold end are spread over zspages, and a frame
 * comes free only once all of its objects are gone, so one batch may
 * free none.  Whether some batch wrote anything.
 */
#define ACCEPT_PCT 90
#define MAX_WRITEBACK_BATCHES 32

static bool make_room(struct swap_tier *t, int nid)
{
	bool wrote = false;

	for (int i = 0; i < MAX_WRITEBACK_BATCHES; i++) {
		struct zswap_stats z;

		zswap_get_stats(t->store[nid], &z);
		if (i && z.pool_pages * 100 < t->max_pages[nid] * ACCEPT_PCT)
			break;
		if (!tier_writeback(t, nid))
			break;
		wrote = true;
	}
	return wrote;
}

long swap_tier_store(struct swap_tier *t, const void *src, int nid,
		     uint16_t owner, uint64_t gpa)
{
	struct zswap_entry z = { 0 };
	struct tier_entry *e;
	long slot = 0;
	uint32_t h;
	int ret;

	if (nid < 0 || (unsigned int)nid >= t->cfg.mm->nr_nodes)
		return -EINVAL;
	/* Compress first, outside the lock: it is the work.  A full store
	 * writes its coldest to the file and tries again. */
	ret = zswap_store(t->store[nid], src, &z);
	if (ret == -ENOSPC && t->cfg.file && make_room(t, nid))
		ret = zswap_store(t->store[nid], src, &z);
	/* What does not compress goes to the file as it is. */
	if (ret == -E2BIG && t->cfg.file) {
		slot = tier_write_page(t, nid, src);
		if (slot > 0)
			ret = 0;
	}
	if (ret)
		return ret;
	pthread_mutex_lock(&t->lock);
	h = entry_alloc(t);
	if (!h) {
		pthread_mutex_unlock(&t->lock);
		if (slot)
			swap_file_free(t->cfg.file, slot);
		else
			zswap_invalidate(t->store[nid], &z);
		return -ENOMEM;
	}
	e = entry(t, h);
	*e = (struct tier_entry){
		.z = z,
		.gpa = gpa,
		.owner = owner,
		.nid = nid,
		.state = slot ? ENTRY_FILE : ENTRY_STORED,
		.eviction = (uint32_t)t->nonresident_age[nid]++,
		.slot = slot,
	};
	if (slot)
		t->in_file++;
	else
		tier_lru_add(t, h, false);
	t->owned[owner]++;
	tier_owner_charge(t, e, 1);
	pthread_mutex_unlock(&t->lock);
	if (!slot)
		count_vm_event(t->cfg.mm, ZSWPOUT);
	return h;
}

/*
 * Pages of a run of entries, in order: each from the store or, where
 * consecutive ones are in the file, in one read.  0, or the first
 * error with its index in *done (those before it are loaded).
 */
static int load_run(struct swap_tier *t, const uint32_t *h, void *const *dst,
		    unsigned int n, unsigned int *done)
{
	unsigned long slots[SWAP_FILE_BATCH];
	unsigned int i = 0, j, failed;
	int ret = 0;

	while (i < n) {
		struct tier_entry *e = entry(t, h[i]);

		if (e->state == ENTRY_STORED) {
			ret = zswap_load(t->store[e->nid], &e->z, dst[i]);
			if (ret)
				break;
			count_vm_event(t->cfg.mm, ZSWPIN);
			i++;
			continue;
		}
		for (j = i; j < n && j - i < SWAP_FILE_BATCH &&
			    entry(t, h[j])->state == ENTRY_FILE;
		     j++)
			slots[j - i] = entry(t, h[j])->slot;
		ret = swap_file_read(t->cfg.file, slots, dst + i, j - i,
				     &failed);
		if (ret) {
			i += failed;
			break;
		}
		count_vm_events(t->cfg.mm, PSWPIN, j - i);
		__atomic_add_fetch(&t->pswpin, j - i, __ATOMIC_RELAXED);
		i = j;
	}
	*done = i;
	return ret;
}

int swap_tier_load_many(struct swap_tier *t, const uint32_t *h,
			void *const *dst, unsigned int n, unsigned int *done)
{
	int ret;

	*done = 0;
	/* Wait out writebacks of these, then keep writeback off them. */
	pthread_mutex_lock(&t->lock);
	for (unsigned int i = 0; i < n; i++) {
		struct tier_entry *e = entry(t, h[i]);

		while (e->state == ENTRY_WRITEBACK)
			pthread_cond_wait(&t->writeback_done, &t->lock);
		if (e->state != ENTRY_STORED && e->state != ENTRY_FILE) {
			n = i;
			break;
		}
		e->busy = true;
	}
	pthread_mutex_unlock(&t->lock);
	ret = n ? load_run(t, h, dst, n, done) : -ENOENT;
	pthread_mutex_lock(&t->lock);
	for (unsigned int i = 0; i < n; i++)
		entry(t, h[i])->busy = false;
	pthread_mutex_unlock(&t->lock);
	return ret;
}

int swap_tier_load(struct swap_tier *t, uint32_t h, void *dst)
{
	unsigned int done;

	return swap_tier_load_many(t, &h, &dst, 1, &done);
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
	unsigned long slot = 0;

	pthread_mutex_lock(&t->lock);
	if (!loaded)
		t->invalidated++;
	/* Its owner holds it no more from now on, even while a writeback
	 * still has it (which then takes nothing away again). */
	tier_owner_charge(t, e, -1);
	switch (e->state) {
	case ENTRY_STORED:
		tier_lru_del(t, h);
		zswap_invalidate(t->store[e->nid], &e->z);
		tier_entry_release(t, h);
		break;
	case ENTRY_WRITEBACK:
		e->freed = true; /* its writeback frees it */
		break;
	case ENTRY_FILE:
		slot = e->slot;
		t->in_file--;
		tier_entry_release(t, h);
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&t->lock);
	/* A cluster left empty is punched out: not under the lock. */
	if (slot)
		swap_file_free(t->cfg.file, slot);
}

unsigned long swap_tier_room(struct swap_tier *t, int nid)
{
	struct zswap_stats z;
	unsigned long max = t->max_pages[nid], ratio;

	zswap_get_stats(t->store[nid], &z);
	unsigned long room = 0;

	if (z.pool_pages < max) {
		ratio = z.pool_pages ? z.stored_pages / z.pool_pages : 1;
		room = (max - z.pool_pages) * (ratio ? ratio : 1);
	}
	/* Behind a full store, the file's free slots (its writeback). */
	if (t->cfg.file) {
		struct swap_file_stats f;

		swap_file_get_stats(t->cfg.file, &f);
		room += f.free;
	}
	return room;
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

/* ---- per owner: what each guest has in the stores and the file ---- */

void tier_owner_charge(struct swap_tier *t, const struct tier_entry *e,
		       int sign)
{
	struct tier_owner_bytes *o = &t->owner_bytes[e->owner];

	switch (e->state) {
	case ENTRY_STORED:
	case ENTRY_WRITEBACK:
		o->stored_bytes += (int64_t)sign * e->z.length;
		break;
	case ENTRY_FILE:
		o->in_file += sign;
		break;
	default:
		break;
	}
}

void swap_tier_get_owner_stats(struct swap_tier *t, uint16_t owner,
			       struct swap_tier_owner_stats *st)
{
	pthread_mutex_lock(&t->lock);
	st->pages = t->owned[owner];
	st->stored_bytes = t->owner_bytes[owner].stored_bytes;
	st->in_file = t->owner_bytes[owner].in_file;
	pthread_mutex_unlock(&t->lock);
}

unsigned int swap_tier_count_in_file(struct swap_tier *t, const uint32_t *h,
				     unsigned int n)
{
	unsigned int file = 0;

	pthread_mutex_lock(&t->lock);
	for (unsigned int i = 0; i < n; i++)
		file += entry(t, h[i])->state == ENTRY_FILE;
	pthread_mutex_unlock(&t->lock);
	return file;
}

/* ---- */

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
	st->in_file = t->in_file;
	st->zswpwb = t->zswpwb;
	st->pswpout = t->pswpout;
	st->writeback_failed = t->writeback_failed;
	pthread_mutex_unlock(&t->lock);
	st->pswpin = __atomic_load_n(&t->pswpin, __ATOMIC_RELAXED);
	if (t->cfg.file) {
		struct swap_file_stats f;

		swap_file_get_stats(t->cfg.file, &f);
		st->swap_total = f.total;
		st->swap_free = f.free;
	}
}

int swap_tier_validate(struct swap_tier *t, char *err, size_t errlen)
{
	unsigned long on_lrus = 0, stored = 0, in_file = 0;
	int ret = 0;

	for (unsigned int nid = 0; nid < t->cfg.mm->nr_nodes && !ret; nid++)
		ret = zswap_validate(t->store[nid], err, errlen);
	if (!ret && t->cfg.file)
		ret = swap_file_validate(t->cfg.file, err, errlen);
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
	for (uint32_t h = 1; h < t->next_unused; h++) {
		stored += entry(t, h)->state == ENTRY_STORED;
		in_file += entry(t, h)->state == ENTRY_FILE;
	}
	if (in_file != t->in_file) {
		snprintf(err, errlen,
			 "swap tier: %lu entries in the file, counted %lu",
			 in_file, t->in_file);
		ret = -EUCLEAN;
	} else if (stored != on_lrus) {
		snprintf(err, errlen,
			 "swap tier: %lu entries stored, %lu on the LRUs",
			 stored, on_lrus);
		ret = -EUCLEAN;
	}
out:
	pthread_mutex_unlock(&t->lock);
	return ret;
}
