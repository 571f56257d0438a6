// SPDX-License-Identifier: GPL-2.0
/* kswapd and direct reclaim through balloons (see reclaim.h). */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "balloon/reclaim.h"
#include "balloon/trace.h"
#include "mm/compaction.h"
#include "util/wait.h"

void reclaim_default_tunables(struct reclaim_tunables *t)
{
	*t = (struct reclaim_tunables){
		.policy = {
			.floor_pages = (8 << 20) >> PAGE_SHIFT,
			.reserve_pages = (4 << 20) >> PAGE_SHIFT,
			.min_step = pageblock_nr_pages,
			.max_deflate_step = (64 << 20) >> PAGE_SHIFT,
		},
		.step_timeout_ms = 50,
		.guest_timeout_ms = 100, /* an idle polling guest answers in ~1 ms */
		.direct_timeout_ms = 20,
		.deflate_interval_ms = 100,
		.deflate_margin_pct = 10,
		.deflate = true,
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

/*
 * The guests, with their responsiveness: a guest whose balloon has not
 * moved since a request guest_timeout ago is left out for guest_timeout
 * (then tried again: it may have been busy).
 */
static unsigned int snapshot(struct reclaimer *r, int nid,
			     struct reclaim_guest *g)
{
	unsigned int n =
		r->ops.snapshot(r->ops.priv, nid, g, RECLAIM_MAX_GUESTS);
	uint64_t now = now_ns(), tmo = r->t.guest_timeout_ms * 1000000ULL;

	for (unsigned int i = 0; i < n; i++) {
		unsigned int id = g[i].id;
		unsigned long actual;

		if (id > RECLAIM_MAX_GUESTS)
			continue;
		actual = r->ops.actual(r->ops.priv, id);
		pthread_mutex_lock(&r->lock);
		if (r->req_ns[id] && actual != r->req_actual[id]) {
			r->req_ns[id] = 0; /* it follows */
		} else if (r->req_ns[id] && now - r->req_ns[id] > tmo) {
			r->unresponsive_until[id] = now + tmo;
			r->req_ns[id] = 0;
		}
		if (r->unresponsive_until[id] > now)
			g[i].responsive = false;
		pthread_mutex_unlock(&r->lock);
	}
	return n;
}

static void note_request(struct reclaimer *r, unsigned int id,
			 unsigned long actual)
{
	if (id > RECLAIM_MAX_GUESTS)
		return;
	pthread_mutex_lock(&r->lock);
	if (!r->req_ns[id]) {
		r->req_ns[id] = now_ns();
		r->req_actual[id] = actual;
	}
	pthread_mutex_unlock(&r->lock);
}

/*
 * Ask for need frames on node nid (-1: anywhere), for who, and wait up to
 * timeout_ms for them, or until done() says enough.  Returns frames
 * reclaimed meanwhile (by anyone: a measure of progress, not who's
 * pgsteal, which the balloons count as they pay, owed.h).
 */
static unsigned long reclaim_round(struct reclaimer *r, enum reclaimer_id who,
				   int nid, unsigned long need,
				   unsigned int timeout_ms,
				   bool (*done)(struct reclaimer *, int))
{
	struct reclaim_guest g[RECLAIM_MAX_GUESTS];
	unsigned long add[RECLAIM_MAX_GUESTS];
	uint64_t start = r->ops.reclaimed(r->ops.priv);
	uint64_t deadline = now_ns() + timeout_ms * 1000000ULL, got;
	unsigned int n = snapshot(r, nid, g);

	if (!reclaim_policy_inflate(&r->t.policy, need, g, n, add))
		return 0;
	for (unsigned int i = 0; i < n; i++) {
		unsigned long actual;

		if (!add[i])
			continue;
		actual = r->ops.actual(r->ops.priv, g[i].id);
		note_request(r, g[i].id, actual);
		r->ops.adjust(r->ops.priv, g[i].id, (long)add[i], who);
		count_vm_events(r->pool, reclaimer_vm_event(PGSCAN, who),
				add[i]);
		trace_event(&r->pool->trace, TR_BALLOON_REQ, g[i].vm,
			    g[i].balloon + add[i], actual, 0);
	}
	while (now_ns() < deadline) {
		got = r->ops.reclaimed(r->ops.priv) - start;
		if (got >= need || (done && done(r, nid)))
			break;
		usleep(200);
	}
	return r->ops.reclaimed(r->ops.priv) - start;
}

static bool kswapd_done(struct reclaimer *r, int nid)
{
	return node_balanced(r->pool, nid);
}

/* Inflate until the node is above HIGH, or nobody can give. */
static void balance_node(struct kswapd *k)
{
	struct reclaimer *r = k->r;
	uint64_t t0 = now_ns(), total = 0;
	unsigned long low, high;
	long free;

	node_marks(r->pool, k->nid, &free, &low, &high);
	trace_event(&r->pool->trace, TR_KSWAPD_WAKE, k->nid, free, low, high);
	count_vm_event(r->pool, PAGEOUTRUN);
	while (!READ_ONCE(r->stop) && !node_balanced(r->pool, k->nid)) {
		unsigned long got;

		node_marks(r->pool, k->nid, &free, &low, &high);
		/* Past HIGH by a step, so we do not wake again at once. */
		got = reclaim_round(r, RECLAIM_KSWAPD, k->nid,
				    high - free + r->t.policy.min_step,
				    r->t.step_timeout_ms, kswapd_done);
		total += got;
		if (!got) {
			k->failures++;
			break;
		}
		k->failures = 0;
	}
	node_marks(r->pool, k->nid, &free, &low, &high);
	trace_event(&r->pool->trace, TR_KSWAPD_SLEEP, k->nid, free, total,
		    now_ns() - t0);
}

/* Plenty free: give some back to the guests' balloons. */
static void deflate_node(struct kswapd *k)
{
	struct reclaimer *r = k->r;
	struct reclaim_guest g[RECLAIM_MAX_GUESTS];
	unsigned long sub[RECLAIM_MAX_GUESTS], low, high, margin;
	long free;
	unsigned int n;

	node_marks(r->pool, k->nid, &free, &low, &high);
	margin = r->pool->node_data[k->nid].node_spanned_pages *
		 r->t.deflate_margin_pct / 100;
	if (free <= (long)(high + margin))
		return;
	n = snapshot(r, k->nid, g);
	if (!reclaim_policy_deflate(&r->t.policy, free - high - margin, g, n,
				    sub))
		return;
	for (unsigned int i = 0; i < n; i++) {
		if (!sub[i])
			continue;
		r->ops.adjust(r->ops.priv, g[i].id, -(long)sub[i],
			      RECLAIM_KSWAPD);
		__atomic_add_fetch(&k->deflated, sub[i], __ATOMIC_RELAXED);
		trace_event(&r->pool->trace, TR_BALLOON_DEFLATE, g[i].id,
			    k->nid, sub[i], g[i].balloon - sub[i]);
	}
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
	if (node_balanced(k->r->pool, k->nid))
		k->nap_end_ns = now_ns() + KSWAPD_NAP_NS;
	else
		count_vm_event(k->r->pool, KSWAPD_HIGH_WMARK_HIT_QUICKLY);
}

static void kswapd_nap_end(struct kswapd *k, bool woken)
{
	uint64_t now = now_ns();

	if (!k->nap_end_ns || (!woken && now < k->nap_end_ns))
		return;
	if (woken && now < k->nap_end_ns)
		count_vm_event(k->r->pool, KSWAPD_LOW_WMARK_HIT_QUICKLY);
	else if (!node_balanced(k->r->pool, k->nid))
		count_vm_event(k->r->pool, KSWAPD_HIGH_WMARK_HIT_QUICKLY);
	k->nap_end_ns = 0;
}

/* How long kswapd waits: until the nap ends, or the next deflation. */
static unsigned int kswapd_wait_ms(struct kswapd *k)
{
	unsigned int ms = k->r->t.deflate_interval_ms;
	uint64_t now = now_ns();

	if (k->nap_end_ns && k->nap_end_ns > now &&
	    (k->nap_end_ns - now) / 1000000 + 1 < ms)
		ms = (k->nap_end_ns - now) / 1000000 + 1;
	return ms;
}

static void *kswapd_thread(void *arg)
{
	struct kswapd *k = arg;
	struct reclaimer *r = k->r;

	/* kswapd's own allocations may use the reserves (PF_MEMALLOC). */
	memalloc_noreclaim_save();
	for (;;) {
		struct timespec ts;
		bool woken;

		pthread_mutex_lock(&k->lock);
		deadline_after_ms(&ts, kswapd_wait_ms(k));
		while (!k->woken && !READ_ONCE(r->stop))
			if (pthread_cond_timedwait(&k->wait, &k->lock, &ts) ==
			    ETIMEDOUT)
				break;
		woken = k->woken;
		k->woken = false;
		pthread_mutex_unlock(&k->lock);
		if (READ_ONCE(r->stop))
			break;
		kswapd_nap_end(k, woken);
		if (woken) {
			k->wakeups++;
			balance_node(k);
			/* Order-0 balance is kswapd's; a high order the
			 * allocators wanted is kcompactd's (a no-op unless
			 * it runs), as in kswapd_try_to_sleep(). */
			if (node_balanced(r->pool, k->nid))
				kswapd_balanced(r->pool, k->nid);
			kswapd_nap_begin(k);
		} else if (r->t.deflate) {
			deflate_node(k);
		}
	}
	return NULL;
}

/* Wake a kswapd that r->stop tells to end, wait for it, tidy up. */
static void kswapd_stop(struct kswapd *k)
{
	pthread_mutex_lock(&k->lock);
	pthread_cond_signal(&k->wait);
	pthread_mutex_unlock(&k->lock);
	pthread_join(k->thread, NULL);
	pthread_mutex_destroy(&k->lock);
	pthread_cond_destroy(&k->wait);
}

int reclaimer_start(struct reclaimer *r, struct mm_pool *pool,
		    const struct reclaim_ops *ops,
		    const struct reclaim_tunables *t)
{
	int ret = 0;

	memset(r, 0, sizeof(*r));
	r->pool = pool;
	r->ops = *ops;
	r->t = *t;
	pthread_mutex_init(&r->lock, NULL);
	for (unsigned int nid = 0; nid < pool->nr_nodes; nid++) {
		struct kswapd *k = &r->kswapd[nid];

		k->r = r;
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
			WRITE_ONCE(r->stop, true);
			for (unsigned int j = 0; j < nid; j++)
				kswapd_stop(&r->kswapd[j]);
			pthread_mutex_destroy(&r->lock);
			break;
		}
	}
	return ret;
}

void reclaimer_stop(struct reclaimer *r)
{
	WRITE_ONCE(r->stop, true);
	for (unsigned int nid = 0; nid < r->pool->nr_nodes; nid++)
		kswapd_stop(&r->kswapd[nid]);
	pthread_mutex_destroy(&r->lock);
}

uint64_t reclaim_node_deflated(struct reclaimer *r, int nid)
{
	return __atomic_load_n(&r->kswapd[nid].deflated, __ATOMIC_RELAXED);
}

void reclaim_wake_kswapd(void *priv, int nid, unsigned int order,
			 enum zone_type highest_zoneidx)
{
	struct reclaimer *r = priv;
	struct kswapd *k = &r->kswapd[nid];

	(void)order, (void)highest_zoneidx;
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
static bool direct_done(struct reclaimer *r, int nid)
{
	return nid < 0 ? false : node_balanced(r->pool, nid);
}

unsigned long reclaim_direct(void *priv, gfp_t gfp, unsigned int order,
			     const struct alloc_context *ac)
{
	struct reclaimer *r = priv;
	/* SWAP_CLUSTER_MAX-like: what the allocation needs, but at least
	 * min_step (a pageblock by default) so that the round trip pays. */
	unsigned long need = (1UL << order) > r->t.policy.min_step ?
				     1UL << order :
				     r->t.policy.min_step;
	int nid = ac->preferred_zoneref->zone ?
			  ac->preferred_zoneref->zone->node :
			  -1;
	unsigned long got;

	got = reclaim_round(r, RECLAIM_DIRECT, nid, need,
			    r->t.direct_timeout_ms, direct_done);
	/* Nothing on the preferred node: any node the request may use. */
	if (!got && !(gfp & __GFP_THISNODE) && !ac->nodemask)
		got = reclaim_round(r, RECLAIM_DIRECT, -1, need,
				    r->t.direct_timeout_ms, NULL);
	return got;
}

unsigned long reclaim_zone_reclaimable_pages(void *priv, struct zone *zone)
{
	struct reclaimer *r = priv;
	struct reclaim_guest g[RECLAIM_MAX_GUESTS];
	unsigned int n = snapshot(r, zone->node, g);
	unsigned long total = 0;

	for (unsigned int i = 0; i < n; i++)
		total += reclaim_policy_slack(&r->t.policy, &g[i]);
	return total;
}
