// SPDX-License-Identifier: GPL-2.0
/* The pool kept within what the host will give (see headroom.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mm/mm.h"
#include "vmm/host/host.h"
#include "vmm/host/headroom.h"

/* Kills for one look, at most: each frees a guest, then we look again. */
#define HEADROOM_MAX_KILLS 4
#define NOTE_INTERVAL_NS 1000000000ULL

/* Say how much of the pool is offline when it changes, once a second at
 * most, and always when it starts or ends. */
static void note(struct host_headroom *hr, const struct host_limit *t,
		 unsigned long offline)
{
	struct mm_pool *pool = hr->h->pool;
	uint64_t now = trace_clock_ns();
	char what[HOST_LIMITS_PATH_MAX + 128] = "no limit now";

	if (offline == hr->told_offline ||
	    (offline && hr->told_offline &&
	     now - hr->last_note_ns < NOTE_INTERVAL_NS))
		return;
	if (t)
		host_limit_describe(t, what, sizeof(what));
	if (offline)
		fprintf(hr->h->oom_log,
			"vmm: %s: %lu MiB of the pool offline, %lu MiB online\n",
			what, offline >> (20 - PAGE_SHIFT),
			(pool->nr_frames - offline) >> (20 - PAGE_SHIFT));
	else
		fprintf(hr->h->oom_log,
			"vmm: %s: the whole pool is online again\n", what);
	fflush(hr->h->oom_log);
	hr->told_offline = offline;
	hr->last_note_ns = now;
}

unsigned long host_headroom_check(struct vmm_host *h)
{
	struct host_headroom *hr = &h->headroom;
	struct mm_pool *pool = h->pool;
	unsigned long room, online, offline, slack;
	const struct host_limit *t;
	struct pool_footprint fp;
	struct host_limits hl;
	uint64_t bytes;

	pthread_mutex_lock(&hr->round_lock);
	host_limits_read(&hr->src, &hl);
	if (pool_footprint(pool, &fp))
		goto out;
	bytes = host_limits_pool_room(&hl, fp.resident_bytes, hr->reserve, &t);
	room = bytes >= pool->size ? pool->nr_frames : bytes >> PAGE_SHIFT;
	offline = pool_nr_offline_pages(pool);
	online = pool->nr_frames - offline;
	/* Back online only with this much to spare (4 pageblocks, or
	 * 1/64 of the pool if more), and then not right up to the room. */
	slack = pool->nr_frames / 64 > 4 * pageblock_nr_pages ?
			pool->nr_frames / 64 :
			4 * pageblock_nr_pages;
	for (int kills = 0; online > room;) {
		unsigned long need = online - room;
		unsigned long got = offline_pages(pool, need);

		online = got < online ? online - got : 0;
		if (got >= need || kills++ == HEADROOM_MAX_KILLS)
			break;
		/* Nothing free, reclaimable or movable is left to take: a
		 * guest goes, so that vmm and the others live. */
		if (!offline_out_of_memory(pool, need - got))
			break;
	}
	if (offline && room >= online + slack) {
		unsigned long give = room >= pool->nr_frames ?
					     offline :
					     room - online - slack / 2;

		online_pages(pool, give < offline ? give : offline);
	}
	note(hr, t, pool_nr_offline_pages(pool));
out:
	offline = pool_nr_offline_pages(pool);
	pthread_mutex_unlock(&hr->round_lock);
	return offline;
}

static void headroom_look(void *arg)
{
	struct host_headroom *hr = arg;

	host_headroom_check(hr->h);
}

int host_headroom_start(struct vmm_host *h)
{
	struct host_headroom *hr = &h->headroom;
	int ret;

	memset(hr, 0, sizeof(*hr));
	hr->h = h;
	hr->reserve = host_reserve_bytes(&h->cfg, h->pool->size);
	/* Without /proc/self/cgroup, MemAvailable is all there is. */
	host_limits_find(h->cfg.host_root, &hr->src);
	pthread_mutex_init(&hr->round_lock, NULL);
	ret = periodic_start(&hr->thread,
			     HOST_HEADROOM_INTERVAL_MS * 1000000ULL,
			     headroom_look, hr);
	if (ret) {
		pthread_mutex_destroy(&hr->round_lock);
		return ret;
	}
	hr->running = true;
	return 0;
}

void host_headroom_stop(struct vmm_host *h)
{
	struct host_headroom *hr = &h->headroom;

	if (!hr->running)
		return;
	periodic_stop(&hr->thread);
	pthread_mutex_destroy(&hr->round_lock);
	hr->running = false;
}
