// SPDX-License-Identifier: GPL-2.0
/*
 * Guest SPECs: `--guest name=web,mem=512M,...` whole, or one key at a time
 * (the control socket's JSON form), and what a guest needs from the pool
 * it joins.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/script.h"
#include "vmm/kvm/cpu_cgroup.h"
#include "vmm/config/options.h"
#include "vmm/config/options_internal.h"
#include "util/size.h"

#define MIN_GUEST_BYTES (8ULL << 20)
#define NR_SPEC_KEYS 11 /* name ... script, as options_guest_set() lists */
#define HUGE (2ULL << 20)

static void guest_defaults(struct guest_spec *g)
{
	memset(g, 0, sizeof(*g));
	g->mem_bytes = 256ULL << 20;
	g->nr_vcpus = 1;
	g->nr_vnodes = 1;
	for (int i = 0; i < GUEST_MAX_NODES; i++)
		g->vnode_to_pnode[i] = -1;
}

static int parse_map(const char *v, struct guest_spec *g, char *err,
		     size_t errlen)
{
	char buf[128], *save = NULL, *tok;
	bool seen[GUEST_MAX_NODES] = { false };

	if (strlen(v) >= sizeof(buf))
		return fail(err, errlen, "map=%s: too long", v);
	strcpy(buf, v);
	for (tok = strtok_r(buf, "/", &save); tok;
	     tok = strtok_r(NULL, "/", &save)) {
		long gn, pn;
		char *colon = strchr(tok, ':');

		if (!colon)
			return fail(err, errlen,
				    "map=%s: '%s' is not GUEST_NODE:POOL_NODE",
				    v, tok);
		*colon = 0;
		if (parse_int(tok, 0, GUEST_MAX_NODES - 1, &gn) ||
		    parse_int(colon + 1, 0, VMM_MAX_POOL_NODES - 1, &pn))
			return fail(
				err, errlen,
				"map=%s: node numbers are 0..%d (guest) and 0..%d (pool)",
				v, GUEST_MAX_NODES - 1, VMM_MAX_POOL_NODES - 1);
		if (seen[gn])
			return fail(err, errlen,
				    "map=%s: guest node %ld mapped twice", v,
				    gn);
		seen[gn] = true;
		g->vnode_to_pnode[gn] = (int)pn;
	}
	return 0;
}

void options_guest_init(struct guest_spec *g)
{
	guest_defaults(g);
}

void options_guest_free(struct guest_spec *g)
{
	free(g->script);
	free(g->kernel_path);
	g->script = g->kernel_path = NULL;
}

/* Names appear in SPECs, file names and JSON, and stand for a guest
 * where an id could (vmmctl stop NAME|ID). */
static bool name_ok(const char *name)
{
	if (strlen(name) >= VMM_NAME_MAX || !name[strspn(name, "0123456789")])
		return false;
	for (const char *p = name; *p; p++)
		if (*p <= ' ' || *p > '~' || strchr("/,=", *p))
			return false;
	return true;
}

int options_guest_set(struct guest_spec *g, const char *kv, const char *val,
		      char *err, size_t errlen)
{
	long n;

	if (!strcmp(kv, "strict")) {
		if (val)
			return fail(err, errlen,
				    "guest key 'strict' is a flag: no '='");
		g->strict = true;
	} else if (!strcmp(kv, "script")) {
		/* Empty is another kernel's empty command line; the
		 * built-in guest's is refused (options_check_script). */
		free(g->script);
		g->script = strdup(val ? val : "");
		if (!g->script)
			return fail(err, errlen, "out of memory");
	} else if (!val || !*val) {
		return fail(err, errlen,
			    "guest key '%s' needs a value (key=value)", kv);
	} else if (!strcmp(kv, "name")) {
		if (!name_ok(val))
			return fail(
				err, errlen,
				"guest name '%s': 1 to %d printable ASCII characters, not all digits (an id), no spaces, '/', ',' or '='",
				val, VMM_NAME_MAX - 1);
		snprintf(g->name, sizeof(g->name), "%s", val);
	} else if (!strcmp(kv, "mem")) {
		if (parse_size(val, &g->mem_bytes))
			return fail(err, errlen,
				    "guest mem=%s: not a size (e.g. 256M, 1G)",
				    val);
		if (g->mem_bytes % HUGE || g->mem_bytes < MIN_GUEST_BYTES ||
		    g->mem_bytes > GUEST_RAM_MAX)
			return fail(
				err, errlen,
				"guest mem=%s: must be a multiple of 2M from 8M to 256G",
				val);
	} else if (!strcmp(kv, "vcpus")) {
		if (parse_int(val, 1, VMM_MAX_VCPUS, &n))
			return fail(err, errlen, "guest vcpus=%s: 1..%d", val,
				    VMM_MAX_VCPUS);
		g->nr_vcpus = n;
	} else if (!strcmp(kv, "nodes")) {
		if (parse_int(val, 1, GUEST_MAX_NODES, &n))
			return fail(err, errlen, "guest nodes=%s: 1..%d", val,
				    GUEST_MAX_NODES);
		g->nr_vnodes = n;
	} else if (!strcmp(kv, "map")) {
		return parse_map(val, g, err, errlen);
	} else if (!strcmp(kv, "pinned")) {
		if (parse_size(val, &g->pinned_bytes) || g->pinned_bytes % 4096)
			return fail(err, errlen,
				    "guest pinned=%s: a size in whole 4K pages",
				    val);
	} else if (!strcmp(kv, "floor")) {
		if (parse_size(val, &g->floor_bytes))
			return fail(err, errlen, "guest floor=%s: a size", val);
		g->floor_set = true;
	} else if (!strcmp(kv, "oom_score_adj")) {
		if (parse_int(val, -1000, 1000, &n))
			return fail(err, errlen,
				    "guest oom_score_adj=%s: -1000..1000", val);
		g->oom_score_adj = n;
	} else if (!strcmp(kv, "cpu_max")) {
		if (cpu_max_parse(val, &g->cpu_max_pct))
			return fail(
				err, errlen,
				"guest cpu_max=%s: a percentage of one host CPU, 1..%d (150: one and a half CPUs)",
				val, CPU_MAX_PCT);
	} else if (!strcmp(kv, "kernel")) {
		free(g->kernel_path);
		g->kernel_path = strdup(val);
		if (!g->kernel_path)
			return fail(err, errlen, "out of memory");
	} else {
		return fail(
			err, errlen,
			"guest: unknown key '%s' (name, mem, vcpus, nodes, map, strict, pinned, floor, oom_score_adj, cpu_max, kernel, script)",
			kv);
	}
	return 0;
}

int options_guest_finish(struct guest_spec *g, char *err, size_t errlen)
{
	if (g->nr_vnodes > 1 && g->mem_bytes / g->nr_vnodes < HUGE)
		return fail(err, errlen,
			    "guest mem=%" PRIu64
			    "M cannot be split into %u nodes of 2M",
			    g->mem_bytes >> 20, g->nr_vnodes);
	if (g->pinned_bytes + HUGE > g->mem_bytes)
		return fail(err, errlen,
			    "guest pinned=%" PRIu64
			    "K does not fit in mem=%" PRIu64
			    "M (the first 2M is the guest kernel's)",
			    g->pinned_bytes >> 10, g->mem_bytes >> 20);
	if (g->floor_set && g->floor_bytes > g->mem_bytes)
		return fail(err, errlen,
			    "guest floor=%" PRIu64 "M is more than mem=%" PRIu64
			    "M",
			    g->floor_bytes >> 20, g->mem_bytes >> 20);
	if (!g->script) {
		g->script = strdup("");
		if (!g->script)
			return fail(err, errlen, "out of memory");
	}
	return 0;
}

/* A key given twice would silently lose one of its values. */
static int check_once(const char **seen, unsigned int *nr_seen, const char *kv,
		      char *err, size_t errlen)
{
	for (unsigned int i = 0; i < *nr_seen; i++)
		if (!strcmp(seen[i], kv))
			return fail(err, errlen, "guest key '%s' given twice",
				    kv);
	/* Unknown keys fail on their first appearance: few are seen. */
	if (*nr_seen < NR_SPEC_KEYS)
		seen[(*nr_seen)++] = kv;
	return 0;
}

int options_parse_guest(const char *spec, struct guest_spec *g, char *err,
			size_t errlen)
{
	char *copy = strdup(spec), *p = copy, *kv;
	const char *seen[NR_SPEC_KEYS];
	unsigned int nr_seen = 0;
	int ret = 0;

	guest_defaults(g);
	if (!copy)
		return fail(err, errlen, "out of memory");
	if (!spec[0])
		ret = fail(err, errlen, "empty guest SPEC");
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
			ret = fail(
				err, errlen,
				"guest key 'script' needs '=' (script=COMMANDS, the last key)");
		else
			ret = check_once(seen, &nr_seen, kv, err, errlen);
		if (!ret)
			ret = options_guest_set(g, kv, val, err, errlen);
		/* Say which SPEC, for a command line with several. */
		if (ret && strlen(err) + strlen(spec) + 16 < errlen) {
			char *msg = strdup(err);

			if (msg) {
				snprintf(err, errlen, "%s (in '%s')", msg,
					 spec);
				free(msg);
			}
		}
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
		return fail(
			err, errlen,
			"no script= (the built-in guest runs its script and nothing else; 'exit 0' boots and ends it; docs/guest.md)");
	if (len >= GUEST_CMDLINE_MAX)
		return fail(err, errlen, "script= is %zu bytes, at most %d",
			    len, GUEST_CMDLINE_MAX - 1);
	s = malloc(sizeof(*s));
	if (!s)
		return fail(err, errlen, "out of memory");
	if (script_parse(s, g->script, len, &env))
		ret = fail(err, errlen, "script %s", s->error);
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
			return fail(
				err, errlen,
				"guest %s: map= names guest node %u, it has %u",
				g->name, n, g->nr_vnodes);
		if (g->vnode_to_pnode[n] >= (int)cfg->nr_nodes)
			return fail(
				err, errlen,
				"guest %s: map= names pool node %d, the pool has %u (--nodes)",
				g->name, g->vnode_to_pnode[n], cfg->nr_nodes);
	}
	/* Another kernel's command line is that kernel's business. */
	if (!g->kernel_path && !cfg->kernel_path) {
		char msg[OPTIONS_ERR_MAX];

		if (options_check_script(g, msg, sizeof(msg)))
			return fail(err, errlen, "guest%s%s: %s",
				    g->name[0] ? " " : "", g->name, msg);
	}
	if (g->strict)
		for (unsigned int n = 0; n < g->nr_vnodes; n++)
			if (g->vnode_to_pnode[n] < 0)
				g->vnode_to_pnode[n] =
					(idx + n) % cfg->nr_nodes;
	return 0;
}
