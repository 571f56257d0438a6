// SPDX-License-Identifier: GPL-2.0
/*
 * Writeback from the compressed store to the swap file, as zswap's
 * shrinker writes back from its LRU's cold end: a batch of a node's
 * oldest entries is decompressed into bounce pages and written in one
 * submission to slots of the node's stream (consecutive in the file, for
 * read-ahead), then the objects are freed.  A page whose write fails
 * goes back to the store's LRU, and the error is noted for the caller to
 * report once: nothing is lost, the store just stays full.
 */
#include <errno.h>
#include <string.h>

#include "swap/tier_internal.h"

/*
 * The batch's end: entries written are the file's (or freed, if their
 * guest dropped them meanwhile), the others back on the LRU's cold end.
 * The slots of freed entries in *drop.  t->lock held.
 */
static void writeback_done(struct swap_tier *t, const uint32_t *h,
			   unsigned int n, unsigned int written,
			   const unsigned long *slots, unsigned long *drop,
			   unsigned int *nr_drop)
{
	for (unsigned int i = 0; i < n; i++) {
		struct tier_entry *e = tier_entry(t, h[i]);

		if (i < written) {
			/* Its owner's bytes in the store are now a page in
			 * the file (one freed meanwhile was taken away). */
			if (!e->freed)
				tier_owner_charge(t, e, -1);
			zswap_invalidate(t->store[e->nid], &e->z);
			if (e->freed) {
				drop[(*nr_drop)++] = slots[i];
				e->freed = false;
				tier_entry_release(t, h[i]);
				continue;
			}
			e->slot = slots[i];
			e->state = ENTRY_FILE;
			t->in_file++;
			tier_owner_charge(t, e, 1);
		} else if (e->freed) {
			zswap_invalidate(t->store[e->nid], &e->z);
			e->freed = false;
			tier_entry_release(t, h[i]);
		} else {
			e->state = ENTRY_STORED;
			tier_lru_add(t, h[i], true);
		}
	}
}

unsigned int tier_writeback(struct swap_tier *t, int nid)
{
	uint32_t h[SWAP_FILE_BATCH];
	const void *pages[SWAP_FILE_BATCH];
	unsigned long slots[SWAP_FILE_BATCH], drop[SWAP_FILE_BATCH];
	unsigned int n = 0, ok, written = 0, nr_drop = 0;
	uint8_t *buf = t->wb_buf[nid];
	int ret = 0;

	pthread_mutex_lock(&t->wb_lock[nid]);
	pthread_mutex_lock(&t->lock);
	for (uint32_t x = t->lru[nid].tail, prev; x && n < SWAP_FILE_BATCH;
	     x = prev) {
		struct tier_entry *e = tier_entry(t, x);

		prev = e->prev;
		if (e->busy)
			continue; /* being loaded by its guest */
		tier_lru_del(t, x);
		e->state = ENTRY_WRITEBACK;
		h[n++] = x;
	}
	pthread_mutex_unlock(&t->lock);
	/* Whole pages to the file: a read then needs no decompression. */
	for (ok = 0; ok < n; ok++) {
		struct tier_entry *e = tier_entry(t, h[ok]);

		if (zswap_load(t->store[nid], &e->z, buf + ok * PAGE_SIZE))
			break; /* corrupt: its guest hears of it on a load */
		pages[ok] = buf + ok * PAGE_SIZE;
	}
	if (ok)
		ret = swap_file_write(t->cfg.file, nid, pages, ok, slots);
	written = ret > 0 ? ret : 0;
	pthread_mutex_lock(&t->lock);
	writeback_done(t, h, n, written, slots, drop, &nr_drop);
	t->zswpwb += written;
	t->pswpout += written;
	if (written < ok) {
		t->writeback_failed += ok - written;
		if (ret == -ENOSPC || (ret >= 0 && !written))
			tier_note_error(
				t, -ENOSPC,
				"it is full (%lu MiB): the compressed store keeps what it has, reclaim goes on with the next mechanism",
				t->file_mib);
		else
			tier_note_error(
				t, ret < 0 ? ret : -EIO,
				"a write of %u pages failed after %u: %s; the pages stay compressed in memory",
				ok, written, strerror(ret < 0 ? -ret : EIO));
	}
	pthread_cond_broadcast(&t->writeback_done);
	pthread_mutex_unlock(&t->lock);
	pthread_mutex_unlock(&t->wb_lock[nid]);
	for (unsigned int i = 0; i < nr_drop; i++)
		swap_file_free(t->cfg.file, drop[i]);
	if (written) {
		count_vm_events(t->cfg.mm, ZSWPWB, written);
		count_vm_events(t->cfg.mm, PSWPOUT, written);
	}
	return written;
}

long tier_write_page(struct swap_tier *t, int nid, const void *src)
{
	unsigned long slot;
	int ret = swap_file_write(t->cfg.file, nid, &src, 1, &slot);

	if (ret == 1) {
		pthread_mutex_lock(&t->lock);
		t->pswpout++;
		pthread_mutex_unlock(&t->lock);
		count_vm_event(t->cfg.mm, PSWPOUT);
		return (long)slot;
	}
	if (ret == 0)
		ret = -EIO;
	pthread_mutex_lock(&t->lock);
	/* A full file too: when nothing compresses, writeback never runs
	 * to say so. */
	if (ret == -ENOSPC)
		tier_note_error(
			t, ret,
			"it is full (%lu MiB): pages that do not compress stay in the guests, reclaim goes on with the next mechanism",
			t->file_mib);
	else
		tier_note_error(
			t, ret,
			"a page write failed: %s; the page stays in the guest",
			strerror(-ret));
	pthread_mutex_unlock(&t->lock);
	return ret;
}
