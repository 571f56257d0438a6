// SPDX-License-Identifier: GPL-2.0
/* vmmctl raw JSON: one protocol line, its reply as vmm sent it. */
#include <stdio.h>
#include <string.h>

#include "tools/vmmctl/vmmctl.h"

int cmd_raw(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
	    char **argv)
{
	char err[CTL_ERR_LEN];
	json_t *r;
	int ret;

	if (argc != 2 || strchr(argv[1], '\n'))
		return vmmctl_usage(cmd, "one line of JSON");
	ret = vmmctl_connect(v);
	if (ret)
		return ret;
	ret = ctl_execute_raw(&v->conn, argv[1], &r, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "vmmctl raw: %s\n", err);
		return VMMCTL_NO_SERVER;
	}
	print_json(r);
	json_decref(r);
	return ret ? VMMCTL_FAILED : VMMCTL_OK;
}
