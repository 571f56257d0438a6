// SPDX-License-Identifier: GPL-2.0
/* vmmctl quit [--no-wait] */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tools/vmmctl/vmmctl.h"

int cmd_quit(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
	     char **argv)
{
	bool wait = !(argc == 2 && !strcmp(argv[1], "--no-wait"));
	char err[CTL_ERR_LEN];
	json_t *r;
	int ret;

	if (argc > 2 || (argc == 2 && wait))
		return vmmctl_usage(cmd, "only --no-wait");
	ret = vmmctl_exec(v, cmd->name, "quit", NULL, &r);
	if (ret)
		return ret;
	json_decref(r);
	/* vmm closes every connection once its guests are gone. */
	while (wait) {
		json_t *ev;

		ret = ctl_next_event(&v->conn, v->timeout_ms, &ev, err,
				     sizeof(err));
		if (ret == -EPIPE)
			break;
		if (ret) {
			fprintf(stderr, "vmmctl quit: %s\n", err);
			return ret == -ETIMEDOUT ? VMMCTL_FAILED :
						   VMMCTL_NO_SERVER;
		}
		if (v->json)
			print_event(v, ev);
		json_decref(ev);
	}
	if (!v->json)
		printf("vmm has quit\n");
	return VMMCTL_OK;
}
