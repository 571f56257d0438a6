// SPDX-License-Identifier: GPL-2.0
/* vmmctl compact [--node N] [--order N] */
#include <stdio.h>
#include <string.h>

#include "tools/vmmctl/vmmctl.h"
#include "vmm/size.h"

int cmd_compact(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
		char **argv)
{
	json_t *args = json_object(), *r;
	int ret;

	for (int i = 1; i < argc; i++) {
		bool node = !strcmp(argv[i], "--node");
		long n;

		if ((!node && strcmp(argv[i], "--order")) || i + 1 >= argc ||
		    parse_int(argv[i + 1], 0, 1 << 20, &n)) {
			json_decref(args);
			return vmmctl_usage(cmd, "'%s': --node N or --order N",
					    argv[i]);
		}
		json_object_set_new(args, node ? "node" : "order",
				    json_integer(n));
		i++;
	}
	ret = vmmctl_exec(v, cmd->name, "compact", args, &r);
	if (ret)
		return ret;
	if (v->json)
		print_json(r);
	else
		printf("compaction: %s, %lld pages migrated, %lld failed, free pageblocks %lld -> %lld, %.3f ms\n",
		       json_string_value(json_object_get(r, "result")),
		       json_integer_value(json_object_get(r, "migrated")),
		       json_integer_value(json_object_get(r, "failed")),
		       json_integer_value(
			       json_object_get(r, "free-blocks-before")),
		       json_integer_value(
			       json_object_get(r, "free-blocks-after")),
		       json_integer_value(json_object_get(r, "duration-ns")) /
			       1e6);
	json_decref(r);
	return VMMCTL_OK;
}
