// SPDX-License-Identifier: GPL-2.0
/* vmmctl stats [buddyinfo|zoneinfo|pagetypeinfo|vmstat|extfrag_index|
 * unusable_index|guests]... */
#include <stdio.h>
#include <string.h>

#include "tools/vmmctl/vmmctl.h"

static const char *const all[] = { "buddyinfo",	    "zoneinfo",
				   "pagetypeinfo",  "vmstat",
				   "extfrag_index", "unusable_index",
				   "guests" };
#define NR_SECTIONS (sizeof(all) / sizeof(all[0]))

int cmd_stats(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
	      char **argv)
{
	bool pick[NR_SECTIONS] = { false }, any = false;
	unsigned int n = 0;
	json_t *procs = json_array(), *r, *guests = NULL;
	int ret;

	for (int i = 1; i < argc; i++) {
		size_t s;

		for (s = 0; s < NR_SECTIONS; s++)
			if (!strcmp(argv[i], all[s]))
				break;
		if (s == NR_SECTIONS) {
			json_decref(procs);
			return vmmctl_usage(
				cmd,
				"no section '%s' (buddyinfo, zoneinfo, pagetypeinfo, vmstat, extfrag_index, unusable_index, guests)",
				argv[i]);
		}
		pick[s] = any = true;
	}
	for (size_t s = 0; s < NR_SECTIONS; s++) {
		pick[s] |= !any;
		n += pick[s];
		if (pick[s] && strcmp(all[s], "guests"))
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
	if (ret)
		return ret;
	if (pick[NR_SECTIONS - 1]) {
		ret = vmmctl_exec(v, cmd->name, "query-guests", NULL, &guests);
		if (ret) {
			json_decref(r);
			return ret;
		}
	}
	if (v->json) {
		if (guests)
			json_object_set(r, "guests", guests);
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
			if (guests && !strcmp(all[s], "guests"))
				print_guest_table(guests);
			else
				fputs(json_string_value(
					      json_object_get(text, all[s])),
				      stdout);
		}
	}
	json_decref(guests);
	json_decref(r);
	return VMMCTL_OK;
}
