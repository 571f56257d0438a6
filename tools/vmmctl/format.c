// SPDX-License-Identifier: GPL-2.0
/* vmmctl's output: sizes, guest tables, events (see vmmctl.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/vmmctl/vmmctl.h"

void print_json(json_t *j)
{
	/* 15 digits: 0.36 as vmm sent it, not 0.35999999999999999. */
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY |
					JSON_REAL_PRECISION(15));

	if (s)
		puts(s);
	free(s);
}

/* The shortest exact-enough form: 0, 4K, 64M, 1.5G. */
const char *fmt_size(uint64_t b, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	double v = (double)b;
	int u = -1;

	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%" PRIu64, b);
	else if (v == (double)(uint64_t)v)
		snprintf(buf, len, "%" PRIu64 "%c", (uint64_t)v, units[u]);
	else
		snprintf(buf, len, "%.1f%c", v, units[u]);
	return buf;
}

const char *fmt_json_size(json_t *bytes, char *buf, size_t len)
{
	if (!json_is_integer(bytes))
		return "-";
	return fmt_size((uint64_t)json_integer_value(bytes), buf, len);
}

json_t *guest_ref(const char *arg)
{
	char *end;
	long long id = strtoll(arg, &end, 10);

	if (*arg >= '0' && *arg <= '9' && !*end)
		return json_integer(id);
	return json_string(arg);
}

static void print_nodes(json_t *nodes, char *buf, size_t len)
{
	size_t i, off = 0;
	json_t *n;

	buf[0] = 0;
	json_array_foreach(nodes, i, n) {
		int w = snprintf(
			buf + off, len - off, "%s%lld:%lld", i ? "/" : "",
			json_integer_value(json_object_get(n, "node")),
			json_integer_value(json_object_get(n, "pool-node")));

		if (w < 0 || (size_t)w >= len - off)
			break;
		off += w;
	}
}

/* In the cold tier now (VmSwap) / what that takes there: compressed in
 * the stores plus in the swap file. */
static void print_swap(json_t *m, char *buf, size_t len)
{
	uint64_t stored =
		(uint64_t)json_integer_value(json_object_get(m, "swap-stored"));
	char a[16], b[16];

	stored += (uint64_t)json_integer_value(json_object_get(m, "swap-file"));
	snprintf(buf, len, "%s/%s",
		 fmt_json_size(json_object_get(m, "swapped"), a, sizeof(a)),
		 fmt_size(stored, b, sizeof(b)));
}

void print_guest_table(json_t *guests)
{
	size_t i;
	json_t *g;

	printf("%3s %-16s %-13s %7s %7s %7s %7s %15s %7s %15s %7s %7s %7s %6s %s\n",
	       "ID", "NAME", "STATE", "MEM", "FAULTED", "PEAK", "2M",
	       "SWAP/STORED", "REFAULT", "BALLOON TGT/ACT", "SET", "USABLE",
	       "PINNED", "SOME10", "NODES");
	json_array_foreach(guests, i, g) {
		json_t *m = json_object_get(g, "memory");
		json_t *b = json_object_get(g, "balloon");
		json_t *set = json_object_get(b, "user-target");
		/* PSI some avg10: percent of the last 10 s stalled. */
		json_t *some10 = json_object_get(
			json_object_get(json_object_get(g, "pressure"), "some"),
			"avg10");
		char s[10][16], bal[40], swap[40], nodes[128], psi[16] = "-";

		if (json_is_object(b))
			snprintf(bal, sizeof(bal), "%s/%s",
				 fmt_json_size(json_object_get(b, "target"),
					       s[4], sizeof(s[4])),
				 fmt_json_size(json_object_get(b, "actual"),
					       s[5], sizeof(s[5])));
		else
			snprintf(bal, sizeof(bal), "-");
		print_swap(m, swap, sizeof(swap));
		print_nodes(json_object_get(g, "nodes"), nodes, sizeof(nodes));
		if (json_is_number(some10))
			snprintf(psi, sizeof(psi), "%.2f",
				 json_number_value(some10));
		printf("%3lld %-16s %-13s %7s %7s %7s %7s %15s %7s %15s %7s %7s %7s %6s %s\n",
		       json_integer_value(json_object_get(g, "id")),
		       json_string_value(json_object_get(g, "name")),
		       json_string_value(json_object_get(g, "state")),
		       fmt_json_size(json_object_get(m, "size"), s[0], 16),
		       fmt_json_size(json_object_get(m, "faulted-in"), s[1],
				     16),
		       fmt_json_size(json_object_get(m, "peak"), s[2], 16),
		       fmt_json_size(json_object_get(m, "huge-2m"), s[3], 16),
		       swap,
		       fmt_json_size(json_object_get(m, "swap-refaulted"), s[9],
				     16),
		       bal,
		       /* A target set by hand (0: none, the policy's). */
		       json_integer_value(set) ? fmt_json_size(set, s[6], 16) :
						 "-",
		       /* What the guest may use: RAM less the balloon. */
		       fmt_json_size(json_is_object(b) ?
					     json_object_get(b, "mem") :
					     json_object_get(m, "size"),
				     s[7], 16),
		       fmt_json_size(json_object_get(m, "pinned"), s[8], 16),
		       psi, nodes);
	}
}

/* Members that hold bytes, shown as sizes. */
static bool is_bytes(const char *key)
{
	static const char *const keys[] = { "mem",    "free",	   "low",
					    "high",   "reclaimed", "target",
					    "actual", "peak",	   "bytes" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(key, keys[i]))
			return true;
	return false;
}

void print_event(struct vmmctl *v, json_t *ev)
{
	json_t *ts = json_object_get(ev, "timestamp"), *data, *val;
	time_t sec = (time_t)json_integer_value(json_object_get(ts, "seconds"));
	const char *key;
	struct tm tm;
	char when[32];

	if (v->json) {
		print_json(ev);
		fflush(stdout);
		return;
	}
	localtime_r(&sec, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	printf("%s.%03lld %s", when,
	       json_integer_value(json_object_get(ts, "microseconds")) / 1000,
	       json_string_value(json_object_get(ev, "event")));
	data = json_object_get(ev, "data");
	json_object_foreach(data, key, val) {
		char buf[32];

		if (json_is_integer(val) && is_bytes(key))
			printf(" %s=%s", key, fmt_json_size(val, buf, 32));
		else if (json_is_string(val) &&
			 strpbrk(json_string_value(val), " \t"))
			printf(" %s='%s'", key, json_string_value(val));
		else if (json_is_string(val))
			printf(" %s=%s", key, json_string_value(val));
		else {
			char *s =
				json_dumps(val, JSON_COMPACT | JSON_ENCODE_ANY);

			printf(" %s=%s", key, s ? s : "?");
			free(s);
		}
	}
	putchar('\n');
	fflush(stdout);
}

int wait_guest_stopped(struct vmmctl *v, const char *name, json_int_t id,
		       bool want_stop)
{
	char err[CTL_ERR_LEN];
	int ret;

	/* A long wait with nothing to send: vmm is told, so that it keeps
	 * the connection. */
	ret = vmmctl_watch_events(v, name, json_pack("[s]", "GUEST_STOPPED"));
	if (ret)
		return ret;
	for (;;) {
		json_t *ev, *d;
		int r = ctl_next_event(&v->conn, v->timeout_ms, &ev, err,
				       sizeof(err));
		const char *reason, *integrity;
		bool good;

		if (r == -ETIMEDOUT) {
			fprintf(stderr, "vmmctl %s: guest %lld still there\n",
				name, (long long)id);
			return VMMCTL_FAILED;
		}
		if (r) {
			fprintf(stderr, "vmmctl %s: %s\n", name, err);
			return VMMCTL_NO_SERVER;
		}
		d = json_object_get(ev, "data");
		if (strcmp(json_string_value(json_object_get(ev, "event")),
			   "GUEST_STOPPED") ||
		    json_integer_value(json_object_get(d, "id")) != id) {
			json_decref(ev);
			continue;
		}
		reason = json_string_value(json_object_get(d, "reason"));
		integrity = json_string_value(json_object_get(d, "integrity"));
		good = want_stop || (!strcmp(reason, "guest-exit") &&
				     !json_integer_value(json_object_get(
					     d, "exit-status")) &&
				     strcmp(integrity, "failed"));
		if (v->json)
			print_json(ev);
		else
			printf("guest %s (id %lld): %s%s%s, integrity %s\n",
			       json_string_value(json_object_get(d, "name")),
			       (long long)id,
			       json_string_value(
				       json_object_get(d, "description")),
			       json_string_length(
				       json_object_get(d, "detail")) ?
				       ": " :
				       "",
			       json_string_value(json_object_get(d, "detail")),
			       integrity);
		json_decref(ev);
		return good ? VMMCTL_OK : VMMCTL_FAILED;
	}
}
