// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket (vmm/ctl/) against a real `vmm host` in a child
 * process, without guests: the greeting and the queries, statistics,
 * tracing sessions and their files.  Bad input and bad clients:
 * check_ctl_socket.c; guests through the socket: check_ctl_guests.c.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/vmm/ctl_test.h"
#include "vmm/ctl/ctl.h"

#define get(o, k) json_object_get(o, k)

START_TEST(test_greeting_and_queries)
{
	struct ctl_test t;
	json_t *r, *ret, *list, *c;
	int fd, found = 0;
	size_t i;

	ctl_test_start(&t, "--pool", "64M", NULL);
	fd = ctl_client(&t);
	/* Negotiation is optional, and offers nothing. */
	ctl_assert_ok(ctl_cmd(fd, "{\"execute\": \"qmp_capabilities\"}"));
	ctl_assert_error(ctl_cmd(fd, "{\"execute\": \"qmp_capabilities\", "
				     "\"arguments\": {\"enable\": [\"oob\"]}}"),
			 "GenericError", "'oob' not available");

	r = ctl_cmd(fd, "{\"execute\": \"query-status\", \"id\": 7}");
	ret = get(r, "return");
	ck_assert_int_eq(json_integer_value(get(r, "id")), 7);
	ck_assert_str_eq(json_string_value(get(ret, "mode")), "host");
	ck_assert_str_eq(json_string_value(get(ret, "status")), "running");
	ck_assert_str_eq(json_string_value(get(ret, "socket")), t.path);
	ck_assert_int_eq(json_integer_value(get(get(ret, "pool"), "size")),
			 64 << 20);
	ck_assert_int_eq(json_integer_value(get(ret, "guests")), 0);
	ck_assert(json_is_true(get(ret, "compaction")));
	json_decref(r);

	/* Any JSON value is an id, echoed as it came. */
	r = ctl_cmd(fd, "{\"id\": {\"a\": [1, \"x\"]}, "
			"\"execute\": \"query-version\"}");
	ck_assert_str_eq(
		json_string_value(
			get(get(r, "id"), "a") ?
				json_array_get(get(get(r, "id"), "a"), 1) :
				NULL),
		"x");
	ck_assert_int_eq(
		json_integer_value(get(get(get(r, "return"), "vmm"), "minor")),
		1);
	json_decref(r);

	r = ctl_cmd(fd, "{\"execute\": \"query-commands\"}");
	list = get(r, "return");
	json_array_foreach(list, i, c) {
		const char *n = json_string_value(get(c, "name"));

		found += !strcmp(n, "guest-launch") + !strcmp(n, "quit") +
			 !strcmp(n, "query-stats") + !strcmp(n, "compact");
	}
	ck_assert_int_eq(found, 4);
	json_decref(r);
	r = ctl_cmd(fd, "{\"execute\": \"query-events\"}");
	ck_assert_uint_ge(json_array_size(get(r, "return")), 10);
	json_decref(r);

	/* Compaction of an empty pool moves nothing and keeps every free
	 * frame in whole pageblocks; a node that does not exist is named. */
	r = ctl_cmd(fd, "{\"execute\": \"compact\"}");
	ret = get(r, "return");
	ck_assert_int_eq(json_integer_value(get(ret, "migrated")), 0);
	ck_assert_int_eq(json_integer_value(get(ret, "free-in-blocks-after")),
			 json_integer_value(get(ret, "free")));
	json_decref(r);
	ctl_assert_error(ctl_cmd(fd, "{\"execute\": \"compact\", "
				     "\"arguments\": {\"node\": 3}}"),
			 "GenericError", "nodes 0..0");
	ctl_client_close(fd);
	ck_assert_int_eq(ctl_test_quit(&t), 0);
	ctl_test_done(&t);
}
END_TEST

/* query-stats: the /proc texts as mm prints them, the same numbers as
 * JSON, sections chosen, and tracing to a file. */
START_TEST(test_stats_and_trace)
{
	struct ctl_test t;
	char cmd[256];
	json_t *r, *ret, *zones;
	struct stat st;
	int fd;

	ctl_test_start(&t, "--pool", "64M", "--nodes", "2", NULL);
	fd = ctl_client(&t);
	r = ctl_cmd(fd, "{\"execute\": \"query-stats\"}");
	ret = get(r, "return");
	ck_assert(
		!strncmp(json_string_value(get(get(ret, "text"), "buddyinfo")),
			 "Node 0, zone   Normal ", 22));
	ck_assert_ptr_nonnull(
		strstr(json_string_value(get(get(ret, "text"), "zoneinfo")),
		       "Node 1, zone   Normal\n  per-node stats"));
	ck_assert_ptr_nonnull(
		strstr(json_string_value(get(get(ret, "text"), "pagetypeinfo")),
		       "Page block order: 9\n"));
	ck_assert_ptr_nonnull(
		strstr(json_string_value(get(get(ret, "text"), "vmstat")),
		       "\npgalloc_normal "));
	zones = get(ret, "zones");
	ck_assert_uint_eq(json_array_size(zones), 2);
	ck_assert_int_eq(
		json_integer_value(get(json_array_get(zones, 1), "node")), 1);
	ck_assert_uint_eq(
		json_array_size(get(json_array_get(zones, 0), "free-areas")),
		11);
	ck_assert_int_eq(
		json_integer_value(get(get(ret, "vmstat"), "nr_free_pages")),
		16384);
	json_decref(r);

	r = ctl_cmd(fd, "{\"execute\": \"query-stats\", \"arguments\": "
			"{\"format\": \"text\", \"sections\": [\"vmstat\"]}}");
	ret = get(r, "return");
	ck_assert_ptr_null(get(ret, "zones"));
	ck_assert_uint_eq(json_object_size(get(ret, "text")), 1);
	json_decref(r);
	ctl_assert_error(ctl_cmd(fd, "{\"execute\": \"query-stats\", "
				     "\"arguments\": {\"sections\": "
				     "[\"slabinfo\"]}}"),
			 "GenericError", "no section 'slabinfo'");
	ctl_assert_error(ctl_cmd(fd, "{\"execute\": \"query-stats\", "
				     "\"arguments\": {\"format\": \"xml\"}}"),
			 "GenericError", "format 'xml'");

	ctl_assert_error(ctl_cmd(fd, "{\"execute\": \"trace-stop\"}"),
			 "GenericError", "not tracing");
	ctl_assert_error(ctl_trace_start(fd, "rel"), "GenericError",
			 "absolute path");
	ctl_assert_error(ctl_trace_start(fd, "/nonexistent/dir/t"),
			 "GenericError", "No such file");
	snprintf(cmd, sizeof(cmd), "%s/trace", t.dir);
	ctl_assert_ok(ctl_trace_start(fd, cmd));
	ctl_assert_error(ctl_trace_start(fd, cmd), "GenericError",
			 "already tracing");
	r = ctl_event(fd, "TRACE", 5000);
	ck_assert_str_eq(json_string_value(get(get(r, "data"), "state")), "on");
	json_decref(r);
	r = ctl_cmd(fd, "{\"execute\": \"trace-stop\"}");
	ck_assert_int_ge(json_integer_value(get(get(r, "return"), "events")),
			 0);
	ck_assert_int_eq(json_integer_value(get(get(r, "return"), "lost")), 0);
	ck_assert(json_is_object(get(get(r, "return"), "lost_by_event")));
	json_decref(r);
	ck_assert_int_eq(stat(cmd, &st), 0);
	/* The choices of vmm's --trace-* options, in their ranges. */
	snprintf(cmd, sizeof(cmd),
		 "{\"execute\": \"trace-start\", \"arguments\": {\"file\": "
		 "\"%s/trace2\", \"ring\": 1000, \"page_events\": true, "
		 "\"sample\": \"250ms\"}}",
		 t.dir);
	r = ctl_cmd(fd, cmd);
	ret = get(r, "return");
	ck_assert_int_eq(json_integer_value(get(ret, "ring")), 1024);
	ck_assert(json_is_true(get(ret, "page_events")));
	ck_assert_double_eq_tol(json_number_value(get(ret, "sample")), 0.25,
				1e-9);
	json_decref(r);
	ctl_assert_ok(ctl_cmd(fd, "{\"execute\": \"trace-stop\"}"));
	ctl_assert_error(ctl_cmd(fd, "{\"execute\": \"trace-start\", "
				     "\"arguments\": {\"file\": \"/tmp/x\", "
				     "\"ring\": 8}}"),
			 "GenericError", "'ring' must be 16..16777216 events");
	ctl_assert_error(ctl_cmd(fd, "{\"execute\": \"trace-start\", "
				     "\"arguments\": {\"file\": \"/tmp/x\", "
				     "\"sample\": \"1ms\"}}"),
			 "GenericError", "'sample' must be");
	ctl_client_close(fd);
	ck_assert_int_eq(ctl_test_quit(&t), 0);
	ctl_test_done(&t);
}
END_TEST

/*
 * trace-start makes a new file only: never one that exists, never
 * through a symlink.  On a full disk, trace-stop fails with ENOSPC, the
 * TRACE event says so, and the file ends with a whole line.
 */
START_TEST(test_trace_files)
{
	struct ctl_test t;
	char path[256], link[192], full[192], cmd[512];
	struct stat st;
	json_t *r, *ev;
	int fd, out;

	ctl_test_start(&t, "--pool", "64M", "--nodes", "2", NULL);
	fd = ctl_client(&t);
	snprintf(path, sizeof(path), "%s/old", t.dir);
	out = open(path, O_WRONLY | O_CREAT, 0644);
	ck_assert_int_eq(write(out, "precious\n", 9), 9);
	close(out);
	ctl_assert_error(ctl_trace_start(fd, path), "GenericError",
			 "exists: trace-start makes a new file only");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, 9);
	snprintf(link, sizeof(link), "%s/link", t.dir);
	snprintf(path, sizeof(path), "%s/target", t.dir);
	ck_assert_int_eq(symlink(path, link), 0);
	ctl_assert_error(ctl_trace_start(fd, link), "GenericError", "exists");
	ck_assert_int_ne(lstat(path, &st), 0); /* not made through it */
	ctl_assert_error(ctl_trace_start(fd, "/proc/vmm-trace"), "GenericError",
			 "trace file /proc/vmm-trace");

	/* A disk with one page free: two compactions trace about 8 KiB. */
	snprintf(full, sizeof(full), "%s/full", t.dir);
	ck_assert_int_eq(mkdir(full, 0700), 0);
	if (mount("tmpfs", full, "tmpfs", 0, "size=64k")) {
		printf("SKIP: test_trace_files, full disk: mount tmpfs: %s\n",
		       strerror(errno));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/fill", full);
	out = open(path, O_WRONLY | O_CREAT, 0600);
	for (char page[4096] = { 0 }; write(out, page, sizeof(page)) > 0;)
		;
	ck_assert_int_eq(ftruncate(out, 60 << 10), 0);
	close(out);
	snprintf(path, sizeof(path), "%s/trace", full);
	ctl_assert_ok(ctl_trace_start(fd, path));
	for (int i = 0; i < 2; i++)
		ctl_assert_ok(ctl_cmd(fd, "{\"execute\": \"compact\"}"));
	ctl_assert_error(ctl_cmd(fd, "{\"execute\": \"trace-stop\"}"),
			 "GenericError", "No space left on device");
	for (;;) {
		ev = ctl_event(fd, "TRACE", 5000);
		ck_assert_ptr_nonnull(ev);
		if (!strcmp(json_string_value(get(get(ev, "data"), "state")),
			    "off"))
			break;
		json_decref(ev);
	}
	ck_assert_str_eq(json_string_value(get(get(ev, "data"), "error")),
			 "No space left on device");
	json_decref(ev);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_gt(st.st_size, 0);
	out = open(path, O_RDONLY);
	ck_assert_int_eq(pread(out, cmd, 1, st.st_size - 1), 1);
	close(out);
	ck_assert_int_eq(cmd[0], '\n'); /* no line cut in half */
	/* The next session, elsewhere, works. */
	snprintf(path, sizeof(path), "%s/trace2", t.dir);
	ctl_assert_ok(ctl_trace_start(fd, path));
	r = ctl_cmd(fd, "{\"execute\": \"trace-stop\"}");
	ctl_assert_ok(r);
	umount2(full, MNT_DETACH);
out:
	ctl_client_close(fd);
	ck_assert_int_eq(ctl_test_quit(&t), 0);
	ctl_test_done(&t);
}
END_TEST

Suite *ctl_suite(void)
{
	Suite *s = suite_create("ctl");
	TCase *tc = tcase_create("protocol");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_greeting_and_queries);
	tcase_add_test(tc, test_stats_and_trace);
	tcase_add_test(tc, test_trace_files);
	suite_add_tcase(s, tc);
	return s;
}
