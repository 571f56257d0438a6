// SPDX-License-Identifier: GPL-2.0
/*
 * The guest SPEC keys, one row each (option.h): `--guest name=web,...`,
 * the control socket's guest-launch members and a scenario's guests[]
 * entries read them.  The order is the SPEC's in --help and -v.  What
 * needs several keys is checked by guest_spec_check() (options_guest.c).
 */
#include <stdio.h>
#include <string.h>

#include "vmm/config/options.h"
#include "vmm/config/options_internal.h"
#include "util/size.h"

#define MB (1LL << 20)
#define SPEC(field) OPTION_FIELD(struct guest_spec, field)

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

static int parse_name(const struct option_desc *o, void *base, const char *v,
		      char *err, size_t errlen)
{
	struct guest_spec *g = base;

	if (!name_ok(v))
		return option_bad(
			o, v, err, errlen,
			"1 to %d printable ASCII characters, not all digits (an id), no spaces, '/', ',' or '='",
			VMM_NAME_MAX - 1);
	snprintf(g->name, sizeof(g->name), "%s", v);
	return 0;
}

static void show_name(const void *base, char *buf, size_t len)
{
	snprintf(buf, len, "%s", ((const struct guest_spec *)base)->name);
}

static int parse_map(const struct option_desc *o, void *base, const char *v,
		     char *err, size_t errlen)
{
	struct guest_spec *g = base;
	char buf[128], *save = NULL, *tok;
	bool seen[GUEST_MAX_NODES] = { false };

	if (strlen(v) >= sizeof(buf))
		return option_bad(o, v, err, errlen, "too long");
	strcpy(buf, v);
	for (tok = strtok_r(buf, "/", &save); tok;
	     tok = strtok_r(NULL, "/", &save)) {
		long gn, pn;
		char *colon = strchr(tok, ':');

		if (!colon)
			return option_bad(o, v, err, errlen,
					  "'%s' is not GUEST_NODE:POOL_NODE",
					  tok);
		*colon = 0;
		if (parse_int(tok, 0, GUEST_MAX_NODES - 1, &gn) ||
		    parse_int(colon + 1, 0, VMM_MAX_POOL_NODES - 1, &pn))
			return option_bad(
				o, v, err, errlen,
				"node numbers are 0..%d (guest) and 0..%d (pool)",
				GUEST_MAX_NODES - 1, VMM_MAX_POOL_NODES - 1);
		if (seen[gn])
			return option_bad(o, v, err, errlen,
					  "guest node %ld mapped twice", gn);
		seen[gn] = true;
		g->vnode_to_pnode[gn] = (int)pn;
	}
	return 0;
}

static void show_map(const void *base, char *buf, size_t len)
{
	const struct guest_spec *g = base;

	buf[0] = 0;
	for (unsigned int n = 0; n < GUEST_MAX_NODES; n++)
		if (g->vnode_to_pnode[n] >= 0)
			snprintf(buf + strlen(buf), len - strlen(buf),
				 "%s%u:%d", buf[0] ? "/" : "", n,
				 g->vnode_to_pnode[n]);
}

const struct option_desc guest_keys[] = {
	{ .name = "name",
	  .type = OPTION_CUSTOM,
	  .arg = "NAME",
	  .parse = parse_name,
	  .show = show_name,
	  .none = "guestN",
	  .key = "name",
	  .where = OPTION_SPEC,
	  .help = "unique; N counts the guests" },
	{ .name = "mem",
	  .type = OPTION_SIZE,
	  SPEC(mem_bytes),
	  .min = 8 * MB,
	  .max = GUEST_RAM_MAX,
	  .multiple = 2 * MB,
	  .dflt = "256M",
	  .key = "mem",
	  .where = OPTION_SPEC,
	  .help = "its RAM" },
	{ .name = "vcpus",
	  .type = OPTION_INT,
	  SPEC(nr_vcpus),
	  .min = 1,
	  .max = VMM_MAX_VCPUS,
	  .dflt = "1",
	  .key = "vcpus",
	  .where = OPTION_SPEC,
	  .help = "its vCPUs" },
	{ .name = "nodes",
	  .type = OPTION_INT,
	  SPEC(nr_vnodes),
	  .min = 1,
	  .max = GUEST_MAX_NODES,
	  .dflt = "1",
	  .key = "nodes",
	  .where = OPTION_SPEC,
	  .help = "guest NUMA nodes, its RAM split evenly" },
	{ .name = "map",
	  .type = OPTION_CUSTOM,
	  .arg = "G:P/G:P",
	  .parse = parse_map,
	  .show = show_map,
	  .none = "vmm's choice",
	  .key = "map",
	  .where = OPTION_SPEC,
	  .help = "the pool node P behind guest node G" },
	{ .name = "strict",
	  .type = OPTION_FLAG,
	  SPEC(strict),
	  .key = "strict",
	  .where = OPTION_SPEC,
	  .help = "never fall back to another pool node (every node "
		  "mapped, by vmm where map= does not say)" },
	{ .name = "pinned",
	  .type = OPTION_SIZE,
	  SPEC(pinned_bytes),
	  .multiple = 4096,
	  .dflt = "0",
	  .key = "pinned",
	  .where = OPTION_SPEC,
	  .help = "unmovable RAM at the start of guest node 0" },
	{ .name = "floor",
	  .type = OPTION_SIZE,
	  SPEC(floor_bytes),
	  .given = OPTION_GIVEN(struct guest_spec, floor_set),
	  .none = "--balloon-floor",
	  .key = "floor",
	  .where = OPTION_SPEC,
	  .help = "reclaim never balloons it below this" },
	{ .name = "swap",
	  .type = OPTION_SIZE,
	  SPEC(swap_bytes),
	  .given = OPTION_GIVEN(struct guest_spec, swap_set),
	  .multiple = 4096,
	  .none = "no bound",
	  .key = "swap",
	  .where = OPTION_SPEC,
	  .help = "the most of its memory the cold tier may hold (0: "
		  "none), as cgroup v2's memory.swap.max" },
	{ .name = "oom_score_adj",
	  .type = OPTION_INT,
	  SPEC(oom_score_adj),
	  .min = -1000,
	  .max = 1000,
	  .dflt = "0",
	  .key = "oom_score_adj",
	  .where = OPTION_SPEC,
	  .help = "the OOM killer's preference, as in Linux" },
	{ .name = "cpu_max",
	  .type = OPTION_PERCENT,
	  .arg = "PERCENT",
	  SPEC(cpu_max_pct),
	  .min = 1,
	  .max = CPU_MAX_PCT,
	  .unit = "of one host CPU",
	  .hint = "150: one and a half CPUs",
	  .none = "no bound",
	  .key = "cpu_max",
	  .where = OPTION_SPEC,
	  .help = "its vCPUs get at most PERCENT of one host CPU, by "
		  "a cgroup (150: one and a half)" },
	{ .name = "kernel",
	  .type = OPTION_STRING,
	  .arg = "FILE",
	  SPEC(kernel_path),
	  .min = 1,
	  .none = "the built-in guest",
	  .key = "kernel",
	  .where = OPTION_SPEC,
	  .help = "another guest image (guest/abi.h)" },
	/* Empty is another kernel's empty command line; the built-in
	 * guest's is refused (options_check_script). */
	{ .name = "script",
	  .type = OPTION_STRING,
	  .arg = "COMMANDS",
	  SPEC(script),
	  .key = "script",
	  .where = OPTION_SPEC,
	  .help = "the workload (docs/guest.md), the last key: it "
		  "takes the rest, commas and all" },
	{ NULL },
};

const char *options_guest_key_list(char *buf, size_t len)
{
	buf[0] = 0;
	for (const struct option_desc *o = guest_keys; o->name; o++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
			 o == guest_keys ? "" : ", ", o->name);
	return buf;
}
