// SPDX-License-Identifier: GPL-2.0
/* A scenario's pool, reclaim, compaction and run sections. */
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "tools/overcommit/scenario_internal.h"

#define MIN_POOL (16ULL << 20)

/* o.key, if there: a switch stored the other way round (*off). */
static int get_off(struct sc_ctx *c, json_t *o, const char *section,
		   const char *key, bool *off)
{
	json_t *v = json_object_get(o, key);
	char p[64];
	bool on;
	int ret;

	if (!v)
		return 0;
	sc_join(p, sizeof(p), section, key);
	if ((ret = sc_get_bool(c, v, p, &on)))
		return ret;
	*off = !on;
	return 0;
}

/* A background pass's interval: a time from 10ms to 1h in *ms, or "off"
 * (*ms 0). */
static int get_interval(struct sc_ctx *c, json_t *v, const char *path,
			unsigned int *ms)
{
	uint64_t ns;
	int ret;

	if (json_is_string(v) && !strcmp(json_string_value(v), "off")) {
		*ms = 0;
		return 0;
	}
	if ((ret = sc_get_duration(c, v, path, &ns)))
		return ret;
	if (ns < 10000000ULL || ns > 3600000000000ULL)
		return sc_bad(c, path, "must be from 10ms to 1h, or \"off\"");
	*ms = ns / 1000000;
	return 0;
}

int sc_parse_pool(struct sc_ctx *c, json_t *o, struct vmm_config *cfg)
{
	static const char *const keys[] = { "size",
					    "nodes",
					    "movable",
					    "min_free_kbytes",
					    "watermark_scale_factor",
					    "distance",
					    "hugepages",
					    NULL };
	json_t *v;
	long n;
	int ret;

	if (!o)
		return sc_bad(c, "pool",
			      "missing (the pool's \"size\" at least)");
	ret = sc_check_keys(c, o, "pool", keys);
	if (ret)
		return ret;
	v = json_object_get(o, "size");
	if (!v)
		return sc_bad(c, "pool.size", "missing");
	if ((ret = sc_get_size(c, v, "pool.size", &cfg->pool_bytes)))
		return ret;
	if (cfg->pool_bytes < MIN_POOL || cfg->pool_bytes % SC_HUGE)
		return sc_bad(c, "pool.size",
			      "must be a multiple of 2M, 16M at least");
	if ((v = json_object_get(o, "nodes"))) {
		if ((ret = sc_get_int(c, v, "pool.nodes", 1, VMM_MAX_POOL_NODES,
				      &n)))
			return ret;
		cfg->nr_nodes = n;
	}
	if (cfg->pool_bytes / cfg->nr_nodes < (4ULL << 20))
		return sc_bad(c, "pool.nodes",
			      "%u nodes of a %" PRIu64
			      "M pool are smaller than 4M",
			      cfg->nr_nodes, cfg->pool_bytes >> 20);
	if ((v = json_object_get(o, "movable"))) {
		if ((ret = sc_get_size(c, v, "pool.movable",
				       &cfg->movable_bytes)))
			return ret;
		if (cfg->movable_bytes + (4ULL << 20) >
		    cfg->pool_bytes / cfg->nr_nodes)
			return sc_bad(
				c, "pool.movable",
				"leaves less than 4M of ZONE_NORMAL in each %" PRIu64
				"M node",
				(cfg->pool_bytes / cfg->nr_nodes) >> 20);
	}
	if ((v = json_object_get(o, "min_free_kbytes"))) {
		if ((ret = sc_get_int(c, v, "pool.min_free_kbytes", 128,
				      1L << 30, &n)))
			return ret;
		cfg->min_free_kbytes = n;
	}
	if ((v = json_object_get(o, "watermark_scale_factor"))) {
		if ((ret = sc_get_int(c, v, "pool.watermark_scale_factor", 1,
				      3000, &n)))
			return ret;
		cfg->watermark_scale_factor = n;
	}
	if ((v = json_object_get(o, "hugepages")) &&
	    (ret = sc_get_bool(c, v, "pool.hugepages", &cfg->hugepages)))
		return ret;
	if ((v = json_object_get(o, "distance"))) {
		size_t i, j;
		json_t *row, *d;
		char p[64];

		if (!json_is_array(v) || json_array_size(v) != cfg->nr_nodes)
			return sc_bad(
				c, "pool.distance",
				"must be %u rows of %u distances (one per node)",
				cfg->nr_nodes, cfg->nr_nodes);
		json_array_foreach(v, i, row) {
			sc_pathf(p, sizeof(p), "pool.distance[%zu]", i);
			if (!json_is_array(row) ||
			    json_array_size(row) != cfg->nr_nodes)
				return sc_bad(c, p, "must be %u distances",
					      cfg->nr_nodes);
			json_array_foreach(row, j, d) {
				sc_pathf(p, sizeof(p),
					 "pool.distance[%zu][%zu]", i, j);
				if ((ret = sc_get_int(c, d, p, 10, 254, &n)))
					return ret;
				if ((i == j) != (n == 10))
					return sc_bad(
						c, p,
						"10 is a node's distance to itself, and only that");
				cfg->distance[i][j] = n;
			}
		}
		for (i = 0; i < cfg->nr_nodes; i++)
			for (j = 0; j < i; j++)
				if (cfg->distance[i][j] != cfg->distance[j][i])
					return sc_bad(
						c, "pool.distance",
						"not symmetric at [%zu][%zu]",
						i, j);
	}
	return 0;
}

int sc_parse_reclaim(struct sc_ctx *c, json_t *o, struct vmm_config *cfg)
{
	static const char *const keys[] = { "balloon",
					    "deflate",
					    "floor",
					    "step",
					    "deflate_step",
					    "deflate_margin",
					    "guest_timeout",
					    "direct_timeout",
					    "kswapd_step",
					    "release_interval",
					    NULL };
	static const struct {
		const char *key;
		size_t off;
	} times[] = {
		{ "guest_timeout",
		  offsetof(struct vmm_config, guest_timeout_ms) },
		{ "direct_timeout",
		  offsetof(struct vmm_config, direct_timeout_ms) },
		{ "kswapd_step", offsetof(struct vmm_config, kswapd_step_ms) },
	};
	static const struct {
		const char *key;
		size_t off;
		uint64_t min;
	} sizes[] = {
		{ "floor", offsetof(struct vmm_config, balloon_floor_bytes),
		  4096 },
		{ "step", offsetof(struct vmm_config, balloon_step_bytes),
		  4096 },
		{ "deflate_step",
		  offsetof(struct vmm_config, deflate_step_bytes), 4096 },
	};
	char p[64];
	json_t *v;
	long n;
	int ret;

	if (!o)
		return 0;
	if ((ret = sc_check_keys(c, o, "reclaim", keys)) ||
	    (ret = get_off(c, o, "reclaim", "balloon", &cfg->balloon_off)) ||
	    (ret = get_off(c, o, "reclaim", "deflate", &cfg->deflate_off)))
		return ret;
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		uint64_t ns;

		if (!(v = json_object_get(o, times[i].key)))
			continue;
		sc_pathf(p, sizeof(p), "reclaim.%s", times[i].key);
		if ((ret = sc_get_duration(c, v, p, &ns)))
			return ret;
		if (ns < 1000000ULL || ns > 60000000000ULL)
			return sc_bad(c, p, "must be from 1ms to 60s");
		*(unsigned int *)((char *)cfg + times[i].off) = ns / 1000000;
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t *b = (uint64_t *)((char *)cfg + sizes[i].off);

		if (!(v = json_object_get(o, sizes[i].key)))
			continue;
		sc_pathf(p, sizeof(p), "reclaim.%s", sizes[i].key);
		if ((ret = sc_get_size(c, v, p, b)))
			return ret;
		if (*b < sizes[i].min || *b > (1ULL << 40))
			return sc_bad(c, p, "must be from 4K to 1T");
	}
	if ((v = json_object_get(o, "deflate_margin"))) {
		if ((ret = sc_get_int(c, v, "reclaim.deflate_margin", 1, 100,
				      &n)))
			return ret;
		cfg->deflate_margin_pct = n;
	}
	if ((v = json_object_get(o, "release_interval")) &&
	    (ret = get_interval(c, v, "reclaim.release_interval",
				&cfg->release_interval_ms)))
		return ret;
	return 0;
}

int sc_parse_compaction(struct sc_ctx *c, json_t *o, struct vmm_config *cfg)
{
	static const char *const keys[] = {
		"enabled", "proactiveness",	"extfrag_threshold", "batch",
		"migrate", "collapse_interval", "collapse_max",	     NULL
	};
	json_t *v;
	long n;
	int ret;

	if (!o)
		return 0;
	if ((ret = sc_check_keys(c, o, "compaction", keys)) ||
	    (ret = get_off(c, o, "compaction", "enabled",
			   &cfg->compaction_off)))
		return ret;
	if ((v = json_object_get(o, "proactiveness"))) {
		if ((ret = sc_get_int(c, v, "compaction.proactiveness", 0, 100,
				      &n)))
			return ret;
		cfg->proactiveness = n;
		cfg->proactiveness_set = true;
	}
	if ((v = json_object_get(o, "extfrag_threshold"))) {
		if ((ret = sc_get_int(c, v, "compaction.extfrag_threshold", 0,
				      1000, &n)))
			return ret;
		cfg->extfrag_threshold = n ? n : 1;
	}
	if ((v = json_object_get(o, "batch"))) {
		if ((ret = sc_get_int(c, v, "compaction.batch", 1, 512, &n)))
			return ret;
		cfg->compact_batch = n;
	}
	if ((v = json_object_get(o, "migrate"))) {
		const char *m = json_is_string(v) ? json_string_value(v) : "";

		if (strcmp(m, "entries") && strcmp(m, "pause"))
			return sc_bad(c, "compaction.migrate",
				      "must be \"entries\" or \"pause\"");
		cfg->migrate_by_pause = !strcmp(m, "pause");
	}
	if ((v = json_object_get(o, "collapse_interval"))) {
		unsigned int ms;

		if ((ret = get_interval(c, v, "compaction.collapse_interval",
					&ms)))
			return ret;
		if (ms)
			cfg->collapse_interval_ms = ms;
		else
			cfg->collapse_off = true;
	}
	if ((v = json_object_get(o, "collapse_max"))) {
		if ((ret = sc_get_int(c, v, "compaction.collapse_max", 1, 65536,
				      &n)))
			return ret;
		cfg->collapse_max = n;
	}
	return 0;
}

int sc_parse_run(struct sc_ctx *c, json_t *o, struct scenario *sc)
{
	static const char *const keys[] = { "duration",	    "shutdown_timeout",
					    "timeout",	    "sample_interval",
					    "trace_events", "trace_page_events",
					    "irqchip",	    NULL };
	json_t *v;
	long n;
	int ret;

	if (!o)
		return 0;
	if ((ret = sc_check_keys(c, o, "run", keys)))
		return ret;
	if ((v = json_object_get(o, "duration"))) {
		if ((ret = sc_get_duration(c, v, "run.duration",
					   &sc->duration_ns)))
			return ret;
		if (sc->duration_ns < 10000000ULL)
			return sc_bad(c, "run.duration",
				      "must be 10ms at least");
	}
	if ((v = json_object_get(o, "shutdown_timeout"))) {
		if ((ret = sc_get_duration(c, v, "run.shutdown_timeout",
					   &sc->shutdown_timeout_ns)))
			return ret;
		if (sc->shutdown_timeout_ns > 3600 * 1000000000ULL)
			return sc_bad(c, "run.shutdown_timeout",
				      "must be 1h at most");
	}
	if ((v = json_object_get(o, "timeout"))) {
		if ((ret = sc_get_duration(c, v, "run.timeout",
					   &sc->timeout_ns)))
			return ret;
		if (sc->timeout_ns < 100000000ULL ||
		    sc->timeout_ns > 24 * 3600 * 1000000000ULL)
			return sc_bad(c, "run.timeout",
				      "must be from 100ms to 24h");
	}
	if (sc->duration_ns && sc->duration_ns >= sc->timeout_ns)
		return sc_bad(c, "run.duration",
			      "must be shorter than run.timeout (%" PRIu64
			      " s)",
			      (uint64_t)(sc->timeout_ns / 1000000000ULL));
	if ((v = json_object_get(o, "sample_interval"))) {
		if ((ret = sc_get_duration(c, v, "run.sample_interval",
					   &sc->sample_ns)))
			return ret;
		if (sc->sample_ns < 10000000ULL ||
		    sc->sample_ns > 10000000000ULL)
			return sc_bad(c, "run.sample_interval",
				      "must be from 10ms to 10s");
	}
	if ((v = json_object_get(o, "trace_events"))) {
		if ((ret = sc_get_int(c, v, "run.trace_events", 1024, 1L << 24,
				      &n)))
			return ret;
		sc->trace_events = n;
	}
	if ((v = json_object_get(o, "trace_page_events")) &&
	    (ret = sc_get_bool(c, v, "run.trace_page_events",
			       &sc->trace_page_events)))
		return ret;
	return get_off(c, o, "run", "irqchip", &sc->cfg.irqchip_off);
}
