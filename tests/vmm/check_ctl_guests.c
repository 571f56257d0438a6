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

#include "tests/vmm/ctl_test.h"

#define get(o, k) json_object_get(o, k)

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
	a = ctl_launch(ctl, "{\"spec\": \"name=a,mem=64M,nodes=2,map=0:1/1:0,"
			    "script=touch 40M; verify; hold 30s\"}");
	b = ctl_launch(ctl,
		       "{\"name\": \"b\", \"mem\": 33554432, \"vcpus\": 2, "
		       "\"oom_score_adj\": 100, \"strict\": true, "
		       "\"script\": \"touch 8M; verify\"}");
	/* The watcher sees both start, and b end by itself, cleanly. */
	for (int i = 0; i < 2; i++) {
		ev = ctl_event(watch, "GUEST_STARTED", 10000);
		ck_assert_ptr_nonnull(ev);
		json_decref(ev);
	}
	ctl_assert_stopped(ctl_stopped(watch, b), "guest-exit", "ok");
	ctl_assert_stopped(ctl_stopped(ctl, b), "guest-exit", "ok");
	/* A guest's panic is in the reason it stopped. */
	p = ctl_launch(ctl, "{\"spec\": \"name=p,mem=16M,"
			    "script=touch 12M; touch 12M\"}");
	ev = ctl_stopped(watch, p);
	ctl_assert_detail(ev,
			  "status 3; guest panic: touch: out of memory after");
	ctl_assert_stopped(ev, "guest-exit", "not checked");

	/* a: its memory and placement, once it has touched its 40M. */
	for (int i = 0;; i++) {
		r = ctl_cmd(ctl, "{\"execute\": \"query-guests\"}");
		g = ctl_guest_in(get(r, "return"), a);
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
	ctl_assert_stopped(ctl_stopped(watch, a), "stopped", "ok");
	ctl_assert_stopped(ctl_stopped(ctl, a), "stopped", "ok");
	c = ctl_launch(ctl, "{\"spec\": \"mem=16M,script=hold 30s\"}");
	d = ctl_launch(ctl, "{\"spec\": \"mem=16M,script=hold 30s\"}");
	r = ctl_cmd(ctl, "{\"execute\": \"query-guests\"}");
	ck_assert_str_eq(json_string_value(get(
				 ctl_guest_in(get(r, "return"), c), "name")),
			 "guest1");
	ck_assert_str_eq(json_string_value(get(
				 ctl_guest_in(get(r, "return"), d), "name")),
			 "guest2");
	json_decref(r);
	/* By id: a's is a's alone, for good. */
	ck_assert_int_gt(c, b);
	ck_assert_int_gt(d, c);
	ctl_assert_error(ctl_guest_cmd(ctl, "guest-kill", a), "DeviceNotFound",
			 "no such guest");
	ctl_assert_ok(ctl_guest_cmd(ctl, "guest-kill", c));
	ctl_assert_stopped(ctl_stopped(watch, c), "killed", "not checked");

	/* quit with a guest running: it is asked to shut down and does
	 * (its last verify: "ok"), both clients see that, the connections
	 * end, vmm exits 0. */
	ctl_assert_ok(ctl_cmd(ctl, "{\"execute\": \"quit\"}"));
	ev = ctl_event(watch, "SHUTDOWN", 10000);
	ck_assert_ptr_nonnull(ev);
	json_decref(ev);
	ev = ctl_stopped(watch, d);
	ctl_assert_detail(ev, "shut down when asked");
	ctl_assert_stopped(ev, "stopped", "ok");
	ck_assert(ctl_closed(watch, 10000));
	ck_assert(ctl_closed(ctl, 10000));
	ctl_client_close(ctl);
	ctl_client_close(watch);
	ck_assert_int_eq(ctl_test_wait(&t), 0);
	ctl_test_done(&t);
}
END_TEST

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
	churner = ctl_launch(fd,
			     "{\"spec\": \"name=churner,mem=64M,vcpus=2,"
			     "script=touch 32M; churn ws=32M rate=0 time=60s; "
			     "verify\"}");
	deaf = ctl_launch(fd, "{\"spec\": \"name=deaf,mem=32M,"
			      "script=power deaf; touch 8M; hold 60s\"}");
	holder = ctl_launch(fd, "{\"spec\": \"name=holder,mem=32M,"
				"script=touch 8M; hold 60s\"}");
	/* Booted and into their scripts: past `power deaf`. */
	ctl_wait_faulted(fd, churner, 32 << 20);
	ctl_wait_faulted(fd, deaf, 8 << 20);
	ctl_wait_faulted(fd, holder, 8 << 20);

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
			get(ctl_guest_in(get(r, "return"), holder), "state")),
		"running");
	json_decref(r);

	t0 = now_ms();
	stop_guest(fd, churner, NULL);
	ev = ctl_stopped(fd, churner);
	dt = now_ms() - t0;
	ck_assert_msg(dt < 5000, "shutdown took %llu ms",
		      (unsigned long long)dt);
	ck_assert_int_eq(
		json_integer_value(get(get(ev, "data"), "exit-status")), 0);
	ctl_assert_detail(ev, "shut down when asked");
	ctl_assert_stopped(ev, "stopped", "ok");

	t0 = now_ms();
	stop_guest(fd, deaf, "\"300ms\"");
	r = ctl_cmd(fd, "{\"execute\": \"query-guests\"}");
	ck_assert_str_eq(
		json_string_value(
			get(ctl_guest_in(get(r, "return"), deaf), "state")),
		"shutting-down");
	json_decref(r);
	ev = ctl_stopped(fd, deaf);
	dt = now_ms() - t0;
	/* The server looks every 200 ms. */
	ck_assert_msg(dt >= 300 && dt < 3000, "killed after %llu ms",
		      (unsigned long long)dt);
	ctl_assert_detail(ev, "time-out");
	ctl_assert_stopped(ev, "killed", "not checked");

	stop_guest(fd, holder, "0");
	ev = ctl_stopped(fd, holder);
	ctl_assert_detail(ev, "over the control socket");
	ctl_assert_stopped(ev, "stopped", "not checked");

	/* quit: a bad time-out is refused and changes nothing; then the
	 * guests are asked, the one that listens goes at once, the deaf
	 * one at the time-out. */
	holder = ctl_launch(fd, "{\"spec\": \"name=holder,mem=32M,"
				"script=touch 8M; hold 60s\"}");
	deaf = ctl_launch(fd, "{\"spec\": \"name=deaf,mem=32M,"
			      "script=power deaf; touch 8M; hold 60s\"}");
	ctl_wait_faulted(fd, holder, 8 << 20);
	ctl_wait_faulted(fd, deaf, 8 << 20);
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
	ev = ctl_stopped(fd, holder);
	ck_assert_uint_lt(now_ms() - t0, 500);
	ctl_assert_detail(ev, "shut down when asked");
	ctl_assert_stopped(ev, "stopped", "ok");
	ev = ctl_stopped(fd, deaf);
	dt = now_ms() - t0;
	ck_assert_msg(dt >= 500 && dt < 3000, "deaf killed after %llu ms",
		      (unsigned long long)dt);
	ctl_assert_stopped(ev, "killed", "not checked");
	ck_assert(ctl_closed(fd, 10000));
	ctl_client_close(fd);
	ck_assert_int_eq(ctl_test_wait(&t), 0);
	ctl_test_done(&t);
}
END_TEST

/*
 * A trace session names its guests: one launched before the session at
 * the top (after the writer's start line), one launched during it right
 * before its first event (the comments tools/trace reads).
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
	before = ctl_launch(fd, "{\"spec\": \"name=early,mem=32M,"
				"script=touch 4M; hold 30s\"}");
	ctl_wait_faulted(fd, before, 4 << 20);
	snprintf(path, sizeof(path), "%s/names.trace", t.dir);
	ctl_assert_ok(ctl_trace_start(fd, path));
	during = ctl_launch(fd, "{\"spec\": \"name=late,mem=32M,"
				"script=touch 4M; verify\"}");
	ev = ctl_stopped(fd, during);
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
	ck_assert_int_eq(at_before, 1);
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
	old = ctl_launch(fd, "{\"spec\": \"name=one,mem=32M,"
			     "script=touch 4M; hold 30s\"}");
	ctl_assert_ok(ctl_cmd(fd, "{\"execute\": \"guest-stop\", "
				  "\"arguments\": {\"guest\": \"one\", "
				  "\"timeout\": 0}}"));
	json_decref(ctl_stopped(fd, old));
	new = ctl_launch(fd, "{\"spec\": \"name=two,mem=32M,"
			     "script=touch 4M; hold 30s\"}");
	ck_assert_int_gt(new, old);
	ev = ctl_event_of(fd, "GUEST_STARTED", new, 10000);
	ck_assert_ptr_nonnull(ev);
	ck_assert_str_eq(json_string_value(get(get(ev, "data"), "name")),
			 "two");
	json_decref(ev);
	ctl_wait_faulted(fd, new, 4 << 20);
	r = ctl_cmd(fd, "{\"execute\": \"query-guests\"}");
	ck_assert_uint_eq(json_array_size(get(r, "return")), 1);
	ck_assert_ptr_nonnull(ctl_guest_in(get(r, "return"), new));
	json_decref(r);
	/* The old id: no such guest, for every command that takes one. */
	ctl_assert_error(ctl_guest_cmd(fd, "guest-kill", old), "DeviceNotFound",
			 "no such guest: id");
	ctl_assert_error(ctl_guest_cmd(fd, "guest-stop", old), "DeviceNotFound",
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
		id[i] = ctl_launch(good, args);
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
		ctl_assert_stopped(ctl_stopped(good, id[i]), "guest-exit",
				   "ok");
	ctl_client_close(good);
	free(big);
	ck_assert_int_eq(ctl_test_quit(&t), 0);
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
	suite_add_tcase(s, tc);
	return s;
}
