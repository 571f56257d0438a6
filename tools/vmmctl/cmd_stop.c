// SPDX-License-Identifier: GPL-2.0
/* vmmctl stop|kill GUEST [--no-wait] */
#include <stdio.h>
#include <string.h>

#include "tools/vmmctl/vmmctl.h"

static int stop_or_kill(struct vmmctl *v, const struct vmmctl_cmd *cmd,
			int argc, char **argv, const char *what)
{
	const char *guest = NULL;
	bool wait = true;
	json_t *r, *ref, *list, *g;
	json_int_t id = 0;
	size_t i;
	int ret;

	for (int k = 1; k < argc; k++) {
		if (!strcmp(argv[k], "--no-wait"))
			wait = false;
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
	ret = vmmctl_exec(v, cmd->name, what, json_pack("{s:o}", "guest", ref),
			  &r);
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
