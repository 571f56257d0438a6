// SPDX-License-Identifier: GPL-2.0
/*
 * Per-thread page caches for order-0 frames: Linux's per-cpu pagesets
 * (struct per_cpu_pages) with threads in place of CPUs, since vCPU fault
 * handlers, kswapd and compaction are threads here.
 *
 * Each thread gets, per pool, one pcp_set: a cache per zone plus its vmstat
 * event counters.  The owner takes a cache's lock with one uncontended
 * atomic exchange; drain_all_pages() and mm_validate() take the same lock
 * from other threads, so the lock is almost never contended.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mm/internal.h"

struct per_cpu_pages {
	int lock;
	int count; /* frames on all lists */
	int high; /* drain batch frames above this */
	int batch; /* refill and drain in chunks of this many */
	pfn_t lists[MIGRATE_PCPTYPES]; /* singly linked through lru.next */
};

struct pcp_set {
	struct per_cpu_pages pcp[MAX_ZONES_TOTAL];
	unsigned long events[NR_VM_EVENT_ITEMS];
	struct mm_pool *pool;
	struct pcp_set *next;
	pid_t tid;
};

static uint64_t pool_generations;
static __thread struct pcp_set *tls_set;
static __thread uint64_t tls_gen;

static inline void pcp_lock(struct per_cpu_pages *pcp)
{
	while (__atomic_exchange_n(&pcp->lock, 1, __ATOMIC_ACQUIRE))
		sched_yield();
}

static inline void pcp_unlock(struct per_cpu_pages *pcp)
{
	__atomic_store_n(&pcp->lock, 0, __ATOMIC_RELEASE);
}

/* Return up to count frames of pcp to the buddy lists; pcp lock held. */
static void pcp_free_batch(struct mm_pool *pool, struct zone *zone,
			   struct per_cpu_pages *pcp, int count)
{
	for (int mt = 0; mt < MIGRATE_PCPTYPES && count > 0; mt++) {
		pfn_t head = pcp->lists[mt], tail = head;
		int n = 1;

		if (head == PFN_NONE)
			continue;
		while (n < count && pool->frames[tail].lru.next != PFN_NONE) {
			tail = pool->frames[tail].lru.next;
			n++;
		}
		pcp->lists[mt] = pool->frames[tail].lru.next;
		WRITE_ONCE(pool->frames[tail].lru.next, PFN_NONE);
		free_pcppages_bulk(pool, zone, head, n);
		/* zoneinfo reads count without the pcp lock. */
		WRITE_ONCE(pcp->count, pcp->count - n);
		count -= n;
	}
}

static void pcp_set_drain(struct mm_pool *pool, struct pcp_set *set)
{
	for (unsigned int z = 0; z < pool->nr_zones; z++) {
		struct per_cpu_pages *pcp = &set->pcp[z];

		pcp_lock(pcp);
		if (pcp->count) {
			pcp_free_batch(pool, pool->zones[z], pcp, pcp->count);
			/* Maybe another thread's set: count globally. */
			__atomic_add_fetch(&pool->dead_events[PCP_DRAIN], 1,
					   __ATOMIC_RELAXED);
		}
		pcp_unlock(pcp);
	}
}

/* Thread exit: give the frames back and keep the counts. */
static void pcp_set_release(void *arg)
{
	struct pcp_set *set = arg;
	struct mm_pool *pool = set->pool;
	struct pcp_set **pp;

	pcp_set_drain(pool, set);
	pthread_mutex_lock(&pool->pcp_list_lock);
	for (pp = &pool->pcp_list; *pp; pp = &(*pp)->next) {
		if (*pp == set) {
			*pp = set->next;
			break;
		}
	}
	for (int i = 0; i < NR_VM_EVENT_ITEMS; i++)
		__atomic_add_fetch(&pool->dead_events[i],
				   READ_ONCE(set->events[i]), __ATOMIC_RELAXED);
	pthread_mutex_unlock(&pool->pcp_list_lock);
	if (tls_set == set)
		tls_set = NULL, tls_gen = 0;
	free(set);
}

/* Linux's zone_batchsize(): about 1/4096 of the zone, at most 63. */
static int zone_batchsize(struct mm_pool *pool, struct zone *zone)
{
	unsigned long batch;

	if (pool->pcp_batch)
		return pool->pcp_batch;
	batch = zone->spanned_pages / 1024;
	if (batch * PAGE_SIZE > 1024 * 1024)
		batch = (1024 * 1024) / PAGE_SIZE;
	batch /= 4;
	if (batch < 1)
		batch = 1;
	/* Round down to 2^n - 1 as Linux does, to avoid cache aliasing. */
	batch = batch + batch / 2;
	while (batch & (batch - 1))
		batch &= batch - 1;
	return batch > 1 ? (int)batch - 1 : 1;
}

static struct pcp_set *pcp_set_create(struct mm_pool *pool)
{
	struct pcp_set *set = calloc(1, sizeof(*set));

	if (!set)
		return NULL;
	set->pool = pool;
	set->tid = (pid_t)syscall(SYS_gettid);
	for (unsigned int z = 0; z < pool->nr_zones; z++) {
		struct per_cpu_pages *pcp = &set->pcp[z];

		pcp->batch = zone_batchsize(pool, pool->zones[z]);
		pcp->high = pool->pcp_high ? (int)pool->pcp_high :
					     6 * pcp->batch;
		for (int mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			pcp->lists[mt] = PFN_NONE;
	}
	if (pthread_setspecific(pool->pcp_key, set)) {
		free(set);
		return NULL;
	}
	pthread_mutex_lock(&pool->pcp_list_lock);
	set->next = pool->pcp_list;
	pool->pcp_list = set;
	pthread_mutex_unlock(&pool->pcp_list_lock);
	return set;
}

/* This thread's set; create selects whether to make one. */
static inline struct pcp_set *this_pcp_set(struct mm_pool *pool, bool create)
{
	struct pcp_set *set;

	if (likely(tls_gen == pool->generation))
		return tls_set;
	set = pthread_getspecific(pool->pcp_key);
	if (!set && create)
		set = pcp_set_create(pool);
	if (set) {
		tls_set = set;
		tls_gen = pool->generation;
	}
	return set;
}

void pcp_pool_init(struct mm_pool *pool)
{
	pool->generation =
		__atomic_add_fetch(&pool_generations, 1, __ATOMIC_RELAXED);
	pthread_mutex_init(&pool->pcp_list_lock, NULL);
}

void pcp_pool_destroy(struct mm_pool *pool)
{
	struct pcp_set *set, *next;

	/* Destructors of this key no longer run: free every set here. */
	pthread_key_delete(pool->pcp_key);
	for (set = pool->pcp_list; set; set = next) {
		next = set->next;
		free(set);
	}
	pool->pcp_list = NULL;
	if (tls_gen == pool->generation)
		tls_set = NULL, tls_gen = 0;
	pthread_mutex_destroy(&pool->pcp_list_lock);
}

int pcp_key_create(struct mm_pool *pool)
{
	return -pthread_key_create(&pool->pcp_key, pcp_set_release);
}

pfn_t rmqueue_pcplist(struct mm_pool *pool, struct zone *zone, int migratetype,
		      unsigned int alloc_flags)
{
	struct pcp_set *set = this_pcp_set(pool, true);
	struct per_cpu_pages *pcp;
	pfn_t pfn;

	if (unlikely(!set))
		return PFN_NONE;
	pcp = &set->pcp[zone->zone_id];
	pcp_lock(pcp);
	pfn = pcp->lists[migratetype];
	if (pfn == PFN_NONE) {
		WRITE_ONCE(pcp->count,
			   pcp->count + rmqueue_bulk(pool, zone, pcp->batch,
						     migratetype, alloc_flags,
						     &pcp->lists[migratetype]));
		WRITE_ONCE(set->events[PCP_BULK_REFILL],
			   set->events[PCP_BULK_REFILL] + 1);
		pfn = pcp->lists[migratetype];
		if (pfn == PFN_NONE)
			goto out;
	}
	pcp->lists[migratetype] = pool->frames[pfn].lru.next;
	WRITE_ONCE(pcp->count, pcp->count - 1);
	/* In use before the lock goes (see rmqueue()). */
	set_frame_state(&pool->frames[pfn], FRAME_INUSE, 0);
out:
	pcp_unlock(pcp);
	return pfn;
}

void free_unref_page(struct mm_pool *pool, struct zone *zone, pfn_t pfn,
		     int migratetype)
{
	struct pcp_set *set = this_pcp_set(pool, true);
	struct per_cpu_pages *pcp;
	struct frame *f = &pool->frames[pfn];

	if (unlikely(!set || migratetype >= MIGRATE_PCPTYPES)) {
		/* Isolated blocks (or no memory for a set): straight back. */
		pthread_mutex_lock(&zone->lock);
		__free_one_page(pool, zone, pfn, 0, migratetype);
		pthread_mutex_unlock(&zone->lock);
		return;
	}
	pcp = &set->pcp[zone->zone_id];
	pcp_lock(pcp);
	set_frame_state(f, FRAME_PCP, 0);
	WRITE_ONCE(f->lru.next, pcp->lists[migratetype]);
	pcp->lists[migratetype] = pfn;
	WRITE_ONCE(pcp->count, pcp->count + 1);
	if (pcp->count >= pcp->high) {
		pcp_free_batch(pool, zone, pcp, pcp->batch);
		WRITE_ONCE(set->events[PCP_BULK_FREE],
			   set->events[PCP_BULK_FREE] + 1);
	}
	pcp_unlock(pcp);
}

void drain_local_pages(struct mm_pool *pool)
{
	struct pcp_set *set = this_pcp_set(pool, false);

	if (set)
		pcp_set_drain(pool, set);
}

void drain_all_pages(struct mm_pool *pool)
{
	pthread_mutex_lock(&pool->pcp_list_lock);
	for (struct pcp_set *set = pool->pcp_list; set; set = set->next)
		pcp_set_drain(pool, set);
	pthread_mutex_unlock(&pool->pcp_list_lock);
}

void pcp_lock_all(struct mm_pool *pool)
{
	pthread_mutex_lock(&pool->pcp_list_lock);
	for (struct pcp_set *set = pool->pcp_list; set; set = set->next)
		for (unsigned int z = 0; z < pool->nr_zones; z++)
			pcp_lock(&set->pcp[z]);
}

void pcp_unlock_all(struct mm_pool *pool)
{
	for (struct pcp_set *set = pool->pcp_list; set; set = set->next)
		for (unsigned int z = 0; z < pool->nr_zones; z++)
			pcp_unlock(&set->pcp[z]);
	pthread_mutex_unlock(&pool->pcp_list_lock);
}

/* With pcp_lock_all() held. */
unsigned long pcp_count_frames(struct mm_pool *pool, struct zone *zone)
{
	unsigned long n = 0;

	for (struct pcp_set *set = pool->pcp_list; set; set = set->next)
		n += set->pcp[zone->zone_id].count;
	return n;
}

void pcp_for_each_frame(struct mm_pool *pool, struct zone *zone,
			void (*fn)(pfn_t pfn, void *arg), void *arg)
{
	for (struct pcp_set *set = pool->pcp_list; set; set = set->next) {
		struct per_cpu_pages *pcp = &set->pcp[zone->zone_id];

		for (int mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			for (pfn_t p = pcp->lists[mt]; p != PFN_NONE;
			     p = pool->frames[p].lru.next)
				fn(p, arg);
	}
}

void pcp_zone_for_each(struct mm_pool *pool, struct zone *zone,
		       void (*fn)(int i, int count, int high, int batch,
				  void *arg),
		       void *arg)
{
	int i = 0;

	pthread_mutex_lock(&pool->pcp_list_lock);
	for (struct pcp_set *set = pool->pcp_list; set; set = set->next) {
		struct per_cpu_pages *pcp = &set->pcp[zone->zone_id];

		fn(i++, READ_ONCE(pcp->count), pcp->high, pcp->batch, arg);
	}
	pthread_mutex_unlock(&pool->pcp_list_lock);
}

void count_vm_events(struct mm_pool *pool, enum vm_event_item item,
		     unsigned long delta)
{
	/* Never create a set here: callers may hold a zone lock, and
	 * creating one takes pcp_list_lock (see the lock order). */
	struct pcp_set *set = this_pcp_set(pool, false);

	if (likely(set))
		WRITE_ONCE(set->events[item], set->events[item] + delta);
	else
		__atomic_add_fetch(&pool->dead_events[item], delta,
				   __ATOMIC_RELAXED);
}

void all_vm_events(struct mm_pool *pool, unsigned long *ret)
{
	pthread_mutex_lock(&pool->pcp_list_lock);
	for (int i = 0; i < NR_VM_EVENT_ITEMS; i++)
		ret[i] = __atomic_load_n(&pool->dead_events[i],
					 __ATOMIC_RELAXED);
	for (struct pcp_set *set = pool->pcp_list; set; set = set->next)
		for (int i = 0; i < NR_VM_EVENT_ITEMS; i++)
			ret[i] += READ_ONCE(set->events[i]);
	pthread_mutex_unlock(&pool->pcp_list_lock);
}

unsigned long vm_event_sum(struct mm_pool *pool, enum vm_event_item item)
{
	unsigned long ev[NR_VM_EVENT_ITEMS];

	all_vm_events(pool, ev);
	return ev[item];
}
