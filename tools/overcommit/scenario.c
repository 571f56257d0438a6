// SPDX-License-Identifier: GPL-2.0
/* Overcommit scenarios: JSON in, a checked struct scenario out. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/overcommit/scenario.h"
#include "vmm/options.h"
#include "vmm/size.h"

#define MIN_POOL (16ULL << 20)
#define MIN_GUEST (8ULL << 20)
#define HUGE (2ULL << 20)
#define DEFAULT_TIMEOUT_NS (60ULL * 1000000000ULL)
#define DEFAULT_SAMPLE_NS (100ULL * 1000000ULL)
#define DEFAULT_SHUTDOWN_TIMEOUT_NS (10ULL * 1000000000ULL)
#define DEFAULT_TRACE_EVENTS (1U << 18)

/* Where we are in the file, for messages. */
struct ctx {
	char *err;
	size_t errlen;
};

static int __attribute__((format(printf, 3, 4)))
bad(struct ctx *c, const char *path, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = snprintf(c->err, c->errlen, "%s: ", path);
	if (n >= c->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

/* A JSON path for messages (they are short; cut, never overflowed). */
static void __attribute__((format(printf, 3, 4)))
pathf(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, len, fmt, ap);
	va_end(ap);
}

static void join(char *out, size_t len, const char *path, const char *key)
{
	pathf(out, len, "%s%s%s", path, *path ? "." : "", key);
}

/* Every key of obj is one of allowed (NULL-terminated). */
static int check_keys(struct ctx *c, json_t *obj, const char *path,
		      const char *const *allowed)
{
	const char *key;
	json_t *v;

	if (!json_is_object(obj))
		return bad(c, *path ? path : "(top level)",
			   "must be an object, not %s", type_name(obj));
	json_object_foreach(obj, key, v) {
		const char *const *a;
		char p[256], list[512] = "";

		for (a = allowed; *a && strcmp(*a, key); a++)
			;
		if (*a)
			continue;
		for (a = allowed; *a; a++)
			snprintf(list + strlen(list),
				 sizeof(list) - strlen(list), "%s%s",
				 a == allowed ? "" : ", ", *a);
		join(p, sizeof(p), path, key);
		return bad(c, p, "unknown key (known here: %s)", list);
	}
	return 0;
}

static int get_size(struct ctx *c, json_t *v, const char *path, uint64_t *out)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (json_is_string(v) && !parse_size(json_string_value(v), out))
		return 0;
	if (json_is_string(v))
		return bad(c, path, "\"%s\" is not a size (e.g. 256M, 1G)",
			   json_string_value(v));
	return bad(c, path, "must be a size (\"256M\" or bytes), not %s",
		   type_name(v));
}

static int get_duration(struct ctx *c, json_t *v, const char *path,
			uint64_t *out)
{
	if (json_is_string(v) && !parse_duration_ns(json_string_value(v), out))
		return 0;
	if (json_is_string(v))
		return bad(
			c, path,
			"\"%s\" is not a time (a number and ns, us, ms or s: \"250ms\")",
			json_string_value(v));
	return bad(c, path, "must be a time such as \"250ms\", not %s",
		   type_name(v));
}

static int get_int(struct ctx *c, json_t *v, const char *path, long min,
		   long max, long *out)
{
	if (!json_is_integer(v))
		return bad(c, path, "must be an integer, not %s", type_name(v));
	if (json_integer_value(v) < min || json_integer_value(v) > max)
		return bad(c, path,
			   "%" JSON_INTEGER_FORMAT " is not in %ld..%ld",
			   json_integer_value(v), min, max);
	*out = (long)json_integer_value(v);
	return 0;
}

static int get_bool(struct ctx *c, json_t *v, const char *path, bool *out)
{
	if (!json_is_boolean(v))
		return bad(c, path, "must be true or false, not %s",
			   type_name(v));
	*out = json_is_true(v);
	return 0;
}

/* A guest or scenario name: what `vmm run` accepts. */
static int check_name(struct ctx *c, const char *s, const char *path,
		      size_t max)
{
	if (!*s || strlen(s) >= max || strpbrk(s, " \t/\"\\<>&'"))
		return bad(
			c, path,
			"\"%s\": 1 to %zu characters, no blanks, quotes, '/', '\\', '<', '>' or '&'",
			s, max - 1);
	return 0;
}

/* ------------------------------------------------------------------ */

static int parse_pool(struct ctx *c, json_t *o, struct vmm_config *cfg)
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
		return bad(c, "pool", "missing (the pool's \"size\" at least)");
	ret = check_keys(c, o, "pool", keys);
	if (ret)
		return ret;
	v = json_object_get(o, "size");
	if (!v)
		return bad(c, "pool.size", "missing");
	if ((ret = get_size(c, v, "pool.size", &cfg->pool_bytes)))
		return ret;
	if (cfg->pool_bytes < MIN_POOL || cfg->pool_bytes % HUGE)
		return bad(c, "pool.size",
			   "must be a multiple of 2M, 16M at least");
	if ((v = json_object_get(o, "nodes"))) {
		if ((ret = get_int(c, v, "pool.nodes", 1, VMM_MAX_POOL_NODES,
				   &n)))
			return ret;
		cfg->nr_nodes = n;
	}
	if (cfg->pool_bytes / cfg->nr_nodes < (4ULL << 20))
		return bad(c, "pool.nodes",
			   "%u nodes of a %" PRIu64
			   "M pool are smaller than 4M",
			   cfg->nr_nodes, cfg->pool_bytes >> 20);
	if ((v = json_object_get(o, "movable"))) {
		if ((ret = get_size(c, v, "pool.movable", &cfg->movable_bytes)))
			return ret;
		if (cfg->movable_bytes + (4ULL << 20) >
		    cfg->pool_bytes / cfg->nr_nodes)
			return bad(
				c, "pool.movable",
				"leaves less than 4M of ZONE_NORMAL in each %" PRIu64
				"M node",
				(cfg->pool_bytes / cfg->nr_nodes) >> 20);
	}
	if ((v = json_object_get(o, "min_free_kbytes"))) {
		if ((ret = get_int(c, v, "pool.min_free_kbytes", 128, 1L << 30,
				   &n)))
			return ret;
		cfg->min_free_kbytes = n;
	}
	if ((v = json_object_get(o, "watermark_scale_factor"))) {
		if ((ret = get_int(c, v, "pool.watermark_scale_factor", 1, 3000,
				   &n)))
			return ret;
		cfg->watermark_scale_factor = n;
	}
	if ((v = json_object_get(o, "hugepages")) &&
	    (ret = get_bool(c, v, "pool.hugepages", &cfg->hugepages)))
		return ret;
	if ((v = json_object_get(o, "distance"))) {
		size_t i, j;
		json_t *row, *d;
		char p[64];

		if (!json_is_array(v) || json_array_size(v) != cfg->nr_nodes)
			return bad(
				c, "pool.distance",
				"must be %u rows of %u distances (one per node)",
				cfg->nr_nodes, cfg->nr_nodes);
		json_array_foreach(v, i, row) {
			pathf(p, sizeof(p), "pool.distance[%zu]", i);
			if (!json_is_array(row) ||
			    json_array_size(row) != cfg->nr_nodes)
				return bad(c, p, "must be %u distances",
					   cfg->nr_nodes);
			json_array_foreach(row, j, d) {
				pathf(p, sizeof(p), "pool.distance[%zu][%zu]",
				      i, j);
				if ((ret = get_int(c, d, p, 10, 254, &n)))
					return ret;
				if ((i == j) != (n == 10))
					return bad(
						c, p,
						"10 is a node's distance to itself, and only that");
				cfg->distance[i][j] = n;
			}
		}
		for (i = 0; i < cfg->nr_nodes; i++)
			for (j = 0; j < i; j++)
				if (cfg->distance[i][j] != cfg->distance[j][i])
					return bad(
						c, "pool.distance",
						"not symmetric at [%zu][%zu]",
						i, j);
	}
	return 0;
}

static int parse_reclaim(struct ctx *c, json_t *o, struct vmm_config *cfg)
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
	bool on = true;
	long n;
	int ret;

	if (!o)
		return 0;
	if ((ret = check_keys(c, o, "reclaim", keys)))
		return ret;
	if ((v = json_object_get(o, "balloon"))) {
		if ((ret = get_bool(c, v, "reclaim.balloon", &on)))
			return ret;
		cfg->balloon_off = !on;
	}
	if ((v = json_object_get(o, "deflate"))) {
		if ((ret = get_bool(c, v, "reclaim.deflate", &on)))
			return ret;
		cfg->deflate_off = !on;
	}
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		uint64_t ns;

		if (!(v = json_object_get(o, times[i].key)))
			continue;
		pathf(p, sizeof(p), "reclaim.%s", times[i].key);
		if ((ret = get_duration(c, v, p, &ns)))
			return ret;
		if (ns < 1000000ULL || ns > 60000000000ULL)
			return bad(c, p, "must be from 1ms to 60s");
		*(unsigned int *)((char *)cfg + times[i].off) = ns / 1000000;
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t *b = (uint64_t *)((char *)cfg + sizes[i].off);

		if (!(v = json_object_get(o, sizes[i].key)))
			continue;
		pathf(p, sizeof(p), "reclaim.%s", sizes[i].key);
		if ((ret = get_size(c, v, p, b)))
			return ret;
		if (*b < sizes[i].min || *b > (1ULL << 40))
			return bad(c, p, "must be from 4K to 1T");
	}
	if ((v = json_object_get(o, "deflate_margin"))) {
		if ((ret = get_int(c, v, "reclaim.deflate_margin", 1, 100, &n)))
			return ret;
		cfg->deflate_margin_pct = n;
	}
	if ((v = json_object_get(o, "release_interval"))) {
		uint64_t ns;

		if (json_is_string(v) && !strcmp(json_string_value(v), "off")) {
			cfg->release_interval_ms = 0;
		} else {
			if ((ret = get_duration(
				     c, v, "reclaim.release_interval", &ns)))
				return ret;
			if (ns < 10000000ULL || ns > 3600000000000ULL)
				return bad(
					c, "reclaim.release_interval",
					"must be from 10ms to 1h, or \"off\"");
			cfg->release_interval_ms = ns / 1000000;
		}
	}
	return 0;
}

static int parse_compaction(struct ctx *c, json_t *o, struct vmm_config *cfg)
{
	static const char *const keys[] = {
		"enabled", "proactiveness",	"extfrag_threshold", "batch",
		"migrate", "collapse_interval", "collapse_max",	     NULL
	};
	json_t *v;
	bool on = true;
	long n;
	int ret;

	if (!o)
		return 0;
	if ((ret = check_keys(c, o, "compaction", keys)))
		return ret;
	if ((v = json_object_get(o, "enabled"))) {
		if ((ret = get_bool(c, v, "compaction.enabled", &on)))
			return ret;
		cfg->compaction_off = !on;
	}
	if ((v = json_object_get(o, "proactiveness"))) {
		if ((ret = get_int(c, v, "compaction.proactiveness", 0, 100,
				   &n)))
			return ret;
		cfg->proactiveness = n;
		cfg->proactiveness_set = true;
	}
	if ((v = json_object_get(o, "extfrag_threshold"))) {
		if ((ret = get_int(c, v, "compaction.extfrag_threshold", 0,
				   1000, &n)))
			return ret;
		cfg->extfrag_threshold = n ? n : 1;
	}
	if ((v = json_object_get(o, "batch"))) {
		if ((ret = get_int(c, v, "compaction.batch", 1, 512, &n)))
			return ret;
		cfg->compact_batch = n;
	}
	if ((v = json_object_get(o, "migrate"))) {
		const char *m = json_is_string(v) ? json_string_value(v) : "";

		if (strcmp(m, "entries") && strcmp(m, "pause"))
			return bad(c, "compaction.migrate",
				   "must be \"entries\" or \"pause\"");
		cfg->migrate_by_pause = !strcmp(m, "pause");
	}
	if ((v = json_object_get(o, "collapse_interval"))) {
		uint64_t ns;

		if (json_is_string(v) && !strcmp(json_string_value(v), "off")) {
			cfg->collapse_off = true;
		} else {
			if ((ret = get_duration(c, v,
						"compaction.collapse_interval",
						&ns)))
				return ret;
			if (ns < 10000000ULL || ns > 3600000000000ULL)
				return bad(
					c, "compaction.collapse_interval",
					"must be from 10ms to 1h, or \"off\"");
			cfg->collapse_interval_ms = ns / 1000000;
		}
	}
	if ((v = json_object_get(o, "collapse_max"))) {
		if ((ret = get_int(c, v, "compaction.collapse_max", 1, 65536,
				   &n)))
			return ret;
		cfg->collapse_max = n;
	}
	return 0;
}

static int parse_run(struct ctx *c, json_t *o, struct scenario *sc)
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
	if ((ret = check_keys(c, o, "run", keys)))
		return ret;
	if ((v = json_object_get(o, "duration"))) {
		if ((ret = get_duration(c, v, "run.duration",
					&sc->duration_ns)))
			return ret;
		if (sc->duration_ns < 10000000ULL)
			return bad(c, "run.duration", "must be 10ms at least");
	}
	if ((v = json_object_get(o, "shutdown_timeout"))) {
		if ((ret = get_duration(c, v, "run.shutdown_timeout",
					&sc->shutdown_timeout_ns)))
			return ret;
		if (sc->shutdown_timeout_ns > 3600 * 1000000000ULL)
			return bad(c, "run.shutdown_timeout",
				   "must be 1h at most");
	}
	if ((v = json_object_get(o, "timeout"))) {
		if ((ret = get_duration(c, v, "run.timeout", &sc->timeout_ns)))
			return ret;
		if (sc->timeout_ns < 100000000ULL ||
		    sc->timeout_ns > 24 * 3600 * 1000000000ULL)
			return bad(c, "run.timeout",
				   "must be from 100ms to 24h");
	}
	if (sc->duration_ns && sc->duration_ns >= sc->timeout_ns)
		return bad(c, "run.duration",
			   "must be shorter than run.timeout (%" PRIu64 " s)",
			   (uint64_t)(sc->timeout_ns / 1000000000ULL));
	if ((v = json_object_get(o, "sample_interval"))) {
		if ((ret = get_duration(c, v, "run.sample_interval",
					&sc->sample_ns)))
			return ret;
		if (sc->sample_ns < 10000000ULL ||
		    sc->sample_ns > 10000000000ULL)
			return bad(c, "run.sample_interval",
				   "must be from 10ms to 10s");
	}
	if ((v = json_object_get(o, "trace_events"))) {
		if ((ret = get_int(c, v, "run.trace_events", 1024, 1L << 24,
				   &n)))
			return ret;
		sc->trace_events = n;
	}
	if ((v = json_object_get(o, "trace_page_events")) &&
	    (ret = get_bool(c, v, "run.trace_page_events",
			    &sc->trace_page_events)))
		return ret;
	if ((v = json_object_get(o, "irqchip"))) {
		bool on;

		if ((ret = get_bool(c, v, "run.irqchip", &on)))
			return ret;
		sc->cfg.irqchip_off = !on;
	}
	return 0;
}

/* The script: a string, or an array of commands joined with "; ". */
static int get_script(struct ctx *c, json_t *v, const char *path, char **out)
{
	size_t len = 1, i;
	json_t *s;
	char p[96];

	if (json_is_string(v)) {
		*out = strdup(json_string_value(v));
		return *out ? 0 : -ENOMEM;
	}
	if (!json_is_array(v))
		return bad(c, path,
			   "must be a string or an array of strings, not %s",
			   type_name(v));
	json_array_foreach(v, i, s) {
		pathf(p, sizeof(p), "%s[%zu]", path, i);
		if (!json_is_string(s))
			return bad(c, p, "must be a string, not %s",
				   type_name(s));
		len += json_string_length(s) + 2;
	}
	*out = calloc(1, len);
	if (!*out)
		return -ENOMEM;
	json_array_foreach(v, i, s) {
		if (i)
			strcat(*out, "; ");
		strcat(*out, json_string_value(s));
	}
	return 0;
}

static int parse_map(struct ctx *c, json_t *v, const char *path,
		     struct guest_spec *g, unsigned int pool_nodes)
{
	size_t i;
	json_t *n;
	char p[96];
	long pn;
	int ret;

	if (!json_is_array(v) || json_array_size(v) != g->nr_vnodes)
		return bad(
			c, path,
			"must list the pool node of each of the guest's %u node(s)",
			g->nr_vnodes);
	json_array_foreach(v, i, n) {
		pathf(p, sizeof(p), "%s[%zu]", path, i);
		if ((ret = get_int(c, n, p, 0, (long)pool_nodes - 1, &pn)))
			return ret;
		g->vnode_to_pnode[i] = (int)pn;
	}
	return 0;
}

/* One "guests" entry: count guests from index *nr on. */
static int parse_guest(struct ctx *c, json_t *o, const char *path,
		       struct scenario *sc)
{
	static const char *const keys[] = {
		"name",	  "mem",    "vcpus", "nodes",	      "map",
		"strict", "pinned", "floor", "oom_score_adj", "start",
		"script", "kernel", "count", "stagger",	      NULL
	};
	struct guest_spec g = { .nr_vcpus = 1, .nr_vnodes = 1 };
	uint64_t start = 0, stagger = 0;
	long n, count = 1;
	char p[96], *script = NULL;
	const char *name;
	json_t *v;
	int ret;

	for (int i = 0; i < GUEST_MAX_NODES; i++)
		g.vnode_to_pnode[i] = -1;
	if ((ret = check_keys(c, o, path, keys)))
		return ret;
	join(p, sizeof(p), path, "name");
	v = json_object_get(o, "name");
	if (!v)
		return bad(c, p, "missing");
	if (!json_is_string(v))
		return bad(c, p, "must be a string, not %s", type_name(v));
	name = json_string_value(v);
	if ((v = json_object_get(o, "count"))) {
		join(p, sizeof(p), path, "count");
		if ((ret = get_int(c, v, p, 1, VMM_MAX_GUESTS, &count)))
			return ret;
	}
	join(p, sizeof(p), path, "name");
	/* Room for "-64" when there are several. */
	if ((ret = check_name(c, name, p, VMM_NAME_MAX - (count > 1 ? 3 : 0))))
		return ret;
	join(p, sizeof(p), path, "mem");
	if (!(v = json_object_get(o, "mem")))
		return bad(c, p, "missing");
	if ((ret = get_size(c, v, p, &g.mem_bytes)))
		return ret;
	if (g.mem_bytes % HUGE || g.mem_bytes < MIN_GUEST ||
	    g.mem_bytes > GUEST_RAM_MAX)
		return bad(c, p, "must be a multiple of 2M from 8M to 256G");
	if ((v = json_object_get(o, "vcpus"))) {
		join(p, sizeof(p), path, "vcpus");
		if ((ret = get_int(c, v, p, 1, VMM_MAX_VCPUS, &n)))
			return ret;
		g.nr_vcpus = n;
	}
	if ((v = json_object_get(o, "nodes"))) {
		join(p, sizeof(p), path, "nodes");
		if ((ret = get_int(c, v, p, 1, GUEST_MAX_NODES, &n)))
			return ret;
		g.nr_vnodes = n;
		if (g.mem_bytes / g.nr_vnodes < HUGE ||
		    (g.mem_bytes / g.nr_vnodes) % HUGE)
			return bad(
				c, p,
				"%" PRIu64
				"M cannot be split into %u nodes of whole 2M",
				g.mem_bytes >> 20, g.nr_vnodes);
	}
	if ((v = json_object_get(o, "map"))) {
		join(p, sizeof(p), path, "map");
		if ((ret = parse_map(c, v, p, &g, sc->cfg.nr_nodes)))
			return ret;
	}
	if ((v = json_object_get(o, "strict"))) {
		join(p, sizeof(p), path, "strict");
		if ((ret = get_bool(c, v, p, &g.strict)))
			return ret;
	}
	if ((v = json_object_get(o, "pinned"))) {
		join(p, sizeof(p), path, "pinned");
		if ((ret = get_size(c, v, p, &g.pinned_bytes)))
			return ret;
		if (g.pinned_bytes % 4096 ||
		    g.pinned_bytes + HUGE > g.mem_bytes)
			return bad(
				c, p,
				"must be whole 4K pages, and leave the first 2M of mem to the guest kernel");
	}
	if ((v = json_object_get(o, "floor"))) {
		join(p, sizeof(p), path, "floor");
		if ((ret = get_size(c, v, p, &g.floor_bytes)))
			return ret;
		if (g.floor_bytes > g.mem_bytes)
			return bad(c, p, "must be at most mem");
		g.floor_set = true;
	}
	if ((v = json_object_get(o, "oom_score_adj"))) {
		join(p, sizeof(p), path, "oom_score_adj");
		if ((ret = get_int(c, v, p, -1000, 1000, &n)))
			return ret;
		g.oom_score_adj = n;
	}
	if ((v = json_object_get(o, "start"))) {
		join(p, sizeof(p), path, "start");
		if ((ret = get_duration(c, v, p, &start)))
			return ret;
	}
	if ((v = json_object_get(o, "stagger"))) {
		join(p, sizeof(p), path, "stagger");
		if ((ret = get_duration(c, v, p, &stagger)))
			return ret;
	}
	join(p, sizeof(p), path, "start");
	if (start + stagger * (count - 1) >= sc->timeout_ns)
		return bad(c, p, "every guest must start before run.timeout");
	if ((v = json_object_get(o, "kernel"))) {
		join(p, sizeof(p), path, "kernel");
		if (!json_is_string(v))
			return bad(c, p, "must be a file name, not %s",
				   type_name(v));
		if (access(json_string_value(v), R_OK))
			return bad(c, p, "%s: %s", json_string_value(v),
				   strerror(errno));
	}
	join(p, sizeof(p), path, "script");
	if (!(v = json_object_get(o, "script")))
		return bad(c, p,
			   "missing (the guest's workload, docs/guest.md)");
	if ((ret = get_script(c, v, p, &script)))
		return ret;
	if (sc->cfg.nr_guests + count > VMM_MAX_GUESTS) {
		free(script);
		return bad(c, path, "more than %d guests in all",
			   VMM_MAX_GUESTS);
	}
	for (long i = 0; i < count; i++) {
		unsigned int k = sc->cfg.nr_guests++;
		struct guest_spec *d = &sc->cfg.guest[k];

		*d = g;
		if (count > 1)
			snprintf(d->name, sizeof(d->name), "%s-%ld", name,
				 i + 1);
		else
			snprintf(d->name, sizeof(d->name), "%s", name);
		d->script = strdup(script);
		v = json_object_get(o, "kernel");
		d->kernel_path = v ? strdup(json_string_value(v)) : NULL;
		if (!d->script || (v && !d->kernel_path)) {
			free(script);
			return -ENOMEM;
		}
		sc->start_ns[k] = start + stagger * i;
	}
	free(script);
	return 0;
}

static int find_guest(const struct scenario *sc, const char *name)
{
	for (unsigned int i = 0; i < sc->cfg.nr_guests; i++)
		if (!strcmp(sc->cfg.guest[i].name, name))
			return (int)i;
	return -1;
}

static int parse_percentile(const char *s, unsigned int *p10)
{
	static const struct {
		const char *name;
		unsigned int p10;
	} p[] = { { "p50", 500 },
		  { "p90", 900 },
		  { "p99", 990 },
		  { "p99.9", 999 },
		  { "max", 1000 } };

	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		if (!strcmp(s, p[i].name)) {
			*p10 = p[i].p10;
			return 0;
		}
	return -EINVAL;
}

const char *sc_percentile_name(unsigned int p10)
{
	switch (p10) {
	case 500:
		return "p50";
	case 900:
		return "p90";
	case 990:
		return "p99";
	case 999:
		return "p99.9";
	default:
		return "max";
	}
}

static int parse_latency(struct ctx *c, json_t *o, struct sc_expect *e)
{
	const char *dkey, *pkey;
	json_t *d, *v;
	char p[128];
	int ret;

	if (!json_is_object(o))
		return bad(
			c, "expect.latency",
			"must be an object such as {\"direct_reclaim\": {\"p99\": \"5ms\"}}");
	json_object_foreach(o, dkey, d) {
		int dist = lat_lookup(dkey);

		pathf(p, sizeof(p), "expect.latency.%s", dkey);
		if (dist < 0) {
			char list[512] = "";

			for (int i = 0; i < NR_LAT_DISTS; i++)
				snprintf(list + strlen(list),
					 sizeof(list) - strlen(list), "%s%s",
					 i ? ", " : "", lat_key[i]);
			return bad(c, p, "unknown distribution (known: %s)",
				   list);
		}
		if (!json_is_object(d))
			return bad(
				c, p,
				"must be an object of bounds such as {\"p99\": \"5ms\"}");
		json_object_foreach(d, pkey, v) {
			struct sc_latency_bound *b = &e->bound[e->nr_bounds];

			pathf(p, sizeof(p), "expect.latency.%s.%s", dkey, pkey);
			if (parse_percentile(pkey, &b->p10))
				return bad(
					c, p,
					"unknown bound (p50, p90, p99, p99.9 or max)");
			if (e->nr_bounds == SC_MAX_BOUNDS)
				return bad(c, p, "more than %d latency bounds",
					   SC_MAX_BOUNDS);
			if ((ret = get_duration(c, v, p, &b->max_ns)))
				return ret;
			b->dist = dist;
			e->nr_bounds++;
		}
	}
	return 0;
}

static int parse_expect(struct ctx *c, json_t *o, struct scenario *sc)
{
	static const char *const keys[] = {
		"no_oom",	  "oom_victims", "integrity",
		"completed",	  "latency",	 "returned_to_host_min",
		"overcommit_min", NULL
	};
	struct sc_expect *e = &sc->expect;
	json_t *v, *n;
	size_t i;
	char p[96];
	int ret;

	if (!o)
		return 0;
	if ((ret = check_keys(c, o, "expect", keys)))
		return ret;
	if ((v = json_object_get(o, "no_oom")) &&
	    (ret = get_bool(c, v, "expect.no_oom", &e->no_oom)))
		return ret;
	if ((v = json_object_get(o, "integrity")) &&
	    (ret = get_bool(c, v, "expect.integrity", &e->integrity)))
		return ret;
	if ((v = json_object_get(o, "completed")) &&
	    (ret = get_bool(c, v, "expect.completed", &e->completed)))
		return ret;
	if ((v = json_object_get(o, "oom_victims"))) {
		if (!json_is_array(v))
			return bad(c, "expect.oom_victims",
				   "must be an array of guest names, not %s",
				   type_name(v));
		e->victims_set = true;
		json_array_foreach(v, i, n) {
			pathf(p, sizeof(p), "expect.oom_victims[%zu]", i);
			if (!json_is_string(n))
				return bad(c, p, "must be a guest name, not %s",
					   type_name(n));
			if (find_guest(sc, json_string_value(n)) < 0)
				return bad(c, p, "no guest is called \"%s\"",
					   json_string_value(n));
			for (unsigned int k = 0; k < e->nr_victims; k++)
				if (!strcmp(e->victim[k], json_string_value(n)))
					return bad(c, p, "\"%s\" twice",
						   json_string_value(n));
			snprintf(e->victim[e->nr_victims++], VMM_NAME_MAX, "%s",
				 json_string_value(n));
		}
		if (e->no_oom && e->nr_victims)
			return bad(c, "expect.oom_victims",
				   "contradicts expect.no_oom");
	}
	if ((v = json_object_get(o, "latency")) &&
	    (ret = parse_latency(c, v, e)))
		return ret;
	if ((v = json_object_get(o, "returned_to_host_min"))) {
		if ((ret = get_size(c, v, "expect.returned_to_host_min",
				    &e->returned_min)))
			return ret;
		e->returned_set = true;
	}
	if ((v = json_object_get(o, "overcommit_min"))) {
		if (!json_is_number(v) || json_number_value(v) <= 0)
			return bad(c, "expect.overcommit_min",
				   "must be a positive number (1.5 for 1.5x)");
		e->overcommit_min = json_number_value(v);
		e->overcommit_set = true;
	}
	return 0;
}

static void defaults(struct scenario *sc)
{
	options_defaults(&sc->cfg);
	sc->timeout_ns = DEFAULT_TIMEOUT_NS;
	sc->sample_ns = DEFAULT_SAMPLE_NS;
	sc->shutdown_timeout_ns = DEFAULT_SHUTDOWN_TIMEOUT_NS;
	sc->trace_events = DEFAULT_TRACE_EVENTS;
}

static int parse(struct ctx *c, json_t *root, struct scenario *sc)
{
	static const char *const keys[] = { "name",    "description", "pool",
					    "reclaim", "compaction",  "run",
					    "guests",  "expect",      NULL };
	json_t *v, *g;
	size_t i;
	int ret;

	if ((ret = check_keys(c, root, "", keys)))
		return ret;
	if ((v = json_object_get(root, "name"))) {
		if (!json_is_string(v))
			return bad(c, "name", "must be a string, not %s",
				   type_name(v));
		if ((ret = check_name(c, json_string_value(v), "name",
				      sizeof(sc->name))))
			return ret;
		snprintf(sc->name, sizeof(sc->name), "%s",
			 json_string_value(v));
	}
	if ((v = json_object_get(root, "description")) && !json_is_string(v))
		return bad(c, "description", "must be a string, not %s",
			   type_name(v));
	sc->description = strdup(v ? json_string_value(v) : "");
	if (!sc->description)
		return -ENOMEM;
	if ((ret = parse_pool(c, json_object_get(root, "pool"), &sc->cfg)) ||
	    (ret = parse_reclaim(c, json_object_get(root, "reclaim"),
				 &sc->cfg)) ||
	    (ret = parse_compaction(c, json_object_get(root, "compaction"),
				    &sc->cfg)) ||
	    (ret = parse_run(c, json_object_get(root, "run"), sc)))
		return ret;
	v = json_object_get(root, "guests");
	if (!v || !json_is_array(v) || !json_array_size(v))
		return bad(c, "guests", "must be a non-empty array of guests");
	json_array_foreach(v, i, g) {
		char p[32];

		pathf(p, sizeof(p), "guests[%zu]", i);
		if ((ret = parse_guest(c, g, p, sc)))
			return ret;
	}
	for (unsigned int k = 0; k < sc->cfg.nr_guests; k++)
		for (unsigned int j = 0; j < k; j++)
			if (!strcmp(sc->cfg.guest[j].name,
				    sc->cfg.guest[k].name))
				return bad(c, "guests",
					   "two guests are called \"%s\"",
					   sc->cfg.guest[k].name);
	if ((ret = parse_expect(c, json_object_get(root, "expect"), sc)))
		return ret;
	/* What vmm run checks too (a default map for strict guests). */
	if (options_check(&sc->cfg, c->err, c->errlen))
		return -EINVAL;
	return 0;
}

/* "dir/steady-1.5x.json" -> "steady-1.5x" */
static void name_from_path(struct scenario *sc, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 5 && !strcmp(base + n - 5, ".json"))
		n -= 5;
	snprintf(sc->name, sizeof(sc->name), "%.*s", (int)n, base);
	if (!sc->name[0] || strpbrk(sc->name, " \t/\"\\<>&'"))
		snprintf(sc->name, sizeof(sc->name), "scenario");
}

int scenario_load(const char *path, struct scenario *sc, char *err,
		  size_t errlen)
{
	struct ctx c = { .err = err, .errlen = errlen };
	char msg[SC_ERR_MAX];
	json_error_t jerr;
	json_t *root;
	int ret;

	memset(sc, 0, sizeof(*sc));
	defaults(sc);
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (jerr.line > 0)
			snprintf(err, errlen, "%s:%d:%d: %s", path, jerr.line,
				 jerr.column, jerr.text);
		else
			snprintf(err, errlen, "%s: %s", path, jerr.text);
		return -EINVAL;
	}
	sc->path = strdup(path);
	name_from_path(sc, path);
	c.err = msg;
	c.errlen = sizeof(msg);
	msg[0] = 0;
	ret = sc->path ? parse(&c, root, sc) : -ENOMEM;
	json_decref(root);
	if (ret) {
		snprintf(err, errlen, "%s: %s", path,
			 ret == -ENOMEM ? "out of memory" : msg);
		scenario_free(sc);
	}
	return ret;
}

void scenario_free(struct scenario *sc)
{
	options_free(&sc->cfg);
	free(sc->description);
	free(sc->path);
	sc->description = sc->path = NULL;
}

void scenario_print(const struct scenario *sc, FILE *f)
{
	const struct vmm_config *cfg = &sc->cfg;
	const struct sc_expect *e = &sc->expect;
	uint64_t total = 0;
	char a[32], b[32];

	for (unsigned int i = 0; i < cfg->nr_guests; i++)
		total += cfg->guest[i].mem_bytes;
	fprintf(f, "scenario %s: %s\n", sc->name, sc->description);
	fprintf(f, "pool %s in %u node(s), guests %s in all (%.2fx)\n",
		format_size(cfg->pool_bytes, a, sizeof(a)), cfg->nr_nodes,
		format_size(total, b, sizeof(b)),
		(double)total / cfg->pool_bytes);
	for (unsigned int i = 0; i < cfg->nr_guests; i++) {
		const struct guest_spec *g = &cfg->guest[i];

		fprintf(f,
			"  at %7.3f s  %-16s %s, %u vCPU(s), %u node(s)%s, oom_score_adj %d: %s\n",
			sc->start_ns[i] / 1e9, g->name,
			format_size(g->mem_bytes, a, sizeof(a)), g->nr_vcpus,
			g->nr_vnodes, g->strict ? " strict" : "",
			g->oom_score_adj, g->script);
	}
	if (sc->duration_ns && sc->shutdown_timeout_ns)
		fprintf(f,
			"run: for %.3f s, then guests asked to shut down (killed after %.1f s)",
			sc->duration_ns / 1e9, sc->shutdown_timeout_ns / 1e9);
	else if (sc->duration_ns)
		fprintf(f, "run: for %.3f s, then guests stopped",
			sc->duration_ns / 1e9);
	else
		fprintf(f, "run: until every guest has ended");
	fprintf(f,
		", timeout %.1f s, a sample every %" PRIu64
		" ms, trace ring %u events\n",
		sc->timeout_ns / 1e9, sc->sample_ns / 1000000,
		sc->trace_events);
	fprintf(f, "expect:%s%s%s%s%s%s%s\n", e->no_oom ? " no OOM kill;" : "",
		e->victims_set ? " OOM victims as listed;" : "",
		e->integrity ? " integrity;" : "",
		e->completed ? " every guest completes;" : "",
		e->nr_bounds ? " latency bounds;" : "",
		e->returned_set ? " memory returned to the host;" : "",
		e->overcommit_set ? " an overcommit ratio" : "");
}
