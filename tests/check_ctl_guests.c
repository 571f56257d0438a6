// SPDX-License-Identifier: GPL-2.0
/*
 * Guests through the control socket, on /dev/kvm: launched both ways
 * (SPEC and JSON keys), listed with their memory, ballooned, stopped and
 * killed, with a second client watching every event; hostile clients
 * while guests run, whose integrity checks must still pass; `quit` with
 * guests running.
 */
#include <check.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tests/ctl_test.h"

#define get(o, k) json_object_get(o, k)

static json_int_t launch(int fd, const char *args)
{
	char line[512];
	json_t *r;
	json_int_t id;

	snprintf(line, sizeof(line),
		 "{\"execute\": \"guest-launch\", \"arguments\": %s}", args);
	r = ctl_cmd(fd, line);
	id = json_integer_value(get(get(r, "return"), "id"));
	ck_assert_msg(id > 0, "%s",
		      json_string_value(get(get(r, "error"), "desc")));
	json_decref(r);
	return id;
}

/* {"execute": cmd, "arguments": {"guest": id}}: its reply. */
static json_t *guest_cmd(int fd, const char *cmd, json_int_t id)
{
	char line[256];

	snprintf(line, sizeof(line),
		 "{\"execute\": \"%s\", \"arguments\": {\"guest\": %lld}}", cmd,
		 (long long)id);
	return ctl_cmd(fd, line);
}

/* The GUEST_STOPPED of guest id, as fd sees it. */
static json_t *stopped(int fd, json_int_t id)
{
	json_t *ev = ctl_event_of(fd, "GUEST_STOPPED", id, 30000);

	ck_assert_msg(ev, "no GUEST_STOPPED for guest %lld", (long long)id);
	return ev;
}

static void assert_stopped(json_t *ev, const char *reason,
			   const char *integrity)
{
	json_t *d = get(ev, "data");

	ck_assert_str_eq(json_string_value(get(d, "reason")), reason);
	ck_assert_str_eq(json_string_value(get(d, "integrity")), integrity);
	ck_assert_int_gt(
		json_integer_value(get(get(ev, "timestamp"), "seconds")),
		1600000000);
	json_decref(ev);
}

static void assert_detail(json_t *ev, const char *part)
{
	const char *d = json_string_value(get(get(ev, "data"), "detail"));

	ck_assert_msg(d && strstr(d, part), "detail '%s' lacks '%s'", d, part);
}

static json_t *find_guest(json_t *list, json_int_t id)
{
	size_t i;
	json_t *g;

	json_array_foreach(list, i, g)
		if (json_integer_value(get(g, "id")) == id)
			return g;
	return NULL;
}

/*
 * One client launches, lists, balloons, stops and kills; another only
 * watches.  Both see the same guests come and go, with the same reasons.
 */
START_TEST(test_guest_lifecycle)
{
	struct ctl_test t;
	int ctl, watch;
	json_int_t a, b, c, d, p;
	json_t *r, *g, *ev;

	/* No deflation: the balloon keeps the target we set. */
	ctl_test_start(&t, "--pool", "256M", "--nodes", "2", "--no-deflate",
		       NULL);
	ctl = ctl_client(&t);
	watch = ctl_watcher(&t);
	a = launch(ctl, "{\"spec\": \"name=a,mem=64M,nodes=2,map=0:1/1:0,"
			"script=touch 40M; verify; hold 30s\"}");
	b = launch(ctl, "{\"name\": \"b\", \"mem\": 33554432, \"vcpus\": 2, "
			"\"oom_score_adj\": 100, \"strict\": true, "
			"\"script\": \"touch 8M; verify\"}");
	/* The watcher sees both start, and b end by itself, cleanly. */
	for (int i = 0; i < 2; i++) {
		ev = ctl_event(watch, "GUEST_STARTED", 10000);
		ck_assert_ptr_nonnull(ev);
		json_decref(ev);
	}
	assert_stopped(stopped(watch, b), "guest-exit", "ok");
	assert_stopped(stopped(ctl, b), "guest-exit", "ok");
	/* A guest's panic is in the reason it stopped. */
	p = launch(ctl, "{\"spec\": \"name=p,mem=16M,"
			"script=touch 12M; touch 12M\"}");
	ev = stopped(watch, p);
	assert_detail(ev, "status 3; guest panic: touch: out of memory after");
	assert_stopped(ev, "guest-exit", "not checked");

	/* a: its memory and placement, once it has touched its 40M. */
	for (int i = 0;; i++) {
		r = ctl_cmd(ctl, "{\"execute\": \"query-guests\"}");
		g = find_guest(get(r, "return"), a);
		ck_assert_ptr_nonnull(g);
		if (json_integer_value(get(get(g, "memory"), "faulted-in")) >=
		    (40 << 20))
			break;
		ck_assert_int_lt(i, 500);
		json_decref(r);
		usleep(20000);
	}
	ck_assert_str_eq(json_string_value(get(g, "state")), "running");
	ck_assert_int_eq(json_integer_value(get(get(g, "memory"), "size")),
			 64 << 20);
	ck_assert_int_gt(json_integer_value(get(get(g, "memory"), "huge-2m")),
			 0);
	ck_assert_int_eq(
		json_integer_value(
			get(json_array_get(get(g, "nodes"), 0), "pool-node")),
		1);
	ck_assert_uint_eq(json_array_size(get(g, "pool-nodes")), 2);
	ck_assert_str_eq(json_string_value(get(get(g, "balloon"), "driver")),
			 "ok");
	json_decref(r);

	/* The balloon: target set, followed, reported to the watcher. */
	r = ctl_cmd(ctl, "{\"execute\": \"balloon-set\", \"arguments\": "
			 "{\"guest\": \"a\", \"target\": \"8M\"}}");
	ck_assert_int_eq(json_integer_value(get(get(r, "return"), "target")),
			 8 << 20);
	json_decref(r);
	for (;;) {
		ev = ctl_event(watch, "BALLOON_CHANGE", 10000);
		ck_assert_ptr_nonnull(ev);
		if (json_integer_value(get(get(ev, "data"), "actual")) ==
		    (8 << 20))
			break;
		json_decref(ev);
	}
	ck_assert_str_eq(json_string_value(get(get(ev, "data"), "name")), "a");
	json_decref(ev);
	ctl_assert_error(ctl_cmd(ctl, "{\"execute\": \"balloon-set\", "
				      "\"arguments\": {\"guest\": \"a\", "
				      "\"target\": \"1G\"}}"),
			 "GenericError", "more than the guest");
	/* Names are unique. */
	ctl_assert_error(ctl_cmd(ctl, "{\"execute\": \"guest-launch\", "
				      "\"arguments\": {\"spec\": "
				      "\"name=a,script=exit 0\"}}"),
			 "GenericError", "a guest named 'a' exists");

	/* Stopped and killed: each with its reason, seen by both. */
	ctl_assert_ok(ctl_cmd(ctl, "{\"execute\": \"guest-stop\", "
				   "\"arguments\": {\"guest\": \"a\"}}"));
	assert_stopped(stopped(watch, a), "stopped", "ok");
	assert_stopped(stopped(ctl, a), "stopped", "ok");
	c = launch(ctl, "{\"spec\": \"mem=16M,script=hold 30s\"}");
	d = launch(ctl, "{\"spec\": \"mem=16M,script=hold 30s\"}");
	r = ctl_cmd(ctl, "{\"execute\": \"query-guests\"}");
	ck_assert_str_eq(
		json_string_value(get(find_guest(get(r, "return"), c), "name")),
		"guest1");
	ck_assert_str_eq(
		json_string_value(get(find_guest(get(r, "return"), d), "name")),
		"guest2");
	json_decref(r);
	/* By id: a's is a's alone, for good. */
	ck_assert_int_gt(c, b);
	ck_assert_int_gt(d, c);
	ctl_assert_error(guest_cmd(ctl, "guest-kill", a), "DeviceNotFound",
			 "no such guest");
	ctl_assert_ok(guest_cmd(ctl, "guest-kill", c));
	assert_stopped(stopped(watch, c), "killed", "not checked");

	/* quit with a guest running: it is asked to shut down and does
	 * (its last verify: "ok"), both clients see that, the connections
	 * end, vmm exits 0. */
	ctl_assert_ok(ctl_cmd(ctl, "{\"execute\": \"quit\"}"));
	ev = ctl_event(watch, "SHUTDOWN", 10000);
	ck_assert_ptr_nonnull(ev);
	json_decref(ev);
	ev = stopped(watch, d);
	assert_detail(ev, "shut down when asked");
	assert_stopped(ev, "stopped", "ok");
	ck_assert(ctl_closed(watch, 10000));
	ck_assert(ctl_closed(ctl, 10000));
	ctl_client_close(ctl);
	ctl_client_close(watch);
	ck_assert_int_eq(ctl_test_wait(&t), 0);
	ctl_test_done(&t);
}
END_TEST

/* Wait until guest id has faulted in at least bytes: its script is
 * past its first commands (`power deaf` among them). */
static void wait_faulted(int fd, json_int_t id, json_int_t bytes)
{
	for (int i = 0;; i++) {
		json_t *r = ctl_cmd(fd, "{\"execute\": \"query-guests\"}");
		json_t *g = find_guest(get(r, "return"), id);
		json_int_t n = g ? json_integer_value(get(get(g, "memory"),
							  "faulted-in")) :
				   0;

		json_decref(r);
		if (n >= bytes)
			return;
		ck_assert_msg(i < 1000, "guest %lld never faulted in %lld",
			      (long long)id, (long long)bytes);
		usleep(10000);
	}
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/* Ask for a stop of guest id with a timeout argument (JSON text, or
 * NULL for none); the reply must be a success. */
static void stop_guest(int fd, json_int_t id, const char *timeout)
{
	char line[256];

	snprintf(line, sizeof(line),
		 "{\"execute\": \"guest-stop\", \"arguments\": "
		 "{\"guest\": %lld%s%s}}",
		 (long long)id, timeout ? ", \"timeout\": " : "",
		 timeout ? timeout : "");
	ctl_assert_ok(ctl_cmd(fd, line));
}

/*
 * guest-stop asks the guest to shut down: a guest in the middle of a
 * churn stops it, verifies what it holds and exits (reason "stopped",
 * integrity "ok", status 0) well within the default time-out; a guest
 * that ignores the request (`power deaf`) is killed when its time-out
 * passes, not before; a time-out of 0 stops at once.  Bad time-outs are
 * refused and leave the guest running.
 */
START_TEST(test_guest_stop_shutdown)
{
	struct ctl_test t;
	json_int_t churner, deaf, holder;
	uint64_t t0, dt;
	json_t *ev, *r;
	int fd;

	ctl_test_start(&t, "--pool", "256M", NULL);
	fd = ctl_client(&t);
	churner = launch(fd, "{\"spec\": \"name=churner,mem=64M,vcpus=2,"
			     "script=touch 32M; churn ws=32M rate=0 time=60s; "
			     "verify\"}");
	deaf = launch(fd, "{\"spec\": \"name=deaf,mem=32M,"
			  "script=power deaf; touch 8M; hold 60s\"}");
	holder = launch(fd, "{\"spec\": \"name=holder,mem=32M,"
			    "script=touch 8M; hold 60s\"}");
	/* Booted and into their scripts: past `power deaf`. */
	wait_faulted(fd, churner, 32 << 20);
	wait_faulted(fd, deaf, 8 << 20);
	wait_faulted(fd, holder, 8 << 20);

	ctl_assert_error(ctl_cmd(fd, "{\"execute\": \"guest-stop\", "
				     "\"arguments\": {\"guest\": \"holder\", "
				     "\"timeout\": \"soon\"}}"),
			 "GenericError", "not a duration");
	ctl_assert_error(ctl_cmd(fd, "{\"execute\": \"guest-stop\", "
				     "\"arguments\": {\"guest\": \"holder\", "
				     "\"timeout\": -1}}"),
			 "GenericError", "timeout");
	ctl_assert_error(ctl_cmd(fd, "{\"execute\": \"guest-stop\", "
				     "\"arguments\": {\"guest\": \"holder\", "
				     "\"timeout\": true}}"),
			 "GenericError", "timeout");
	r = ctl_cmd(fd, "{\"execute\": \"query-guests\"}");
	ck_assert_str_eq(
		json_string_value(
			get(find_guest(get(r, "return"), holder), "state")),
		"running");
	json_decref(r);

	t0 = now_ms();
	stop_guest(fd, churner, NULL);
	ev = stopped(fd, churner);
	dt = now_ms() - t0;
	ck_assert_msg(dt < 5000, "shutdown took %llu ms",
		      (unsigned long long)dt);
	ck_assert_int_eq(
		json_integer_value(get(get(ev, "data"), "exit-status")), 0);
	assert_detail(ev, "shut down when asked");
	assert_stopped(ev, "stopped", "ok");

	t0 = now_ms();
	stop_guest(fd, deaf, "\"300ms\"");
	r = ctl_cmd(fd, "{\"execute\": \"query-guests\"}");
	ck_assert_str_eq(json_string_value(get(
				 find_guest(get(r, "return"), deaf), "state")),
			 "shutting-down");
	json_decref(r);
	ev = stopped(fd, deaf);
	dt = now_ms() - t0;
	/* The server looks every 200 ms. */
	ck_assert_msg(dt >= 300 && dt < 3000, "killed after %llu ms",
		      (unsigned long long)dt);
	assert_detail(ev, "time-out");
	assert_stopped(ev, "killed", "not checked");

	stop_guest(fd, holder, "0");
	ev = stopped(fd, holder);
	assert_detail(ev, "over the control socket");
	assert_stopped(ev, "stopped", "not checked");

	/* quit: a bad time-out is refused and changes nothing; then the
	 * guests are asked, the one that listens goes at once, the deaf
	 * one at the time-out. */
	holder = launch(fd, "{\"spec\": \"name=holder,mem=32M,"
			    "script=touch 8M; hold 60s\"}");
	deaf = launch(fd, "{\"spec\": \"name=deaf,mem=32M,"
			  "script=power deaf; touch 8M; hold 60s\"}");
	wait_faulted(fd, holder, 8 << 20);
	wait_faulted(fd, deaf, 8 << 20);
	ctl_assert_error(ctl_cmd(fd, "{\"execute\": \"quit\", \"arguments\": "
				     "{\"timeout\": \"later\"}}"),
			 "GenericError", "not a duration");
	r = ctl_cmd(fd, "{\"execute\": \"query-status\"}");
	ck_assert_str_eq(json_string_value(get(get(r, "return"), "status")),
			 "running");
	json_decref(r);
	t0 = now_ms();
	ctl_assert_ok(ctl_cmd(fd, "{\"execute\": \"quit\", \"arguments\": "
				  "{\"timeout\": \"500ms\"}}"));
	ev = stopped(fd, holder);
	ck_assert_uint_lt(now_ms() - t0, 500);
	assert_detail(ev, "shut down when asked");
	assert_stopped(ev, "stopped", "ok");
	ev = stopped(fd, deaf);
	dt = now_ms() - t0;
	ck_assert_msg(dt >= 500 && dt < 3000, "deaf killed after %llu ms",
		      (unsigned long long)dt);
	assert_stopped(ev, "killed", "not checked");
	ck_assert(ctl_closed(fd, 10000));
	ctl_client_close(fd);
	ck_assert_int_eq(ctl_test_wait(&t), 0);
	ctl_test_done(&t);
}
END_TEST

/*
 * A trace session names its guests: one launched before the session at
 * the top, one launched during it right before its first event (the
 * comments tools/trace reads).
 */
START_TEST(test_trace_names)
{
	struct ctl_test t;
	json_int_t before, during;
	char path[300], *line = NULL;
	size_t cap = 0;
	long at_before = -1, at_during = -1, first_during_event = -1, n = 0;
	json_t *ev;
	FILE *f;
	int fd;

	ctl_test_start(&t, "--pool", "128M", NULL);
	fd = ctl_client(&t);
	before = launch(fd, "{\"spec\": \"name=early,mem=32M,"
			    "script=touch 4M; hold 30s\"}");
	wait_faulted(fd, before, 4 << 20);
	snprintf(path, sizeof(path), "%s/names.trace", t.dir);
	ctl_assert_ok(ctl_trace_start(fd, path));
	during = launch(fd, "{\"spec\": \"name=late,mem=32M,"
			    "script=touch 4M; verify\"}");
	ev = stopped(fd, during);
	json_decref(ev);
	ctl_assert_ok(ctl_cmd(fd, "{\"execute\": \"trace-stop\"}"));
	f = fopen(path, "re");
	ck_assert_ptr_nonnull(f);
	while (getline(&line, &cap, f) > 0) {
		char want[64];

		snprintf(want, sizeof(want), "# vm=%lld name=early",
			 (long long)before);
		if (!strncmp(line, want, strlen(want)))
			at_before = n;
		snprintf(want, sizeof(want), "# vm=%lld name=late",
			 (long long)during);
		if (!strncmp(line, want, strlen(want)))
			at_during = n;
		snprintf(want, sizeof(want), "event=vmm_fault vm=%lld ",
			 (long long)during);
		if (first_during_event < 0 && strstr(line, want))
			first_during_event = n;
		n++;
	}
	free(line);
	fclose(f);
	ck_assert_int_eq(at_before, 0);
	ck_assert_int_gt(at_during, 0);
	ck_assert_int_gt(first_during_event, at_during);
	ctl_client_close(fd);
	ck_assert_int_eq(ctl_test_quit(&t), 0);
	ctl_test_done(&t);
}
END_TEST

/*
 * Ids are never reused: a guest launched after another has gone (in the
 * same slot inside vmm) gets a new id, everywhere a user sees one: the
 * reply, events, query-guests, the trace's vm= keys and names; the old
 * id names nobody.
 */
START_TEST(test_ids_never_reused)
{
	struct ctl_test t;
	json_int_t old, new;
	char cmd[512], path[300], want[64], *line = NULL;
	size_t cap = 0;
	bool named = false, faults = false;
	json_t *r, *ev;
	FILE *f;
	int fd;

	ctl_test_start(&t, "--pool", "128M", NULL);
	fd = ctl_client(&t);
	snprintf(path, sizeof(path), "%s/ids.trace", t.dir);
	ctl_assert_ok(ctl_trace_start(fd, path));
	old = launch(fd, "{\"spec\": \"name=one,mem=32M,"
			 "script=touch 4M; hold 30s\"}");
	ctl_assert_ok(ctl_cmd(fd, "{\"execute\": \"guest-stop\", "
				  "\"arguments\": {\"guest\": \"one\", "
				  "\"timeout\": 0}}"));
	json_decref(stopped(fd, old));
	new = launch(fd, "{\"spec\": \"name=two,mem=32M,"
			 "script=touch 4M; hold 30s\"}");
	ck_assert_int_gt(new, old);
	ev = ctl_event_of(fd, "GUEST_STARTED", new, 10000);
	ck_assert_ptr_nonnull(ev);
	ck_assert_str_eq(json_string_value(get(get(ev, "data"), "name")),
			 "two");
	json_decref(ev);
	wait_faulted(fd, new, 4 << 20);
	r = ctl_cmd(fd, "{\"execute\": \"query-guests\"}");
	ck_assert_uint_eq(json_array_size(get(r, "return")), 1);
	ck_assert_ptr_nonnull(find_guest(get(r, "return"), new));
	json_decref(r);
	/* The old id: no such guest, for every command that takes one. */
	ctl_assert_error(guest_cmd(fd, "guest-kill", old), "DeviceNotFound",
			 "no such guest: id");
	ctl_assert_error(guest_cmd(fd, "guest-stop", old), "DeviceNotFound",
			 "no such guest");
	snprintf(cmd, sizeof(cmd),
		 "{\"execute\": \"balloon-set\", \"arguments\": "
		 "{\"guest\": %lld, \"target\": \"1M\"}}",
		 (long long)old);
	ctl_assert_error(ctl_cmd(fd, cmd), "DeviceNotFound", "no such guest");
	ctl_assert_ok(ctl_cmd(fd, "{\"execute\": \"trace-stop\"}"));
	/* The trace: the new guest's faults under its own id. */
	f = fopen(path, "re");
	ck_assert_ptr_nonnull(f);
	while (getline(&line, &cap, f) > 0) {
		snprintf(want, sizeof(want), "# vm=%lld name=two",
			 (long long)new);
		named |= !strncmp(line, want, strlen(want));
		snprintf(want, sizeof(want), "event=vmm_fault vm=%lld ",
			 (long long)new);
		faults |= strstr(line, want) != NULL;
	}
	free(line);
	fclose(f);
	ck_assert(named);
	ck_assert(faults);
	ctl_client_close(fd);
	ck_assert_int_eq(ctl_test_quit(&t), 0);
	ctl_test_done(&t);
}
END_TEST

/*
 * Hostile clients while guests run: garbage, binary, partial JSON, a
 * huge line, commands that fail, connections dropped mid-reply.  The
 * guests write and verify their memory throughout and must end intact;
 * a well-behaved client is answered all along.
 */
START_TEST(test_hostile_clients_guests_intact)
{
	static const char *const junk[] = {
		"{\"execute\": \"guest-launch\", \"arguments\": {\"mem\": {}}}\n",
		"{\"execute\": \"balloon-set\", \"arguments\": "
		"{\"guest\": \"g0\", \"target\": \"9999999999999999T\"}}\n",
		"{\"execute\": \"guest-kill\", \"arguments\": {\"guest\": 99}}\n",
		"\x00\x01\x02\xff\xfe\n",
		"{\"execute\": \"query-stats\"",
		"}}}}]]]\n",
		"{\"execute\": \"query-guests\"}\n",
	};
	struct ctl_test t;
	char *big = malloc(200000);
	json_int_t id[2];
	int good;

	memset(big, '{', 200000);
	ctl_test_start(&t, "--pool", "192M", NULL);
	good = ctl_client(&t);
	for (int i = 0; i < 2; i++) {
		char args[256];

		snprintf(
			args, sizeof(args),
			"{\"spec\": \"name=g%d,mem=64M,script=touch 48M; verify; "
			"repeat 6 { churn ws=24M rate=0 time=100ms; verify }\"}",
			i);
		id[i] = launch(good, args);
	}
	for (int round = 0; round < 40; round++) {
		int bad = ctl_client(&t);

		for (size_t k = 0; k < sizeof(junk) / sizeof(junk[0]); k++)
			ctl_send_str(bad, junk[k]);
		ctl_send(bad, "\x00\x01\x02\xff\xfe\n", 6);
		if (round % 4 == 0)
			ctl_send(bad, big, 200000);
		if (round % 3 == 0)
			shutdown(bad, SHUT_RDWR);
		ctl_client_close(bad);
		if (round % 5 == 0)
			ctl_assert_ok(ctl_cmd(good, "{\"execute\": "
						    "\"query-guests\"}"));
	}
	for (int i = 0; i < 2; i++)
		assert_stopped(stopped(good, id[i]), "guest-exit", "ok");
	ctl_client_close(good);
	free(big);
	ck_assert_int_eq(ctl_test_quit(&t), 0);
	ctl_test_done(&t);
}
END_TEST

/*
 * Memory pressure, as a watching client sees it: kswapd wakes and sleeps,
 * the idle guest's balloon gives memory back, and a guest that needs
 * more than the pool is OOM killed (named, with its reason), while the
 * idle one keeps its memory intact.
 */
START_TEST(test_pressure_events)
{
	struct ctl_test t;
	json_int_t idle, hog;
	json_t *ev, *d, *r;
	int fd;

	ctl_test_start(&t, "--pool", "128M", NULL);
	fd = ctl_client(&t);
	idle = launch(fd, "{\"spec\": \"name=idle,mem=64M,script=touch 48M; "
			  "free 40M; hold 2s; verify\"}");
	ev = ctl_event_of(fd, "GUEST_STARTED", idle, 10000);
	ck_assert_ptr_nonnull(ev);
	json_decref(ev);
	usleep(300000); /* idle has touched and freed its memory */
	hog = launch(fd, "{\"spec\": \"name=hog,mem=256M,oom_score_adj=1000,"
			 "script=touch 200M; verify\"}");

	ev = ctl_event(fd, "OOM_KILL", 30000);
	ck_assert_ptr_nonnull(ev);
	d = get(ev, "data");
	ck_assert_int_eq(json_integer_value(get(d, "id")), hog);
	ck_assert_str_eq(json_string_value(get(d, "name")), "hog");
	ck_assert_int_eq(json_integer_value(get(d, "oom-score-adj")), 1000);
	ck_assert_int_gt(json_integer_value(get(d, "bytes")), 0);
	json_decref(ev);
	ev = stopped(fd, hog);
	ck_assert_str_eq(json_string_value(get(get(ev, "data"), "description")),
			 "OOM killed");
	assert_stopped(ev, "oom-kill", "not checked");
	assert_stopped(stopped(fd, idle), "guest-exit", "ok");

	/* Reclaim came first: the pool fell below LOW. */
	ev = ctl_event(fd, "KSWAPD_WAKE", 0);
	ck_assert_ptr_nonnull(ev);
	d = get(ev, "data");
	ck_assert_int_eq(json_integer_value(get(d, "node")), 0);
	ck_assert_int_lt(json_integer_value(get(d, "free")),
			 json_integer_value(get(d, "high")));
	json_decref(ev);
	ev = ctl_event(fd, "KSWAPD_SLEEP", 0);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_ge(
		json_integer_value(get(get(ev, "data"), "duration-ns")), 0);
	json_decref(ev);
	/* After all that, the pool's invariants hold (checked live). */
	r = ctl_cmd(fd, "{\"execute\": \"query-validate\"}");
	ck_assert_msg(json_is_true(get(get(r, "return"), "ok")), "%s",
		      json_string_value(get(get(r, "return"), "problem")));
	ck_assert_int_eq(json_integer_value(get(get(r, "return"), "frames")),
			 32768);
	json_decref(r);
	/* Before the OOM kill, direct reclaim, on the hog's faults: the
	 * event names the guest it stalled. */
	ev = ctl_event(fd, "DIRECT_RECLAIM", 0);
	ck_assert_ptr_nonnull(ev);
	d = get(ev, "data");
	ck_assert_int_eq(json_integer_value(get(d, "id")), hog);
	ck_assert_str_eq(json_string_value(get(d, "name")), "hog");
	ck_assert_int_ge(json_integer_value(get(d, "duration-ns")), 0);
	json_decref(ev);
	ctl_client_close(fd);
	ck_assert_int_eq(ctl_test_quit(&t), 0);
	ctl_test_done(&t);
}
END_TEST

/* Guest id's balloon as query-guests shows it. */
static json_int_t balloon_of(int fd, json_int_t id, const char *key)
{
	json_t *r = ctl_cmd(fd, "{\"execute\": \"query-guests\"}");
	json_t *g = find_guest(get(r, "return"), id);
	json_int_t v;

	ck_assert_ptr_nonnull(g);
	v = json_integer_value(get(get(g, "balloon"), key));
	json_decref(r);
	return v;
}

/* Wait (5 s at most) until the balloon's key is want; its last value. */
static json_int_t balloon_wait(int fd, json_int_t id, const char *key,
			       json_int_t want)
{
	json_int_t v = -1;

	for (int i = 0; i < 250 && v != want; i++) {
		if (i)
			usleep(20000);
		v = balloon_of(fd, id, key);
	}
	return v;
}

/* The target stays want for ms (kswapd looks every 100 ms). */
static void assert_target_kept(int fd, json_int_t id, json_int_t want, int ms)
{
	for (int t = 0; t < ms; t += 50) {
		ck_assert_int_eq(balloon_of(fd, id, "target"), want);
		usleep(50000);
	}
}

/*
 * A balloon target set by hand sticks: with plenty of free memory kswapd
 * leaves it; under pressure reclaim inflates beyond it, and deflates back
 * to it, never below, once the pressure is gone.  Set virsh-style: the
 * memory the guest may use.
 */
START_TEST(test_balloon_target_kept)
{
	struct ctl_test t;
	json_int_t a, b, top = 0;
	json_t *r;
	int fd;

	ctl_test_start(&t, "--pool", "256M", NULL);
	fd = ctl_client(&t);
	a = launch(fd, "{\"spec\": \"name=a,mem=192M,script=touch 120M; "
		       "free 110M; hold 6s; verify\"}");
	wait_faulted(fd, a, 120 << 20);
	usleep(100000); /* a has freed its 110M */
	r = ctl_cmd(fd, "{\"execute\": \"balloon-set\", \"arguments\": "
			"{\"guest\": \"a\", \"mem\": \"144M\"}}");
	ck_assert_int_eq(json_integer_value(get(get(r, "return"), "target")),
			 48 << 20);
	ck_assert_int_eq(
		json_integer_value(get(get(r, "return"), "user-target")),
		48 << 20);
	ck_assert_int_eq(json_integer_value(get(get(r, "return"), "mem")),
			 144 << 20);
	json_decref(r);
	ck_assert_int_eq(balloon_wait(fd, a, "actual", 48 << 20), 48 << 20);
	/* Plenty free (the pool's 256M less a's 72M): kept. */
	assert_target_kept(fd, a, 48 << 20, 300);

	/* b needs more than is free: reclaim inflates a beyond 48M. */
	b = launch(fd, "{\"spec\": \"name=b,mem=256M,script=touch 200M; "
		       "hold 500ms; verify\"}");
	for (int i = 0; i < 250 && top <= (48 << 20); i++) {
		top = balloon_of(fd, a, "target");
		usleep(20000);
	}
	ck_assert_int_gt(top, 48 << 20);
	assert_stopped(stopped(fd, b), "guest-exit", "ok");
	/* Plenty again: deflated back to the target, then kept over more
	 * than a second of kswapd's looks. */
	ck_assert_int_eq(balloon_wait(fd, a, "target", 48 << 20), 48 << 20);
	assert_target_kept(fd, a, 48 << 20, 1200);
	ck_assert_int_eq(balloon_of(fd, a, "user-target"), 48 << 20);

	/* 0 gives the balloon back to reclaim: nothing kept. */
	ctl_assert_ok(ctl_cmd(fd, "{\"execute\": \"balloon-set\", "
				  "\"arguments\": {\"guest\": \"a\", "
				  "\"target\": 0}}"));
	ck_assert_int_eq(balloon_of(fd, a, "user-target"), 0);
	ck_assert_int_eq(balloon_wait(fd, a, "actual", 0), 0);
	assert_stopped(stopped(fd, a), "guest-exit", "ok");
	ctl_client_close(fd);
	ck_assert_int_eq(ctl_test_quit(&t), 0);
	ctl_test_done(&t);
}
END_TEST

/*
 * OOM kills, several, each one's OOM_KILL before its GUEST_STOPPED in
 * the order a client receives them (docs/control.md: the GUEST_STOPPED
 * follows).  Hogs that each need more than the whole pool, launched
 * together: every one is killed.
 */
#define NR_HOGS 5

START_TEST(test_oom_event_order)
{
	struct ctl_test t;
	json_int_t hog[NR_HOGS];
	bool killed[NR_HOGS] = { false };
	int fd, watch, nr_stopped = 0;

	ctl_test_start(&t, "--pool", "64M", NULL);
	fd = ctl_client(&t);
	watch = ctl_watcher(&t);
	for (int i = 0; i < NR_HOGS; i++) {
		char args[256];

		snprintf(args, sizeof(args),
			 "{\"spec\": \"name=hog%d,mem=96M,"
			 "script=touch 80M; verify\"}",
			 i);
		hog[i] = launch(fd, args);
	}
	/* The watcher's stream, in the order it came. */
	while (nr_stopped < NR_HOGS) {
		json_t *m = ctl_read(watch, 60000), *d;
		const char *ev;
		int i;

		ck_assert_msg(m, "%d of %d hogs stopped", nr_stopped, NR_HOGS);
		ev = json_string_value(get(m, "event"));
		d = get(m, "data");
		for (i = 0; i < NR_HOGS; i++)
			if (json_integer_value(get(d, "id")) == hog[i])
				break;
		if (!ev || i == NR_HOGS) {
			json_decref(m);
			continue;
		}
		if (!strcmp(ev, "OOM_KILL")) {
			killed[i] = true;
		} else if (!strcmp(ev, "GUEST_STOPPED")) {
			ck_assert_str_eq(json_string_value(get(d, "reason")),
					 "oom-kill");
			ck_assert_msg(
				killed[i],
				"hog%d: GUEST_STOPPED before its OOM_KILL", i);
			nr_stopped++;
		}
		json_decref(m);
	}
	ctl_client_close(watch);
	ctl_client_close(fd);
	ck_assert_int_eq(ctl_test_quit(&t), 0);
	ctl_test_done(&t);
}
END_TEST

/* The warning a launch's reply carries ("" for none). */
static void launch_warning(int fd, const char *spec, char *warning, size_t len)
{
	char line[512];
	json_t *r, *w;

	snprintf(line, sizeof(line),
		 "{\"execute\": \"guest-launch\", \"arguments\": "
		 "{\"spec\": \"%s\"}}",
		 spec);
	r = ctl_cmd(fd, line);
	ck_assert_msg(get(r, "return"), "%s: %s", spec,
		      json_string_value(get(get(r, "error"), "desc")));
	w = get(get(r, "return"), "warning");
	snprintf(warning, len, "%s", w ? json_string_value(w) : "");
	json_decref(r);
}

/*
 * The launch that takes the vCPUs running past the host's CPUs says so
 * in its reply, naming the numbers; the next one, still past them, does
 * not: once per crossing.
 */
START_TEST(test_vcpu_warning)
{
	char spec[128], w[512], want[128];
	struct ctl_test t;
	cpu_set_t set;
	int fd, cpus;
	char *log;

	ck_assert_int_eq(sched_getaffinity(0, sizeof(set), &set), 0);
	cpus = CPU_COUNT(&set);
	if (cpus >= 16) {
		printf("SKIP: vCPU warning: %d host CPUs, a guest has 16 vCPUs at most\n",
		       cpus);
		return;
	}
	ctl_test_start(&t, "--pool", "128M", NULL);
	fd = ctl_client(&t);
	snprintf(spec, sizeof(spec),
		 "name=fits,mem=16M,vcpus=%d,script=hold 60s", cpus);
	launch_warning(fd, spec, w, sizeof(w));
	ck_assert_msg(!w[0], "%s", w);
	launch_warning(fd, "name=over,mem=16M,script=hold 60s", w, sizeof(w));
	snprintf(
		want, sizeof(want),
		"guest over (1 vCPU) brings the vCPUs running to %d, more than the %d host CPU",
		cpus + 1, cpus);
	ck_assert_msg(strstr(w, want), "'%s' lacks '%s'", w, want);
	launch_warning(fd, "name=more,mem=16M,vcpus=2,script=hold 60s", w,
		       sizeof(w));
	ck_assert_msg(!w[0], "said again: %s", w);
	ck_assert_int_eq(ctl_test_quit(&t), 0);
	log = ctl_test_log(&t);
	ck_assert_msg(strstr(log, want), "vmm's log lacks the warning");
	free(log);
	ctl_test_done(&t);
}
END_TEST

Suite *ctl_guests_suite(void)
{
	Suite *s = suite_create("ctl_guests");
	TCase *tc = tcase_create("kvm");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_guest_lifecycle);
	tcase_add_test(tc, test_guest_stop_shutdown);
	tcase_add_test(tc, test_trace_names);
	tcase_add_test(tc, test_ids_never_reused);
	tcase_add_test(tc, test_hostile_clients_guests_intact);
	tcase_add_test(tc, test_pressure_events);
	tcase_add_test(tc, test_balloon_target_kept);
	tcase_add_test(tc, test_vcpu_warning);
	tcase_add_test(tc, test_oom_event_order);
	suite_add_tcase(s, tc);
	return s;
}
