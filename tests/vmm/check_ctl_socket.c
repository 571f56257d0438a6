// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket against what could break it, a real `vmm host` in
 * a child process: every kind of bad input answered with an error on a
 * connection that keeps working, lines too long, clients that do not
 * read or vanish mid-reply, many clients and idle ones that would lock
 * management out, the socket file's permissions, stale and live
 * sockets.
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
/* Every kind of bad input: an error each, and the connection works on. */
START_TEST(test_bad_input)
{
	static const struct {
		const char *line;
		const char *cls, *desc;
	} bad[] = {
		{ "garbage", "GenericError", "JSON parse error" },
		{ "{", "GenericError", "JSON parse error" },
		{ "{\"execute\": \"query-status\"", "GenericError",
		  "JSON parse error" },
		{ "[1, 2]", "GenericError", "must be a JSON object" },
		{ "\"query-status\"", "GenericError", "JSON parse error" },
		{ "42", "GenericError", "JSON parse error" },
		{ "{}", "GenericError", "lacks member 'execute'" },
		{ "{\"execute\": 5}", "GenericError", "must be a string" },
		{ "{\"execute\": null}", "GenericError", "must be a string" },
		{ "{\"execute\": \"quit\", \"arguments\": []}", "GenericError",
		  "must be an object" },
		{ "{\"execute\": \"query-status\", \"extra\": 1}",
		  "GenericError", "'extra' is unexpected" },
		{ "{\"execute\": \"exec-oob\"}", "CommandNotFound",
		  "exec-oob has not been found" },
		{ "{\"execute\": \"query-status\", \"execute\": \"quit\"}",
		  "GenericError", "duplicate object key" },
		{ "{\"execute\": \"no-such-command\"}", "CommandNotFound",
		  "no-such-command" },
		{ "{\"execute\": \"query-status\", \"arguments\": "
		  "{\"verbose\": true}}",
		  "GenericError", "'verbose' is unexpected" },
		{ "{\"execute\": \"balloon-set\", \"arguments\": "
		  "{\"guest\": 1}}",
		  "GenericError", "'target' or 'mem' is missing" },
		{ "{\"execute\": \"balloon-set\", \"arguments\": "
		  "{\"guest\": 1, \"target\": \"1M\", \"mem\": \"1M\"}}",
		  "GenericError", "give 'target' or 'mem', not both" },
		{ "{\"execute\": \"balloon-set\", \"arguments\": "
		  "{\"guest\": 1, \"mem\": -1}}",
		  "GenericError", "Invalid parameter type for 'mem'" },
		{ "{\"execute\": \"balloon-set\", \"arguments\": "
		  "{\"guest\": 1, \"mem\": \"12Q\"}}",
		  "GenericError", "Parameter 'mem': '12Q' is not a size" },
		{ "{\"execute\": \"balloon-set\", \"arguments\": "
		  "{\"guest\": [1], \"target\": 0}}",
		  "GenericError", "Invalid parameter type for 'guest'" },
		{ "{\"execute\": \"balloon-set\", \"arguments\": "
		  "{\"guest\": 1, \"target\": -5}}",
		  "GenericError", "Invalid parameter type for 'target'" },
		{ "{\"execute\": \"balloon-set\", \"arguments\": "
		  "{\"guest\": 0, \"target\": 1}}",
		  "GenericError", "Invalid parameter type for 'guest'" },
		{ "{\"execute\": \"balloon-set\", \"arguments\": "
		  "{\"guest\": 3, \"target\": \"lots\"}}",
		  "GenericError", "'lots' is not a size" },
		{ "{\"execute\": \"balloon-set\", \"arguments\": "
		  "{\"guest\": 3, \"target\": \"1M\"}}",
		  "DeviceNotFound", "no such guest: id 3" },
		{ "{\"execute\": \"guest-stop\", \"arguments\": "
		  "{\"guest\": \"nobody\"}}",
		  "DeviceNotFound", "no such guest: 'nobody'" },
		{ "{\"execute\": \"guest-launch\", \"arguments\": "
		  "{\"mem\": 3.5}}",
		  "GenericError", "Invalid parameter type for 'mem'" },
		{ "{\"execute\": \"guest-launch\", \"arguments\": "
		  "{\"spec\": \"colour=red\"}}",
		  "GenericError", "unknown key 'colour'" },
		{ "{\"execute\": \"guest-launch\", \"arguments\": "
		  "{\"spec\": \"mem=64M\", \"name\": \"x\"}}",
		  "GenericError", "give it alone" },
		{ "{\"execute\": \"guest-launch\", \"arguments\": "
		  "{\"mem\": \"3M\"}}",
		  "GenericError", "mem=3M" },
		{ "{\"execute\": \"guest-launch\", \"arguments\": "
		  "{\"name\": \"42\"}}",
		  "GenericError", "not all digits" },
		{ "{\"execute\": \"guest-launch\", \"arguments\": "
		  "{\"name\": \"caf\\u00e9\"}}",
		  "GenericError", "printable ASCII" },
		{ "{\"execute\": \"guest-launch\", \"arguments\": "
		  "{\"map\": \"0:5\"}}",
		  "GenericError", "pool node 5" },
		{ "{\"execute\": \"guest-launch\", \"arguments\": "
		  "{\"kernel\": \"guest.elf\"}}",
		  "GenericError", "absolute path" },
		{ "{\"execute\": \"guest-launch\", \"arguments\": "
		  "{\"name\": \"t\", \"script\": \"touhc 32M\"}}",
		  "GenericError",
		  "guest t: script @5: unknown command 'touhc'" },
		{ "{\"execute\": \"guest-launch\", \"arguments\": "
		  "{\"spec\": \"mem=32M,script=hold 2\"}}",
		  "GenericError", "guest: script @6: bad value '2'" },
		{ "{\"execute\": \"guest-launch\", \"arguments\": "
		  "{\"mem\": \"32M\"}}",
		  "GenericError", "guest: no script=" },
		{ "{\"execute\": \"guest-launch\", \"arguments\": "
		  "{\"vcpus\": 99999999999999}}",
		  "GenericError", "vcpus=" },
		{ "{\"execute\": \"guest-launch\", \"arguments\": "
		  "{\"cpu_max\": 0}}",
		  "GenericError", "cpu_max=0: a percentage of one host CPU" },
		{ "{\"execute\": \"guest-launch\", \"arguments\": "
		  "{\"cpu_max\": \"50\"}}",
		  "GenericError", "Invalid parameter type for 'cpu_max'" },
		{ "{\"execute\": \"query-stats\", \"arguments\": "
		  "{\"sections\": [1]}}",
		  "GenericError", "Invalid parameter type for 'sections'" },
	};
	struct ctl_test t;
	json_t *r;
	int fd;

	ctl_test_start(&t, "--pool", "64M", NULL);
	fd = ctl_client(&t);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ctl_assert_error(ctl_cmd(fd, bad[i].line), bad[i].cls,
				 bad[i].desc);
	/* Bytes that are not text: NUL, invalid UTF-8, control bytes. */
	ctl_send(fd, "{\"execute\": \"quit\0\"}\n", 21);
	ctl_assert_error(ctl_next_reply(fd, 5000), "GenericError",
			 "parse error");
	ctl_send_str(fd, "{\"execute\": \"\xff\xfe\"}\n");
	ctl_assert_error(ctl_next_reply(fd, 5000), "GenericError",
			 "parse error");
	ctl_send_str(fd, "\x01\x02\x1b[2J\n");
	ctl_assert_error(ctl_next_reply(fd, 5000), "GenericError",
			 "parse error");
	/* Blank lines are nothing; CRLF ends a line too; the id comes back
	 * with an error it caused. */
	ctl_send_str(fd, "\n   \n\r\n");
	r = ctl_cmd(fd, "{\"execute\": \"nope\", \"id\": \"n1\"}\r");
	ck_assert_str_eq(json_string_value(get(r, "id")), "n1");
	ctl_assert_error(r, "CommandNotFound", "nope");
	/* Several commands in one write, one split over two writes. */
	ctl_send_str(fd, "{\"execute\": \"query-version\", \"id\": 1}\n"
			 "{\"execute\": \"query-version\", \"id\": 2}\n"
			 "{\"execute\": \"query-ver");
	for (int i = 1; i <= 2; i++) {
		r = ctl_next_reply(fd, 5000);
		ck_assert_int_eq(json_integer_value(get(r, "id")), i);
		ctl_assert_ok(r);
	}
	ck_assert_ptr_null(ctl_next_reply(fd, 100)); /* not a line yet */
	ctl_send_str(fd, "sion\", \"id\": 3}\n");
	r = ctl_next_reply(fd, 5000);
	ck_assert_int_eq(json_integer_value(get(r, "id")), 3);
	ctl_assert_ok(r);
	/* Deep nesting stays a parse error, not a crash. */
	{
		char deep[20001];

		memset(deep, '[', 20000);
		deep[20000] = 0;
		ctl_send_str(fd, deep);
		ctl_send_str(fd, "\n");
		ctl_assert_error(ctl_next_reply(fd, 5000), "GenericError",
				 "parse error");
	}
	ctl_assert_ok(ctl_cmd(fd, "{\"execute\": \"query-status\"}"));
	ctl_client_close(fd);
	ck_assert_int_eq(ctl_test_quit(&t), 0);
	ctl_test_done(&t);
}
END_TEST

/* A line longer than the limit: one error, skipped up to its newline,
 * then the next command is answered as usual. */
START_TEST(test_oversized_line)
{
	const size_t big = 3 * CTL_LINE_MAX + 123;
	char *junk = malloc(big);
	struct ctl_test t;
	json_t *r;
	int fd;

	memset(junk, 'x', big);
	memcpy(junk, "{\"execute\": \"query-status\", \"id\": \"", 36);
	ctl_test_start(&t, "--pool", "64M", NULL);
	fd = ctl_client(&t);
	ctl_send(fd, junk, big);
	ctl_assert_error(ctl_next_reply(fd, 5000), "GenericError",
			 "line longer");
	ctl_send_str(fd, "\"}\n");
	r = ctl_cmd(fd, "{\"execute\": \"query-version\", \"id\": 5}");
	ck_assert_int_eq(json_integer_value(get(r, "id")), 5);
	ctl_assert_ok(r);
	/* Nothing else came: the skipped line got one error only. */
	ck_assert_ptr_null(ctl_next_reply(fd, 200));
	ctl_client_close(fd);
	free(junk);
	ck_assert_int_eq(ctl_test_quit(&t), 0);
	ctl_test_done(&t);
}
END_TEST

/*
 * A client that sends commands and never reads is dropped once its
 * unread replies pass the limit; one that vanishes mid-reply or resets
 * the connection is just gone.  Another client sees nothing of it.
 */
START_TEST(test_bad_clients_dropped)
{
	const char *cmd = "{\"execute\": \"query-stats\"}\n";
	struct ctl_test t;
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int good, deaf, gone;
	long sent = 0;

	ctl_test_start(&t, "--pool", "64M", "--nodes", "4", NULL);
	good = ctl_client(&t);
	deaf = ctl_client(&t);
	/* About 20 KiB a reply: well past the 1 MiB limit. */
	while (sent < 4000) {
		ssize_t n = send(deaf, cmd, strlen(cmd),
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EAGAIN) {
			usleep(1000);
			continue;
		}
		if (n < 0)
			break; /* dropped already */
		sent++;
		if (!(sent % 200))
			ctl_assert_ok(ctl_cmd(good, "{\"execute\": "
						    "\"query-version\"}"));
	}
	ck_assert(ctl_closed(deaf, 10000));
	ctl_client_close(deaf);

	for (int i = 0; i < 20; i++) {
		gone = ctl_client(&t);
		ctl_send_str(gone, cmd);
		if (i % 2)
			setsockopt(gone, SOL_SOCKET, SO_LINGER, &lg,
				   sizeof(lg));
		ctl_client_close(gone); /* mid-reply; every other one resets */
	}
	ctl_assert_ok(ctl_cmd(good, "{\"execute\": \"query-stats\"}"));
	ctl_client_close(good);
	ck_assert_int_eq(ctl_test_quit(&t), 0);
	ctl_test_done(&t);
}
END_TEST

static int raw_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, path);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/*
 * 32 clients: events reach them; a 33rd takes the place of the one idle
 * longest, which is told why.  At most 31 watch events, so a place stays
 * for commands: with 31 watchers, newcomers still get in.  A client that
 * shuts down its sending side still gets its replies.
 */
START_TEST(test_many_clients)
{
	int fd[CTL_MAX_CLIENTS], extra;
	struct ctl_test t;
	char cmd[256];
	json_t *r;

	ctl_test_start(&t, "--pool", "64M", NULL);
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		fd[i] = ctl_client(&t);
	snprintf(cmd, sizeof(cmd), "%s/trace", t.dir);
	ctl_assert_ok(ctl_trace_start(fd[1], cmd));
	for (int i = 0; i < 2; i++) {
		r = ctl_event(fd[i], "TRACE", 5000);
		ck_assert_ptr_nonnull(r);
		json_decref(r);
	}
	ctl_assert_ok(ctl_cmd(fd[0], "{\"execute\": \"trace-stop\"}"));
	r = ctl_event(fd[1], "TRACE", 5000);
	ck_assert_str_eq(json_string_value(get(get(r, "data"), "state")),
			 "off");
	json_decref(r);

	/* All places taken: fd[2], silent since it came, makes room. */
	extra = ctl_client(&t);
	ctl_assert_error(ctl_next_reply(fd[2], 5000), "GenericError",
			 "a new client needs its place");
	ck_assert(ctl_closed(fd[2], 5000));
	ctl_client_close(fd[2]);
	ctl_assert_ok(ctl_cmd(extra, "{\"execute\": \"query-status\"}"));
	fd[2] = extra;

	/* 31 watch; the 32nd may not, and newcomers get in all the same. */
	for (int i = 0; i < CTL_MAX_WATCHERS; i++)
		ctl_assert_ok(
			ctl_cmd(fd[i], "{\"execute\": \"watch-events\"}"));
	ctl_assert_error(ctl_cmd(fd[CTL_MAX_CLIENTS - 1],
				 "{\"execute\": \"watch-events\"}"),
			 "GenericError", "a place stays for commands");
	for (int i = 0; i < 3; i++) {
		extra = ctl_client(&t);
		ctl_assert_ok(
			ctl_cmd(extra, "{\"execute\": \"query-version\"}"));
		ctl_client_close(extra);
	}
	/* The watchers are all still there. */
	for (int i = 0; i < CTL_MAX_WATCHERS; i++)
		ctl_assert_ok(
			ctl_cmd(fd[i], "{\"execute\": \"query-version\"}"));
	for (int i = 2; i < CTL_MAX_CLIENTS; i++)
		ctl_client_close(fd[i]);

	ctl_send_str(fd[0], "{\"execute\": \"query-version\", \"id\": 1}\n");
	shutdown(fd[0], SHUT_WR);
	r = ctl_next_reply(fd[0], 5000);
	ck_assert_int_eq(json_integer_value(get(r, "id")), 1);
	ctl_assert_ok(r);
	ck_assert(ctl_closed(fd[0], 5000));
	ctl_client_close(fd[0]);
	ctl_client_close(fd[1]);
	ck_assert_int_eq(ctl_test_quit(&t), 0);
	ctl_test_done(&t);
}
END_TEST

/* Everything fd receives until the server closes it (3 s at most). */
static char *until_closed(int fd)
{
	static char buf[4096];
	size_t len = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	while (len < sizeof(buf) - 1 && poll(&p, 1, 3000) > 0 &&
	       (n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0)) > 0)
		len += n;
	buf[len] = 0;
	ck_assert_msg(poll(&p, 1, 0) > 0 && recv(fd, &n, 1, MSG_DONTWAIT) <= 0,
		      "still connected after: %s", buf);
	return buf;
}

/*
 * Nobody locks management out: with every place taken by connections
 * that say nothing and by ones that trickle a byte every 200 ms, and
 * watchers besides, commands get in at once (the newcomer takes the
 * place of the one idle longest).  A line must be complete 5 s after its
 * first byte and a new connection must speak within 5 s: the tricklers
 * and the silent ones are all gone then, each told why, while the
 * watchers stay.
 */
#define NR_SILENT 16
#define NR_TRICKLE 16
#define NR_WATCH 6

START_TEST(test_lockout)
{
	int silent[NR_SILENT], trickle[NR_TRICKLE], watch[NR_WATCH];
	int told_line = 0, told_silent = 0;
	struct ctl_test t;
	struct timespec t0, t1;

	ctl_test_start(&t, "--pool", "64M", NULL);
	for (int i = 0; i < NR_WATCH; i++)
		watch[i] = ctl_watcher(&t);
	/* 6 + 32 + a command each round: more than the 32 places. */
	for (int i = 0; i < NR_SILENT; i++)
		silent[i] = raw_connect(t.path);
	for (int i = 0; i < NR_TRICKLE; i++)
		trickle[i] = raw_connect(t.path);
	for (int round = 0; round < 35; round++) {
		for (int i = 0; i < NR_TRICKLE; i++)
			send(trickle[i], round ? " " : "{", 1, MSG_NOSIGNAL);
		if (round < 10) {
			int fd;

			clock_gettime(CLOCK_MONOTONIC, &t0);
			fd = ctl_client(&t);
			ctl_assert_ok(ctl_cmd(fd, "{\"execute\": "
						  "\"query-status\"}"));
			clock_gettime(CLOCK_MONOTONIC, &t1);
			ck_assert_int_lt((t1.tv_sec - t0.tv_sec) * 1000 +
						 (t1.tv_nsec - t0.tv_nsec) /
							 1000000,
					 1000);
			ctl_client_close(fd);
		}
		usleep(200000);
	}
	/* 7 s on: every trickler and silent one is gone, told why. */
	for (int i = 0; i < NR_TRICKLE + NR_SILENT; i++) {
		int fd = i < NR_TRICKLE ? trickle[i] : silent[i - NR_TRICKLE];
		char *why = until_closed(fd);

		if (strstr(why, "within 5 s of its first byte"))
			told_line++;
		else if (strstr(why, "no command within 5 s of connecting"))
			told_silent++;
		else
			ck_assert_msg(strstr(why, "needs its place"), "%s",
				      why);
		close(fd);
	}
	ck_assert_int_gt(told_line, 0);
	ck_assert_int_gt(told_silent, 0);
	for (int i = 0; i < NR_WATCH; i++) {
		ctl_assert_ok(ctl_cmd(watch[i], "{\"execute\": "
						"\"query-version\"}"));
		ctl_client_close(watch[i]);
	}
	ck_assert_int_eq(ctl_test_quit(&t), 0);
	ctl_test_done(&t);
}
END_TEST

static void bind_stale(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(sa.sun_path, path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd); /* the file stays, nobody listens: stale */
}

static void assert_log(struct ctl_test *t, const char *what)
{
	char *log = ctl_test_log(t);

	ck_assert_msg(strstr(log, what), "no '%s' in: %s", what, log);
	free(log);
}

/*
 * The socket file: mode 0600, removed at the end; a stale one replaced,
 * a live one left to its owner, anything else refused; the default path
 * in a private directory made for it, and an unsafe directory refused.
 */
START_TEST(test_socket_file)
{
	struct ctl_test t, other;
	const char *args[] = { "--socket", NULL,  "--console", "off",
			       "--pool",   "32M", NULL };
	const char *dargs[] = { "--console", "off", "--pool", "32M", NULL };
	char path[192];
	struct stat st;
	FILE *f;
	int fd;

	ctl_test_init(&t);
	args[1] = t.path;
	bind_stale(t.path);
	ctl_test_spawn(&t, args);
	ctl_test_listening(&t);
	ck_assert_int_eq(lstat(t.path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0600);

	/* Live: a second vmm on the same path gives up, the first lives. */
	other = t;
	snprintf(other.log, sizeof(other.log), "%s/log2", t.dir);
	ctl_test_spawn(&other, args);
	ck_assert_int_eq(ctl_test_wait(&other), 2);
	snprintf(path, sizeof(path), "another vmm is serving %s", t.path);
	assert_log(&other, path);
	fd = ctl_client(&t);
	ctl_assert_ok(ctl_cmd(fd, "{\"execute\": \"query-status\"}"));
	ctl_client_close(fd);

	/* A vmm killed outright leaves its socket: the next one replaces
	 * it. */
	ck_assert_int_eq(kill(t.pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(t.pid, NULL, 0), t.pid);
	ck_assert_int_eq(lstat(t.path, &st), 0);
	ctl_test_spawn(&t, args);
	ctl_test_listening(&t);
	fd = ctl_client(&t);
	ctl_assert_ok(ctl_cmd(fd, "{\"execute\": \"query-status\"}"));
	ctl_client_close(fd);
	ck_assert_int_eq(ctl_test_quit(&t), 0);
	ck_assert_int_ne(lstat(t.path, &st), 0); /* removed at the end */

	/* Not a socket: refused, the file untouched. */
	f = fopen(t.path, "w");
	fputs("precious", f);
	fclose(f);
	ctl_test_spawn(&t, args);
	ck_assert_int_eq(ctl_test_wait(&t), 2);
	assert_log(&t, "exists and is not a socket");
	ck_assert_int_eq(stat(t.path, &st), 0);
	ck_assert_int_eq(st.st_size, 8);

	/* The default path under $XDG_RUNTIME_DIR: vmm/ made 0700. */
	setenv("XDG_RUNTIME_DIR", t.dir, 1);
	unsetenv("VMM_SOCKET");
	snprintf(t.path, sizeof(t.path), "%s/vmm/vmm.sock", t.dir);
	ctl_test_spawn(&t, dargs);
	ctl_test_listening(&t);
	ck_assert_int_eq(lstat(t.path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/vmm", t.dir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	ck_assert_int_eq(ctl_test_quit(&t), 0);

	/* ... and that directory, once others may enter it, is not used. */
	ck_assert_int_eq(chmod(path, 0755), 0);
	ctl_test_spawn(&t, dargs);
	ck_assert_int_eq(ctl_test_wait(&t), 2);
	assert_log(&t, "not a private directory");
	unsetenv("XDG_RUNTIME_DIR");
	ctl_test_done(&t);
}
END_TEST

Suite *ctl_socket_suite(void)
{
	Suite *s = suite_create("ctl_socket");
	TCase *tc = tcase_create("socket");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_oversized_line);
	tcase_add_test(tc, test_bad_clients_dropped);
	tcase_add_test(tc, test_many_clients);
	tcase_add_test(tc, test_lockout);
	tcase_add_test(tc, test_socket_file);
	suite_add_tcase(s, tc);
	return s;
}
