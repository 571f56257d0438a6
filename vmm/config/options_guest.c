// SPDX-License-Identifier: GPL-2.0
/*
 * Guest SPECs: `--guest name=web,mem=512M,...` whole, or one key at a time
 * (the control socket's JSON form), each key by its row of guest_keys[];
 * what needs several keys, and what a guest needs from the pool it joins.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/script.h"
#include "vmm/config/options.h"
#include "vmm/config/options_internal.h"
#include "util/size.h"

#define HUGE (2ULL << 20)
#define MAX_SPEC_KEYS 16 /* more than guest_keys[] has */

void options_guest_init(struct guest_spec *g)
{
	memset(g, 0, sizeof(*g));
	for (const struct option_desc *o = guest_keys; o->name; o++)
		option_set_default(o, g);
	for (int i = 0; i < GUEST_MAX_NODES; i++)
		g->vnode_to_pnode[i] = -1;
}

void options_guest_free(struct guest_spec *g)
{
	free(g->script);
	free(g->kernel_path);
	g->script = g->kernel_path = NULL;
}

int options_guest_set(struct guest_spec *g, const char *kv, const char *val,
		      char *err, size_t errlen)
{
	const struct option_desc *o = option_find(guest_keys, kv);
	char keys[256];

	if (!o)
		return options_error(
			err, errlen, "guest: unknown key '%s' (%s)", kv,
			options_guest_key_list(keys, sizeof(keys)));
	if (o->type == OPTION_FLAG && val)
		return options_error(err, errlen,
				     "guest key '%s' is a flag: no '='", kv);
	/* A STRING that may be empty: script=, another kernel's empty
	 * command line. */
	if (o->type != OPTION_FLAG &&
	    (!val || (!*val && !(o->type == OPTION_STRING && !o->min))))
		return options_error(err, errlen,
				     "guest key '%s' needs a value (key=value)",
				     kv);
	return option_set(o, g, val, err, errlen);
}

int guest_spec_check(const struct guest_spec *g, const char **key, char *msg,
		     size_t len)
{
	if (g->nr_vnodes > 1 && g->mem_bytes / g->nr_vnodes < HUGE) {
		*key = "nodes";
		return options_error(
			msg, len,
			"must leave each node 2M of mem at least (mem=%" PRIu64
			"M cannot be split into %u nodes of 2M)",
			g->mem_bytes >> 20, g->nr_vnodes);
	}
	if (g->pinned_bytes + HUGE > g->mem_bytes) {
		char a[32], b[32];

		*key = "pinned";
		return options_error(
			msg, len,
			"must be whole 4K pages and leave the first 2M of mem to the guest kernel (pinned=%s does not fit in mem=%s)",
			format_size_short(g->pinned_bytes, a, sizeof(a)),
			format_size_short(g->mem_bytes, b, sizeof(b)));
	}
	if (g->floor_set && g->floor_bytes > g->mem_bytes) {
		*key = "floor";
		return options_error(msg, len,
				     "must be at most mem (floor=%" PRIu64
				     "M is more than mem=%" PRIu64 "M)",
				     g->floor_bytes >> 20, g->mem_bytes >> 20);
	}
	return 0;
}

int options_guest_finish(struct guest_spec *g, char *err, size_t errlen)
{
	const char *key;
	char msg[OPTIONS_ERR_MAX];

	if (guest_spec_check(g, &key, msg, sizeof(msg)))
		return options_error(err, errlen, "guest %s: %s", key, msg);
	if (!g->script) {
		g->script = strdup("");
		if (!g->script)
			return options_error(err, errlen, "out of memory");
	}
	return 0;
}

/* A key given twice would silently lose one of its values. */
static int check_once(const char **seen, unsigned int *nr_seen,
		      unsigned int max, const char *kv, char *err,
		      size_t errlen)
{
	for (unsigned int i = 0; i < *nr_seen; i++)
		if (!strcmp(seen[i], kv))
			return options_error(err, errlen,
					     "guest key '%s' given twice", kv);
	/* Unknown keys fail on their first appearance: few are seen. */
	if (*nr_seen < max)
		seen[(*nr_seen)++] = kv;
	return 0;
}

/* Say which SPEC, for a command line with several. */
static void in_spec(const char *spec, char *err, size_t errlen)
{
	char *msg;

	if (strlen(err) + strlen(spec) + 16 >= errlen)
		return;
	msg = strdup(err);
	if (msg) {
		snprintf(err, errlen, "%s (in '%s')", msg, spec);
		free(msg);
	}
}

int options_parse_guest(const char *spec, struct guest_spec *g, char *err,
			size_t errlen)
{
	char *copy = strdup(spec), *p = copy, *kv;
	const char *seen[MAX_SPEC_KEYS];
	unsigned int nr_seen = 0;
	int ret = 0;

	options_guest_init(g);
	if (!copy)
		return options_error(err, errlen, "out of memory");
	if (!spec[0])
		ret = options_error(err, errlen, "empty guest SPEC");
	while (!ret && p && *p) {
		char *val;

		/* script= takes the rest, commas and all. */
		if (!strncmp(p, "script=", 7)) {
			ret = options_guest_set(g, "script", p + 7, err,
						errlen);
			break;
		}
		kv = strsep(&p, ",");
		val = strchr(kv, '=');
		if (val)
			*val++ = 0;
		if (!strcmp(kv, "script"))
			ret = options_error(
				err, errlen,
				"guest key 'script' needs '=' (script=COMMANDS, the last key)");
		else
			ret = check_once(seen, &nr_seen, MAX_SPEC_KEYS, kv, err,
					 errlen);
		if (!ret)
			ret = options_guest_set(g, kv, val, err, errlen);
		if (ret)
			in_spec(spec, err, errlen);
	}
	free(copy);
	if (!ret)
		ret = options_guest_finish(g, err, errlen);
	if (ret)
		options_guest_free(g);
	return ret;
}

int options_check_script(const struct guest_spec *g, char *err, size_t errlen)
{
	struct script_env env = { g->mem_bytes, g->nr_vnodes };
	size_t len = g->script ? strlen(g->script) : 0;
	struct script *s;
	int ret = 0;

	if (!len)
		return options_error(
			err, errlen,
			"no script= (the built-in guest runs its script and nothing else; 'exit 0' boots and ends it; docs/guest.md)");
	if (len >= GUEST_CMDLINE_MAX)
		return options_error(err, errlen,
				     "script= is %zu bytes, at most %d", len,
				     GUEST_CMDLINE_MAX - 1);
	s = malloc(sizeof(*s));
	if (!s)
		return options_error(err, errlen, "out of memory");
	if (script_parse(s, g->script, len, &env))
		ret = options_error(err, errlen, "script %s", s->error);
	free(s);
	return ret;
}

int options_check_guest(const struct vmm_config *cfg, struct guest_spec *g,
			unsigned int idx, char *err, size_t errlen)
{
	for (unsigned int n = 0; n < GUEST_MAX_NODES; n++) {
		if (g->vnode_to_pnode[n] < 0)
			continue;
		if (n >= g->nr_vnodes)
			return options_error(
				err, errlen,
				"guest %s: map= names guest node %u, it has %u",
				g->name, n, g->nr_vnodes);
		if (g->vnode_to_pnode[n] >= (int)cfg->nr_nodes)
			return options_error(
				err, errlen,
				"guest %s: map= names pool node %d, the pool has %u (--nodes)",
				g->name, g->vnode_to_pnode[n], cfg->nr_nodes);
	}
	/* Another kernel's command line is that kernel's business. */
	if (!g->kernel_path && !cfg->kernel_path) {
		char msg[OPTIONS_ERR_MAX];

		if (options_check_script(g, msg, sizeof(msg)))
			return options_error(err, errlen, "guest%s%s: %s",
					     g->name[0] ? " " : "", g->name,
					     msg);
	}
	if (g->strict)
		for (unsigned int n = 0; n < g->nr_vnodes; n++)
			if (g->vnode_to_pnode[n] < 0)
				g->vnode_to_pnode[n] =
					(idx + n) % cfg->nr_nodes;
	return 0;
}
