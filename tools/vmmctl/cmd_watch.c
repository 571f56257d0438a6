// SPDX-License-Identifier: GPL-2.0
/* vmmctl watch [--count N] [--until EVENT] [--timeout TIME] */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tools/vmmctl/vmmctl.h"
#include "vmm/size.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int cmd_watch(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
	      char **argv)
{
	const char *until = NULL;
	long count = -1, seen = 0;
	long long deadline = -1;
	char err[CTL_ERR_LEN];
	uint64_t ns;
	int ret;

	for (int i = 1; i < argc; i++) {
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--count") && val &&
		    !parse_int(val, 1, 1L << 30, &count))
			i++;
		else if (!strcmp(argv[i], "--until") && val)
			until = argv[++i];
		else if (!strcmp(argv[i], "--timeout") && val &&
			 !parse_duration_ns(val, &ns))
			deadline = now_ms() + (long long)(ns / 1000000), i++;
		else
			return vmmctl_usage(
				cmd,
				"'%s': --count N, --until EVENT or --timeout TIME",
				argv[i]);
	}
	ret = vmmctl_watch_events(v, cmd->name, NULL);
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
