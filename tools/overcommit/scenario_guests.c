// SPDX-License-Identifier: GPL-2.0
/* A scenario's guests: each entry checked, then counted out into guests. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/overcommit/scenario_internal.h"
#include "vmm/config/options.h"
#include "vmm/kvm/cpu_cgroup.h"

#define MIN_GUEST (8ULL << 20)

/* The script: a string, or an array of commands joined with "; ". */
static int get_script(struct sc_ctx *c, json_t *v, const char *path, char **out)
{
	size_t len = 1, i;
	json_t *s;
	char p[96];

	if (json_is_string(v)) {
		*out = strdup(json_string_value(v));
		return *out ? 0 : -ENOMEM;
	}
	if (!json_is_array(v))
		return sc_bad(c, path,
			      "must be a string or an array of strings, not %s",
			      sc_type_name(v));
	json_array_foreach(v, i, s) {
		sc_pathf(p, sizeof(p), "%s[%zu]", path, i);
		if (!json_is_string(s))
			return sc_bad(c, p, "must be a string, not %s",
				      sc_type_name(s));
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

static int parse_map(struct sc_ctx *c, json_t *v, const char *path,
		     struct guest_spec *g, unsigned int pool_nodes)
{
	size_t i;
	json_t *n;
	char p[96];
	long pn;
	int ret;

	if (!json_is_array(v) || json_array_size(v) != g->nr_vnodes)
		return sc_bad(
			c, path,
			"must list the pool node of each of the guest's %u node(s)",
			g->nr_vnodes);
	json_array_foreach(v, i, n) {
		sc_pathf(p, sizeof(p), "%s[%zu]", path, i);
		if ((ret = sc_get_int(c, n, p, 0, (long)pool_nodes - 1, &pn)))
			return ret;
		g->vnode_to_pnode[i] = (int)pn;
	}
	return 0;
}

/* One "guests" entry: count guests from index *nr on. */
static int parse_guest(struct sc_ctx *c, json_t *o, const char *path,
		       struct scenario *sc)
{
	static const char *const keys[] = { "name",    "mem",	"vcpus",
					    "nodes",   "map",	"strict",
					    "pinned",  "floor", "oom_score_adj",
					    "cpu_max", "start", "script",
					    "kernel",  "count", "stagger",
					    NULL };
	struct guest_spec g = { .nr_vcpus = 1, .nr_vnodes = 1 };
	uint64_t start = 0, stagger = 0;
	long n, count = 1;
	char p[96], *script = NULL;
	const char *name;
	json_t *v;
	int ret;

	for (int i = 0; i < GUEST_MAX_NODES; i++)
		g.vnode_to_pnode[i] = -1;
	if ((ret = sc_check_keys(c, o, path, keys)))
		return ret;
	sc_join(p, sizeof(p), path, "name");
	v = json_object_get(o, "name");
	if (!v)
		return sc_bad(c, p, "missing");
	if (!json_is_string(v))
		return sc_bad(c, p, "must be a string, not %s",
			      sc_type_name(v));
	name = json_string_value(v);
	if ((v = json_object_get(o, "count"))) {
		sc_join(p, sizeof(p), path, "count");
		if ((ret = sc_get_int(c, v, p, 1, VMM_MAX_GUESTS, &count)))
			return ret;
	}
	sc_join(p, sizeof(p), path, "name");
	/* Room for "-64" when there are several. */
	if ((ret = sc_check_name(c, name, p,
				 VMM_NAME_MAX - (count > 1 ? 3 : 0))))
		return ret;
	sc_join(p, sizeof(p), path, "mem");
	if (!(v = json_object_get(o, "mem")))
		return sc_bad(c, p, "missing");
	if ((ret = sc_get_size(c, v, p, &g.mem_bytes)))
		return ret;
	if (g.mem_bytes % SC_HUGE || g.mem_bytes < MIN_GUEST ||
	    g.mem_bytes > GUEST_RAM_MAX)
		return sc_bad(c, p, "must be a multiple of 2M from 8M to 256G");
	if ((v = json_object_get(o, "vcpus"))) {
		sc_join(p, sizeof(p), path, "vcpus");
		if ((ret = sc_get_int(c, v, p, 1, VMM_MAX_VCPUS, &n)))
			return ret;
		g.nr_vcpus = n;
	}
	if ((v = json_object_get(o, "nodes"))) {
		sc_join(p, sizeof(p), path, "nodes");
		if ((ret = sc_get_int(c, v, p, 1, GUEST_MAX_NODES, &n)))
			return ret;
		g.nr_vnodes = n;
		if (g.mem_bytes / g.nr_vnodes < SC_HUGE ||
		    (g.mem_bytes / g.nr_vnodes) % SC_HUGE)
			return sc_bad(
				c, p,
				"%" PRIu64
				"M cannot be split into %u nodes of whole 2M",
				g.mem_bytes >> 20, g.nr_vnodes);
	}
	if ((v = json_object_get(o, "map"))) {
		sc_join(p, sizeof(p), path, "map");
		if ((ret = parse_map(c, v, p, &g, sc->cfg.nr_nodes)))
			return ret;
	}
	if ((v = json_object_get(o, "strict"))) {
		sc_join(p, sizeof(p), path, "strict");
		if ((ret = sc_get_bool(c, v, p, &g.strict)))
			return ret;
	}
	if ((v = json_object_get(o, "pinned"))) {
		sc_join(p, sizeof(p), path, "pinned");
		if ((ret = sc_get_size(c, v, p, &g.pinned_bytes)))
			return ret;
		if (g.pinned_bytes % 4096 ||
		    g.pinned_bytes + SC_HUGE > g.mem_bytes)
			return sc_bad(
				c, p,
				"must be whole 4K pages, and leave the first 2M of mem to the guest kernel");
	}
	if ((v = json_object_get(o, "floor"))) {
		sc_join(p, sizeof(p), path, "floor");
		if ((ret = sc_get_size(c, v, p, &g.floor_bytes)))
			return ret;
		if (g.floor_bytes > g.mem_bytes)
			return sc_bad(c, p, "must be at most mem");
		g.floor_set = true;
	}
	if ((v = json_object_get(o, "oom_score_adj"))) {
		sc_join(p, sizeof(p), path, "oom_score_adj");
		if ((ret = sc_get_int(c, v, p, -1000, 1000, &n)))
			return ret;
		g.oom_score_adj = n;
	}
	if ((v = json_object_get(o, "cpu_max"))) {
		sc_join(p, sizeof(p), path, "cpu_max");
		if ((ret = sc_get_int(c, v, p, 1, CPU_MAX_PCT, &n)))
			return ret;
		g.cpu_max_pct = n;
	}
	if ((v = json_object_get(o, "start"))) {
		sc_join(p, sizeof(p), path, "start");
		if ((ret = sc_get_duration(c, v, p, &start)))
			return ret;
	}
	if ((v = json_object_get(o, "stagger"))) {
		sc_join(p, sizeof(p), path, "stagger");
		if ((ret = sc_get_duration(c, v, p, &stagger)))
			return ret;
	}
	sc_join(p, sizeof(p), path, "start");
	if (start + stagger * (count - 1) >= sc->timeout_ns)
		return sc_bad(c, p,
			      "every guest must start before run.timeout");
	if ((v = json_object_get(o, "kernel"))) {
		sc_join(p, sizeof(p), path, "kernel");
		if (!json_is_string(v))
			return sc_bad(c, p, "must be a file name, not %s",
				      sc_type_name(v));
		if (access(json_string_value(v), R_OK))
			return sc_bad(c, p, "%s: %s", json_string_value(v),
				      strerror(errno));
	}
	sc_join(p, sizeof(p), path, "script");
	if (!(v = json_object_get(o, "script")))
		return sc_bad(c, p,
			      "missing (the guest's workload, docs/guest.md)");
	if ((ret = get_script(c, v, p, &script)))
		return ret;
	/* The built-in guest's own parser, with its RAM and nodes. */
	if (!json_object_get(o, "kernel")) {
		char msg[SC_ERR_MAX];

		g.script = script;
		ret = options_check_script(&g, msg, sizeof(msg));
		g.script = NULL;
		if (ret) {
			free(script);
			return sc_bad(c, p, "%s", msg);
		}
	}
	if (sc->cfg.nr_guests + count > VMM_MAX_GUESTS) {
		free(script);
		return sc_bad(c, path, "more than %d guests in all",
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

/* Every entry in turn, then no name twice (count may make one twice). */
int sc_parse_guests(struct sc_ctx *c, json_t *v, struct scenario *sc)
{
	json_t *g;
	size_t i;
	int ret;

	if (!v || !json_is_array(v) || !json_array_size(v))
		return sc_bad(c, "guests",
			      "must be a non-empty array of guests");
	json_array_foreach(v, i, g) {
		char p[32];

		sc_pathf(p, sizeof(p), "guests[%zu]", i);
		if ((ret = parse_guest(c, g, p, sc)))
			return ret;
	}
	for (unsigned int k = 0; k < sc->cfg.nr_guests; k++)
		for (unsigned int j = 0; j < k; j++)
			if (!strcmp(sc->cfg.guest[j].name,
				    sc->cfg.guest[k].name))
				return sc_bad(c, "guests",
					      "two guests are called \"%s\"",
					      sc->cfg.guest[k].name);
	return 0;
}
