// SPDX-License-Identifier: GPL-2.0
/*
 * A scenario's guests: each entry read by the guest SPEC keys' rows
 * (vmm/config/guest_keys.c) and checked as --guest checks a SPEC
 * (guest_spec_check(), options_check_script()), then counted out into
 * guests.  A scenario has its own JSON forms (map as an array, script as
 * an array of commands) and keys (start, stagger, count).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/overcommit/scenario_internal.h"
#include "vmm/config/option.h"
#include "vmm/config/options.h"

/* What a guests[] entry may say beside the SPEC keys. */
static const char *const own_keys[] = { "start", "count", "stagger" };

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

/* map: the pool node of each guest node, in order. */
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

/* name (room for "-64" when count makes several) and count. */
static int get_name(struct sc_ctx *c, json_t *o, const char *path,
		    struct guest_spec *g, long *count)
{
	json_t *v = json_object_get(o, "name");
	char p[96], msg[SC_ERR_MAX];
	int ret;

	sc_join(p, sizeof(p), path, "name");
	if (!v)
		return sc_bad(c, p, "missing");
	if (!json_is_string(v))
		return sc_bad(c, p, "must be a string, not %s",
			      sc_type_name(v));
	if ((v = json_object_get(o, "count"))) {
		sc_join(p, sizeof(p), path, "count");
		if ((ret = sc_get_int(c, v, p, 1, VMM_MAX_GUESTS, count)))
			return ret;
		sc_join(p, sizeof(p), path, "name");
	}
	v = json_object_get(o, "name");
	if ((ret = sc_check_name(c, json_string_value(v), p,
				 VMM_NAME_MAX - (*count > 1 ? 3 : 0))))
		return ret;
	/* And what --guest takes (not all digits, ...). */
	if (options_guest_set(g, "name", json_string_value(v), msg,
			      sizeof(msg)))
		return sc_bad(c, p, "%s", msg);
	return 0;
}

/* The SPEC keys but name, script and kernel; mem is required. */
static int get_keys(struct sc_ctx *c, json_t *o, const char *path,
		    struct guest_spec *g, unsigned int pool_nodes)
{
	char p[96];
	json_t *v;
	int ret;

	sc_join(p, sizeof(p), path, "mem");
	if (!json_object_get(o, "mem"))
		return sc_bad(c, p, "missing");
	for (const struct option_desc *k = guest_keys; k->name; k++) {
		if (k->type == OPTION_CUSTOM || k->type == OPTION_STRING ||
		    !(v = json_object_get(o, k->key)))
			continue;
		sc_join(p, sizeof(p), path, k->key);
		if ((ret = sc_get_option(c, k, v, p, g)))
			return ret;
	}
	if ((v = json_object_get(o, "map"))) {
		sc_join(p, sizeof(p), path, "map");
		if ((ret = parse_map(c, v, p, g, pool_nodes)))
			return ret;
	}
	return 0;
}

/* start and stagger: every guest of the entry before run.timeout. */
static int get_start(struct sc_ctx *c, json_t *o, const char *path,
		     const struct scenario *sc, long count, uint64_t *start,
		     uint64_t *stagger)
{
	char p[96];
	json_t *v;
	int ret;

	if ((v = json_object_get(o, "start"))) {
		sc_join(p, sizeof(p), path, "start");
		if ((ret = sc_get_duration(c, v, p, start)))
			return ret;
	}
	if ((v = json_object_get(o, "stagger"))) {
		sc_join(p, sizeof(p), path, "stagger");
		if ((ret = sc_get_duration(c, v, p, stagger)))
			return ret;
	}
	sc_join(p, sizeof(p), path, "start");
	if (*start + *stagger * (count - 1) >= sc->timeout_ns)
		return sc_bad(c, p,
			      "every guest must start before run.timeout");
	return 0;
}

/* kernel (a file there now) and script, checked by the built-in guest's
 * own parser with its RAM and nodes when there is no kernel. */
static int get_program(struct sc_ctx *c, json_t *o, const char *path,
		       struct guest_spec *g)
{
	json_t *v = json_object_get(o, "kernel");
	char p[96], msg[SC_ERR_MAX];
	int ret;

	if (v) {
		sc_join(p, sizeof(p), path, "kernel");
		if (!json_is_string(v))
			return sc_bad(c, p, "must be a file name, not %s",
				      sc_type_name(v));
		if (access(json_string_value(v), R_OK))
			return sc_bad(c, p, "%s: %s", json_string_value(v),
				      strerror(errno));
		if (options_guest_set(g, "kernel", json_string_value(v), msg,
				      sizeof(msg)))
			return sc_bad(c, p, "%s", msg);
	}
	sc_join(p, sizeof(p), path, "script");
	if (!(v = json_object_get(o, "script")))
		return sc_bad(c, p,
			      "missing (the guest's workload, docs/guest.md)");
	free(g->script);
	g->script = NULL;
	if ((ret = get_script(c, v, p, &g->script)))
		return ret;
	if (!g->kernel_path && options_check_script(g, msg, sizeof(msg)))
		return sc_bad(c, p, "%s", msg);
	return 0;
}

/* count copies of g, web-1 .. web-N when several, a stagger apart. */
static int add_guests(struct sc_ctx *c, const char *path,
		      const struct guest_spec *g, long count, uint64_t start,
		      uint64_t stagger, struct scenario *sc)
{
	if (sc->cfg.nr_guests + count > VMM_MAX_GUESTS)
		return sc_bad(c, path, "more than %d guests in all",
			      VMM_MAX_GUESTS);
	for (long i = 0; i < count; i++) {
		unsigned int k = sc->cfg.nr_guests++;
		struct guest_spec *d = &sc->cfg.guest[k];

		*d = *g;
		/* get_name() left room for the number. */
		if (count > 1 &&
		    snprintf(d->name, sizeof(d->name), "%s-%ld", g->name,
			     i + 1) >= (int)sizeof(d->name))
			return sc_bad(c, path, "name too long for count");
		d->script = strdup(g->script);
		d->kernel_path = g->kernel_path ? strdup(g->kernel_path) : NULL;
		if (!d->script || (g->kernel_path && !d->kernel_path))
			return -ENOMEM;
		sc->start_ns[k] = start + stagger * i;
	}
	return 0;
}

/* What needs several keys, as --guest checks it: "guests[0].floor: ..." */
static int check_spec(struct sc_ctx *c, const char *path,
		      const struct guest_spec *g)
{
	char msg[SC_ERR_MAX], p[96];
	const char *key;

	if (!guest_spec_check(g, &key, msg, sizeof(msg)))
		return 0;
	sc_join(p, sizeof(p), path, key);
	return sc_bad(c, p, "%s", msg);
}

/* One "guests" entry: count guests from index nr_guests on. */
static int parse_guest(struct sc_ctx *c, json_t *o, const char *path,
		       struct scenario *sc)
{
	const char *keys[32];
	struct guest_spec g;
	uint64_t start = 0, stagger = 0;
	long count = 1;
	size_t n = 0;
	int ret;

	for (const struct option_desc *k = guest_keys; k->name; k++)
		keys[n++] = k->key;
	for (size_t i = 0; i < sizeof(own_keys) / sizeof(own_keys[0]); i++)
		keys[n++] = own_keys[i];
	keys[n] = NULL;
	if ((ret = sc_check_keys(c, o, path, keys)))
		return ret;
	options_guest_init(&g);
	ret = get_name(c, o, path, &g, &count);
	if (!ret)
		ret = get_keys(c, o, path, &g, sc->cfg.nr_nodes);
	if (!ret)
		ret = check_spec(c, path, &g);
	if (!ret)
		ret = get_start(c, o, path, sc, count, &start, &stagger);
	if (!ret)
		ret = get_program(c, o, path, &g);
	if (!ret)
		ret = add_guests(c, path, &g, count, start, stagger, sc);
	options_guest_free(&g);
	return ret;
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
