// SPDX-License-Identifier: GPL-2.0
/* vmmctl balloon GUEST SIZE */
#include <stdio.h>

#include "tools/vmmctl/vmmctl.h"

int cmd_balloon(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
		char **argv)
{
	char a[16], b[16];
	json_t *r;
	int ret;

	if (argc != 3)
		return vmmctl_usage(cmd, "GUEST and SIZE, e.g. web 128M");
	ret = vmmctl_exec(v, cmd->name, "balloon-set",
			  json_pack("{s:o,s:s}", "guest", guest_ref(argv[1]),
				    "target", argv[2]),
			  &r);
	if (ret)
		return ret;
	if (v->json)
		print_json(r);
	else
		printf("balloon of %s: target %s (holds %s now)\n", argv[1],
		       fmt_json_size(json_object_get(r, "target"), a, 16),
		       fmt_json_size(json_object_get(r, "actual"), b, 16));
	json_decref(r);
	return VMMCTL_OK;
}
