// SPDX-License-Identifier: GPL-2.0
/*
 * soak: random traffic against a running vmm through its control socket,
 * for as long as asked, checking what must always hold.
 *
 * Guests come and go with random sizes, vCPUs, vNUMA layouts, floors
 * and workloads (some that ignore a shutdown request, some that ask for
 * more than they have, some that hold realistic memory the cold tier
 * takes, hostile balloon drivers, deaf ones, crashes and halts); balloon targets move; guests are asked to stop or killed;
 * compaction runs; statistics are read; tracing sessions start and stop
 * (to /tmp/soak-PID.trace, replaced by each session and removed at the
 * end); and in between the pool's invariant checker runs live
 * (query-validate: the pool's invariants and every guest's swapped pages
 * against the cold tier).  It fails when:
 *
 *   - an invariant is broken (query-validate says "ok": false),
 *   - a guest ends with its memory not intact (integrity "failed"),
 *   - a launch gets an id given before (ids are never reused),
 *   - vmm stops answering.
 *
 * Commands that fail for a reason of the moment (the guest went away
 * meanwhile, the name is taken, the pool is full) are counted, not
 * failures.  The seed is printed: the same seed replays the same choices
 * (not the same timing).
 *
 *   soak [--socket PATH] [--seconds N] [--seed S] [--max-guests N]
 *
 * Prints `name value unit` lines at the end, the cold tier's counters
 * among them (pages stored, loaded, written back, written to and read
 * from the swap file); exit status 0 when nothing
 * failed, 1 when something did, 2 on bad usage or no vmm.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tools/vmmctl/client.h"
#include "vmm/ctl/path.h"
#include "util/size.h"

static const char *const workloads[] = {
	"touch 48M; free 40M; churn ws=8M rate=20000 time=2s; touch 24M; verify",
	"touch 40M; verify; hold 1s; free all every=2; hold 1s; touch 16M; verify",
	"repeat 20 { touch 16M; free 16M }; verify",
	"touch 32M; churn ws=32M rate=0 time=3s; verify",
	"power deaf; touch 16M; hold 3s; verify",
	"touch 56M; verify; hold 2s",
	"repeat 4 { touch 60M }; verify", /* more than any guest has: status 3 */
	/* Memory in use that compresses as real memory does, held and
	 * rewritten: what the cold tier takes when balloons cannot. */
	"touch 48M ratio=3; hold 2s; verify",
	"touch 40M ratio=2; churn ws=40M rate=0 time=2s ratio=2; verify",
	"balloon deaf; touch 56M ratio=4; hold 3s; verify",
	/* Hostile and broken guests, beside the others: */
	"touch 16M; evil pfns; hold 1s; verify",
	"touch 16M; evil loop; hold 1s; verify",
	"touch 16M; evil outside; hold 1s; verify",
	"balloon deaf; touch 40M; free 32M; hold 3s; verify",
	"touch 8M; hold 500ms; crash",
	"touch 8M; hold 500ms; halt",
};
#define NR_WORKLOADS (sizeof(workloads) / sizeof(workloads[0]))

struct soak {
	struct ctl_conn conn;
	unsigned int seed, max_guests;
	unsigned long ops, errors, launched, validations;
	unsigned long stopped[8]; /* by reason, below */
	unsigned long integrity_failed, validate_failed, ids_reused;
	json_int_t last_id; /* the newest guest's */
	bool lost; /* vmm stopped answering */
	bool tracing; /* a session of ours is on */
};

static const char *const reasons[] = { "guest-exit", "stopped", "killed",
				       "oom-kill",   "oom",	"other" };

static int pick(int n)
{
	return rand() % n;
}

/* Run cmd; a server error is counted, a lost connection is fatal. */
static json_t *exec(struct soak *s, const char *cmd, json_t *args)
{
	char err[CTL_ERR_LEN];
	json_t *r;
	int ret = ctl_execute(&s->conn, cmd, args, &r, err, sizeof(err));

	s->ops++;
	if (ret < 0) {
		fprintf(stderr, "soak: %s: %s\n", cmd, err);
		s->lost = true;
		return NULL;
	}
	if (ret == 1) {
		s->errors++;
		json_decref(r);
		return NULL;
	}
	return r;
}

/* A running guest's name, at random; NULL when there is none. */
static char *any_guest(struct soak *s)
{
	json_t *list = exec(s, "query-guests", NULL), *g;
	char *name = NULL;

	if (!list)
		return NULL;
	if (json_array_size(list)) {
		g = json_array_get(list, pick(json_array_size(list)));
		name = strdup(json_string_value(json_object_get(g, "name")));
	}
	json_decref(list);
	return name;
}

static unsigned int nr_guests(struct soak *s)
{
	json_t *list = exec(s, "query-guests", NULL);
	unsigned int n = list ? json_array_size(list) : 0;

	json_decref(list);
	return n;
}

static void launch(struct soak *s)
{
	int mem = 64 * (1 + pick(3));
	char spec[512], floor[32] = "";
	json_t *r;

	if (nr_guests(s) >= s->max_guests)
		return;
	/* A third have a reclaim floor of their own, up to all they have. */
	if (!pick(3))
		snprintf(floor, sizeof(floor), ",floor=%dM", pick(mem + 1));
	snprintf(
		spec, sizeof(spec),
		"name=soak%lu,mem=%dM,vcpus=%d,nodes=%d,oom_score_adj=%d%s,script=%s",
		s->launched, mem, 1 + pick(2), 1 + pick(2), pick(3) * 300,
		floor, workloads[pick(NR_WORKLOADS)]);
	r = exec(s, "guest-launch", json_pack("{s:s}", "spec", spec));
	s->launched++;
	if (r) {
		json_int_t id = json_integer_value(json_object_get(r, "id"));

		if (id <= s->last_id) {
			fprintf(stderr,
				"soak: guest id %lld given again (after %lld)\n",
				(long long)id, (long long)s->last_id);
			s->ids_reused++;
		}
		s->last_id = id;
	}
	json_decref(r);
}

/* what["guest"]: a running guest, if there is one. */
static void on_guest(struct soak *s, json_t *what)
{
	char *g = any_guest(s);

	if (!g)
		return;
	json_object_set_new(what, "guest", json_string(g));
	free(g);
}

static void balloon(struct soak *s)
{
	char target[16];
	json_t *args;

	snprintf(target, sizeof(target), "%dM", 4 * pick(16));
	args = json_pack("{s:s}", "target", target);
	on_guest(s, args);
	if (!json_object_get(args, "guest")) {
		json_decref(args);
		return;
	}
	json_decref(exec(s, "balloon-set", args));
}

static void stop_or_kill(struct soak *s, bool kill)
{
	json_t *args = json_object();

	on_guest(s, args);
	if (!json_object_get(args, "guest")) {
		json_decref(args);
		return;
	}
	if (!kill)
		json_object_set_new(args, "timeout",
				    json_string(pick(2) ? "500ms" : "2s"));
	json_decref(exec(s, kill ? "guest-kill" : "guest-stop", args));
}

static void validate(struct soak *s)
{
	json_t *r = exec(s, "query-validate", NULL);

	if (!r)
		return;
	s->validations++;
	if (!json_is_true(json_object_get(r, "ok"))) {
		fprintf(stderr, "soak: invariant broken: %s\n",
			json_string_value(json_object_get(r, "problem")));
		s->validate_failed++;
	}
	json_decref(r);
}

/* A tracing session started, or the running one stopped (its file,
 * with the guests' names, written). */
static void trace(struct soak *s)
{
	char path[64];

	if (s->tracing) {
		json_decref(exec(s, "trace-stop", NULL));
		s->tracing = false;
		return;
	}
	/* trace-start makes a new file only: the last session's goes. */
	snprintf(path, sizeof(path), "/tmp/soak-%d.trace", (int)getpid());
	unlink(path);
	json_decref(exec(s, "trace-start", json_pack("{s:s}", "file", path)));
	s->tracing = true;
}

/* The cold tier's vmstat counters (pages), as the soak ends: what it
 * did while everything else went on (0 without a tier). */
static const char *const tier_counters[] = { "zswpout", "zswpin", "zswpwb",
					     "pswpout", "pswpin" };
#define NR_TIER_COUNTERS (sizeof(tier_counters) / sizeof(tier_counters[0]))

static void tier_stats(struct soak *s, json_int_t *v)
{
	json_t *r = exec(s, "query-stats",
			 json_pack("{s:s,s:[s]}", "format", "json", "sections",
				   "vmstat"));
	json_t *vm = r ? json_object_get(r, "vmstat") : NULL;

	for (size_t i = 0; i < NR_TIER_COUNTERS; i++)
		v[i] = json_integer_value(
			json_object_get(vm, tier_counters[i]));
	json_decref(r);
}

/* Every event so far: how guests ended, and whether intact. */
static void drain_events(struct soak *s)
{
	char err[CTL_ERR_LEN];
	json_t *ev;

	while (!ctl_next_event(&s->conn, 0, &ev, err, sizeof(err))) {
		json_t *d = json_object_get(ev, "data");
		const char *reason, *integrity;
		size_t i;

		if (strcmp(json_string_value(json_object_get(ev, "event")),
			   "GUEST_STOPPED")) {
			json_decref(ev);
			continue;
		}
		reason = json_string_value(json_object_get(d, "reason"));
		integrity = json_string_value(json_object_get(d, "integrity"));
		for (i = 0; i < 5 && strcmp(reasons[i], reason); i++)
			;
		s->stopped[i]++;
		if (!strcmp(integrity, "failed")) {
			fprintf(stderr,
				"soak: guest %s ended with bad memory: %s\n",
				json_string_value(json_object_get(d, "name")),
				json_string_value(
					json_object_get(d, "detail")));
			s->integrity_failed++;
		}
		json_decref(ev);
	}
}

static void one_op(struct soak *s)
{
	int r = pick(100);

	if (r < 25)
		launch(s);
	else if (r < 40)
		balloon(s);
	else if (r < 50)
		stop_or_kill(s, false);
	else if (r < 57)
		stop_or_kill(s, true);
	else if (r < 63)
		json_decref(exec(s, "compact", NULL));
	else if (r < 75)
		json_decref(exec(s, "query-stats", NULL));
	else if (r < 87)
		validate(s);
	else if (r < 90)
		trace(s);
	else
		json_decref(exec(s, "query-guests", NULL));
}

static void usage(FILE *f)
{
	fputs("usage: soak [--socket PATH] [--seconds N] [--seed S] [--max-guests N]\n"
	      "Random control-socket traffic against a running vmm (vmm host),\n"
	      "checking the pool's invariants live and every guest's integrity.\n"
	      "Defaults: vmm's default socket, 30 s, a seed from the clock, 8 guests.\n",
	      f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 'r' },
		{ "max-guests", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	json_int_t tier[NR_TIER_COUNTERS] = { 0 };
	struct soak s = { .seed = (unsigned int)time(NULL) ^ (unsigned)getpid(),
			  .max_guests = 8 };
	char path[CTL_SOCKET_PATH_MAX], err[CTL_ERR_LEN];
	const char *sock = NULL;
	long seconds = 30, n;
	time_t end;
	bool failed;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			break;
		case 't':
			if (parse_int(optarg, 1, 86400, &seconds))
				goto bad;
			break;
		case 'r':
			if (parse_int(optarg, 0, 0x7fffffff, &n))
				goto bad;
			s.seed = (unsigned int)n;
			break;
		case 'g':
			if (parse_int(optarg, 1, 64, &n))
				goto bad;
			s.max_guests = (unsigned int)n;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind != argc)
		goto bad;
	if (!sock) {
		if (ctl_default_socket(path, sizeof(path)) < 0) {
			fprintf(stderr,
				"soak: no socket path: give --socket\n");
			return 2;
		}
		sock = path;
	}
	if (ctl_connect(&s.conn, sock, 60000, err, sizeof(err))) {
		fprintf(stderr, "soak: %s\n", err);
		return 2;
	}
	srand(s.seed);
	printf("soak: seed %u, %ld s, up to %u guests, %s\n", s.seed, seconds,
	       s.max_guests, sock);
	fflush(stdout);
	end = time(NULL) + seconds;
	while (time(NULL) < end && !s.lost) {
		one_op(&s);
		drain_events(&s);
		usleep(1000 * pick(200));
	}
	if (!s.lost)
		validate(&s);
	if (!s.lost)
		tier_stats(&s, tier);
	if (!s.lost && s.tracing)
		json_decref(exec(&s, "trace-stop", NULL));
	{
		char tp[64];

		snprintf(tp, sizeof(tp), "/tmp/soak-%d.trace", (int)getpid());
		unlink(tp);
	}
	drain_events(&s);
	ctl_close(&s.conn);
	printf("soak.ops %lu ops\n", s.ops);
	printf("soak.errors %lu ops\n", s.errors);
	printf("soak.launched %lu guests\n", s.launched);
	for (size_t i = 0; i < 6; i++)
		printf("soak.ended_%s %lu guests\n", reasons[i], s.stopped[i]);
	printf("soak.validations %lu checks\n", s.validations);
	printf("soak.validate_failed %lu checks\n", s.validate_failed);
	printf("soak.integrity_failed %lu guests\n", s.integrity_failed);
	printf("soak.ids_reused %lu guests\n", s.ids_reused);
	for (size_t i = 0; i < NR_TIER_COUNTERS; i++)
		printf("soak.%s %lld pages\n", tier_counters[i],
		       (long long)tier[i]);
	printf("soak.vmm_lost %d bool\n", s.lost);
	failed = s.lost || s.validate_failed || s.integrity_failed ||
		 s.ids_reused;
	if (failed)
		fprintf(stderr, "soak: FAILED (seed %u)\n", s.seed);
	return failed;
bad:
	usage(stderr);
	return 2;
}
