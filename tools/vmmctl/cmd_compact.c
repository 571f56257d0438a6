// SPDX-License-Identifier: GPL-2.0
/* vmmctl compact [--node N] */
#include <stdio.h>
#include <string.h>

#include "tools/vmmctl/vmmctl.h"
#include "util/size.h"

int cmd_compact(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
		char **argv)
{
	json_t *args = NULL, *r;
	char a[16], b[16], c[16];
	long n;
	int ret;

	if (argc == 3 && !strcmp(argv[1], "--node") &&
	    !parse_int(argv[2], 0, 1 << 20, &n))
		args = json_pack("{s:i}", "node", (int)n);
	else if (argc != 1)
		return vmmctl_usage(cmd, "only --node N");
	ret = vmmctl_exec(v, cmd->name, "compact", args, &r);
	if (ret)
		return ret;
	if (v->json)
		print_json(r);
	else
		printf("compacted: %lld pages migrated (%lld failed) in %.3f ms; free memory in whole pageblocks %s -> %s of %s\n",
		       json_integer_value(json_object_get(r, "migrated")),
		       json_integer_value(json_object_get(r, "failed")),
		       json_integer_value(json_object_get(r, "duration-ns")) /
			       1e6,
		       fmt_json_size(json_object_get(r,
						     "free-in-blocks-before"),
				     a, sizeof(a)),
		       fmt_json_size(json_object_get(r, "free-in-blocks-after"),
				     b, sizeof(b)),
		       fmt_json_size(json_object_get(r, "free"), c, sizeof(c)));
	json_decref(r);
	return VMMCTL_OK;
}
