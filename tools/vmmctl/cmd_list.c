// SPDX-License-Identifier: GPL-2.0
/* vmmctl list: the guests. */
#include "tools/vmmctl/vmmctl.h"

int cmd_list(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
	     char **argv)
{
	(void)argv;
	return vmmctl_query(v, cmd, argc, "query-guests", print_guest_table);
}
