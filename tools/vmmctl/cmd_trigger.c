// SPDX-License-Identifier: GPL-2.0
/* vmmctl trigger GUEST|--node N some|full THRESHOLD WINDOW,
 * vmmctl trigger --delete ID */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/vmmctl/vmmctl.h"
#include "util/size.h"

/* Microseconds as Linux writes them (150000), or a time (150ms). */
static int parse_us(const char *s, long long *us)
{
	uint64_t ns;
	char *end;

	if (*s >= '0' && *s <= '9') {
		*us = strtoll(s, &end, 10);
		if (!*end)
			return 0;
	}
	if (parse_duration_ns(s, &ns) || ns / 1000 > (1ULL << 40))
		return -1;
	*us = (long long)(ns / 1000);
	return 0;
}

static int delete (struct vmmctl *v, const struct vmmctl_cmd *cmd,
		   const char *arg)
{
	json_t *r;
	long id;
	int ret;

	if (parse_int(arg, 1, 1L << 31, &id))
		return vmmctl_usage(cmd, "--delete takes a trigger's number");
	ret = vmmctl_exec(v, cmd->name, "pressure-trigger-delete",
			  json_pack("{s:i}", "trigger", (int)id), &r);
	if (ret)
		return ret;
	if (v->json)
		print_json(r);
	else
		printf("trigger %ld deleted\n", id);
	json_decref(r);
	return VMMCTL_OK;
}

int cmd_trigger(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
		char **argv)
{
	char *words[3] = { NULL }, *copy = NULL, *p;
	json_t *args, *r;
	long long thr, win;
	int i = 1, n = 0, ret;
	long node;

	if (argc == 3 && !strcmp(argv[1], "--delete"))
		return delete (v, cmd, argv[2]);
	if (argc < 3)
		return vmmctl_usage(cmd,
				    "GUEST (or --node N), then the trigger");
	if (!strcmp(argv[1], "--node")) {
		if (parse_int(argv[2], 0, 1 << 20, &node))
			return vmmctl_usage(cmd,
					    "--node takes a node's number");
		args = json_pack("{s:i}", "node", (int)node);
		i = 3;
	} else {
		args = json_pack("{s:o}", "guest", guest_ref(argv[1]));
		i = 2;
	}
	/* "some 150000 1000000" as one argument (Linux's), or three. */
	if (argc - i == 1) {
		copy = strdup(argv[i]);
		for (p = strtok(copy, " \n"); p; p = strtok(NULL, " \n"))
			if (n++ < 3)
				words[n - 1] = p;
	} else {
		for (; i < argc; i++)
			if (n++ < 3)
				words[n - 1] = argv[i];
	}
	if (n != 3 || parse_us(words[1], &thr) || parse_us(words[2], &win)) {
		free(copy);
		json_decref(args);
		return vmmctl_usage(
			cmd,
			"the trigger is some|full THRESHOLD WINDOW, in microseconds (or times: 150ms 1s)");
	}
	json_object_set_new(args, "kind", json_string(words[0]));
	json_object_set_new(args, "threshold-us", json_integer(thr));
	json_object_set_new(args, "window-us", json_integer(win));
	free(copy);
	ret = vmmctl_exec(v, cmd->name, "pressure-trigger", args, &r);
	if (ret)
		return ret;
	if (v->json) {
		print_json(r);
	} else {
		printf("trigger %lld: %s %lld %lld on ",
		       json_integer_value(json_object_get(r, "trigger")),
		       json_string_value(json_object_get(r, "kind")),
		       json_integer_value(json_object_get(r, "threshold-us")),
		       json_integer_value(json_object_get(r, "window-us")));
		if (json_object_get(r, "name"))
			printf("guest %s (id %lld)\n",
			       json_string_value(json_object_get(r, "name")),
			       json_integer_value(json_object_get(r, "id")));
		else
			printf("node %lld\n",
			       json_integer_value(json_object_get(r, "node")));
	}
	json_decref(r);
	return VMMCTL_OK;
}
