// SPDX-License-Identifier: GPL-2.0
/*
 * A scenario's expectations section, read and checked (what the run is
 * checked against is tools/overcommit/expect.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tools/overcommit/scenario_internal.h"

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

static int parse_latency(struct sc_ctx *c, json_t *o, struct sc_expect *e)
{
	const char *dkey, *pkey;
	json_t *d, *v;
	char p[128];
	int ret;

	if (!json_is_object(o))
		return sc_bad(
			c, "expect.latency",
			"must be an object such as {\"direct_reclaim\": {\"p99\": \"5ms\"}}");
	json_object_foreach(o, dkey, d) {
		int dist = lat_lookup(dkey);

		sc_pathf(p, sizeof(p), "expect.latency.%s", dkey);
		if (dist < 0) {
			char list[512] = "";

			for (int i = 0; i < NR_LAT_DISTS; i++)
				snprintf(list + strlen(list),
					 sizeof(list) - strlen(list), "%s%s",
					 i ? ", " : "", lat_key[i]);
			return sc_bad(c, p, "unknown distribution (known: %s)",
				      list);
		}
		if (!json_is_object(d))
			return sc_bad(
				c, p,
				"must be an object of bounds such as {\"p99\": \"5ms\"}");
		json_object_foreach(d, pkey, v) {
			struct sc_latency_bound *b = &e->bound[e->nr_bounds];

			sc_pathf(p, sizeof(p), "expect.latency.%s.%s", dkey,
				 pkey);
			if (parse_percentile(pkey, &b->p10))
				return sc_bad(
					c, p,
					"unknown bound (p50, p90, p99, p99.9 or max)");
			if (e->nr_bounds == SC_MAX_BOUNDS)
				return sc_bad(c, p,
					      "more than %d latency bounds",
					      SC_MAX_BOUNDS);
			if ((ret = sc_get_duration(c, v, p, &b->max_ns)))
				return ret;
			b->dist = dist;
			e->nr_bounds++;
		}
	}
	return 0;
}

static const char *const psi_avg_keys[NR_PSI_AVGS] = { "avg10", "avg60",
						       "avg300" };

/*
 * The bounds of one guest or node: {"some": {"avg10": 20, "total":
 * "1s"}, "full": {...}}, each a bound like b with its state and figure.
 */
static int parse_pressure_bounds(struct sc_ctx *c, json_t *o, const char *path,
				 const struct sc_pressure_bound *b,
				 struct sc_expect *e)
{
	const char *skey, *fkey;
	json_t *st, *v;
	char p[160];
	int ret;

	if (!json_is_object(o))
		return sc_bad(
			c, path,
			"must be an object such as {\"some\": {\"avg10\": 20}}");
	json_object_foreach(o, skey, st) {
		int state = psi_state_lookup(skey);

		sc_pathf(p, sizeof(p), "%s.%s", path, skey);
		if (state < 0)
			return sc_bad(c, p, "unknown state (some or full)");
		if (!json_is_object(st))
			return sc_bad(
				c, p,
				"must be an object of bounds such as {\"avg10\": 20, \"total\": \"1s\"}");
		json_object_foreach(st, fkey, v) {
			struct sc_pressure_bound *n =
				&e->pressure[e->nr_pressure];
			uint64_t ns;

			sc_pathf(p, sizeof(p), "%s.%s.%s", path, skey, fkey);
			if (e->nr_pressure == SC_MAX_PRESSURE_BOUNDS)
				return sc_bad(c, p,
					      "more than %d pressure bounds",
					      SC_MAX_PRESSURE_BOUNDS);
			*n = *b;
			n->state = state;
			n->avg = -1;
			for (int i = 0; i < NR_PSI_AVGS; i++)
				if (!strcmp(fkey, psi_avg_keys[i]))
					n->avg = i;
			if (n->avg >= 0) {
				if (!json_is_number(v) ||
				    json_number_value(v) < 0 ||
				    json_number_value(v) > 100)
					return sc_bad(
						c, p,
						"must be a percentage, 0 to 100");
				n->max_avg =
					(unsigned int)(json_number_value(v) *
							       100 +
						       0.5);
			} else if (!strcmp(fkey, "total")) {
				if ((ret = sc_get_duration(c, v, p, &ns)))
					return ret;
				n->max_total_us = ns / 1000;
			} else {
				return sc_bad(
					c, p,
					"unknown figure (avg10, avg60, avg300 or total)");
			}
			e->nr_pressure++;
		}
	}
	return 0;
}

/* {"guests": {NAME or "*": BOUNDS}, "nodes": {N or "*": BOUNDS}} */
static int parse_pressure(struct sc_ctx *c, json_t *o, struct scenario *sc)
{
	static const char *const keys[] = { "guests", "nodes", NULL };
	struct sc_expect *e = &sc->expect;
	const char *key;
	json_t *v;
	char p[160];
	int ret;

	if ((ret = sc_check_keys(c, o, "expect.pressure", keys)))
		return ret;
	if (json_object_get(o, "guests") &&
	    !json_is_object(json_object_get(o, "guests")))
		return sc_bad(c, "expect.pressure.guests",
			      "must be an object of guest names (or \"*\")");
	if (json_object_get(o, "nodes") &&
	    !json_is_object(json_object_get(o, "nodes")))
		return sc_bad(c, "expect.pressure.nodes",
			      "must be an object of node numbers (or \"*\")");
	json_object_foreach(json_object_get(o, "guests"), key, v) {
		struct sc_pressure_bound b = { .node = -1 };

		sc_pathf(p, sizeof(p), "expect.pressure.guests.%s", key);
		if (strcmp(key, SC_EVERY) && find_guest(sc, key) < 0)
			return sc_bad(c, p, "no guest is called \"%s\"", key);
		snprintf(b.guest, sizeof(b.guest), "%s", key);
		if ((ret = parse_pressure_bounds(c, v, p, &b, e)))
			return ret;
	}
	json_object_foreach(json_object_get(o, "nodes"), key, v) {
		struct sc_pressure_bound b = { .node = -1 };
		long n;
		char *end;

		sc_pathf(p, sizeof(p), "expect.pressure.nodes.%s", key);
		if (strcmp(key, SC_EVERY)) {
			n = strtol(key, &end, 10);
			if (*end || end == key || n < 0 ||
			    n >= (long)sc->cfg.nr_nodes)
				return sc_bad(
					c, p,
					"no node \"%s\" (the pool has 0..%u, or \"*\")",
					key, sc->cfg.nr_nodes - 1);
			b.node = (int)n;
		}
		if ((ret = parse_pressure_bounds(c, v, p, &b, e)))
			return ret;
	}
	return 0;
}

int sc_parse_expect(struct sc_ctx *c, json_t *o, struct scenario *sc)
{
	static const char *const keys[] = {
		"no_oom",	  "oom_victims", "integrity",
		"completed",	  "latency",	 "returned_to_host_min",
		"overcommit_min", "pressure",	 NULL
	};
	struct sc_expect *e = &sc->expect;
	json_t *v, *n;
	size_t i;
	char p[96];
	int ret;

	if (!o)
		return 0;
	if ((ret = sc_check_keys(c, o, "expect", keys)))
		return ret;
	if ((v = json_object_get(o, "no_oom")) &&
	    (ret = sc_get_bool(c, v, "expect.no_oom", &e->no_oom)))
		return ret;
	if ((v = json_object_get(o, "integrity")) &&
	    (ret = sc_get_bool(c, v, "expect.integrity", &e->integrity)))
		return ret;
	if ((v = json_object_get(o, "completed")) &&
	    (ret = sc_get_bool(c, v, "expect.completed", &e->completed)))
		return ret;
	if ((v = json_object_get(o, "oom_victims"))) {
		if (!json_is_array(v))
			return sc_bad(c, "expect.oom_victims",
				      "must be an array of guest names, not %s",
				      sc_type_name(v));
		e->victims_set = true;
		json_array_foreach(v, i, n) {
			sc_pathf(p, sizeof(p), "expect.oom_victims[%zu]", i);
			if (!json_is_string(n))
				return sc_bad(c, p,
					      "must be a guest name, not %s",
					      sc_type_name(n));
			if (find_guest(sc, json_string_value(n)) < 0)
				return sc_bad(c, p, "no guest is called \"%s\"",
					      json_string_value(n));
			for (unsigned int k = 0; k < e->nr_victims; k++)
				if (!strcmp(e->victim[k], json_string_value(n)))
					return sc_bad(c, p, "\"%s\" twice",
						      json_string_value(n));
			snprintf(e->victim[e->nr_victims++], VMM_NAME_MAX, "%s",
				 json_string_value(n));
		}
		if (e->no_oom && e->nr_victims)
			return sc_bad(c, "expect.oom_victims",
				      "contradicts expect.no_oom");
	}
	if ((v = json_object_get(o, "latency")) &&
	    (ret = parse_latency(c, v, e)))
		return ret;
	if ((v = json_object_get(o, "returned_to_host_min"))) {
		if ((ret = sc_get_size(c, v, "expect.returned_to_host_min",
				       &e->returned_min)))
			return ret;
		e->returned_set = true;
	}
	if ((v = json_object_get(o, "overcommit_min"))) {
		if (!json_is_number(v) || json_number_value(v) <= 0)
			return sc_bad(
				c, "expect.overcommit_min",
				"must be a positive number (1.5 for 1.5x)");
		e->overcommit_min = json_number_value(v);
		e->overcommit_set = true;
	}
	if ((v = json_object_get(o, "pressure")) &&
	    (ret = parse_pressure(c, v, sc)))
		return ret;
	return 0;
}
