// SPDX-License-Identifier: GPL-2.0
/*
 * kcompactd: one background compaction thread per node, after Linux's
 * (mm/compaction.c, 5.9+ with proactive compaction).
 *
 * It sleeps until wakeup_kcompactd() asks for an order (kswapd does once
 * it has balanced the node for a high-order request) and then compacts
 * the node's zones until a block of that order is free, deferring zones
 * where that fails.  Every interval_ms it also looks at the node's
 * fragmentation score: above the high mark derived from
 * compaction_proactiveness it compacts whole zones until their scores are
 * below the low mark.  A proactive round that does not lower the score
 * defers the next ones for 1 << COMPACT_MAX_DEFER_SHIFT periods
 * (proactive_defer).  Proactiveness 0 turns the periodic work off.
 */
#include <errno.h>
#include <time.h>

#include "mm/internal.h"
#include "util/wait.h"

void kcompactd_init(pg_data_t *pgdat)
{
	pthread_mutex_init(&pgdat->kcompactd_lock, NULL);
	cond_init_monotonic(&pgdat->kcompactd_wait);
	pgdat->kcompactd_highest_zoneidx = MAX_NR_ZONES - 1;
}

void kcompactd_destroy(pg_data_t *pgdat)
{
	pthread_cond_destroy(&pgdat->kcompactd_wait);
	pthread_mutex_destroy(&pgdat->kcompactd_lock);
}

/* kcompactd_lock held. */
static bool kcompactd_work_requested(pg_data_t *pgdat)
{
	return pgdat->kcompactd_max_order > 0 || pgdat->kcompactd_should_stop ||
	       pgdat->proactive_compact_trigger;
}

/* Would compaction for the requested order do any good on this node? */
static bool kcompactd_node_suitable(struct mm_pool *pool, pg_data_t *pgdat,
				    int order, enum zone_type highest_zoneidx)
{
	for (int i = 0; i <= (int)highest_zoneidx; i++) {
		struct zone *zone = &pgdat->node_zones[i];

		if (populated_zone(zone) &&
		    compaction_suitable(pool, zone, order, 0,
					highest_zoneidx) == COMPACT_CONTINUE)
			return true;
	}
	return false;
}

static void count_kcompactd_scans(struct mm_pool *pool,
				  const struct compact_control *cc)
{
	count_vm_events(pool, KCOMPACTD_MIGRATE_SCANNED,
			cc->total_migrate_scanned);
	count_vm_events(pool, KCOMPACTD_FREE_SCANNED, cc->total_free_scanned);
}

/* Also read by compact_finished() without the lock: single loads. */
static bool kcompactd_should_stop(pg_data_t *pgdat)
{
	return READ_ONCE(pgdat->kcompactd_should_stop);
}

/* Make order available on the node's zones (kcompactd_do_work()). */
static void kcompactd_do_work(struct mm_pool *pool, pg_data_t *pgdat)
{
	int order;
	enum zone_type highest_zoneidx;

	pthread_mutex_lock(&pgdat->kcompactd_lock);
	order = pgdat->kcompactd_max_order;
	highest_zoneidx = pgdat->kcompactd_highest_zoneidx;
	pthread_mutex_unlock(&pgdat->kcompactd_lock);

	trace_event(&pool->trace, TR_KCOMPACTD_WAKE, pgdat->node_id, order,
		    highest_zoneidx, fragmentation_score_node(pgdat));
	count_vm_event(pool, KCOMPACTD_WAKE);
	for (int i = 0; i <= (int)highest_zoneidx; i++) {
		struct zone *zone = &pgdat->node_zones[i];
		struct compact_control cc = {
			.pool = pool,
			.zone = zone,
			.order = order,
			.migratetype = MIGRATE_MOVABLE,
			.highest_zoneidx = highest_zoneidx,
			.mode = MIGRATE_SYNC_LIGHT,
			.batch = READ_ONCE(pool->compact.batch),
			.kcompactd = pgdat,
		};
		enum compact_result status;

		if (!populated_zone(zone))
			continue;
		if (compaction_deferred(pool, zone, order))
			continue;
		if (compaction_suitable(pool, zone, order, 0, i) !=
		    COMPACT_CONTINUE)
			continue;
		if (kcompactd_should_stop(pgdat))
			return;
		status = compact_zone(&cc);
		if (status == COMPACT_SUCCESS) {
			compaction_defer_reset(pool, zone, order, false);
		} else if (status == COMPACT_PARTIAL_SKIPPED ||
			   status == COMPACT_COMPLETE) {
			/* Frames parked in page caches may be what is
			 * missing; the deferral rate-limits the drain. */
			drain_all_pages(pool);
			defer_compaction(pool, zone, order);
		}
		count_kcompactd_scans(pool, &cc);
	}

	/* Done until woken again; a request raised meanwhile stays. */
	pthread_mutex_lock(&pgdat->kcompactd_lock);
	if (pgdat->kcompactd_max_order <= order)
		pgdat->kcompactd_max_order = 0;
	if (pgdat->kcompactd_highest_zoneidx >= highest_zoneidx)
		pgdat->kcompactd_highest_zoneidx = MAX_NR_ZONES - 1;
	pthread_mutex_unlock(&pgdat->kcompactd_lock);
}

static bool should_proactive_compact_node(struct mm_pool *pool,
					  pg_data_t *pgdat)
{
	if (!READ_ONCE(pool->compact.proactiveness))
		return false;
	return fragmentation_score_node(pgdat) >
	       fragmentation_score_wmark(pool, false);
}

/* Every zone of the node, whole, until its score is low. */
static void proactive_compact_node(struct mm_pool *pool, pg_data_t *pgdat)
{
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *zone = &pgdat->node_zones[i];
		struct compact_control cc = {
			.pool = pool,
			.zone = zone,
			.order = -1,
			.migratetype = MIGRATE_MOVABLE,
			.mode = MIGRATE_SYNC_LIGHT,
			.ignore_skip_hint = true,
			.whole_zone = true,
			.proactive_compaction = true,
			.batch = READ_ONCE(pool->compact.batch),
			.kcompactd = pgdat,
		};

		if (!populated_zone(zone))
			continue;
		if (kcompactd_should_stop(pgdat))
			return;
		compact_zone(&cc);
		count_kcompactd_scans(pool, &cc);
	}
}

/*
 * Sleep until a request or the end of the period (none without
 * proactiveness).  Returns true for a request to compact for an order,
 * false for a period's end or a trigger.  kcompactd_lock held.
 */
static bool kcompactd_wait(struct mm_pool *pool, pg_data_t *pgdat)
{
	unsigned int ms = READ_ONCE(pool->compact.interval_ms);
	bool timed = READ_ONCE(pool->compact.proactiveness) != 0;
	struct timespec ts;

	deadline_after_ms(&ts, ms);
	while (!kcompactd_work_requested(pgdat)) {
		if (!timed)
			pthread_cond_wait(&pgdat->kcompactd_wait,
					  &pgdat->kcompactd_lock);
		else if (pthread_cond_timedwait(&pgdat->kcompactd_wait,
						&pgdat->kcompactd_lock,
						&ts) == ETIMEDOUT)
			break;
	}
	return pgdat->kcompactd_max_order > 0 &&
	       !pgdat->proactive_compact_trigger;
}

static void *kcompactd(void *arg)
{
	pg_data_t *pgdat = arg;
	struct mm_pool *pool = pgdat->pool;
	unsigned int proactive_defer = 0;

	/* As direct compaction: the op's allocations must not recurse
	 * into reclaim or compaction. */
	memalloc_noreclaim_save();
	for (;;) {
		bool requested, trigger;

		pthread_mutex_lock(&pgdat->kcompactd_lock);
		trace_event(&pool->trace, TR_KCOMPACTD_SLEEP, pgdat->node_id,
			    fragmentation_score_node(pgdat), proactive_defer,
			    0);
		requested = kcompactd_wait(pool, pgdat);
		trigger = pgdat->proactive_compact_trigger;
		pgdat->proactive_compact_trigger = false;
		if (pgdat->kcompactd_should_stop) {
			pthread_mutex_unlock(&pgdat->kcompactd_lock);
			break;
		}
		pthread_mutex_unlock(&pgdat->kcompactd_lock);

		if (requested) {
			kcompactd_do_work(pool, pgdat);
			continue;
		}
		/* A period's end, or proactiveness was just raised. */
		if (proactive_defer && !trigger) {
			proactive_defer--;
			continue;
		}
		if (should_proactive_compact_node(pool, pgdat)) {
			unsigned int prev_score, score;

			prev_score = fragmentation_score_node(pgdat);
			/* order=0: a proactive round, no order asked for. */
			trace_event(&pool->trace, TR_KCOMPACTD_WAKE,
				    pgdat->node_id, 0, MAX_NR_ZONES - 1,
				    prev_score);
			proactive_compact_node(pool, pgdat);
			score = fragmentation_score_node(pgdat);
			/* No progress: leave the node alone for a while. */
			proactive_defer = score < prev_score ?
						  0 :
						  1U << COMPACT_MAX_DEFER_SHIFT;
		}
	}
	return NULL;
}

int kcompactd_run(struct mm_pool *pool)
{
	for (unsigned int nid = 0; nid < pool->nr_nodes; nid++) {
		pg_data_t *pgdat = &pool->node_data[nid];
		int ret = 0;

		pthread_mutex_lock(&pgdat->kcompactd_lock);
		if (!pgdat->kcompactd_running) {
			WRITE_ONCE(pgdat->kcompactd_should_stop, false);
			ret = -pthread_create(&pgdat->kcompactd, NULL,
					      kcompactd, pgdat);
			pgdat->kcompactd_running = !ret;
		}
		pthread_mutex_unlock(&pgdat->kcompactd_lock);
		if (ret) {
			kcompactd_stop(pool);
			return ret;
		}
	}
	return 0;
}

void kcompactd_stop(struct mm_pool *pool)
{
	for (unsigned int nid = 0; nid < pool->nr_nodes; nid++) {
		pg_data_t *pgdat = &pool->node_data[nid];
		bool running;

		pthread_mutex_lock(&pgdat->kcompactd_lock);
		running = pgdat->kcompactd_running;
		WRITE_ONCE(pgdat->kcompactd_should_stop, true);
		pthread_cond_signal(&pgdat->kcompactd_wait);
		pthread_mutex_unlock(&pgdat->kcompactd_lock);
		if (!running)
			continue;
		pthread_join(pgdat->kcompactd, NULL);
		pthread_mutex_lock(&pgdat->kcompactd_lock);
		pgdat->kcompactd_running = false;
		pthread_mutex_unlock(&pgdat->kcompactd_lock);
	}
}

void wakeup_kcompactd(struct mm_pool *pool, int nid, int order,
		      enum zone_type highest_zoneidx)
{
	pg_data_t *pgdat;

	if (order <= 0 || nid < 0 || nid >= (int)pool->nr_nodes)
		return;
	pgdat = &pool->node_data[nid];
	pthread_mutex_lock(&pgdat->kcompactd_lock);
	if (!pgdat->kcompactd_running)
		goto out;
	if (pgdat->kcompactd_max_order < order)
		pgdat->kcompactd_max_order = order;
	if (pgdat->kcompactd_highest_zoneidx > highest_zoneidx)
		pgdat->kcompactd_highest_zoneidx = highest_zoneidx;
	/* Compaction cannot help: the request waits for a later wake-up
	 * (or the next period) with the conditions changed. */
	if (!kcompactd_node_suitable(pool, pgdat, pgdat->kcompactd_max_order,
				     pgdat->kcompactd_highest_zoneidx))
		goto out;
	trace_event(&pool->trace, TR_WAKEUP_KCOMPACTD, nid, order,
		    highest_zoneidx, 0);
	pthread_cond_signal(&pgdat->kcompactd_wait);
out:
	pthread_mutex_unlock(&pgdat->kcompactd_lock);
}

void wakeup_kcompactd_proactive(struct mm_pool *pool)
{
	for (unsigned int nid = 0; nid < pool->nr_nodes; nid++) {
		pg_data_t *pgdat = &pool->node_data[nid];

		pthread_mutex_lock(&pgdat->kcompactd_lock);
		if (pgdat->kcompactd_running) {
			pgdat->proactive_compact_trigger = true;
			pthread_cond_signal(&pgdat->kcompactd_wait);
		}
		pthread_mutex_unlock(&pgdat->kcompactd_lock);
	}
}

void kswapd_balanced(struct mm_pool *pool, int nid)
{
	pg_data_t *pgdat;
	int order;

	if (nid < 0 || nid >= (int)pool->nr_nodes)
		return;
	pgdat = &pool->node_data[nid];
	order = __atomic_exchange_n(&pgdat->kswapd_order, 0, __ATOMIC_RELAXED);
	reset_isolation_suitable(pool, pgdat);
	wakeup_kcompactd(pool, nid, order,
			 READ_ONCE(pgdat->kswapd_highest_zoneidx));
}
