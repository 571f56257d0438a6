// SPDX-License-Identifier: GPL-2.0
/* vmmctl stop GUEST [--timeout TIME | --force] [--no-wait], kill GUEST
 * [--no-wait] */
#include <stdio.h>
#include <string.h>

#include "tools/vmmctl/vmmctl.h"
#include "util/size.h"

/* Waiting for GUEST_STOPPED: the guest's own time-out and then some. */
#define STOP_WAIT_SLACK_MS 5000

static int stop_or_kill(struct vmmctl *v, const struct vmmctl_cmd *cmd,
			int argc, char **argv, const char *what)
{
	bool stop = !strcmp(what, "guest-stop");
	const char *guest = NULL, *timeout = NULL;
	bool wait = true;
	json_t *r, *ref, *list, *g, *args;
	json_int_t id = 0;
	uint64_t ns = 0;
	size_t i;
	int ret;

	for (int k = 1; k < argc; k++) {
		if (!strcmp(argv[k], "--no-wait"))
			wait = false;
		else if (stop && !strcmp(argv[k], "--force"))
			timeout = "0s";
		else if (stop && !strcmp(argv[k], "--timeout") && k + 1 < argc)
			timeout = argv[++k];
		else if (argv[k][0] == '-' && argv[k][1] == '-')
			return vmmctl_usage(cmd, "unknown option '%s'",
					    argv[k]);
		else if (guest)
			return vmmctl_usage(cmd, "one GUEST at a time");
		else
			guest = argv[k];
	}
	if (!guest)
		return vmmctl_usage(cmd, "which guest? (an id or a name)");
	if (timeout &&
	    (parse_duration_ns(timeout, &ns) || ns > 24 * 3600 * 1000000000ULL))
		return vmmctl_usage(cmd,
				    "--timeout %s: a time up to 24h (e.g. 30s)",
				    timeout);
	/* A wait as long as the guest may take, and then some. */
	if (timeout &&
	    ns / 1000000 + STOP_WAIT_SLACK_MS > (uint64_t)v->timeout_ms)
		v->timeout_ms = (int)(ns / 1000000 + STOP_WAIT_SLACK_MS);
	ref = guest_ref(guest);
	/* The id, to know its GUEST_STOPPED when it comes. */
	if (wait) {
		ret = vmmctl_exec(v, cmd->name, "query-guests", NULL, &list);
		if (ret) {
			json_decref(ref);
			return ret;
		}
		json_array_foreach(list, i, g)
			if (json_equal(json_object_get(g, json_is_integer(ref) ?
								  "id" :
								  "name"),
				       ref))
				id = json_integer_value(
					json_object_get(g, "id"));
		json_decref(list);
	}
	args = json_pack("{s:o}", "guest", ref);
	if (timeout)
		json_object_set_new(args, "timeout", json_string(timeout));
	ret = vmmctl_exec(v, cmd->name, what, args, &r);
	if (ret)
		return ret;
	if (!wait && v->json)
		print_json(r);
	json_decref(r);
	return wait ? wait_guest_stopped(v, cmd->name, id, true) : VMMCTL_OK;
}

int cmd_stop(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
	     char **argv)
{
	return stop_or_kill(v, cmd, argc, argv, "guest-stop");
}

int cmd_kill(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
	     char **argv)
{
	return stop_or_kill(v, cmd, argc, argv, "guest-kill");
}
