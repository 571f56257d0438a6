// SPDX-License-Identifier: GPL-2.0
/* vmmctl list: the guests. */
#include "tools/vmmctl/vmmctl.h"

int cmd_list(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
	     char **argv)
{
	json_t *r;
	int ret;

	(void)argv;
	if (argc > 1)
		return vmmctl_usage(cmd, "takes no arguments");
	ret = vmmctl_exec(v, cmd->name, "query-guests", NULL, &r);
	if (ret)
		return ret;
	if (v->json)
		print_json(r);
	else
		print_guest_table(r);
	json_decref(r);
	return VMMCTL_OK;
}
