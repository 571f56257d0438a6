// SPDX-License-Identifier: GPL-2.0
/* The balloon's shrinker: reclaim by inflation (see shrinker.h). */
#include <string.h>

#include "balloon/shrinker.h"
#include "balloon/trace.h"

void balloon_default_tunables(struct balloon_tunables *t)
{
	*t = (struct balloon_tunables){
		.policy = {
			.floor_pages = (8 << 20) >> PAGE_SHIFT,
			.reserve_pages = (4 << 20) >> PAGE_SHIFT,
			.min_step = pageblock_nr_pages,
			.max_deflate_step = (64 << 20) >> PAGE_SHIFT,
		},
		.guest_timeout_ms = 100, /* an idle polling guest answers in ~1 ms */
	};
}

static struct balloon_reclaim *to_br(struct shrinker *s)
{
	return s->priv;
}

/*
 * The guests, with their responsiveness: a guest whose balloon has not
 * moved since a request guest_timeout ago is left out for guest_timeout
 * (then tried again: it may have been busy).
 */
static unsigned int snapshot(struct balloon_reclaim *br, int nid,
			     struct reclaim_guest *g)
{
	unsigned int n =
		br->ops.snapshot(br->ops.priv, nid, g, RECLAIM_MAX_GUESTS);
	uint64_t now = trace_clock_ns(),
		 tmo = br->t.guest_timeout_ms * 1000000ULL;

	for (unsigned int i = 0; i < n; i++) {
		unsigned int id = g[i].id;
		unsigned long actual;

		if (id > RECLAIM_MAX_GUESTS)
			continue;
		actual = br->ops.actual(br->ops.priv, id);
		pthread_mutex_lock(&br->lock);
		if (br->req_ns[id] && actual != br->req_actual[id]) {
			br->req_ns[id] = 0; /* it follows */
		} else if (br->req_ns[id] && now - br->req_ns[id] > tmo) {
			br->unresponsive_until[id] = now + tmo;
			br->req_ns[id] = 0;
		}
		if (br->unresponsive_until[id] > now)
			g[i].responsive = false;
		pthread_mutex_unlock(&br->lock);
	}
	return n;
}

static void note_request(struct balloon_reclaim *br, unsigned int id,
			 unsigned long actual)
{
	if (id > RECLAIM_MAX_GUESTS)
		return;
	pthread_mutex_lock(&br->lock);
	if (!br->req_ns[id]) {
		br->req_ns[id] = trace_clock_ns();
		br->req_actual[id] = actual;
	}
	pthread_mutex_unlock(&br->lock);
}

static unsigned long balloon_count(struct shrinker *s, int nid)
{
	struct balloon_reclaim *br = to_br(s);
	struct reclaim_guest g[RECLAIM_MAX_GUESTS];
	unsigned int n = snapshot(br, nid, g);
	unsigned long total = 0;

	for (unsigned int i = 0; i < n; i++)
		total += reclaim_policy_slack(&br->t.policy, &g[i]);
	return total;
}

/* Inflate: new targets, the frames come later (vmscan_progress()). */
static unsigned long balloon_scan(struct shrinker *s, struct shrink_control *sc)
{
	struct balloon_reclaim *br = to_br(s);
	struct reclaim_guest g[RECLAIM_MAX_GUESTS];
	unsigned long add[RECLAIM_MAX_GUESTS];
	unsigned int n = snapshot(br, sc->nid, g);

	if (!reclaim_policy_inflate(&br->t.policy, sc->nr_to_reclaim, g, n,
				    add))
		return 0;
	for (unsigned int i = 0; i < n; i++) {
		unsigned long actual;

		if (!add[i])
			continue;
		actual = br->ops.actual(br->ops.priv, g[i].id);
		note_request(br, g[i].id, actual);
		br->ops.adjust(br->ops.priv, g[i].id, (long)add[i], sc->who);
		sc->nr_scanned += add[i];
		trace_event(&br->pool->trace, TR_BALLOON_REQ, g[i].vm,
			    g[i].balloon + add[i], actual, 0);
	}
	return 0;
}

/* Plenty free on nid: give some back to the guests' balloons. */
static void balloon_relax(struct shrinker *s, int nid, unsigned long surplus)
{
	struct balloon_reclaim *br = to_br(s);
	struct reclaim_guest g[RECLAIM_MAX_GUESTS];
	unsigned long sub[RECLAIM_MAX_GUESTS];
	unsigned int n = snapshot(br, nid, g);

	if (!reclaim_policy_deflate(&br->t.policy, surplus, g, n, sub))
		return;
	for (unsigned int i = 0; i < n; i++) {
		if (!sub[i])
			continue;
		br->ops.adjust(br->ops.priv, g[i].id, -(long)sub[i],
			       RECLAIM_KSWAPD);
		__atomic_add_fetch(&br->deflated[nid], sub[i],
				   __ATOMIC_RELAXED);
		trace_event(&br->pool->trace, TR_BALLOON_DEFLATE, g[i].id, nid,
			    sub[i], g[i].balloon - sub[i]);
	}
}

void balloon_reclaim_init(struct balloon_reclaim *br, struct mm_pool *pool,
			  const struct reclaim_ops *ops,
			  const struct balloon_tunables *t)
{
	memset(br, 0, sizeof(*br));
	br->pool = pool;
	br->ops = *ops;
	br->t = *t;
	pthread_mutex_init(&br->lock, NULL);
	br->shrinker = (struct shrinker){
		.name = "balloon",
		.count_objects = balloon_count,
		.scan_objects = balloon_scan,
		.relax = balloon_relax,
		.seeks = 0,
		.async = true,
		.priv = br,
	};
}

void balloon_reclaim_destroy(struct balloon_reclaim *br)
{
	pthread_mutex_destroy(&br->lock);
}

uint64_t reclaim_node_deflated(struct balloon_reclaim *br, int nid)
{
	return __atomic_load_n(&br->deflated[nid], __ATOMIC_RELAXED);
}
