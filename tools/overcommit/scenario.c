// SPDX-License-Identifier: GPL-2.0
/*
 * Overcommit scenarios: JSON in, a checked struct scenario out.  Here the
 * file and its top level; the sections are read by scenario_sections.c,
 * scenario_guests.c and scenario_expect.c (scenario_internal.h).
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "tools/overcommit/scenario_internal.h"
#include "vmm/config/options.h"

#define DEFAULT_TIMEOUT_NS (60ULL * 1000000000ULL)
#define DEFAULT_SAMPLE_NS (100ULL * 1000000ULL)
#define DEFAULT_SHUTDOWN_TIMEOUT_NS (10ULL * 1000000000ULL)
#define DEFAULT_TRACE_EVENTS (1U << 18)

static void defaults(struct scenario *sc)
{
	options_defaults(&sc->cfg);
	sc->timeout_ns = DEFAULT_TIMEOUT_NS;
	sc->sample_ns = DEFAULT_SAMPLE_NS;
	sc->shutdown_timeout_ns = DEFAULT_SHUTDOWN_TIMEOUT_NS;
	sc->trace_events = DEFAULT_TRACE_EVENTS;
}

static int parse(struct sc_ctx *c, json_t *root, struct scenario *sc)
{
	static const char *const keys[] = { "name",    "description", "pool",
					    "reclaim", "compaction",  "run",
					    "guests",  "expect",      NULL };
	json_t *v;
	int ret;

	if ((ret = sc_check_keys(c, root, "", keys)))
		return ret;
	if ((v = json_object_get(root, "name"))) {
		if (!json_is_string(v))
			return sc_bad(c, "name", "must be a string, not %s",
				      sc_type_name(v));
		if ((ret = sc_check_name(c, json_string_value(v), "name",
					 sizeof(sc->name))))
			return ret;
		snprintf(sc->name, sizeof(sc->name), "%s",
			 json_string_value(v));
	}
	if ((v = json_object_get(root, "description")) && !json_is_string(v))
		return sc_bad(c, "description", "must be a string, not %s",
			      sc_type_name(v));
	sc->description = strdup(v ? json_string_value(v) : "");
	if (!sc->description)
		return -ENOMEM;
	if ((ret = sc_parse_pool(c, json_object_get(root, "pool"), &sc->cfg)) ||
	    (ret = sc_parse_reclaim(c, json_object_get(root, "reclaim"),
				    &sc->cfg)) ||
	    (ret = sc_parse_compaction(c, json_object_get(root, "compaction"),
				       &sc->cfg)) ||
	    (ret = sc_parse_run(c, json_object_get(root, "run"), sc)) ||
	    (ret = sc_parse_guests(c, json_object_get(root, "guests"), sc)) ||
	    (ret = sc_parse_expect(c, json_object_get(root, "expect"), sc)))
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
	struct sc_ctx c = { .err = err, .errlen = errlen };
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
