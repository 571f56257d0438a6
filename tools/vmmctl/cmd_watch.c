// SPDX-License-Identifier: GPL-2.0
/* vmmctl watch [EVENT...] [--event EVENT[,EVENT...]] [--count N]
 * [--until EVENT] [--timeout TIME] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/vmmctl/vmmctl.h"
#include "util/size.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Add the comma-separated names of list to the array names. */
static void add_names(json_t *names, const char *list)
{
	char *copy = strdup(list), *p = copy, *name;

	while (copy && (name = strsep(&p, ",")))
		if (*name)
			json_array_append_new(names, json_string(name));
	free(copy);
}

/* Is every name one vmm sends (query-events)?  Else say which is not. */
static int check_names(struct vmmctl *v, const struct vmmctl_cmd *cmd,
		       json_t *names)
{
	json_t *known, *name, *k;
	size_t i, j;
	int ret = vmmctl_exec(v, cmd->name, "query-events", NULL, &known);

	if (ret)
		return ret;
	json_array_foreach(names, i, name) {
		bool found = false;

		json_array_foreach(known, j, k)
			found |= json_equal(json_object_get(k, "name"), name);
		if (!found) {
			fprintf(stderr,
				"vmmctl watch: no event '%s'; vmm sends",
				json_string_value(name));
			json_array_foreach(known, j, k)
				fprintf(stderr, "%s %s", j ? "," : "",
					json_string_value(
						json_object_get(k, "name")));
			fputc('\n', stderr);
			ret = VMMCTL_USAGE;
			break;
		}
	}
	json_decref(known);
	return ret;
}

int cmd_watch(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
	      char **argv)
{
	json_t *names = json_array(), *filter = NULL;
	const char *until = NULL;
	long count = -1, seen = 0;
	long long deadline = -1;
	char err[CTL_ERR_LEN];
	uint64_t ns;
	int ret;

	for (int i = 1; i < argc; i++) {
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--count") && val &&
		    !parse_int(val, 1, 1L << 30, &count)) {
			i++;
		} else if (!strcmp(argv[i], "--until") && val) {
			until = argv[++i];
		} else if (!strcmp(argv[i], "--timeout") && val &&
			   !parse_duration_ns(val, &ns)) {
			deadline = now_ms() + (long long)(ns / 1000000), i++;
		} else if (!strcmp(argv[i], "--event") && val) {
			add_names(names, argv[++i]);
		} else if (argv[i][0] != '-') {
			add_names(names, argv[i]);
		} else {
			json_decref(names);
			return vmmctl_usage(
				cmd,
				"'%s': EVENT, --event EVENT, --count N, --until EVENT or --timeout TIME",
				argv[i]);
		}
	}
	/* Only some events: the one that ends the watch among them. */
	if (json_array_size(names)) {
		filter = json_deep_copy(names);
		if (until)
			json_array_append_new(filter, json_string(until));
	}
	if (until)
		json_array_append_new(names, json_string(until));
	ret = json_array_size(names) ? check_names(v, cmd, names) : 0;
	json_decref(names);
	if (!ret)
		ret = vmmctl_watch_events(v, cmd->name, json_incref(filter));
	json_decref(filter);
	if (ret)
		return ret;
	for (;;) {
		long long wait = deadline < 0 ? -1 : deadline - now_ms();
		json_t *ev;
		bool last;
		int r;

		if (deadline >= 0 && wait < 0)
			wait = 0;
		r = ctl_next_event(&v->conn, (int)wait, &ev, err, sizeof(err));
		if (r == -ETIMEDOUT)
			return VMMCTL_FAILED;
		if (r == -EPIPE)
			return VMMCTL_OK; /* vmm ended: nothing more to see */
		if (r) {
			fprintf(stderr, "vmmctl watch: %s\n", err);
			return VMMCTL_NO_SERVER;
		}
		print_event(v, ev);
		last = (until &&
			!strcmp(json_string_value(json_object_get(ev, "event")),
				until)) ||
		       ++seen == count;
		json_decref(ev);
		if (last)
			return VMMCTL_OK;
	}
}
