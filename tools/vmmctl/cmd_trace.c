// SPDX-License-Identifier: GPL-2.0
/* vmmctl trace start FILE | trace stop */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/vmmctl/vmmctl.h"

/* vmm opens the file in its own working directory: give it ours. */
static char *absolute(const char *path)
{
	char cwd[PATH_MAX], *out;

	if (path[0] == '/')
		return strdup(path);
	if (!getcwd(cwd, sizeof(cwd)) || asprintf(&out, "%s/%s", cwd, path) < 0)
		return NULL;
	return out;
}

int cmd_trace(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
	      char **argv)
{
	json_t *r;
	char *file;
	int ret;

	if (argc == 3 && !strcmp(argv[1], "start")) {
		file = absolute(argv[2]);
		if (!file)
			return vmmctl_usage(cmd, "%s: path too long", argv[2]);
		ret = vmmctl_exec(v, cmd->name, "trace-start",
				  json_pack("{s:s}", "file", file), &r);
		free(file);
		if (ret)
			return ret;
		if (v->json)
			print_json(r);
		else
			printf("tracing, to %s at the stop\n",
			       json_string_value(json_object_get(r, "file")));
	} else if (argc == 2 && !strcmp(argv[1], "stop")) {
		ret = vmmctl_exec(v, cmd->name, "trace-stop", NULL, &r);
		if (ret)
			return ret;
		if (v->json)
			print_json(r);
		else
			printf("%s: %lld events (%lld lost)\n",
			       json_string_value(json_object_get(r, "file")),
			       json_integer_value(json_object_get(r, "events")),
			       json_integer_value(json_object_get(r, "lost")));
	} else {
		return vmmctl_usage(cmd, "start FILE, or stop");
	}
	json_decref(r);
	return VMMCTL_OK;
}
