// SPDX-License-Identifier: GPL-2.0
/* vmmctl check: query-validate */
#include <stdio.h>

#include "tools/vmmctl/vmmctl.h"

int cmd_check(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
	      char **argv)
{
	json_t *r;
	bool ok;
	int ret;

	(void)argv;
	if (argc != 1)
		return vmmctl_usage(cmd, "no arguments");
	ret = vmmctl_exec(v, cmd->name, "query-validate", NULL, &r);
	if (ret)
		return ret;
	ok = json_is_true(json_object_get(r, "ok"));
	if (v->json)
		print_json(r);
	else if (ok)
		printf("pool invariants hold: %lld frames checked in %.3f ms\n",
		       json_integer_value(json_object_get(r, "frames")),
		       json_integer_value(json_object_get(r, "duration-ns")) /
			       1e6);
	else
		printf("pool invariant broken: %s\n",
		       json_string_value(json_object_get(r, "problem")));
	json_decref(r);
	return ok ? VMMCTL_OK : VMMCTL_FAILED;
}
