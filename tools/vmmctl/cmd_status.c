// SPDX-License-Identifier: GPL-2.0
/* vmmctl status, vmmctl version. */
#include <stdio.h>

#include "tools/vmmctl/vmmctl.h"
#include "util/version.h"

#define get(o, k) json_object_get(o, k)

static void print_status(json_t *r)
{
	json_t *pool, *trace;
	char a[16], b[16], c[16];

	pool = get(r, "pool");
	trace = get(r, "trace");
	printf("vmm %s (%s mode), pid %lld, up %.1f s, %s\n",
	       json_string_value(get(r, "version")),
	       json_string_value(get(r, "mode")),
	       json_integer_value(get(r, "pid")),
	       json_integer_value(get(r, "uptime-ms")) / 1000.0,
	       json_string_value(get(r, "status")));
	printf("socket: %s, %lld client(s)\n",
	       json_string_value(get(r, "socket")),
	       json_integer_value(get(r, "clients")));
	printf("pool: %s in %lld node(s), %s free, host holds %s%s\n",
	       fmt_json_size(get(pool, "size"), a, sizeof(a)),
	       json_integer_value(get(pool, "nodes")),
	       fmt_json_size(get(pool, "free"), b, sizeof(b)),
	       fmt_json_size(get(pool, "host-resident"), c, sizeof(c)),
	       json_is_true(get(pool, "hugepages")) ? "" :
						      " (no host hugepages)");
	printf("guests: %lld\n", json_integer_value(get(r, "guests")));
	printf("tracing: %s\n",
	       json_is_string(trace) ? json_string_value(trace) : "off");
	printf("compaction: %s\n", json_is_true(get(r, "compaction")) ?
					   "available" :
					   "not available");
}

int cmd_status(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
	       char **argv)
{
	(void)argv;
	return vmmctl_query(v, cmd, argc, "query-status", print_status);
}

static void print_version(json_t *r)
{
	printf("vmm %s (vmmctl %s)\n", json_string_value(get(r, "package")) + 4,
	       VMM_VERSION);
}

int cmd_version(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
		char **argv)
{
	(void)argv;
	return vmmctl_query(v, cmd, argc, "query-version", print_version);
}
