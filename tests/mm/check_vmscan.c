// SPDX-License-Identifier: GPL-2.0
/*
 * The reclaim engine (mm/vmscan.c) with fake shrinkers: synchronous ones
 * that free frames of a stash when asked, asynchronous ones whose thread
 * frees them later and reports vmscan_progress() (or never: deaf), the
 * split, the order by seeks, waiting without polling, node locality,
 * unregistering under a running kswapd, relax.  libmm and libutil only.
 */
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "mm/vmscan.h"
#include "tests/mm/mm_test.h"

#define STASH_MAX 8192

struct fake_shrinker {
	struct shrinker s;
	char tag; /* in the order log */
	struct mm_pool *pool;
	struct vmscan *v;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pfn_t stash[STASH_MAX];
	unsigned long nr;
	bool full; /* counts nothing */
	bool deaf; /* async: takes the request, never gives */
	unsigned int give_after_ms; /* async: gives this long after */
	unsigned int scan_ms; /* sync: a scan takes this long */
	unsigned long pending; /* async: asked, not given */
	int pending_nid;
	pthread_t giver;
	bool stop, has_giver;
	/* What happened: */
	unsigned long scans, asked, freed, last_ask;
	unsigned long other_nid; /* counts or scans for another node */
	int want_nid; /* -2: any is fine */
	bool in_scan;
	unsigned long relaxed;
	int relax_nid;
};

static char order_log[64];
static unsigned int order_n;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void log_ask(char c)
{
	pthread_mutex_lock(&log_lock);
	if (order_n < sizeof(order_log) - 1)
		order_log[order_n++] = c;
	pthread_mutex_unlock(&log_lock);
}

static struct fake_shrinker *to_fake(struct shrinker *s)
{
	return s->priv;
}

static bool on_nid(struct fake_shrinker *f, pfn_t pfn, int nid)
{
	return nid < 0 || pfn_to_nid(f->pool, pfn) == nid;
}

/* Free up to nr frames of the stash on nid into per_node[].  lock held. */
static unsigned long release(struct fake_shrinker *f, int nid, unsigned long nr,
			     unsigned long *per_node)
{
	unsigned long done = 0;

	for (unsigned long i = f->nr; i-- > 0 && done < nr;) {
		pfn_t pfn = f->stash[i];

		if (!on_nid(f, pfn, nid))
			continue;
		f->stash[i] = f->stash[--f->nr];
		per_node[pfn_to_nid(f->pool, pfn)]++;
		__free_pages(f->pool, pfn, 0);
		done++;
	}
	f->freed += done;
	return done;
}

static unsigned long fake_count(struct shrinker *s, int nid)
{
	struct fake_shrinker *f = to_fake(s);
	unsigned long n = 0;

	pthread_mutex_lock(&f->lock);
	if (f->want_nid != -2 && nid != f->want_nid)
		f->other_nid++;
	for (unsigned long i = 0; i < f->nr && !f->full; i++)
		n += on_nid(f, f->stash[i], nid);
	n = n > f->pending ? n - f->pending : 0;
	pthread_mutex_unlock(&f->lock);
	return n;
}

static unsigned long fake_scan(struct shrinker *s, struct shrink_control *sc)
{
	struct fake_shrinker *f = to_fake(s);
	unsigned long per_node[MAX_NUMNODES] = { 0 }, freed = 0;

	log_ask(f->tag);
	pthread_mutex_lock(&f->lock);
	f->in_scan = true;
	f->scans++;
	f->asked += sc->nr_to_reclaim;
	f->last_ask = sc->nr_to_reclaim;
	if (f->want_nid != -2 && sc->nid != f->want_nid)
		f->other_nid++;
	if (s->async) {
		sc->nr_scanned = sc->nr_to_reclaim;
		if (!f->deaf) {
			f->pending += sc->nr_to_reclaim;
			f->pending_nid = sc->nid;
			pthread_cond_signal(&f->cond);
		}
	} else {
		if (f->scan_ms) {
			pthread_mutex_unlock(&f->lock);
			usleep(f->scan_ms * 1000);
			pthread_mutex_lock(&f->lock);
		}
		freed = release(f, sc->nid, sc->nr_to_reclaim, per_node);
		sc->nr_scanned = freed;
	}
	f->in_scan = false;
	pthread_mutex_unlock(&f->lock);
	return freed;
}

static void fake_relax(struct shrinker *s, int nid, unsigned long nr)
{
	struct fake_shrinker *f = to_fake(s);

	pthread_mutex_lock(&f->lock);
	f->relaxed += nr;
	f->relax_nid = nid;
	pthread_mutex_unlock(&f->lock);
}

/* An asynchronous shrinker's "guest": gives what was asked, later. */
static void *giver(void *arg)
{
	struct fake_shrinker *f = arg;

	pthread_mutex_lock(&f->lock);
	while (!f->stop) {
		unsigned long per_node[MAX_NUMNODES] = { 0 }, n;

		if (!f->pending) {
			pthread_cond_wait(&f->cond, &f->lock);
			continue;
		}
		pthread_mutex_unlock(&f->lock);
		usleep(f->give_after_ms * 1000);
		pthread_mutex_lock(&f->lock);
		n = f->pending;
		f->pending = 0;
		release(f, f->pending_nid, n, per_node);
		pthread_mutex_unlock(&f->lock);
		for (int nid = 0; nid < MAX_NUMNODES; nid++)
			vmscan_progress(f->v, nid, per_node[nid]);
		pthread_mutex_lock(&f->lock);
	}
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

static void fake_init(struct fake_shrinker *f, struct vmscan *v,
		      struct mm_pool *pool, char tag, unsigned int seeks,
		      bool async)
{
	memset(f, 0, sizeof(*f));
	f->tag = tag;
	f->pool = pool;
	f->v = v;
	f->want_nid = -2;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	f->s = (struct shrinker){
		.name = async ? "fake_async" : "fake_sync",
		.count_objects = fake_count,
		.scan_objects = fake_scan,
		.seeks = seeks,
		.async = async,
		.priv = f,
	};
	if (async) {
		ck_assert_int_eq(pthread_create(&f->giver, NULL, giver, f), 0);
		f->has_giver = true;
	}
}

/* Take frames of node nid (any: -1) from the pool into f's stash. */
static void fake_fill(struct fake_shrinker *f, int nid, unsigned long max)
{
	gfp_t gfp = GFP_NOWAIT | (nid >= 0 ? __GFP_THISNODE : 0);

	f->nr += test_fill(f->pool, gfp, 0, nid < 0 ? 0 : nid, f->stash + f->nr,
			   max < STASH_MAX - f->nr ? max : STASH_MAX - f->nr);
}

/* An asynchronous one's "guest" gives no more. */
static void fake_quiesce(struct fake_shrinker *f)
{
	pthread_mutex_lock(&f->lock);
	f->stop = true;
	pthread_cond_signal(&f->cond);
	pthread_mutex_unlock(&f->lock);
	if (f->has_giver)
		pthread_join(f->giver, NULL);
	f->has_giver = false;
}

/* A field of f, read under its lock (its threads write them). */
static unsigned long fake_read(struct fake_shrinker *f,
			       const unsigned long *field)
{
	unsigned long v;

	pthread_mutex_lock(&f->lock);
	v = *field;
	pthread_mutex_unlock(&f->lock);
	return v;
}

static bool fake_in_scan(struct fake_shrinker *f)
{
	bool v;

	pthread_mutex_lock(&f->lock);
	v = f->in_scan;
	pthread_mutex_unlock(&f->lock);
	return v;
}

static void fake_fini(struct fake_shrinker *f)
{
	fake_quiesce(f);
	while (f->nr)
		__free_pages(f->pool, f->stash[--f->nr], 0);
}

static struct vmscan vs;

/* A pool of 16 MiB per node and the engine over it, no shrinker yet. */
static struct mm_pool *start(unsigned int nodes, unsigned int timeout_ms)
{
	struct mm_pool *pool = test_pool(16 * nodes, nodes, 0);
	struct vmscan_tunables t;

	vmscan_default_tunables(&t);
	t.batch_pages = 16;
	t.direct_timeout_ms = timeout_ms;
	t.step_timeout_ms = timeout_ms;
	t.deflate = false;
	memset(&vs, 0, sizeof(vs));
	ck_assert_int_eq(vmscan_start(&vs, pool, &t), 0);
	order_n = 0;
	memset(order_log, 0, sizeof(order_log));
	return pool;
}

/* The ops, once the stashes are full (their fill must not reclaim). */
static void install_ops(struct mm_pool *pool, bool kswapd)
{
	struct mm_ops ops = {
		.priv = &vs,
		.wake_kswapd = kswapd ? vmscan_wake_kswapd : NULL,
		.direct_reclaim = vmscan_direct_reclaim,
		.zone_reclaimable_pages = vmscan_zone_reclaimable_pages,
	};

	mm_set_ops(pool, &ops);
}

static void stop(struct mm_pool *pool)
{
	vmscan_stop(&vs);
	mm_set_ops(pool, &(struct mm_ops){ 0 });
}

/* The engine stopped, the shrinkers unregistered and emptied, the pool
 * gone. */
static void finish(struct mm_pool *pool, struct fake_shrinker *f1,
		   struct fake_shrinker *f2)
{
	stop(pool);
	unregister_shrinker(&vs, &f1->s);
	fake_fini(f1);
	if (f2) {
		unregister_shrinker(&vs, &f2->s);
		fake_fini(f2);
	}
	mm_pool_destroy(pool);
}

/* A balloon-like asynchronous shrinker (seeks 0, 2 MiB to give) and a
 * tier-like synchronous one (seeks 2, the rest of the pool), registered
 * in either order. */
static struct fake_shrinker bal, tier;

static struct mm_pool *start_pair(unsigned int timeout_ms, bool tier_first)
{
	struct mm_pool *pool = start(1, timeout_ms);

	fake_init(&bal, &vs, pool, 'B', 0, true);
	fake_init(&tier, &vs, pool, 'S', 2, false);
	fake_fill(&bal, -1, 512);
	fake_fill(&tier, -1, STASH_MAX);
	if (tier_first)
		ck_assert_int_eq(register_shrinker(&vs, &tier.s), 0);
	ck_assert_int_eq(register_shrinker(&vs, &bal.s), 0);
	if (!tier_first)
		ck_assert_int_eq(register_shrinker(&vs, &tier.s), 0);
	install_ops(pool, false);
	return pool;
}

static uint64_t ms_since(uint64_t t0)
{
	return (trace_clock_ns() - t0) / 1000000;
}

/* One direct reclaim on node 0, as the slow path calls it. */
static unsigned long direct(struct mm_pool *pool, uint64_t *ms)
{
	struct zoneref zr = { .zone = pool->zones[0] };
	struct alloc_context ac = { .preferred_zoneref = &zr };
	uint64_t t0 = trace_clock_ns();
	unsigned long got = vmscan_direct_reclaim(&vs, GFP_GUEST, 0, &ac);

	if (ms)
		*ms = ms_since(t0);
	return got;
}

START_TEST(test_split)
{
	unsigned long count[3] = { 10, 0, 100 }, ask[3];

	/* Cheapest first, all it can give; the rest to the next. */
	ck_assert_uint_eq(vmscan_split(50, count, 3, ask), 50);
	ck_assert_uint_eq(ask[0], 10);
	ck_assert_uint_eq(ask[1], 0);
	ck_assert_uint_eq(ask[2], 40);
	/* The first has enough: the others are not asked. */
	ck_assert_uint_eq(vmscan_split(8, count, 3, ask), 8);
	ck_assert_uint_eq(ask[0], 8);
	ck_assert_uint_eq(ask[2], 0);
	/* All together cannot: what they can. */
	ck_assert_uint_eq(vmscan_split(500, count, 3, ask), 110);
	ck_assert_uint_eq(ask[2], 100);
	ck_assert_uint_eq(vmscan_split(0, count, 3, ask), 0);
	ck_assert_uint_eq(vmscan_split(5, count, 0, ask), 0);
}
END_TEST

START_TEST(test_register_errors)
{
	struct shrinker bad = { .name = "bad" };
	struct fake_shrinker f[VMSCAN_MAX_SHRINKERS + 1];
	struct mm_pool *pool = test_pool(16, 1, 0);

	memset(&vs, 0, sizeof(vs));
	ck_assert_int_eq(register_shrinker(&vs, &bad), -EINVAL);
	for (unsigned int i = 0; i < VMSCAN_MAX_SHRINKERS; i++) {
		fake_init(&f[i], &vs, pool, 'a' + i, i, false);
		ck_assert_int_eq(register_shrinker(&vs, &f[i].s), 0);
	}
	ck_assert_int_eq(register_shrinker(&vs, &f[0].s), -EINVAL);
	fake_init(&f[VMSCAN_MAX_SHRINKERS], &vs, pool, 'z', 0, false);
	ck_assert_int_eq(register_shrinker(&vs, &f[VMSCAN_MAX_SHRINKERS].s),
			 -ENOSPC);
	/* Registered before start: kept by it. */
	unregister_shrinker(&vs, &f[1].s);
	ck_assert_ptr_null(f[1].s.vmscan);
	ck_assert_int_eq(register_shrinker(&vs, &f[1].s), 0);
	vmscan_stop(&vs); /* never started: nothing */
	ck_assert_uint_eq(vs.nr_shrinkers, VMSCAN_MAX_SHRINKERS);
	for (unsigned int i = 0; i < VMSCAN_MAX_SHRINKERS; i++)
		unregister_shrinker(&vs, &f[i].s);
	ck_assert_uint_eq(vs.nr_shrinkers, 0);
	mm_pool_destroy(pool);
}
END_TEST

/* A synchronous shrinker: what it frees is the round's, pgscan and
 * pgsteal direct's; an allocation past the watermarks succeeds. */
START_TEST(test_sync_direct)
{
	struct mm_pool *pool = start(1, 20);
	static struct fake_shrinker f;
	unsigned long got;

	fake_init(&f, &vs, pool, 'S', 2, false);
	fake_fill(&f, -1, STASH_MAX);
	ck_assert_int_eq(register_shrinker(&vs, &f.s), 0);
	install_ops(pool, false);
	got = direct(pool, NULL);
	ck_assert_uint_ge(got, 16);
	ck_assert_uint_eq(f.freed, got);
	ck_assert_uint_eq(vm_event_sum(pool, PGSCAN_DIRECT), got);
	ck_assert_uint_eq(vm_event_sum(pool, PGSTEAL_DIRECT), got);
	ck_assert_uint_eq(vm_event_sum(pool, PGSTEAL_KSWAPD), 0);
	for (int i = 0; i < 64; i++)
		ck_assert_uint_ne(__alloc_pages(pool, GFP_GUEST, 0, 0, NULL),
				  PFN_NONE);
	ck_assert_uint_eq(vm_event_sum(pool, OOM_INVOKE), 0);
	finish(pool, &f, NULL);
}
END_TEST

/*
 * An asynchronous shrinker gives 30 ms after the ask: the round, whose
 * time-out is 5 s, wakes as the progress comes, not at its time-out nor
 * at a poll.
 */
START_TEST(test_progress_wakes_waiter)
{
	struct mm_pool *pool = start(1, 5000);
	static struct fake_shrinker f;
	unsigned long got;
	uint64_t ms;

	fake_init(&f, &vs, pool, 'B', 0, true);
	f.give_after_ms = 30;
	fake_fill(&f, -1, STASH_MAX);
	ck_assert_int_eq(register_shrinker(&vs, &f.s), 0);
	install_ops(pool, false);
	got = direct(pool, &ms);
	ck_assert_uint_ge(got, 16);
	ck_assert_uint_ge(ms, 25);
	ck_assert_msg(ms < 1000, "woke after %lu ms", (unsigned long)ms);
	ck_assert_uint_eq(vs.waiters, 0);
	/* Its pgscan is the engine's to count; its pgsteal its own. */
	ck_assert_uint_eq(vm_event_sum(pool, PGSCAN_DIRECT), f.asked);
	ck_assert_uint_eq(vm_event_sum(pool, PGSTEAL_DIRECT), 0);
	finish(pool, &f, NULL);
}
END_TEST

/* A deaf guest: the round waits its time-out for it, then the missing
 * pages come from the next (synchronous) reclaimer. */
START_TEST(test_deaf_async_then_sync)
{
	struct mm_pool *pool = start_pair(50, true);
	unsigned long got;
	uint64_t ms;

	bal.deaf = true;
	got = direct(pool, &ms);
	ck_assert_uint_ge(got, 16);
	ck_assert_uint_ge(ms, 45);
	ck_assert_str_eq(order_log, "BS");
	/* The balloon could give it all: the tier only what it did not. */
	ck_assert_uint_eq(bal.asked, 16);
	ck_assert_uint_eq(tier.asked, 16);
	ck_assert_uint_eq(tier.freed, 16);
	finish(pool, &bal, &tier);
}
END_TEST

/* A full guest (nothing to give): the next reclaimer at once, no wait. */
START_TEST(test_full_async_no_wait)
{
	struct mm_pool *pool = start_pair(5000, false);
	uint64_t ms;

	bal.full = true;
	ck_assert_uint_ge(direct(pool, &ms), 16);
	ck_assert_msg(ms < 1000, "waited %lu ms", (unsigned long)ms);
	ck_assert_str_eq(order_log, "S");
	ck_assert_uint_eq(bal.scans, 0);
	finish(pool, &bal, &tier);
}
END_TEST

/* A guest that gives is never swapped instead. */
START_TEST(test_giving_async_spares_sync)
{
	struct mm_pool *pool = start_pair(2000, true);

	bal.give_after_ms = 5;
	for (int i = 0; i < 5; i++)
		ck_assert_uint_ge(direct(pool, NULL), 16);
	ck_assert_uint_eq(tier.scans, 0);
	ck_assert_uint_ge(fake_read(&bal, &bal.freed), 5 * 16);
	finish(pool, &bal, &tier);
}
END_TEST

/* By seeks, whatever the order of registration: the cheap one gives all
 * it can, the dear one the rest. */
START_TEST(test_seeks_order)
{
	struct mm_pool *pool = start(1, 20);
	static struct fake_shrinker cheap, dear;

	fake_init(&dear, &vs, pool, 'D', 2, false);
	fake_init(&cheap, &vs, pool, 'C', 0, false);
	fake_fill(&cheap, -1, 4);
	fake_fill(&dear, -1, STASH_MAX);
	ck_assert_int_eq(register_shrinker(&vs, &dear.s), 0);
	ck_assert_int_eq(register_shrinker(&vs, &cheap.s), 0);
	install_ops(pool, false);
	ck_assert_uint_ge(direct(pool, NULL), 16);
	ck_assert_str_eq(order_log, "CD");
	ck_assert_uint_eq(cheap.asked, 4);
	ck_assert_uint_eq(dear.asked, 12);
	ck_assert_uint_eq(vmscan_zone_reclaimable_pages(&vs, pool->zones[0]),
			  dear.nr);
	finish(pool, &cheap, &dear);
}
END_TEST

static bool node_above_high(struct mm_pool *pool, int nid)
{
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &pool->node_data[nid].node_zones[i];

		if (populated_zone(z) &&
		    zone_page_state_free(z) > (long)high_wmark_pages(z))
			return true;
	}
	return false;
}

/* kswapd of node 1 asks for, waits for and counts node 1's frames only. */
START_TEST(test_kswapd_node_locality)
{
	struct mm_pool *pool = start(2, 50);
	static struct fake_shrinker f;
	unsigned long on0 = 0, left0 = 0;
	int i;

	fake_init(&f, &vs, pool, 'B', 0, true);
	f.give_after_ms = 1;
	fake_fill(&f, 0, 256);
	on0 = f.nr;
	fake_fill(&f, 1, STASH_MAX);
	ck_assert_uint_gt(f.nr, on0);
	ck_assert(!node_above_high(pool, 1));
	f.want_nid = 1;
	ck_assert_int_eq(register_shrinker(&vs, &f.s), 0);
	install_ops(pool, true);
	vmscan_wake_kswapd(&vs, 1, 0, 0);
	for (i = 0; i < 2000 && !node_above_high(pool, 1); i++)
		usleep(1000);
	ck_assert(node_above_high(pool, 1));
	/* Its run reclaimed, node 0 never asked. */
	stop(pool);
	fake_quiesce(&f);
	pthread_mutex_lock(&f.lock);
	ck_assert_uint_eq(f.other_nid, 0);
	for (unsigned long k = 0; k < f.nr; k++)
		left0 += pfn_to_nid(pool, f.stash[k]) == 0;
	pthread_mutex_unlock(&f.lock);
	ck_assert_uint_eq(left0, on0);
	ck_assert_uint_ge(vm_event_sum(pool, PAGEOUTRUN), 1);
	ck_assert_uint_gt(vm_event_sum(pool, PGSCAN_KSWAPD), 0);
	ck_assert_uint_eq(__atomic_load_n(&vs.progress[0], __ATOMIC_RELAXED),
			  0);
	ck_assert_uint_eq(__atomic_load_n(&vs.progress[1], __ATOMIC_RELAXED),
			  f.freed);
	finish(pool, &f, NULL);
}
END_TEST

/* Unregistering waits for the round that is asking it, and no round
 * asks it after. */
START_TEST(test_unregister_while_kswapd_runs)
{
	struct mm_pool *pool = start(1, 50);
	static struct fake_shrinker f;
	unsigned long scans;
	bool busy;
	int i;

	fake_init(&f, &vs, pool, 'S', 2, false);
	f.scan_ms = 100;
	fake_fill(&f, -1, STASH_MAX);
	ck_assert_int_eq(register_shrinker(&vs, &f.s), 0);
	install_ops(pool, true);
	vmscan_wake_kswapd(&vs, 0, 0, 0);
	for (i = 0; i < 2000 && !fake_in_scan(&f); i++)
		usleep(1000);
	ck_assert(fake_in_scan(&f));
	unregister_shrinker(&vs, &f.s);
	pthread_mutex_lock(&f.lock);
	busy = f.in_scan;
	scans = f.scans;
	pthread_mutex_unlock(&f.lock);
	ck_assert(!busy);
	ck_assert_ptr_null(f.s.vmscan);
	ck_assert_uint_eq(f.s.users, 0);
	vmscan_wake_kswapd(&vs, 0, 0, 0);
	usleep(200 * 1000);
	ck_assert_uint_eq(fake_read(&f, &f.scans), scans);
	stop(pool);
	fake_fini(&f);
	mm_pool_destroy(pool);
}
END_TEST

/* Plenty free: kswapd's idle tick tells the shrinkers by how much. */
START_TEST(test_relax_when_plenty)
{
	struct mm_pool *pool = test_pool(16, 1, 0);
	static struct fake_shrinker f;
	struct vmscan_tunables t;
	int i;

	vmscan_default_tunables(&t);
	t.deflate_interval_ms = 10;
	memset(&vs, 0, sizeof(vs));
	fake_init(&f, &vs, pool, 'B', 0, false);
	f.s.relax = fake_relax;
	ck_assert_int_eq(register_shrinker(&vs, &f.s), 0);
	ck_assert_int_eq(vmscan_start(&vs, pool, &t), 0);
	for (i = 0; i < 1000 && !fake_read(&f, &f.relaxed); i++)
		usleep(1000);
	pthread_mutex_lock(&f.lock);
	ck_assert_uint_gt(f.relaxed, 0);
	ck_assert_int_eq(f.relax_nid, 0);
	pthread_mutex_unlock(&f.lock);
	vmscan_stop(&vs);
	unregister_shrinker(&vs, &f.s);
	fake_fini(&f);
	mm_pool_destroy(pool);
}
END_TEST

Suite *vmscan_suite(void)
{
	Suite *s = suite_create("vmscan");
	TCase *tc = tcase_create("fake_shrinkers");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_split);
	tcase_add_test(tc, test_register_errors);
	tcase_add_test(tc, test_sync_direct);
	tcase_add_test(tc, test_progress_wakes_waiter);
	tcase_add_test(tc, test_deaf_async_then_sync);
	tcase_add_test(tc, test_full_async_no_wait);
	tcase_add_test(tc, test_giving_async_spares_sync);
	tcase_add_test(tc, test_seeks_order);
	tcase_add_test(tc, test_kswapd_node_locality);
	tcase_add_test(tc, test_unregister_while_kswapd_runs);
	tcase_add_test(tc, test_relax_when_plenty);
	suite_add_tcase(s, tc);
	return s;
}
