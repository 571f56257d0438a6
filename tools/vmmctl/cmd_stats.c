// SPDX-License-Identifier: GPL-2.0
/* vmmctl stats [buddyinfo|zoneinfo|pagetypeinfo|vmstat|extfrag_index|
 * unusable_index|meminfo|guests|pressure [GUEST]]... */
#include <stdio.h>
#include <string.h>

#include "tools/vmmctl/vmmctl.h"

static const char *const all[] = { "buddyinfo",	    "zoneinfo",
				   "pagetypeinfo",  "vmstat",
				   "extfrag_index", "unusable_index",
				   "meminfo",	    "guests",
				   "pressure" };
#define NR_SECTIONS (sizeof(all) / sizeof(all[0]))
#define GUESTS (NR_SECTIONS - 2)
#define PRESSURE (NR_SECTIONS - 1)

static int section(const char *name)
{
	for (size_t s = 0; s < NR_SECTIONS; s++)
		if (!strcmp(name, all[s]))
			return (int)s;
	return -1;
}

/*
 * /proc/pressure/memory of each guest, then each pool node: one block
 * alone exactly as the file reads, several each under a header.
 */
static void print_pressure(json_t *p)
{
	json_t *guests = json_object_get(p, "guests");
	json_t *nodes = json_object_get(p, "nodes"), *g;
	bool headed = json_array_size(guests) + json_array_size(nodes) > 1;
	bool first = true;
	size_t i;

	json_array_foreach(guests, i, g) {
		if (headed)
			printf("%s==> guest %s <==\n", first ? "" : "\n",
			       json_string_value(json_object_get(g, "name")));
		fputs(json_string_value(json_object_get(g, "text")), stdout);
		first = false;
	}
	json_array_foreach(nodes, i, g) {
		if (headed)
			printf("%s==> node %lld <==\n", first ? "" : "\n",
			       json_integer_value(json_object_get(g, "node")));
		fputs(json_string_value(json_object_get(g, "text")), stdout);
		first = false;
	}
}

int cmd_stats(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
	      char **argv)
{
	bool pick[NR_SECTIONS] = { false }, any = false;
	unsigned int n = 0;
	json_t *procs = json_array(), *r, *guests = NULL, *pressure = NULL;
	json_t *pressure_args = NULL;
	int ret;

	for (int i = 1; i < argc; i++) {
		int s = section(argv[i]);

		if (s < 0) {
			json_decref(procs);
			json_decref(pressure_args);
			return vmmctl_usage(
				cmd,
				"no section '%s' (buddyinfo, zoneinfo, pagetypeinfo, vmstat, extfrag_index, unusable_index, meminfo, guests, pressure [GUEST])",
				argv[i]);
		}
		pick[s] = any = true;
		/* pressure GUEST: that guest's alone. */
		if (s == (int)PRESSURE && i + 1 < argc &&
		    section(argv[i + 1]) < 0 && !pressure_args)
			pressure_args = json_pack("{s:o}", "guest",
						  guest_ref(argv[++i]));
	}
	for (size_t s = 0; s < NR_SECTIONS; s++) {
		pick[s] |= !any;
		n += pick[s];
		if (pick[s] && s < GUESTS)
			json_array_append_new(procs, json_string(all[s]));
	}
	if (json_array_size(procs)) {
		ret = vmmctl_exec(v, cmd->name, "query-stats",
				  json_pack("{s:s,s:o}", "format",
					    v->json ? "both" : "text",
					    "sections", procs),
				  &r);
	} else {
		json_decref(procs);
		r = json_object();
		ret = VMMCTL_OK;
	}
	if (!ret && pick[GUESTS])
		ret = vmmctl_exec(v, cmd->name, "query-guests", NULL, &guests);
	if (!ret && pick[PRESSURE])
		ret = vmmctl_exec(v, cmd->name, "query-pressure",
				  json_incref(pressure_args), &pressure);
	json_decref(pressure_args);
	if (ret) {
		json_decref(r);
		json_decref(guests);
		return ret;
	}
	if (v->json) {
		if (guests)
			json_object_set(r, "guests", guests);
		if (pressure)
			json_object_set(r, "pressure", pressure);
		print_json(r);
	} else {
		json_t *text = json_object_get(r, "text");

		for (size_t s = 0; s < NR_SECTIONS; s++) {
			if (!pick[s])
				continue;
			/* One section: exactly the /proc file. */
			if (n > 1)
				printf("%s==> %s <==\n",
				       s && pick[0] + s > 1 ? "\n" : "",
				       all[s]);
			if (s == GUESTS)
				print_guest_table(guests);
			else if (s == PRESSURE)
				print_pressure(pressure);
			else
				fputs(json_string_value(
					      json_object_get(text, all[s])),
				      stdout);
		}
	}
	json_decref(guests);
	json_decref(pressure);
	json_decref(r);
	return VMMCTL_OK;
}
