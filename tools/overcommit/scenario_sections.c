// SPDX-License-Identifier: GPL-2.0
/*
 * A scenario's pool, reclaim, compaction and run sections.  Their keys
 * are the rows of vmm_options[] whose scenario key is in the section
 * ("pool.size": --pool), read by the row's type and range; what only a
 * scenario has or asks is here.
 */
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "tools/overcommit/scenario_internal.h"
#include "vmm/config/option.h"

#define MIN_POOL (16ULL << 20)
#define MAX_KEYS 32

/* The row's key within section ("size" for "pool.size"), or NULL. */
static const char *key_in(const struct option_desc *o, const char *section)
{
	size_t n = strlen(section);

	if (!o->key || strncmp(o->key, section, n) || o->key[n] != '.')
		return NULL;
	return o->key + n + 1;
}

/*
 * The section o: no keys but the table's and extra (NULL-terminated),
 * and each option row there read into cfg.  Rows with a parser of their
 * own (OPTION_CUSTOM) are the caller's to read.
 */
static int parse_options(struct sc_ctx *c, json_t *o, const char *section,
			 const char *const *extra, struct vmm_config *cfg)
{
	const char *keys[MAX_KEYS + 1];
	size_t n = 0;
	int ret;

	for (const struct option_desc *d = vmm_options; d->name; d++)
		if (key_in(d, section) && n < MAX_KEYS)
			keys[n++] = key_in(d, section);
	for (; extra && *extra && n < MAX_KEYS; extra++)
		keys[n++] = *extra;
	keys[n] = NULL;
	if ((ret = sc_check_keys(c, o, section, keys)))
		return ret;
	for (const struct option_desc *d = vmm_options; d->name; d++) {
		const char *key = key_in(d, section);
		json_t *v = key ? json_object_get(o, key) : NULL;

		if (v && d->type != OPTION_CUSTOM &&
		    (ret = sc_get_option(c, d, v, d->key, cfg)))
			return ret;
	}
	return 0;
}

/* pool.distance: one row of one distance per node, symmetric, 10 on
 * the diagonal and only there (the range is --distance's). */
static int parse_distance(struct sc_ctx *c, json_t *v, struct vmm_config *cfg)
{
	const struct option_desc *o = option_find(vmm_options, "distance");
	size_t i, j;
	json_t *row, *d;
	char p[64];
	long n;
	int ret;

	if (!json_is_array(v) || json_array_size(v) != cfg->nr_nodes)
		return sc_bad(c, o->key,
			      "must be %u rows of %u distances (one per node)",
			      cfg->nr_nodes, cfg->nr_nodes);
	json_array_foreach(v, i, row) {
		sc_pathf(p, sizeof(p), "%s[%zu]", o->key, i);
		if (!json_is_array(row) ||
		    json_array_size(row) != cfg->nr_nodes)
			return sc_bad(c, p, "must be %u distances",
				      cfg->nr_nodes);
		json_array_foreach(row, j, d) {
			sc_pathf(p, sizeof(p), "%s[%zu][%zu]", o->key, i, j);
			if ((ret = sc_get_int(c, d, p, o->min, o->max, &n)))
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
				return sc_bad(c, o->key,
					      "not symmetric at [%zu][%zu]", i,
					      j);
	return 0;
}

int sc_parse_pool(struct sc_ctx *c, json_t *o, struct vmm_config *cfg)
{
	json_t *v;
	int ret;

	if (!o)
		return sc_bad(c, "pool",
			      "missing (the pool's \"size\" at least)");
	if ((ret = parse_options(c, o, "pool", NULL, cfg)))
		return ret;
	if (!json_object_get(o, "size"))
		return sc_bad(c, "pool.size", "missing");
	/* Exactly what runs: vmm run would round it down. */
	if (cfg->pool_bytes < MIN_POOL || cfg->pool_bytes % SC_HUGE)
		return sc_bad(c, "pool.size",
			      "must be a multiple of 2M, 16M at least");
	if (cfg->pool_bytes / cfg->nr_nodes < (4ULL << 20))
		return sc_bad(c, "pool.nodes",
			      "%u nodes of a %" PRIu64
			      "M pool are smaller than 4M",
			      cfg->nr_nodes, cfg->pool_bytes >> 20);
	if (cfg->movable_bytes + (4ULL << 20) > cfg->pool_bytes / cfg->nr_nodes)
		return sc_bad(
			c, "pool.movable",
			"leaves less than 4M of ZONE_NORMAL in each %" PRIu64
			"M node",
			(cfg->pool_bytes / cfg->nr_nodes) >> 20);
	if ((v = json_object_get(o, "distance")))
		return parse_distance(c, v, cfg);
	return 0;
}

int sc_parse_reclaim(struct sc_ctx *c, json_t *o, struct vmm_config *cfg)
{
	return o ? parse_options(c, o, "reclaim", NULL, cfg) : 0;
}

int sc_parse_compaction(struct sc_ctx *c, json_t *o, struct vmm_config *cfg)
{
	return o ? parse_options(c, o, "compaction", NULL, cfg) : 0;
}

/* The run section's own times (the scenario's, not vmm's). */
static int get_time(struct sc_ctx *c, json_t *o, const char *key, uint64_t min,
		    uint64_t max, const char *range, uint64_t *ns)
{
	json_t *v = json_object_get(o, key);
	char p[64];
	int ret;

	if (!v)
		return 0;
	sc_join(p, sizeof(p), "run", key);
	if ((ret = sc_get_duration(c, v, p, ns)))
		return ret;
	if (*ns < min || *ns > max)
		return sc_bad(c, p, "must be %s", range);
	return 0;
}

int sc_parse_run(struct sc_ctx *c, json_t *o, struct scenario *sc)
{
	static const char *const keys[] = { "duration",	    "shutdown_timeout",
					    "timeout",	    "sample_interval",
					    "trace_events", NULL };
	const uint64_t s = 1000000000ULL, ms = 1000000ULL;
	json_t *v;
	long n;
	int ret;

	if (!o)
		return 0;
	if ((ret = parse_options(c, o, "run", keys, &sc->cfg)) ||
	    (ret = get_time(c, o, "duration", 10 * ms, UINT64_MAX,
			    "10ms at least", &sc->duration_ns)) ||
	    (ret = get_time(c, o, "shutdown_timeout", 0, 3600 * s, "1h at most",
			    &sc->shutdown_timeout_ns)) ||
	    (ret = get_time(c, o, "timeout", 100 * ms, 24 * 3600 * s,
			    "from 100ms to 24h", &sc->timeout_ns)))
		return ret;
	if (sc->duration_ns && sc->duration_ns >= sc->timeout_ns)
		return sc_bad(c, "run.duration",
			      "must be shorter than run.timeout (%" PRIu64
			      " s)",
			      (uint64_t)(sc->timeout_ns / s));
	if ((ret = get_time(c, o, "sample_interval", 10 * ms, 10 * s,
			    "from 10ms to 10s", &sc->sample_ns)))
		return ret;
	if ((v = json_object_get(o, "trace_events"))) {
		if ((ret = sc_get_int(c, v, "run.trace_events", 1024, 1L << 24,
				      &n)))
			return ret;
		sc->trace_events = n;
	}
	return 0;
}
