// SPDX-License-Identifier: GPL-2.0
/*
 * Memory and CPU pressure as the control socket shows it, on /dev/kvm:
 * kswapd and direct-reclaim events, a balloon target set by hand that
 * reclaim keeps, OOM kills told in order, the warning for vCPUs beyond
 * the host's CPUs, PSI figures and triggers.
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

	ctl_test_start(&t, "--pool", "128M", "--swap-store", "0", NULL);
	fd = ctl_client(&t);
	idle = ctl_launch(fd,
			  "{\"spec\": \"name=idle,mem=64M,script=touch 48M; "
			  "free 40M; hold 2s; verify\"}");
	ev = ctl_event_of(fd, "GUEST_STARTED", idle, 10000);
	ck_assert_ptr_nonnull(ev);
	json_decref(ev);
	usleep(300000); /* idle has touched and freed its memory */
	hog = ctl_launch(fd,
			 "{\"spec\": \"name=hog,mem=256M,oom_score_adj=1000,"
			 "script=touch 200M; verify\"}");

	ev = ctl_event(fd, "OOM_KILL", 30000);
	ck_assert_ptr_nonnull(ev);
	d = get(ev, "data");
	ck_assert_int_eq(json_integer_value(get(d, "id")), hog);
	ck_assert_str_eq(json_string_value(get(d, "name")), "hog");
	ck_assert_int_eq(json_integer_value(get(d, "oom-score-adj")), 1000);
	ck_assert_int_gt(json_integer_value(get(d, "bytes")), 0);
	json_decref(ev);
	ev = ctl_stopped(fd, hog);
	ck_assert_str_eq(json_string_value(get(get(ev, "data"), "description")),
			 "OOM killed");
	ctl_assert_stopped(ev, "oom-kill", "not checked");
	ctl_assert_stopped(ctl_stopped(fd, idle), "guest-exit", "ok");

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
	json_t *g = ctl_guest_in(get(r, "return"), id);
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
	a = ctl_launch(fd, "{\"spec\": \"name=a,mem=192M,script=touch 120M; "
			   "free 110M; hold 6s; verify\"}");
	ctl_wait_faulted(fd, a, 120 << 20);
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
	b = ctl_launch(fd, "{\"spec\": \"name=b,mem=256M,script=touch 200M; "
			   "hold 500ms; verify\"}");
	for (int i = 0; i < 250 && top <= (48 << 20); i++) {
		top = balloon_of(fd, a, "target");
		usleep(20000);
	}
	ck_assert_int_gt(top, 48 << 20);
	ctl_assert_stopped(ctl_stopped(fd, b), "guest-exit", "ok");
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
	ctl_assert_stopped(ctl_stopped(fd, a), "guest-exit", "ok");
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

	ctl_test_start(&t, "--pool", "64M", "--swap-store", "0", NULL);
	fd = ctl_client(&t);
	watch = ctl_watcher(&t);
	for (int i = 0; i < NR_HOGS; i++) {
		char args[256];

		snprintf(args, sizeof(args),
			 "{\"spec\": \"name=hog%d,mem=96M,"
			 "script=touch 80M; verify\"}",
			 i);
		hog[i] = ctl_launch(fd, args);
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

/* A pressure-trigger command's reply; its trigger id (asserted). */
static json_int_t psi_trigger(int fd, const char *target, const char *kind,
			      long thr, long win)
{
	char line[256];
	json_t *r;
	json_int_t id;

	snprintf(
		line, sizeof(line),
		"{\"execute\": \"pressure-trigger\", \"arguments\": {%s, "
		"\"kind\": \"%s\", \"threshold-us\": %ld, \"window-us\": %ld}}",
		target, kind, thr, win);
	r = ctl_cmd(fd, line);
	ck_assert_msg(get(r, "return"), "%s: %s", line,
		      json_string_value(get(get(r, "error"), "desc")));
	id = json_integer_value(get(get(r, "return"), "trigger"));
	ck_assert_int_gt(id, 0);
	json_decref(r);
	return id;
}

static void psi_refused(int fd, const char *args, const char *cls,
			const char *why)
{
	char line[256];

	snprintf(line, sizeof(line),
		 "{\"execute\": \"pressure-trigger\", \"arguments\": %s}",
		 args);
	ctl_assert_error(ctl_cmd(fd, line), cls, why);
}

/* The entry of guest name in a query-pressure reply, or NULL. */
static json_t *psi_guest(json_t *reply, const char *name)
{
	json_t *g;
	size_t i;

	json_array_foreach(get(get(reply, "return"), "guests"), i, g)
		if (!strcmp(json_string_value(get(g, "name")), name))
			return g;
	return NULL;
}

/*
 * PSI over the socket.  idle naps beside victim, which holds all it
 * touched, when hog touches more than is free: its faults find nothing
 * to reclaim and wait for the OOM killer to kill victim.  Triggers of
 * any stall (1 us) within 500 ms fire PRESSURE events for hog and for
 * the pool's node, none for idle, and none for a threshold no stall
 * reaches (all of a 10 s window, longer than hog lives).
 * query-pressure shows each guest and node, its /proc text and its
 * triggers; triggers Linux would refuse are refused, with the reason.
 */
START_TEST(test_psi_triggers)
{
	static const char zero[] =
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
		"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";
	json_int_t idle, victim, hog, t_idle, t_hog, t_never, t_node;
	bool fired_node = false;
	json_t *r, *ev, *g, *d;
	char line[128];
	struct ctl_test t;
	int fd;

	ctl_test_start(&t, "--pool", "256M", "--swap-store", "0", NULL);
	fd = ctl_client(&t);
	idle = ctl_launch(fd, "{\"spec\": \"name=idle,mem=32M,script=touch "
			      "8M; hold 30s; verify\"}");
	victim = ctl_launch(fd, "{\"spec\": \"name=victim,mem=192M,"
				"oom_score_adj=1000,script=touch 150M; "
				"hold 30s\"}");
	ctl_wait_faulted(fd, victim, 150 << 20);
	hog = ctl_launch(fd, "{\"spec\": \"name=hog,mem=192M,"
			     "oom_score_adj=-1000,script=sleep 500ms; touch "
			     "150M; hold 2s; verify\"}");
	t_idle = psi_trigger(fd, "\"guest\": \"idle\"", "some", 1, 500000);
	t_hog = psi_trigger(fd, "\"guest\": \"hog\"", "some", 1, 500000);
	t_never = psi_trigger(fd, "\"guest\": \"hog\"", "some", 10000000,
			      10000000);
	t_node = psi_trigger(fd, "\"node\": 0", "some", 1, 500000);

	psi_refused(fd,
		    "{\"guest\": \"hog\", \"kind\": \"some\", "
		    "\"threshold-us\": 1000, \"window-us\": 400000}",
		    "GenericError", "(500 ms to 10 s)");
	psi_refused(fd,
		    "{\"guest\": \"hog\", \"kind\": \"some\", "
		    "\"threshold-us\": 600000, \"window-us\": 500000}",
		    "GenericError", "at most the window");
	psi_refused(fd,
		    "{\"guest\": \"hog\", \"kind\": \"cpu\", "
		    "\"threshold-us\": 1000, \"window-us\": 500000}",
		    "GenericError", "some or full");
	psi_refused(fd,
		    "{\"guest\": \"hog\", \"node\": 0, \"kind\": \"some\", "
		    "\"threshold-us\": 1000, \"window-us\": 500000}",
		    "GenericError", "a guest or a node");
	psi_refused(fd,
		    "{\"node\": 3, \"kind\": \"some\", "
		    "\"threshold-us\": 1000, \"window-us\": 500000}",
		    "GenericError", "the pool has nodes 0..0");
	psi_refused(fd,
		    "{\"guest\": \"nobody\", \"kind\": \"some\", "
		    "\"threshold-us\": 1000, \"window-us\": 500000}",
		    "DeviceNotFound", "no such guest");

	/* While hog holds: its stall, idle's none, the triggers listed. */
	ev = ctl_event_of(fd, "PRESSURE", hog, 10000);
	ck_assert_ptr_nonnull(ev);
	d = get(ev, "data");
	ck_assert_int_eq(json_integer_value(get(d, "trigger")), t_hog);
	ck_assert_str_eq(json_string_value(get(d, "name")), "hog");
	ck_assert_str_eq(json_string_value(get(d, "kind")), "some");
	ck_assert_int_eq(json_integer_value(get(d, "window-us")), 500000);
	ck_assert_int_ge(json_integer_value(get(d, "stall-us")), 1);
	ck_assert_int_ge(json_integer_value(get(d, "total-us")),
			 json_integer_value(get(d, "stall-us")));
	json_decref(ev);
	r = ctl_cmd(fd, "{\"execute\": \"query-pressure\"}");
	g = psi_guest(r, "idle");
	ck_assert_ptr_nonnull(g);
	ck_assert_str_eq(json_string_value(get(g, "text")), zero);
	ck_assert_int_eq(json_array_size(get(g, "triggers")), 1);
	g = psi_guest(r, "hog");
	ck_assert_ptr_nonnull(g);
	ck_assert_int_gt(json_integer_value(get(get(g, "some"), "total-us")),
			 0);
	ck_assert_int_eq(json_array_size(get(g, "triggers")), 2);
	g = json_array_get(get(get(r, "return"), "nodes"), 0);
	ck_assert_int_eq(json_integer_value(get(g, "node")), 0);
	ck_assert_int_eq(
		json_integer_value(
			get(json_array_get(get(g, "triggers"), 0), "trigger")),
		t_node);
	json_decref(r);
	snprintf(line, sizeof(line),
		 "{\"execute\": \"query-pressure\", \"arguments\": "
		 "{\"guest\": %lld}}",
		 (long long)idle);
	r = ctl_cmd(fd, line);
	ck_assert_int_eq(json_array_size(get(get(r, "return"), "guests")), 1);
	ck_assert_int_eq(json_array_size(get(get(r, "return"), "nodes")), 0);
	json_decref(r);

	ctl_assert_stopped(ctl_stopped(fd, victim), "oom-kill", "not checked");
	ctl_assert_stopped(ctl_stopped(fd, hog), "guest-exit", "ok");
	/* Every PRESSURE so far: hog's and the node's, no other. */
	while ((ev = ctl_event(fd, "PRESSURE", 0))) {
		d = get(ev, "data");
		ck_assert_int_ne(json_integer_value(get(d, "trigger")), t_idle);
		ck_assert_int_ne(json_integer_value(get(d, "trigger")),
				 t_never);
		if (json_integer_value(get(d, "trigger")) == t_node) {
			ck_assert_int_eq(json_integer_value(get(d, "node")), 0);
			fired_node = true;
		}
		json_decref(ev);
	}
	ck_assert(fired_node);
	/* hog's triggers went with it; the node's stays until deleted. */
	r = ctl_cmd(fd, "{\"execute\": \"pressure-trigger-delete\", "
			"\"arguments\": {\"trigger\": 1000}}");
	ctl_assert_error(r, "GenericError", "no trigger 1000");
	snprintf(line, sizeof(line),
		 "{\"execute\": \"pressure-trigger-delete\", "
		 "\"arguments\": {\"trigger\": %lld}}",
		 (long long)t_node);
	ctl_assert_ok(ctl_cmd(fd, line));
	ctl_assert_error(ctl_cmd(fd, line), "GenericError", "no trigger");
	snprintf(line, sizeof(line),
		 "{\"execute\": \"pressure-trigger-delete\", "
		 "\"arguments\": {\"trigger\": %lld}}",
		 (long long)t_hog);
	ctl_assert_error(ctl_cmd(fd, line), "GenericError", "no trigger");
	ctl_client_close(fd);
	ck_assert_int_eq(ctl_test_quit(&t), 0);
	ctl_test_done(&t);
}
END_TEST

Suite *ctl_pressure_suite(void)
{
	Suite *s = suite_create("ctl_pressure");
	TCase *tc = tcase_create("kvm");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_pressure_events);
	tcase_add_test(tc, test_balloon_target_kept);
	tcase_add_test(tc, test_oom_event_order);
	tcase_add_test(tc, test_vcpu_warning);
	tcase_add_test(tc, test_psi_triggers);
	suite_add_tcase(s, tc);
	return s;
}
