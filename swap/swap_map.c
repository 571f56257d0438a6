// SPDX-License-Identifier: GPL-2.0
/*
 * Slot counts, clusters and streams (swap_map.h says what and why).
 *
 * A cluster is on the free list (no slot in use), on the nonfull list
 * (some in use, some free), on no list (full), or a stream's (on no list
 * while the stream fills it; it goes back to a list when the stream
 * reaches its end).  Freed clusters go to the tail of the free list, so
 * the file's space is used round and round rather than one cluster over
 * and over.  Slots that are not the file's (the header, the tail of the
 * last cluster past the file's end) are marked bad from the start and
 * counted apart from bad ones.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "swap/swap_map.h"
#include "util/errf.h"

#define CLUSTER_NONE UINT32_MAX
#define STREAM_NONE ULONG_MAX
#define SWAP_MAX_STREAMS 64

enum cluster_list_id {
	LIST_NONE, /* full, or a stream's */
	LIST_FREE,
	LIST_NONFULL,
	LIST_DISCARD, /* empty again, its blocks to be discarded */
	NR_LISTS,
};

struct swap_cluster_info {
	uint32_t count; /* slots not free: in use, cached, bad, reserved */
	uint32_t prev, next; /* on its list */
	uint8_t list; /* enum cluster_list_id */
	bool stream; /* a stream is filling it */
	bool discarding; /* off every list while its blocks are discarded */
};

struct cluster_list {
	uint32_t head, tail;
	unsigned long nr;
};

struct swap_map {
	pthread_mutex_t lock;
	unsigned long nr_slots; /* the file's, the header's among them */
	unsigned int nr_clusters;
	unsigned int nr_streams;
	/* Guarded by lock: */
	unsigned char *map; /* nr_clusters * SWAPFILE_CLUSTER */
	struct swap_cluster_info *ci;
	struct cluster_list lists[NR_LISTS]; /* by enum cluster_list_id */
	bool discard; /* emptied clusters wait on LIST_DISCARD */
	unsigned long next[SWAP_MAX_STREAMS]; /* each stream's next slot */
	unsigned long nr_free, nr_bad;
};

static bool slot_reserved(const struct swap_map *m, unsigned long off)
{
	return off == 0 || off >= m->nr_slots;
}

static void list_add_tail(struct swap_map *m, enum cluster_list_id id,
			  uint32_t c)
{
	struct cluster_list *l = &m->lists[id];

	m->ci[c].list = id;
	m->ci[c].next = CLUSTER_NONE;
	m->ci[c].prev = l->tail;
	if (l->tail != CLUSTER_NONE)
		m->ci[l->tail].next = c;
	else
		l->head = c;
	l->tail = c;
	l->nr++;
}

static void list_del(struct swap_map *m, uint32_t c)
{
	struct swap_cluster_info *ci = &m->ci[c];
	struct cluster_list *l = &m->lists[ci->list];

	if (ci->list == LIST_NONE)
		return;
	if (ci->prev != CLUSTER_NONE)
		m->ci[ci->prev].next = ci->next;
	else
		l->head = ci->next;
	if (ci->next != CLUSTER_NONE)
		m->ci[ci->next].prev = ci->prev;
	else
		l->tail = ci->prev;
	l->nr--;
	ci->list = LIST_NONE;
}

/* Where a cluster no stream fills belongs by its count. */
static void cluster_place(struct swap_map *m, uint32_t c)
{
	uint32_t n = m->ci[c].count;
	enum cluster_list_id want = !n			  ? LIST_FREE :
				    n == SWAPFILE_CLUSTER ? LIST_NONE :
							    LIST_NONFULL;

	/* An empty cluster already waiting for its discard stays there. */
	if (!n && m->discard && m->ci[c].list != LIST_FREE)
		want = LIST_DISCARD;
	if (m->ci[c].stream || m->ci[c].discarding || m->ci[c].list == want)
		return;
	list_del(m, c);
	if (want != LIST_NONE)
		list_add_tail(m, want, c);
}

int swap_map_create(unsigned long nr_slots, unsigned int nr_streams,
		    struct swap_map **out)
{
	struct swap_map *m;
	unsigned long slots;

	if (nr_slots < 2 || nr_slots > (1UL << 32) || !nr_streams ||
	    nr_streams > SWAP_MAX_STREAMS)
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->nr_slots = nr_slots;
	m->nr_streams = nr_streams;
	m->nr_clusters = (nr_slots + SWAPFILE_CLUSTER - 1) / SWAPFILE_CLUSTER;
	slots = (unsigned long)m->nr_clusters * SWAPFILE_CLUSTER;
	m->map = calloc(slots, 1);
	m->ci = calloc(m->nr_clusters, sizeof(*m->ci));
	if (!m->map || !m->ci) {
		swap_map_destroy(m);
		return -ENOMEM;
	}
	pthread_mutex_init(&m->lock, NULL);
	for (unsigned int i = 0; i < NR_LISTS; i++)
		m->lists[i] =
			(struct cluster_list){ CLUSTER_NONE, CLUSTER_NONE, 0 };
	for (unsigned int s = 0; s < nr_streams; s++)
		m->next[s] = STREAM_NONE;
	for (unsigned long off = 0; off < slots; off++) {
		if (!slot_reserved(m, off))
			continue;
		m->map[off] = SWAP_MAP_BAD;
		m->ci[off / SWAPFILE_CLUSTER].count++;
	}
	for (uint32_t c = 0; c < m->nr_clusters; c++) {
		m->ci[c].list = LIST_NONE;
		cluster_place(m, c);
	}
	m->nr_free = nr_slots - 1;
	*out = m;
	return 0;
}

void swap_map_destroy(struct swap_map *m)
{
	if (m->ci)
		pthread_mutex_destroy(&m->lock);
	free(m->map);
	free(m->ci);
	free(m);
}

/* A cluster for the stream: a free one first, else one with holes. */
static bool stream_take(struct swap_map *m, unsigned int s)
{
	uint32_t c = m->lists[LIST_FREE].head;

	if (c == CLUSTER_NONE)
		c = m->lists[LIST_NONFULL].head;
	if (c == CLUSTER_NONE)
		return false;
	list_del(m, c);
	m->ci[c].stream = true;
	m->next[s] = (unsigned long)c * SWAPFILE_CLUSTER;
	return true;
}

/* Take the free slot off.  Context: lock held. */
static void slot_take(struct swap_map *m, unsigned long off)
{
	m->map[off] = 1;
	m->ci[off / SWAPFILE_CLUSTER].count++;
	m->nr_free--;
}

/*
 * Fill the stream's cluster in order from where it stopped; a cluster
 * filled to its end goes back to the lists.  Returns slots taken.
 * Context: lock held.
 */
static unsigned int stream_fill(struct swap_map *m, unsigned int s,
				unsigned int nr, unsigned long *offsets)
{
	unsigned long off = m->next[s];
	uint32_t c = off / SWAPFILE_CLUSTER;
	unsigned long end = (c + 1UL) * SWAPFILE_CLUSTER;
	unsigned int got = 0;

	for (; off < end && got < nr; off++) {
		if (m->map[off])
			continue;
		slot_take(m, off);
		offsets[got++] = off;
	}
	if (off < end) {
		m->next[s] = off;
		return got;
	}
	m->ci[c].stream = false;
	cluster_place(m, c);
	m->next[s] = STREAM_NONE;
	return got;
}

/*
 * The last free slots sit in clusters other streams fill: take them
 * there (the streams skip slots in use).  Context: lock held.
 */
static unsigned int take_from_streams(struct swap_map *m, unsigned int nr,
				      unsigned long *offsets)
{
	unsigned int got = 0;

	for (uint32_t c = 0; c < m->nr_clusters && got < nr; c++) {
		unsigned long off = (unsigned long)c * SWAPFILE_CLUSTER;

		if (!m->ci[c].stream || m->ci[c].count == SWAPFILE_CLUSTER)
			continue;
		for (; off < (c + 1UL) * SWAPFILE_CLUSTER && got < nr; off++) {
			if (m->map[off])
				continue;
			slot_take(m, off);
			offsets[got++] = off;
		}
	}
	return got;
}

int swap_alloc(struct swap_map *m, unsigned int stream, unsigned int nr,
	       unsigned long *offsets)
{
	unsigned int got = 0;

	if (stream >= m->nr_streams || !nr || nr > INT_MAX)
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	while (got < nr && m->nr_free) {
		if (m->next[stream] == STREAM_NONE && !stream_take(m, stream)) {
			got += take_from_streams(m, nr - got, offsets + got);
			break;
		}
		got += stream_fill(m, stream, nr - got, offsets + got);
	}
	pthread_mutex_unlock(&m->lock);
	return got ? (int)got : -ENOSPC;
}

/* Nothing references the slot any more: free.  Context: lock held. */
static void slot_free(struct swap_map *m, unsigned long off)
{
	uint32_t c = off / SWAPFILE_CLUSTER;

	m->map[off] = 0;
	m->nr_free++;
	m->ci[c].count--;
	cluster_place(m, c);
}

static unsigned int slot_count(unsigned char v)
{
	return v & ~SWAP_HAS_CACHE;
}

/* Referenced, not bad: a slot these operations apply to. */
static bool slot_in_use(unsigned char v)
{
	return slot_count(v) && slot_count(v) != SWAP_MAP_BAD;
}

/* Run op on a slot of the file under the lock; -EINVAL for any other. */
static int slot_op(struct swap_map *m, unsigned long off,
		   int (*op)(struct swap_map *m, unsigned long off))
{
	int ret;

	if (!off || off >= m->nr_slots)
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	ret = op(m, off);
	pthread_mutex_unlock(&m->lock);
	return ret;
}

/* The operations, each with the lock held (slot_op()). */
static int __swap_duplicate(struct swap_map *m, unsigned long off)
{
	if (!slot_in_use(m->map[off]))
		return -ENOENT;
	if (slot_count(m->map[off]) == SWAP_MAP_MAX)
		return -EOVERFLOW;
	m->map[off]++;
	return 0;
}

static int __swap_free(struct swap_map *m, unsigned long off)
{
	unsigned int n = slot_count(m->map[off]);

	if (!slot_in_use(m->map[off]))
		return -ENOENT;
	if (m->map[off] == 1)
		slot_free(m, off);
	else
		m->map[off]--;
	return n - 1;
}

static int __swapcache_prepare(struct swap_map *m, unsigned long off)
{
	/* I/O in flight on a slot nothing references is still I/O. */
	if (m->map[off] & SWAP_HAS_CACHE)
		return -EEXIST;
	if (!slot_in_use(m->map[off]))
		return -ENOENT;
	m->map[off] |= SWAP_HAS_CACHE;
	return 0;
}

static int __swapcache_clear(struct swap_map *m, unsigned long off)
{
	if (!(m->map[off] & SWAP_HAS_CACHE))
		return -ENOENT;
	if (m->map[off] == SWAP_HAS_CACHE)
		slot_free(m, off);
	else
		m->map[off] &= ~SWAP_HAS_CACHE;
	return 0;
}

static int __swap_mark_bad(struct swap_map *m, unsigned long off)
{
	if (!slot_in_use(m->map[off]))
		return -ENOENT;
	if (m->map[off] != 1)
		return -EBUSY;
	/* Still counted in its cluster: it never frees. */
	m->map[off] = SWAP_MAP_BAD;
	m->nr_bad++;
	return 0;
}

static int __swap_count(struct swap_map *m, unsigned long off)
{
	return slot_count(m->map[off]);
}

int swap_duplicate(struct swap_map *m, unsigned long off)
{
	return slot_op(m, off, __swap_duplicate);
}

int swap_free(struct swap_map *m, unsigned long off)
{
	return slot_op(m, off, __swap_free);
}

int swapcache_prepare(struct swap_map *m, unsigned long off)
{
	return slot_op(m, off, __swapcache_prepare);
}

int swapcache_clear(struct swap_map *m, unsigned long off)
{
	return slot_op(m, off, __swapcache_clear);
}

int swap_mark_bad(struct swap_map *m, unsigned long off)
{
	return slot_op(m, off, __swap_mark_bad);
}

int swap_count(struct swap_map *m, unsigned long off)
{
	return slot_op(m, off, __swap_count);
}

void swap_map_set_discard(struct swap_map *m)
{
	pthread_mutex_lock(&m->lock);
	m->discard = true;
	pthread_mutex_unlock(&m->lock);
}

long swap_discard_take(struct swap_map *m)
{
	uint32_t c;

	pthread_mutex_lock(&m->lock);
	c = m->lists[LIST_DISCARD].head;
	if (c != CLUSTER_NONE) {
		list_del(m, c);
		m->ci[c].discarding = true;
	}
	pthread_mutex_unlock(&m->lock);
	return c == CLUSTER_NONE ? -1 : (long)c;
}

void swap_discard_done(struct swap_map *m, unsigned long cluster)
{
	pthread_mutex_lock(&m->lock);
	if (cluster < m->nr_clusters && m->ci[cluster].discarding) {
		m->ci[cluster].discarding = false;
		list_add_tail(m, LIST_FREE, cluster);
	}
	pthread_mutex_unlock(&m->lock);
}

void swap_map_get_stats(struct swap_map *m, struct swap_map_stats *st)
{
	pthread_mutex_lock(&m->lock);
	st->total = m->nr_slots - 1 - m->nr_bad;
	st->free = m->nr_free;
	st->bad = m->nr_bad;
	st->free_clusters = m->lists[LIST_FREE].nr;
	st->nonfull_clusters = m->lists[LIST_NONFULL].nr;
	st->discard_clusters = m->lists[LIST_DISCARD].nr;
	pthread_mutex_unlock(&m->lock);
}

static int validate_lists(struct swap_map *m, char *err, size_t errlen)
{
	for (unsigned int id = LIST_FREE; id < NR_LISTS; id++) {
		const struct cluster_list *l = &m->lists[id];
		uint32_t prev = CLUSTER_NONE;
		unsigned long n = 0;

		for (uint32_t c = l->head; c != CLUSTER_NONE;
		     c = m->ci[c].next) {
			if (c >= m->nr_clusters || m->ci[c].list != id ||
			    m->ci[c].prev != prev || ++n > m->nr_clusters)
				return errf(
					err, errlen, -EUCLEAN,
					"list %u: cluster %u is linked wrong",
					id, c);
			prev = c;
		}
		if (l->tail != prev || l->nr != n)
			return errf(err, errlen, -EUCLEAN,
				    "list %u: %lu clusters, counted %lu", id, n,
				    l->nr);
	}
	return 0;
}

static int validate_clusters(struct swap_map *m, char *err, size_t errlen)
{
	unsigned long free = 0, bad = 0, streams = 0;

	for (uint32_t c = 0; c < m->nr_clusters; c++) {
		const struct swap_cluster_info *ci = &m->ci[c];
		uint32_t used = 0;
		unsigned int want;

		for (unsigned long off = (unsigned long)c * SWAPFILE_CLUSTER;
		     off < (c + 1UL) * SWAPFILE_CLUSTER; off++) {
			if (slot_reserved(m, off) &&
			    m->map[off] != SWAP_MAP_BAD)
				return errf(
					err, errlen, -EUCLEAN,
					"slot %lu is not the file's, holds 0x%x",
					off, m->map[off]);
			if (m->map[off])
				used++;
			else
				free++;
			if (m->map[off] == SWAP_MAP_BAD &&
			    !slot_reserved(m, off))
				bad++;
		}
		want = ci->stream || ci->discarding ? LIST_NONE :
		       !used			    ? LIST_FREE :
		       used == SWAPFILE_CLUSTER	    ? LIST_NONE :
						      LIST_NONFULL;
		/* Emptied since the map was made: waiting for a discard. */
		if (want == LIST_FREE && m->discard && ci->list == LIST_DISCARD)
			want = LIST_DISCARD;
		if (used != ci->count || ci->list != want ||
		    (ci->discarding && (used || ci->stream)))
			return errf(
				err, errlen, -EUCLEAN,
				"cluster %u: %u slots in use, counted %u, on list %u",
				c, used, ci->count, ci->list);
		streams += ci->stream;
	}
	for (unsigned int s = 0; s < m->nr_streams; s++)
		if (m->next[s] != STREAM_NONE)
			streams--;
	if (free != m->nr_free || bad != m->nr_bad || streams)
		return errf(
			err, errlen, -EUCLEAN,
			"%lu free and %lu bad slots, counted %lu and %lu; %lu clusters a stream's that none fills",
			free, bad, m->nr_free, m->nr_bad, streams);
	return 0;
}

int swap_map_validate(struct swap_map *m, char *err, size_t errlen)
{
	int ret;

	pthread_mutex_lock(&m->lock);
	ret = validate_lists(m, err, errlen);
	if (!ret)
		ret = validate_clusters(m, err, errlen);
	pthread_mutex_unlock(&m->lock);
	return ret;
}
