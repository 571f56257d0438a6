// SPDX-License-Identifier: GPL-2.0
/* vmmctl launch SPEC [--wait] */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/vmmctl/vmmctl.h"

/*
 * vmm resolves kernel= in its own working directory: make a relative
 * path absolute here.  Keys come before script=, which takes the rest.
 */
static char *absolute_kernel(const char *spec)
{
	const char *k = spec, *end;
	char path[PATH_MAX], real[PATH_MAX], *out;
	size_t len;

	for (;;) {
		if (!strncmp(k, "script=", 7))
			return strdup(spec);
		if (!strncmp(k, "kernel=", 7))
			break;
		k = strchr(k, ',');
		if (!k)
			return strdup(spec);
		k++;
	}
	k += 7;
	end = strchrnul(k, ',');
	len = end - k;
	if (*k == '/' || !len || len >= sizeof(path))
		return strdup(spec);
	memcpy(path, k, len);
	path[len] = 0;
	if (!realpath(path, real))
		return strdup(spec); /* vmm will say what is wrong */
	if (asprintf(&out, "%.*s%s%s", (int)(k - spec), spec, real, end) < 0)
		return NULL;
	return out;
}

int cmd_launch(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
	       char **argv)
{
	const char *spec = NULL;
	bool wait = false;
	json_t *r, *id;
	char *abs;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--wait"))
			wait = true;
		else if (argv[i][0] == '-' && argv[i][1] == '-')
			return vmmctl_usage(cmd, "unknown option '%s'",
					    argv[i]);
		else if (spec)
			return vmmctl_usage(
				cmd, "one SPEC (quote it: it has spaces)");
		else
			spec = argv[i];
	}
	if (!spec)
		return vmmctl_usage(cmd, "which guest? (a SPEC)");
	abs = absolute_kernel(spec);
	if (!abs)
		return VMMCTL_FAILED;
	ret = vmmctl_exec(v, cmd->name, "guest-launch",
			  json_pack("{s:s}", "spec", abs), &r);
	free(abs);
	if (ret)
		return ret;
	id = json_object_get(r, "id");
	if (v->json)
		print_json(r);
	else
		printf("guest %s (id %lld) started\n",
		       json_string_value(json_object_get(r, "name")),
		       json_integer_value(id));
	if (!v->json && json_object_get(r, "warning"))
		fprintf(stderr, "vmmctl: warning: %s\n",
			json_string_value(json_object_get(r, "warning")));
	fflush(stdout);
	if (wait)
		ret = wait_guest_stopped(v, cmd->name, json_integer_value(id),
					 false);
	json_decref(r);
	return ret;
}
