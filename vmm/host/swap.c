// SPDX-License-Identifier: GPL-2.0
/* The host's cold tier and its reclaimer (swap.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swap/swapfile.h"
#include "util/errf.h"
#include "swap/tier.h"
#include "vmm/guest_mem/guest_mem.h"
#include "vmm/host/internal.h"
#include "vmm/host/swap.h"

/* Pages asked of one guest at a time: one lock hold of its memory. */
#define SWAP_BATCH 256
/* The store's default share of the pool, as zswap's max_pool_percent. */
#define SWAP_STORE_DEFAULT_PCT 20

/* The swap file, when asked for: one write stream per pool node. */
static int open_swap_file(struct vmm_host *h, char *err, size_t errlen)
{
	struct swap_file_config fc = {
		.path = h->cfg.swap_file_path,
		.size = h->cfg.swap_file_bytes ? h->cfg.swap_file_bytes :
						 1ULL << 30,
		.nr_streams = h->pool->nr_nodes,
	};

	if (!fc.path)
		return 0;
	return swap_file_open(&fc, &h->swap_file, err, errlen);
}

int host_swap_start(struct vmm_host *h, char *err, size_t errlen)
{
	struct swap_tier_config tc = {
		.mm = h->pool,
		.max_bytes = h->cfg.swap_store_set ?
				     h->cfg.swap_store_bytes :
				     h->cfg.pool_bytes *
					     SWAP_STORE_DEFAULT_PCT / 100,
		.compressor = h->cfg.swap_compressor,
		.level = 1, /* zswap's usual zstd level */
	};
	int ret;

	if (!tc.max_bytes) {
		if (h->cfg.swap_file_path)
			return errf(
				err, errlen, -EINVAL,
				"--swap-file needs the compressed store in front of it (--swap-store is 0)");
		return 0;
	}
	ret = open_swap_file(h, err, errlen);
	if (ret)
		return ret;
	tc.file = h->swap_file;
	ret = swap_tier_create(&tc, &h->tier);
	if (ret) {
		errf(err, errlen, ret, "the cold tier: %s", strerror(-ret));
		if (h->swap_file)
			swap_file_close(h->swap_file);
		h->swap_file = NULL;
	}
	return ret;
}

void host_swap_stop(struct vmm_host *h)
{
	swap_tier_destroy(h->tier);
	h->tier = NULL;
	if (h->swap_file)
		swap_file_close(h->swap_file);
	h->swap_file = NULL;
}

/* The tier's I/O trouble, said once while it lasts. */
static void report_error(struct vmm_host *h)
{
	char msg[256];
	int err = swap_tier_error(h->tier, msg, sizeof(msg));

	/* kswapds of several nodes may get here at once. */
	if (!err || __atomic_exchange_n(&h->swap_error_said, err,
					__ATOMIC_RELAXED) == err)
		return;
	fprintf(h->warn_log, "vmm: swap file %s: %s\n", h->cfg.swap_file_path,
		msg);
	fflush(h->warn_log);
}

struct swap_victim {
	unsigned int slot;
	unsigned long on; /* its frames on the node */
	uint64_t recent; /* faults since the last look: how busy it is */
	bool current; /* the guest whose fault is reclaiming */
};

/*
 * Quietest first: a guest that faulted least since reclaim last looked
 * holds the coldest memory (an LRU at the grain of guests: the pages of
 * one that is busy would come back at once), the one whose fault is
 * reclaiming last, and among equals the one holding most.
 */
static int cmp_victim(const void *a, const void *b)
{
	const struct swap_victim *x = a, *y = b;

	if (x->current != y->current)
		return x->current ? 1 : -1;
	if (x->recent != y->recent)
		return x->recent < y->recent ? -1 : 1;
	return x->on < y->on ? 1 : x->on > y->on ? -1 : 0;
}

/* The guests with frames on nid and room in the tier, in the order
 * they give (cmp_victim()); what they hold there in *total.  look: this
 * is reclaim looking (a scan), from which "recent" counts; a count only
 * peeks. */
static unsigned int victims(struct vmm_host *h, int nid, struct swap_victim *v,
			    unsigned long *total, bool look)
{
	unsigned int n = 0, self = mm_current_vm();

	*total = 0;
	pthread_mutex_lock(&h->lock);
	for (unsigned int slot = 1; slot <= VMM_MAX_GUESTS; slot++) {
		struct vm *vm = h->vm[slot];
		struct guest_mem *mem = vm ? vm->mem : NULL;
		unsigned long on = 0;
		uint64_t faults, seen;

		if (!mem || !mem->swap_map || READ_ONCE(mem->dead) ||
		    __atomic_load_n(&mem->stats.swapped, __ATOMIC_RELAXED) >=
			    mem->cfg.swap_max)
			continue;
		for (unsigned int k = 0; k < MAX_NUMNODES; k++)
			if (nid < 0 || (int)k == nid)
				on += READ_ONCE(mem->pages_node[k]);
		if (!on)
			continue;
		faults = __atomic_load_n(&mem->stats.faults, __ATOMIC_RELAXED);
		seen = look ? __atomic_exchange_n(&h->swap_faults_seen[slot],
						  faults, __ATOMIC_RELAXED) :
			      __atomic_load_n(&h->swap_faults_seen[slot],
					      __ATOMIC_RELAXED);
		v[n++] = (struct swap_victim){
			.slot = slot,
			.on = on,
			/* A new guest in the slot starts from 0. */
			.recent = faults >= seen ? faults - seen : faults,
			.current = self && vm->id == self,
		};
		*total += on;
	}
	pthread_mutex_unlock(&h->lock);
	qsort(v, n, sizeof(*v), cmp_victim);
	return n;
}

/* Up to want pages of one guest's on nid into the tier; reap_lock held.
 * The frames freed; *full: the tier took no more. */
static unsigned long swap_guest(struct guest_mem *mem, int nid,
				unsigned long want, bool *full)
{
	uint64_t gpa[SWAP_BATCH];
	unsigned long got = 0;

	while (got < want) {
		unsigned int n = guest_mem_swap_candidates(
			mem, nid, gpa,
			want - got < SWAP_BATCH ? want - got : SWAP_BATCH);
		long f;

		if (!n)
			break;
		f = guest_mem_swap_out(mem, gpa, n);
		if (f == -ENOSPC) {
			*full = true;
			break;
		}
		if (f <= 0)
			break;
		got += f;
	}
	return got;
}

unsigned long host_swap_reclaim(struct vmm_host *h, int nid, unsigned long nr)
{
	struct swap_victim v[VMM_MAX_GUESTS];
	unsigned long total, freed = 0;
	bool full = false;
	unsigned int n;

	if (!h->tier || !nr)
		return 0;
	n = victims(h, nid, v, &total, true);
	for (unsigned int i = 0; i < n && freed < nr && !full; i++) {
		struct guest_mem *mem;

		pthread_mutex_lock(&h->reap_lock);
		mem = __host_live_mem(h, v[i].slot);
		if (mem)
			freed += swap_guest(mem, nid, nr - freed, &full);
		pthread_mutex_unlock(&h->reap_lock);
	}
	if (h->swap_file)
		report_error(h);
	return freed;
}

int host_swap_get_stats(struct vmm_host *h, struct swap_tier_stats *st)
{
	if (!h->tier)
		return -ENOENT;
	swap_tier_get_stats(h->tier, st);
	return 0;
}

struct swap_tier *host_swap_tier(struct vmm_host *h)
{
	return h->tier;
}

/*
 * What the tier could take on nid: the pages of the guests that hold
 * frames there and may have more in the tier, as far as the stores (and
 * the file behind them) have room.
 */
static unsigned long swap_count(struct shrinker *s, int nid)
{
	struct vmm_host *h = s->priv;
	struct swap_victim v[VMM_MAX_GUESTS];
	unsigned long on, room = 0;

	for (unsigned int k = 0; k < h->pool->nr_nodes; k++)
		if (nid < 0 || (int)k == nid)
			room += swap_tier_room(h->tier, k);
	if (!room)
		return 0;
	victims(h, nid, v, &on, false);
	return on < room ? on : room;
}

static unsigned long swap_scan(struct shrinker *s, struct shrink_control *sc)
{
	unsigned long got =
		host_swap_reclaim(s->priv, sc->nid, sc->nr_to_reclaim);

	/* Pages it took are the pages it looked at that could go: the
	 * candidates refused stay, and are not counted as scanned. */
	sc->nr_scanned = got;
	return got;
}

int host_swap_register(struct vmm_host *h)
{
	if (!h->tier)
		return 0;
	h->swap_shrinker = (struct shrinker){
		.name = "swap",
		.count_objects = swap_count,
		.scan_objects = swap_scan,
		/* After the balloons: a swapped page costs its guest a
		 * fault later, a ballooned one nothing. */
		.seeks = 2,
		.priv = h,
	};
	return register_shrinker(&h->vmscan, &h->swap_shrinker);
}

void host_swap_unregister(struct vmm_host *h)
{
	if (h->tier)
		unregister_shrinker(&h->vmscan, &h->swap_shrinker);
}
