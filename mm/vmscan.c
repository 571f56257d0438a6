// SPDX-License-Identifier: GPL-2.0
/* kswapd and direct reclaim over registered shrinkers (see vmscan.h). */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "mm/compaction.h"
#include "mm/vmscan.h"
#include "util/wait.h"

void vmscan_default_tunables(struct vmscan_tunables *t)
{
	*t = (struct vmscan_tunables){
		.step_timeout_ms = 50,
		.direct_timeout_ms = 20,
		.deflate_interval_ms = 100,
		.deflate_margin_pct = 10,
		.deflate = true,
		.batch_pages = pageblock_nr_pages,
	};
}

static uint64_t now_ns(void)
{
	return trace_clock_ns();
}

/* Free pages, LOW and HIGH of a node (sums over its zones). */
static void node_marks(struct mm_pool *pool, int nid, long *free,
		       unsigned long *low, unsigned long *high)
{
	*free = *low = *high = 0;
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &pool->node_data[nid].node_zones[i];

		*free += zone_page_state_free(z);
		*low += low_wmark_pages(z);
		*high += high_wmark_pages(z);
	}
}

/* Balanced: some zone of the node is above HIGH (pgdat_balanced()). */
static bool node_balanced(struct mm_pool *pool, int nid)
{
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &pool->node_data[nid].node_zones[i];

		if (populated_zone(z) &&
		    zone_watermark_ok(z, 0, high_wmark_pages(z), i, 0))
			return true;
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* Registration                                                         */

int vmscan_init(struct vmscan *v)
{
	int ret;

	if (v->ready)
		return 0;
	memset(v, 0, sizeof(*v));
	pthread_mutex_init(&v->lock, NULL);
	pthread_mutex_init(&v->progress_lock, NULL);
	ret = cond_init_monotonic(&v->progress_wait);
	if (!ret) {
		ret = -pthread_cond_init(&v->unused, NULL);
		if (ret)
			pthread_cond_destroy(&v->progress_wait);
	}
	if (ret) {
		pthread_mutex_destroy(&v->lock);
		pthread_mutex_destroy(&v->progress_lock);
		return ret;
	}
	v->t.batch_pages = 1; /* until started: never 0 */
	v->ready = true;
	return 0;
}

int register_shrinker(struct vmscan *v, struct shrinker *s)
{
	unsigned int i;
	int ret = 0;

	if (!s->count_objects || !s->scan_objects)
		return -EINVAL;
	/* Before start, on zeroed memory: ready it (one thread). */
	ret = vmscan_init(v);
	if (ret)
		return ret;
	pthread_mutex_lock(&v->lock);
	if (s->vmscan) {
		ret = -EINVAL;
	} else if (v->nr_shrinkers == VMSCAN_MAX_SHRINKERS) {
		ret = -ENOSPC;
	} else {
		/* By seeks; after those of equal seeks. */
		for (i = v->nr_shrinkers;
		     i && v->shrinkers[i - 1]->seeks > s->seeks; i--)
			v->shrinkers[i] = v->shrinkers[i - 1];
		v->shrinkers[i] = s;
		v->nr_shrinkers++;
		s->vmscan = v;
		s->users = 0;
	}
	pthread_mutex_unlock(&v->lock);
	return ret;
}

void unregister_shrinker(struct vmscan *v, struct shrinker *s)
{
	unsigned int i;

	pthread_mutex_lock(&v->lock);
	for (i = 0; i < v->nr_shrinkers && v->shrinkers[i] != s; i++)
		;
	if (i < v->nr_shrinkers) {
		memmove(&v->shrinkers[i], &v->shrinkers[i + 1],
			(v->nr_shrinkers - i - 1) * sizeof(v->shrinkers[0]));
		v->nr_shrinkers--;
		/* No new round finds it; the ones asking it end. */
		while (s->users)
			pthread_cond_wait(&v->unused, &v->lock);
		s->vmscan = NULL;
	}
	pthread_mutex_unlock(&v->lock);
}

/* The shrinkers, in the order to ask them, each held until put. */
static unsigned int shrinkers_get(struct vmscan *v, struct shrinker **s)
{
	unsigned int n;

	pthread_mutex_lock(&v->lock);
	n = v->nr_shrinkers;
	for (unsigned int i = 0; i < n; i++) {
		s[i] = v->shrinkers[i];
		s[i]->users++;
	}
	pthread_mutex_unlock(&v->lock);
	return n;
}

static void shrinkers_put(struct vmscan *v, struct shrinker **s, unsigned int n)
{
	bool wake = false;

	pthread_mutex_lock(&v->lock);
	for (unsigned int i = 0; i < n; i++)
		wake |= !--s[i]->users;
	if (wake)
		pthread_cond_broadcast(&v->unused);
	pthread_mutex_unlock(&v->lock);
}

/* ------------------------------------------------------------------ */
/* Progress, and the rounds waiting for it                           */

struct scan_round {
	enum reclaimer_id who;
	int nid;
	gfp_t gfp;
	unsigned long need;
	uint64_t start; /* progress(nid) when it began */
	struct timespec deadline;
	bool (*done)(struct vmscan *v, int nid);
	struct scan_round *next; /* on v->waiting, while it waits */
};

static uint64_t progress_read(struct vmscan *v, int nid)
{
	return __atomic_load_n(nid < 0 ? &v->progress_all : &v->progress[nid],
			       __ATOMIC_ACQUIRE);
}

static unsigned long round_got(struct vmscan *v, const struct scan_round *r)
{
	return progress_read(v, r->nid) - r->start;
}

static bool round_over(struct vmscan *v, const struct scan_round *r)
{
	return round_got(v, r) >= r->need || (r->done && r->done(v, r->nid)) ||
	       READ_ONCE(v->stop);
}

void vmscan_progress(struct vmscan *v, int nid, unsigned long nr)
{
	if (!nr)
		return;
	if (nid >= 0 && nid < MAX_NUMNODES)
		__atomic_add_fetch(&v->progress[nid], nr, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&v->progress_all, nr, __ATOMIC_SEQ_CST);
	/*
	 * A waiter counts itself before it looks at the progress (both
	 * sequentially consistent): either it sees ours, or we see it and
	 * wake it under the lock it waits with.  Only when its round is
	 * over: a guest gives its pages back a run at a time, and waking
	 * kswapd for each run would take the CPU from the guest giving.
	 */
	if (!__atomic_load_n(&v->waiters, __ATOMIC_SEQ_CST))
		return;
	pthread_mutex_lock(&v->progress_lock);
	for (struct scan_round *r = v->waiting; r; r = r->next) {
		if (round_over(v, r)) {
			pthread_cond_broadcast(&v->progress_wait);
			break;
		}
	}
	pthread_mutex_unlock(&v->progress_lock);
}

/* ------------------------------------------------------------------ */
/* A round                                                              */

/*
 * Ask s for nr pages: what it took on (a synchronous one: the pages it
 * freed; an asynchronous one: the pages it asked for, to come).
 */
static unsigned long ask(struct vmscan *v, struct shrinker *s,
			 const struct scan_round *r, unsigned long nr)
{
	struct shrink_control sc = {
		.nid = r->nid,
		.nr_to_reclaim = nr,
		.who = r->who,
		.gfp = r->gfp,
	};
	unsigned long freed = s->scan_objects(s, &sc);

	if (sc.nr_scanned)
		count_vm_events(v->pool, reclaimer_vm_event(PGSCAN, r->who),
				sc.nr_scanned);
	if (s->async)
		return sc.nr_scanned;
	if (freed) {
		count_vm_events(v->pool, reclaimer_vm_event(PGSTEAL, r->who),
				freed);
		vmscan_progress(v, r->nid, freed);
	}
	return freed;
}

/* Until the round has its pages, is done, or times out: no polling. */
static void wait_progress(struct vmscan *v, struct scan_round *r)
{
	struct scan_round **p;

	__atomic_add_fetch(&v->waiters, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_lock(&v->progress_lock);
	r->next = v->waiting;
	v->waiting = r;
	while (!round_over(v, r))
		if (pthread_cond_timedwait(&v->progress_wait, &v->progress_lock,
					   &r->deadline) == ETIMEDOUT)
			break;
	for (p = &v->waiting; *p != r; p = &(*p)->next)
		;
	*p = r->next;
	pthread_mutex_unlock(&v->progress_lock);
	__atomic_sub_fetch(&v->waiters, 1, __ATOMIC_SEQ_CST);
}

/*
 * One round for r->need pages on r->nid (-1: any node).  Returns frames
 * reclaimed meanwhile (by anyone: a measure of progress, not who's
 * pgsteal).
 */
static unsigned long shrink_node(struct vmscan *v, struct scan_round *r,
				 unsigned int timeout_ms)
{
	struct shrinker *s[VMSCAN_MAX_SHRINKERS];
	unsigned long count[VMSCAN_MAX_SHRINKERS], share[VMSCAN_MAX_SHRINKERS];
	unsigned long rest = r->need, got;
	unsigned int n = shrinkers_get(v, s);
	bool wait = false;

	r->start = progress_read(v, r->nid);
	deadline_after_ms(&r->deadline, timeout_ms);
	for (unsigned int i = 0; i < n; i++)
		count[i] = s[i]->count_objects(s[i], r->nid);
	vmscan_split(rest, count, n, share);
	/* Cheapest first; what one does not take on goes to the next. */
	for (unsigned int i = 0; i < n && rest; i++) {
		unsigned long took;

		if (!share[i])
			continue;
		took = ask(v, s[i], r, share[i]);
		wait |= s[i]->async && took;
		rest -= took < rest ? took : rest;
		if (took < share[i])
			vmscan_split(rest, count + i + 1, n - i - 1,
				     share + i + 1);
	}
	if (wait) {
		wait_progress(v, r);
		/* What the wait did not bring: the synchronous ones. */
		if (!round_over(v, r)) {
			rest = r->need - round_got(v, r);
			for (unsigned int i = 0; i < n; i++)
				count[i] = s[i]->async ?
						   0 :
						   s[i]->count_objects(s[i],
								       r->nid);
			vmscan_split(rest, count, n, share);
			for (unsigned int i = 0; i < n; i++)
				if (share[i])
					ask(v, s[i], r, share[i]);
		}
	}
	got = round_got(v, r);
	shrinkers_put(v, s, n);
	return got;
}

/* ------------------------------------------------------------------ */
/* kswapd                                                               */

static bool kswapd_done(struct vmscan *v, int nid)
{
	return node_balanced(v->pool, nid);
}

/* Reclaim on the node until it is above HIGH, or nobody can give. */
static void balance_node(struct kswapd *k)
{
	struct vmscan *v = k->v;
	uint64_t t0 = now_ns(), total = 0;
	unsigned long low, high;
	long free;

	node_marks(v->pool, k->nid, &free, &low, &high);
	trace_event(&v->pool->trace, TR_KSWAPD_WAKE, k->nid, free, low, high);
	count_vm_event(v->pool, PAGEOUTRUN);
	while (!READ_ONCE(v->stop) && !node_balanced(v->pool, k->nid)) {
		struct scan_round r = { .who = RECLAIM_KSWAPD,
					.nid = k->nid,
					.done = kswapd_done };
		unsigned long got;

		node_marks(v->pool, k->nid, &free, &low, &high);
		/* Past HIGH by a batch, so we do not wake again at once. */
		r.need = (free < (long)high ? high - free : 0) +
			 v->t.batch_pages;
		got = shrink_node(v, &r, v->t.step_timeout_ms);
		total += got;
		if (!got) {
			k->failures++;
			break;
		}
		k->failures = 0;
	}
	node_marks(v->pool, k->nid, &free, &low, &high);
	trace_event(&v->pool->trace, TR_KSWAPD_SLEEP, k->nid, free, total,
		    now_ns() - t0);
}

/* Plenty free: tell the shrinkers that can give some back. */
static void relax_node(struct kswapd *k)
{
	struct vmscan *v = k->v;
	struct shrinker *s[VMSCAN_MAX_SHRINKERS];
	unsigned long low, high, margin;
	unsigned int n;
	long free;

	node_marks(v->pool, k->nid, &free, &low, &high);
	margin = v->pool->node_data[k->nid].node_spanned_pages *
		 v->t.deflate_margin_pct / 100;
	if (free <= (long)(high + margin))
		return;
	n = shrinkers_get(v, s);
	for (unsigned int i = 0; i < n; i++)
		if (s[i]->relax)
			s[i]->relax(s[i], k->nid, free - high - margin);
	shrinkers_put(v, s, n);
}

/*
 * kswapd_try_to_sleep()'s accounting: after a balance, a short nap; woken
 * within it, the allocators hit LOW quickly; the node below HIGH when it
 * ends (or at once: the balance could not make it), HIGH was hit
 * quickly.  Unlike Linux's kswapd, ours then sleeps until woken.
 */
#define KSWAPD_NAP_NS 100000000ULL /* HZ/10 */

static void kswapd_nap_begin(struct kswapd *k)
{
	if (node_balanced(k->v->pool, k->nid))
		k->nap_end_ns = now_ns() + KSWAPD_NAP_NS;
	else
		count_vm_event(k->v->pool, KSWAPD_HIGH_WMARK_HIT_QUICKLY);
}

static void kswapd_nap_end(struct kswapd *k, bool woken)
{
	uint64_t now = now_ns();

	if (!k->nap_end_ns || (!woken && now < k->nap_end_ns))
		return;
	if (woken && now < k->nap_end_ns)
		count_vm_event(k->v->pool, KSWAPD_LOW_WMARK_HIT_QUICKLY);
	else if (!node_balanced(k->v->pool, k->nid))
		count_vm_event(k->v->pool, KSWAPD_HIGH_WMARK_HIT_QUICKLY);
	k->nap_end_ns = 0;
}

/* How long kswapd waits: until the nap ends, or the next relax. */
static unsigned int kswapd_wait_ms(struct kswapd *k)
{
	unsigned int ms = k->v->t.deflate_interval_ms;
	uint64_t now = now_ns();

	if (k->nap_end_ns && k->nap_end_ns > now &&
	    (k->nap_end_ns - now) / 1000000 + 1 < ms)
		ms = (k->nap_end_ns - now) / 1000000 + 1;
	return ms;
}

static void *kswapd_thread(void *arg)
{
	struct kswapd *k = arg;
	struct vmscan *v = k->v;

	/* kswapd's own allocations may use the reserves (PF_MEMALLOC). */
	memalloc_noreclaim_save();
	for (;;) {
		struct timespec ts;
		bool woken;

		pthread_mutex_lock(&k->lock);
		deadline_after_ms(&ts, kswapd_wait_ms(k));
		while (!k->woken && !READ_ONCE(v->stop))
			if (pthread_cond_timedwait(&k->wait, &k->lock, &ts) ==
			    ETIMEDOUT)
				break;
		woken = k->woken;
		k->woken = false;
		pthread_mutex_unlock(&k->lock);
		if (READ_ONCE(v->stop))
			break;
		kswapd_nap_end(k, woken);
		if (woken) {
			k->wakeups++;
			balance_node(k);
			/* Order-0 balance is kswapd's; a high order the
			 * allocators wanted is kcompactd's (a no-op unless
			 * it runs), as in kswapd_try_to_sleep(). */
			if (node_balanced(v->pool, k->nid))
				kswapd_balanced(v->pool, k->nid);
			kswapd_nap_begin(k);
		} else if (v->t.deflate) {
			relax_node(k);
		}
	}
	return NULL;
}

/* Wake a kswapd that v->stop tells to end, wait for it, tidy up. */
static void kswapd_stop(struct kswapd *k)
{
	pthread_mutex_lock(&k->lock);
	pthread_cond_signal(&k->wait);
	pthread_mutex_unlock(&k->lock);
	pthread_join(k->thread, NULL);
	pthread_mutex_destroy(&k->lock);
	pthread_cond_destroy(&k->wait);
}

static void stop_all(struct vmscan *v, unsigned int nr)
{
	WRITE_ONCE(v->stop, true);
	/* Rounds waiting for progress end too. */
	pthread_mutex_lock(&v->progress_lock);
	pthread_cond_broadcast(&v->progress_wait);
	pthread_mutex_unlock(&v->progress_lock);
	for (unsigned int nid = 0; nid < nr; nid++)
		kswapd_stop(&v->kswapd[nid]);
}

int vmscan_start(struct vmscan *v, struct mm_pool *pool,
		 const struct vmscan_tunables *t)
{
	int ret = 0;

	/* Registered shrinkers stay; an engine nobody readied is. */
	if (!v->ready) {
		ret = vmscan_init(v);
		if (ret)
			return ret;
	}
	v->pool = pool;
	v->t = *t;
	if (!v->t.batch_pages)
		v->t.batch_pages = 1;
	v->stop = false;
	memset(v->kswapd, 0, sizeof(v->kswapd));
	for (unsigned int nid = 0; nid < pool->nr_nodes; nid++) {
		struct kswapd *k = &v->kswapd[nid];

		k->v = v;
		k->nid = nid;
		pthread_mutex_init(&k->lock, NULL);
		ret = cond_init_monotonic(&k->wait);
		if (!ret) {
			ret = -pthread_create(&k->thread, NULL, kswapd_thread,
					      k);
			if (ret)
				pthread_cond_destroy(&k->wait);
		}
		if (ret) {
			pthread_mutex_destroy(&k->lock);
			stop_all(v, nid);
			return ret;
		}
	}
	WRITE_ONCE(v->running, true);
	return 0;
}

void vmscan_stop(struct vmscan *v)
{
	if (!v->running)
		return;
	WRITE_ONCE(v->running, false);
	stop_all(v, v->pool->nr_nodes);
}

/* ------------------------------------------------------------------ */
/* The allocator's ops                                                  */

void vmscan_wake_kswapd(void *priv, int nid, unsigned int order,
			enum zone_type highest_zoneidx)
{
	struct vmscan *v = priv;
	struct kswapd *k = &v->kswapd[nid];

	(void)order, (void)highest_zoneidx;
	if (!READ_ONCE(v->running))
		return;
	pthread_mutex_lock(&k->lock);
	k->woken = true;
	pthread_cond_signal(&k->wait);
	pthread_mutex_unlock(&k->lock);
}

/*
 * Enough once the preferred node is balanced, as kswapd wants it (a zone
 * above HIGH); a round over any node (-1) waits for its frames or its
 * time-out.
 */
static bool direct_done(struct vmscan *v, int nid)
{
	return node_balanced(v->pool, nid);
}

unsigned long vmscan_direct_reclaim(void *priv, gfp_t gfp, unsigned int order,
				    const struct alloc_context *ac)
{
	struct vmscan *v = priv;
	/* SWAP_CLUSTER_MAX-like: what the allocation needs, but at least
	 * a batch so that the round trip pays. */
	struct scan_round r = {
		.who = RECLAIM_DIRECT,
		.nid = ac->preferred_zoneref->zone ?
			       ac->preferred_zoneref->zone->node :
			       -1,
		.gfp = gfp,
		.need = (1UL << order) > v->t.batch_pages ? 1UL << order :
							    v->t.batch_pages,
	};
	unsigned long got;

	r.done = r.nid < 0 ? NULL : direct_done;
	got = shrink_node(v, &r, v->t.direct_timeout_ms);
	/* Nothing on the preferred node: any node the request may use. */
	if (!got && !(gfp & __GFP_THISNODE) && !ac->nodemask) {
		r.nid = -1;
		r.done = NULL;
		got = shrink_node(v, &r, v->t.direct_timeout_ms);
	}
	return got;
}

unsigned long vmscan_zone_reclaimable_pages(void *priv, struct zone *zone)
{
	struct vmscan *v = priv;
	struct shrinker *s[VMSCAN_MAX_SHRINKERS];
	unsigned int n = shrinkers_get(v, s);
	unsigned long total = 0;

	for (unsigned int i = 0; i < n; i++)
		total += s[i]->count_objects(s[i], zone->node);
	shrinkers_put(v, s, n);
	return total;
}
