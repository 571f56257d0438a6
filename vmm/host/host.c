// SPDX-License-Identifier: GPL-2.0
/*
 * The host made and unmade: its pool, the allocator's ops over its
 * guests, and the threads that keep the pool (kswapd, kcompactd, the
 * collapse thread, the host limits thread) and its pressure figures.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mm/compaction.h"
#include "util/errf.h"
#include "util/sysctl.h"
#include "vmm/guest_mem/guest_mem.h"
#include "vmm/host/swap.h"
#include "vmm/host/balloon.h"
#include "vmm/host/events.h"
#include "vmm/host/internal.h"
#include "vmm/host/limits.h"
#include "vmm/host/trace_events.h"

/* kcompactd per node with the configured knobs, and the collapse thread. */
static int host_compaction_start(struct vmm_host *h, char *err, size_t errlen)
{
	const struct vmm_config *cfg = &h->cfg;
	struct compact_tunables t = h->pool->compact;
	int ret;

	if (cfg->proactiveness_set)
		t.proactiveness = cfg->proactiveness;
	if (cfg->extfrag_threshold)
		t.extfrag_threshold = cfg->extfrag_threshold;
	if (cfg->compact_batch)
		t.batch = cfg->compact_batch;
	ret = compaction_set_tunables(h->pool, &t);
	if (ret)
		return errf(err, errlen, ret, "compaction settings: %s",
			    strerror(-ret));
	ret = kcompactd_run(h->pool);
	if (ret)
		return errf(err, errlen, ret, "starting kcompactd: %s",
			    strerror(-ret));
	if (!cfg->collapse_off) {
		ret = host_khugepaged_start(h);
		if (ret) {
			kcompactd_stop(h->pool);
			return errf(err, errlen, ret,
				    "starting the collapse thread: %s",
				    strerror(-ret));
		}
	}
	return 0;
}

int host_create(const struct vmm_config *cfg, struct vmm_host **out, char *err,
		size_t errlen)
{
	struct mm_config mc = {
		.pool_bytes = cfg->pool_bytes,
		.nr_nodes = cfg->nr_nodes,
		.movable_bytes = cfg->movable_bytes,
		.min_free_kbytes = cfg->min_free_kbytes,
		.watermark_scale_factor = cfg->watermark_scale_factor,
		.hugepages = cfg->hugepages,
		.trace_events = cfg->trace_events,
	};
	struct vmm_host *h;
	int ret;

	*out = NULL;
	BUILD_BUG_ON(VMM_MAX_POOL_NODES > MAX_NUMNODES);
	ret = host_trace_events_register();
	if (ret)
		return errf(err, errlen, ret, "trace events: %s",
			    strerror(-ret));
	memcpy(mc.distance, cfg->distance, sizeof(cfg->distance));
	h = calloc(1, sizeof(*h));
	if (!h)
		return errf(err, errlen, -ENOMEM, "no memory");
	h->cfg = *cfg;
	h->out = stdout;
	h->start_ns = trace_clock_ns();
	h->next_id = 1;
	h->oom_log = stderr;
	h->warn_log = stderr;
	vcpu_load_init(&h->vcpu_load, 0);
	pthread_mutex_init(&h->lock, NULL);
	pthread_mutex_init(&h->reap_lock, NULL);
	pthread_mutex_init(&h->collapse_lock, NULL);
	pthread_mutex_init(&h->names.lock, NULL);
	if (!cfg->host_limits_off) {
		ret = host_limits_fit_pool(cfg, &mc.pool_bytes, h->pool_note,
					   sizeof(h->pool_note), err, errlen);
		if (ret)
			goto err_free;
		h->cfg.pool_bytes = mc.pool_bytes;
	}
	ret = mm_pool_create(&mc, &h->pool, err, errlen);
	if (ret)
		goto err_free;
	host_events_init(h);
	ret = host_swap_start(h, err, errlen);
	if (ret)
		goto err_pool;
	ret = host_pressure_start(h);
	if (ret) {
		errf(err, errlen, ret, "starting the pressure thread: %s",
		     strerror(-ret));
		goto err_swap;
	}
	if (cfg->trace_path) {
		ret = host_trace_start(h, cfg->trace_path, HOST_TRACE_REPLACE,
				       NULL, err, errlen);
		if (ret)
			goto err_pressure;
	}
	if (!cfg->balloon_off) {
		ret = host_reclaim_start(h);
		if (ret) {
			errf(err, errlen, ret, "starting kswapd: %s",
			     strerror(-ret));
			goto err_trace;
		}
	}
	host_set_mm_ops(h);
	if (!cfg->compaction_off) {
		ret = host_compaction_start(h, err, errlen);
		if (ret)
			goto err_reclaim;
	}
	if (!cfg->host_limits_off) {
		ret = host_headroom_start(h);
		if (ret) {
			errf(err, errlen, ret,
			     "starting the host limits thread: %s",
			     strerror(-ret));
			goto err_compaction;
		}
	}
	if (!cfg->cold_scan_off) {
		ret = host_cold_start(h);
		if (ret) {
			errf(err, errlen, ret,
			     "starting the cold page scanner: %s",
			     strerror(-ret));
			goto err_headroom;
		}
	}
	host_ensure_max_map_count(
		host_map_count_for(mc.pool_bytes >> PAGE_SHIFT), false);
	*out = h;
	return 0;
err_headroom:
	host_headroom_stop(h);
err_compaction:
	host_khugepaged_stop(h);
	kcompactd_stop(h->pool);
err_reclaim:
	host_reclaim_stop(h);
err_trace:
	if (host_trace_path(h)) {
		struct host_trace_result res;

		host_trace_stop(h, &res, NULL);
	}
err_pressure:
	host_pressure_stop(h);
err_swap:
	host_swap_stop(h);
err_pool:
	mm_pool_destroy(h->pool);
err_free:
	pthread_mutex_destroy(&h->lock);
	pthread_mutex_destroy(&h->reap_lock);
	pthread_mutex_destroy(&h->collapse_lock);
	pthread_mutex_destroy(&h->names.lock);
	free(h);
	return ret;
}

void host_set_output(struct vmm_host *h, FILE *reports, FILE *oom_log,
		     FILE *warn_log)
{
	if (reports)
		h->out = reports;
	if (oom_log)
		h->oom_log = oom_log;
	if (warn_log)
		h->warn_log = warn_log;
}

struct mm_pool *host_pool(struct vmm_host *h)
{
	return h->pool;
}

int host_validate(struct vmm_host *h, char *err, size_t errlen)
{
	int ret = mm_validate(h->pool, err, errlen);

	if (ret || !h->tier)
		return ret;
	/* mm_validate() sees the store's frames; the GPAs swapped out hold
	 * none: each guest's against the tier's entries.  (Not the tier's
	 * own walker, swap_tier_validate(): its stores count frames being
	 * allocated before they are on a list, so it needs a quiet tier.) */
	for (unsigned int slot = 1; !ret && slot <= VMM_MAX_GUESTS; slot++) {
		struct guest_mem *mem;

		pthread_mutex_lock(&h->reap_lock);
		mem = __host_live_mem(h, slot);
		if (mem)
			ret = guest_mem_validate_swap(mem, err, errlen);
		pthread_mutex_unlock(&h->reap_lock);
	}
	return ret;
}

void host_destroy(struct vmm_host *h)
{
	if (!h)
		return;
	/* Nothing takes the pool offline, nor kills for it, from here on. */
	host_headroom_stop(h);
	host_stop_all(h, "host shutting down");
	/* Nothing moves guest pages from here on. */
	host_cold_stop(h);
	host_khugepaged_stop(h);
	kcompactd_stop(h->pool);
	host_reclaim_stop(h);
	for (unsigned int slot = 1; slot <= VMM_MAX_GUESTS; slot++)
		if (h->vm[slot])
			host_reap(h, h->vm[slot]->id);
	host_pressure_stop(h);
	host_trace_finish(h, stderr, NULL);
	host_events_free(h);
	host_swap_stop(h);
	mm_pool_destroy(h->pool);
	pthread_mutex_destroy(&h->lock);
	pthread_mutex_destroy(&h->reap_lock);
	pthread_mutex_destroy(&h->collapse_lock);
	pthread_mutex_destroy(&h->names.lock);
	free(h);
}
