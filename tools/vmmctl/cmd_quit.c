// SPDX-License-Identifier: GPL-2.0
/* vmmctl quit [--timeout TIME | --force] [--no-wait] */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tools/vmmctl/vmmctl.h"
#include "util/size.h"

/* Waiting for vmm to go: the guests' time-out and then some. */
#define QUIT_WAIT_SLACK_MS 5000

int cmd_quit(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
	     char **argv)
{
	const char *timeout = NULL;
	char err[CTL_ERR_LEN];
	bool wait = true;
	json_t *r, *args = NULL;
	uint64_t ns = 0;
	int ret;

	for (int k = 1; k < argc; k++) {
		if (!strcmp(argv[k], "--no-wait"))
			wait = false;
		else if (!strcmp(argv[k], "--force"))
			timeout = "0s";
		else if (!strcmp(argv[k], "--timeout") && k + 1 < argc)
			timeout = argv[++k];
		else
			return vmmctl_usage(cmd, "unknown argument '%s'",
					    argv[k]);
	}
	if (timeout &&
	    (parse_duration_ns(timeout, &ns) || ns > 3600 * 1000000000ULL))
		return vmmctl_usage(cmd,
				    "--timeout %s: a time up to 1h (e.g. 30s)",
				    timeout);
	if (timeout) {
		args = json_pack("{s:s}", "timeout", timeout);
		if (ns / 1000000 + QUIT_WAIT_SLACK_MS > (uint64_t)v->timeout_ms)
			v->timeout_ms =
				(int)(ns / 1000000 + QUIT_WAIT_SLACK_MS);
	}
	/* Waiting for vmm to go takes as long as its guests take. */
	if (wait && (ret = vmmctl_watch_events(v, cmd->name, NULL))) {
		json_decref(args);
		return ret;
	}
	ret = vmmctl_exec(v, cmd->name, "quit", args, &r);
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
