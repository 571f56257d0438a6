// SPDX-License-Identifier: GPL-2.0
/* vmmctl balloon GUEST SIZE | vmmctl balloon GUEST --mem SIZE */
#include <stdio.h>
#include <string.h>

#include "tools/vmmctl/vmmctl.h"

int cmd_balloon(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
		char **argv)
{
	const char *pos[2], *mem = NULL;
	char a[16], b[16], c[16], d[16];
	unsigned int npos = 0;
	json_t *r, *set, *target, *usable;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--mem")) {
			if (++i == argc)
				return vmmctl_usage(cmd, "--mem needs a SIZE");
			mem = argv[i];
		} else if (!strncmp(argv[i], "--mem=", 6)) {
			mem = argv[i] + 6;
		} else if (npos < 2) {
			pos[npos++] = argv[i];
		} else {
			npos++;
		}
	}
	if (npos != (mem ? 1u : 2u))
		return vmmctl_usage(
			cmd, mem ? "GUEST and --mem SIZE, e.g. web --mem 700M" :
				   "GUEST and SIZE, e.g. web 128M");
	ret = vmmctl_exec(v, cmd->name, "balloon-set",
			  json_pack("{s:o,s:s}", "guest", guest_ref(pos[0]),
				    mem ? "mem" : "target", mem ? mem : pos[1]),
			  &r);
	if (ret)
		return ret;
	set = json_object_get(r, "user-target");
	target = json_object_get(r, "target");
	usable = json_object_get(r, "mem");
	if (v->json)
		print_json(r);
	else
		printf("balloon of %s: target %s (holds %s now), %s; the guest may use %s of %s\n",
		       pos[0], fmt_json_size(target, a, 16),
		       fmt_json_size(json_object_get(r, "actual"), b, 16),
		       json_integer_value(set) ?
			       "kept until set again (reclaim may inflate beyond it)" :
			       "reclaim's to change",
		       fmt_json_size(usable, c, 16),
		       fmt_size((uint64_t)(json_integer_value(target) +
					   json_integer_value(usable)),
				d, 16));
	json_decref(r);
	return VMMCTL_OK;
}
