// SPDX-License-Identifier: GPL-2.0
/* vmmctl trace start [--ring N] [--page-events] [--sample T] FILE | stop */
#include <errno.h>
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

/* trace-start's arguments from argv[2..]: vmm checks the ranges. */
static int start_args(const struct vmmctl_cmd *cmd, int argc, char **argv,
		      json_t *args)
{
	const char *file = NULL;
	char *end, *abs;

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--page-events")) {
			json_object_set_new(args, "page_events", json_true());
		} else if (!strcmp(argv[i], "--ring") && i + 1 < argc) {
			long long n;

			errno = 0;
			n = strtoll(argv[++i], &end, 10);
			if (errno || *end || end == argv[i] || n < 0)
				return vmmctl_usage(cmd,
						    "--ring %s: not a number",
						    argv[i]);
			json_object_set_new(args, "ring", json_integer(n));
		} else if (!strcmp(argv[i], "--sample") && i + 1 < argc) {
			json_object_set_new(args, "sample",
					    json_string(argv[++i]));
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			return vmmctl_usage(cmd, "unknown option '%s'",
					    argv[i]);
		} else if (file) {
			return vmmctl_usage(cmd, "one FILE");
		} else {
			file = argv[i];
		}
	}
	if (!file)
		return vmmctl_usage(cmd, "start FILE, or stop");
	abs = absolute(file);
	if (!abs)
		return vmmctl_usage(cmd, "%s: path too long", file);
	json_object_set_new(args, "file", json_string(abs));
	free(abs);
	return VMMCTL_OK;
}

static int start(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
		 char **argv)
{
	json_t *args = json_object(), *r;
	double sample;
	int ret = start_args(cmd, argc, argv, args);

	if (ret) {
		json_decref(args);
		return ret;
	}
	ret = vmmctl_exec(v, cmd->name, "trace-start", args, &r);
	if (ret)
		return ret;
	if (v->json) {
		print_json(r);
	} else {
		sample = json_number_value(json_object_get(r, "sample"));
		printf("tracing to %s as events come (ring of %lld events, page events %s, ",
		       json_string_value(json_object_get(r, "file")),
		       json_integer_value(json_object_get(r, "ring")),
		       json_is_true(json_object_get(r, "page_events")) ? "on" :
									 "off");
		if (sample > 0)
			printf("memory samples every %g ms)\n", sample * 1e3);
		else
			printf("no memory samples)\n");
	}
	json_decref(r);
	return VMMCTL_OK;
}

static int stop(struct vmmctl *v, const struct vmmctl_cmd *cmd)
{
	json_t *r, *by, *n;
	json_int_t lost;
	const char *file, *type;
	int ret = vmmctl_exec(v, cmd->name, "trace-stop", NULL, &r);

	if (ret)
		return ret;
	file = json_string_value(json_object_get(r, "file"));
	lost = json_integer_value(json_object_get(r, "lost"));
	if (v->json)
		print_json(r);
	else
		printf("%s: %lld events (%lld lost)\n", file,
		       json_integer_value(json_object_get(r, "events")), lost);
	if (lost) {
		fprintf(stderr,
			"vmmctl trace: warning: %lld events lost (the writer could not keep up; the file says where):",
			lost);
		by = json_object_get(r, "lost_by_event");
		json_object_foreach(by, type, n)
			fprintf(stderr, " %s %lld", type,
				json_integer_value(n));
		fputc('\n', stderr);
	}
	json_decref(r);
	return VMMCTL_OK;
}

int cmd_trace(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
	      char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "start"))
		return start(v, cmd, argc, argv);
	if (argc == 2 && !strcmp(argv[1], "stop"))
		return stop(v, cmd);
	return vmmctl_usage(cmd, "start FILE, or stop");
}
