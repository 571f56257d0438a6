// SPDX-License-Identifier: GPL-2.0
/*
 * The balloon's shrinker (balloon/shrinker.c) registered with the
 * reclaim engine (mm/vmscan.c), with fake guests: threads that hold
 * frames and give them back when their balloon target grows (or never,
 * when deaf), paying reclaim what it asked and reporting the engine's
 * progress as the host's balloons do (owed.h, vmscan_progress()).
 */
#include <pthread.h>
#include <unistd.h>

#include "balloon/shrinker.h"
#include "tests/mm/mm_test.h"

#define NFAKE 3
#define FAKE_MAX 16384

struct fake_guest {
	unsigned int id;
	pfn_t frames[FAKE_MAX];
	unsigned long nr;
	unsigned long target, actual;
	bool deaf;
	struct reclaim_owed owed;
};

static struct vmscan vs;
static struct balloon_reclaim br;

struct fake_world {
	struct mm_pool *pool;
	struct fake_guest g[NFAKE];
	unsigned int n;
	pthread_mutex_t lock;
	pthread_t driver;
	bool stop;
};

static unsigned int fw_snapshot(void *priv, int nid, struct reclaim_guest *g,
				unsigned int max)
{
	struct fake_world *w = priv;
	unsigned int n = 0;

	pthread_mutex_lock(&w->lock);
	for (unsigned int i = 0; i < w->n && n < max; i++) {
		struct fake_guest *f = &w->g[i];
		unsigned long on = 0;

		for (unsigned long k = 0; k < f->nr; k++)
			on += nid < 0 ||
			      pfn_to_nid(w->pool, f->frames[k]) == nid;
		g[n++] = (struct reclaim_guest){
			.id = f->id,
			.vm = f->id,
			.frames = on,
			.total_frames = f->nr,
			.balloon = f->target,
			/* All homed on the one node. */
			.ram_pages = FAKE_MAX,
			.home_pages = FAKE_MAX,
			.guest_free = -1,
			.responsive = true,
		};
	}
	pthread_mutex_unlock(&w->lock);
	return n;
}

static void fw_adjust(void *priv, unsigned int id, long delta,
		      enum reclaimer_id who)
{
	struct fake_world *w = priv;
	struct fake_guest *f = &w->g[id - 1];

	pthread_mutex_lock(&w->lock);
	if (delta > 0)
		reclaim_owed_ask(&f->owed, who, delta);
	f->target += delta;
	reclaim_owed_limit(&f->owed,
			   f->target > f->actual ? f->target - f->actual : 0);
	pthread_mutex_unlock(&w->lock);
}

static unsigned long fw_actual(void *priv, unsigned int id)
{
	struct fake_world *w = priv;
	unsigned long a;

	pthread_mutex_lock(&w->lock);
	a = w->g[id - 1].actual;
	pthread_mutex_unlock(&w->lock);
	return a;
}

/* The "guests": follow targets, a page at a time, like a balloon. */
static void *fw_driver(void *arg)
{
	struct fake_world *w = arg;

	while (!READ_ONCE(w->stop)) {
		pthread_mutex_lock(&w->lock);
		for (unsigned int i = 0; i < w->n; i++) {
			struct fake_guest *f = &w->g[i];

			while (!f->deaf && f->actual < f->target && f->nr) {
				enum reclaimer_id who;

				pfn_t pfn = f->frames[--f->nr];

				__free_pages(w->pool, pfn, 0);
				if (reclaim_owed_pay(&f->owed, 1, &who))
					count_vm_event(w->pool,
						       reclaimer_vm_event(
							       PGSTEAL, who));
				f->actual++;
				vmscan_progress(&vs, pfn_to_nid(w->pool, pfn),
						1);
			}
			/* Deflation: the guest may use pages again. */
			if (!f->deaf && f->actual > f->target)
				f->actual = f->target;
		}
		pthread_mutex_unlock(&w->lock);
		usleep(500);
	}
	return NULL;
}

static void world_start(struct fake_world *w, unsigned int mib,
			unsigned long per_guest, bool deflate)
{
	struct reclaim_ops ops = {
		.priv = w,
		.snapshot = fw_snapshot,
		.adjust = fw_adjust,
		.actual = fw_actual,
	};
	struct balloon_tunables bt;
	struct vmscan_tunables t;
	struct mm_ops mops = {
		.priv = &vs,
		.wake_kswapd = vmscan_wake_kswapd,
		.direct_reclaim = vmscan_direct_reclaim,
		.zone_reclaimable_pages = vmscan_zone_reclaimable_pages,
	};

	memset(w, 0, sizeof(*w));
	w->pool = test_pool(mib, 1, 0);
	pthread_mutex_init(&w->lock, NULL);
	w->n = NFAKE;
	for (unsigned int i = 0; i < NFAKE; i++) {
		w->g[i].id = i + 1;
		w->g[i].nr = test_fill(w->pool, GFP_GUEST, 0, 0, w->g[i].frames,
				       per_guest);
	}
	balloon_default_tunables(&bt);
	vmscan_default_tunables(&t);
	bt.policy.floor_pages = 256;
	bt.policy.reserve_pages = 0;
	/* small needs still reach every guest */
	bt.policy.min_step = t.batch_pages = 16;
	bt.guest_timeout_ms = 50;
	t.deflate = deflate;
	memset(&vs, 0, sizeof(vs));
	balloon_reclaim_init(&br, w->pool, &ops, &bt);
	ck_assert_int_eq(register_shrinker(&vs, &br.shrinker), 0);
	ck_assert_int_eq(vmscan_start(&vs, w->pool, &t), 0);
	mm_set_ops(w->pool, &mops);
	pthread_create(&w->driver, NULL, fw_driver, w);
}

static void world_stop(struct fake_world *w)
{
	WRITE_ONCE(w->stop, true);
	pthread_join(w->driver, NULL);
	vmscan_stop(&vs);
	unregister_shrinker(&vs, &br.shrinker);
	balloon_reclaim_destroy(&br);
	for (unsigned int i = 0; i < w->n; i++)
		while (w->g[i].nr)
			__free_pages(w->pool, w->g[i].frames[--w->g[i].nr], 0);
	ck_validate(w->pool);
	mm_pool_destroy(w->pool);
}

static bool balanced(struct mm_pool *pool)
{
	struct zone *z = pool->zones[0];

	return zone_page_state_free(z) > (long)high_wmark_pages(z);
}

/* Below LOW, kswapd inflates the balloons until the node is above HIGH. */
START_TEST(test_kswapd_balances)
{
	struct fake_world w;
	pfn_t p;
	int i;

	world_start(&w, 64, 4000, false);
	/* Eat until the fast path fails at LOW and the slow path wakes
	 * kswapd (GFP_NOWAIT: no direct reclaim of our own). */
	while ((p = __alloc_pages(w.pool, GFP_NOWAIT | __GFP_NOWARN, 0, 0,
				  NULL)) != PFN_NONE)
		;
	/* The node is balanced as the last frames come back, and they
	 * count as they come: wait for both. */
	for (i = 0; i < 2000 &&
		    !(balanced(w.pool) && vm_event_sum(w.pool, PGSTEAL_KSWAPD));
	     i++)
		usleep(1000);
	ck_assert_msg(balanced(w.pool), "free %ld high %lu",
		      zone_page_state_free(w.pool->zones[0]),
		      high_wmark_pages(w.pool->zones[0]));
	ck_assert_uint_ge(vm_event_sum(w.pool, PAGEOUTRUN), 1);
	ck_assert_uint_gt(vm_event_sum(w.pool, PGSTEAL_KSWAPD), 0);
	/* Fair: every guest gave something. */
	for (unsigned int k = 0; k < NFAKE; k++)
		ck_assert_uint_gt(fw_actual(&w, k + 1), 0);
	world_stop(&w);
}
END_TEST

/* A faulting allocation reclaims synchronously and succeeds. */
START_TEST(test_direct_reclaim)
{
	struct fake_world w;
	unsigned long n = 0;

	world_start(&w, 64, 4000, false);
	/* GFP_GUEST allocations past what is free: direct reclaim (and
	 * kswapd) make room, nobody is killed, everything succeeds. */
	for (int i = 0; i < 3000; i++)
		n += __alloc_pages(w.pool, GFP_GUEST, 0, 0, NULL) != PFN_NONE;
	ck_assert_uint_eq(n, 3000);
	ck_assert_uint_eq(vm_event_sum(w.pool, OOM_INVOKE), 0);
	world_stop(&w);
}
END_TEST

/* A deaf guest is skipped; the others give instead. */
START_TEST(test_deaf_guest_skipped)
{
	struct fake_world w;

	world_start(&w, 64, 4000, false);
	pthread_mutex_lock(&w.lock);
	w.g[0].deaf = true;
	pthread_mutex_unlock(&w.lock);
	for (int round = 0; round < 2; round++) {
		test_fill(w.pool, GFP_NOWAIT, 0, 0, NULL, ~0UL);
		for (int i = 0; i < 3000 && !balanced(w.pool); i++)
			usleep(1000);
		ck_assert(balanced(w.pool));
		usleep(100 * 1000); /* past guest_timeout */
	}
	ck_assert_uint_eq(fw_actual(&w, 1), 0);
	ck_assert_uint_gt(fw_actual(&w, 2) + fw_actual(&w, 3), 0);
	/* The deaf one was marked and left out for a while. */
	pthread_mutex_lock(&br.lock);
	ck_assert_uint_gt(br.unresponsive_until[1], 0);
	pthread_mutex_unlock(&br.lock);
	pthread_mutex_lock(&w.lock);
	w.g[0].deaf = false;
	pthread_mutex_unlock(&w.lock);
	world_stop(&w);
}
END_TEST

/* Plenty of free memory again: balloons shrink, not below zero. */
START_TEST(test_deflate_when_plenty)
{
	struct fake_world w;
	unsigned long before;

	world_start(&w, 64, 2000, true);
	pthread_mutex_lock(&w.lock);
	for (unsigned int i = 0; i < NFAKE; i++)
		w.g[i].target = w.g[i].actual = 1000;
	pthread_mutex_unlock(&w.lock);
	before = 3000;
	usleep(400 * 1000); /* a few deflate intervals */
	pthread_mutex_lock(&w.lock);
	ck_assert_uint_lt(w.g[0].target + w.g[1].target + w.g[2].target,
			  before);
	pthread_mutex_unlock(&w.lock);
	world_stop(&w);
}
END_TEST

Suite *reclaim_suite(void)
{
	Suite *s = suite_create("reclaim");
	TCase *tc = tcase_create("fake_guests");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_kswapd_balances);
	tcase_add_test(tc, test_direct_reclaim);
	tcase_add_test(tc, test_deaf_guest_skipped);
	tcase_add_test(tc, test_deflate_when_plenty);
	suite_add_tcase(s, tc);
	return s;
}
