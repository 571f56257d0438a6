// SPDX-License-Identifier: GPL-2.0
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/vmm/ctl_test.h"
#include "vmm/config/options.h"
#include "vmm/cli/run.h"

/* Lines received but not consumed yet, per fd (tests use few fds). */
#define MAX_FD 1024
static struct {
	char *buf;
	size_t len, cap;
	json_t *kept; /* events read while looking for a reply */
} conn[MAX_FD];

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

void ctl_test_init(struct ctl_test *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->dir, sizeof(t->dir), "/tmp/vmm-ctl-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/s", t->dir);
	snprintf(t->log, sizeof(t->log), "%s/log", t->dir);
}

void ctl_test_spawn(struct ctl_test *t, const char *const *args)
{
	char *argv[64];
	int n = 0;

	argv[n++] = "host";
	while (*args && n < 62)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;
	fflush(NULL);
	t->pid = fork();
	ck_assert_int_ge(t->pid, 0);
	if (!t->pid) {
		static struct vmm_config cfg;
		char err[OPTIONS_ERR_MAX];
		int fd = open(t->log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		/* Never outlive the test, whatever happens to it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
		if (options_parse_host(n, argv, &cfg, err, sizeof(err))) {
			fprintf(stderr, "vmm host: %s\n", err);
			_exit(2);
		}
		fd = vmm_run(&cfg);
		options_free(&cfg);
		/* exit, not _exit: leak checkers run at exit. */
		exit(fd);
	}
}

void ctl_test_start(struct ctl_test *t, ...)
{
	const char *args[48];
	int n = 0;
	va_list ap;

	ctl_test_init(t);
	args[n++] = "--socket";
	args[n++] = t->path;
	args[n++] = "--console";
	args[n++] = "off";
	va_start(ap, t);
	for (const char *a; (a = va_arg(ap, const char *)) && n < 46;)
		args[n++] = a;
	va_end(ap);
	args[n] = NULL;
	ctl_test_spawn(t, args);
	ctl_test_listening(t);
}

void ctl_test_listening(struct ctl_test *t)
{
	/* Listening once the socket greets a connection (a connection
	 * alone may be taken by the listener of a vmm just killed). */
	for (long long end = now_ms() + 20000; now_ms() < end;) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char c;
		int ok;

		strcpy(sa.sun_path, t->path);
		ok = !connect(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
		     poll(&p, 1, 200) > 0 && recv(fd, &c, 1, 0) == 1;
		close(fd);
		if (ok)
			return;
		ck_assert_msg(waitpid(t->pid, NULL, WNOHANG) == 0,
			      "vmm host ended: %s", ctl_test_log(t));
		usleep(5000);
	}
	ck_abort_msg("vmm host did not listen on %s", t->path);
}

int ctl_test_wait(struct ctl_test *t)
{
	int status;

	for (long long end = now_ms() + 20000; now_ms() < end;) {
		pid_t p = waitpid(t->pid, &status, WNOHANG);

		if (p == t->pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		usleep(5000);
	}
	kill(t->pid, SIGKILL);
	waitpid(t->pid, NULL, 0);
	return -1;
}

char *ctl_test_log(struct ctl_test *t)
{
	FILE *f = fopen(t->log, "re");
	char *buf = calloc(1, 1 << 20);

	if (f && buf)
		buf[fread(buf, 1, (1 << 20) - 1, f)] = 0;
	if (f)
		fclose(f);
	return buf;
}

int ctl_test_quit(struct ctl_test *t)
{
	int fd = ctl_client(t);

	ctl_assert_ok(ctl_cmd(fd, "{\"execute\": \"quit\"}"));
	ck_assert(ctl_closed(fd, 20000));
	ctl_client_close(fd);
	return ctl_test_wait(t);
}

void ctl_test_done(struct ctl_test *t)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", t->dir);
	if (system(cmd)) {
		/* a leftover temporary directory */
	}
}

int ctl_client_at(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	json_t *hello;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_lt(fd, MAX_FD);
	strcpy(sa.sun_path, path);
	ck_assert_msg(!connect(fd, (struct sockaddr *)&sa, sizeof(sa)),
		      "connect %s: %s", path, strerror(errno));
	conn[fd].len = 0;
	conn[fd].kept = json_array();
	hello = ctl_read(fd, 10000);
	ck_assert_ptr_nonnull(hello);
	ck_assert_ptr_nonnull(json_object_get(
		json_object_get(json_object_get(hello, "QMP"), "version"),
		"vmm"));
	json_decref(hello);
	return fd;
}

int ctl_client(struct ctl_test *t)
{
	return ctl_client_at(t->path);
}

int ctl_watcher(struct ctl_test *t)
{
	int fd = ctl_client(t);

	ctl_assert_ok(ctl_cmd(fd, "{\"execute\": \"watch-events\"}"));
	return fd;
}

void ctl_send(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		ck_assert_msg(n > 0, "send: %s", strerror(errno));
		p += n;
		len -= n;
	}
}

void ctl_send_str(int fd, const char *s)
{
	ctl_send(fd, s, strlen(s));
}

/* The next raw line (malloc'd), NULL at EOF or time-out. */
static char *read_line(int fd, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;

	for (;;) {
		char *nl = conn[fd].len ?
				   memchr(conn[fd].buf, '\n', conn[fd].len) :
				   NULL;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (nl) {
			size_t len = nl - conn[fd].buf;
			char *line = strndup(conn[fd].buf, len);

			memmove(conn[fd].buf, nl + 1, conn[fd].len - len - 1);
			conn[fd].len -= len + 1;
			return line;
		}
		if (conn[fd].len == conn[fd].cap) {
			conn[fd].cap = conn[fd].cap ? conn[fd].cap * 2 : 65536;
			conn[fd].buf = realloc(conn[fd].buf, conn[fd].cap);
		}
		if (now_ms() >= end || poll(&p, 1, end - now_ms()) <= 0)
			return NULL;
		n = recv(fd, conn[fd].buf + conn[fd].len,
			 conn[fd].cap - conn[fd].len, 0);
		if (n <= 0)
			return NULL;
		conn[fd].len += n;
	}
}

json_t *ctl_read(int fd, int timeout_ms)
{
	char *line = read_line(fd, timeout_ms);
	json_error_t err;
	json_t *j;

	if (!line)
		return NULL;
	j = json_loads(line, 0, &err);
	ck_assert_msg(j, "the server sent bad JSON: %s (%s)", line, err.text);
	free(line);
	return j;
}

json_t *ctl_next_reply(int fd, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;

	for (;;) {
		json_t *m = ctl_read(fd, end - now_ms());

		if (!m || !json_object_get(m, "event"))
			return m;
		json_array_append_new(conn[fd].kept, m);
	}
}

json_t *ctl_cmd(int fd, const char *line)
{
	json_t *r;

	ctl_send_str(fd, line);
	ctl_send_str(fd, "\n");
	r = ctl_next_reply(fd, 20000);
	ck_assert_msg(r, "no reply to %s", line);
	return r;
}

json_t *ctl_trace_start(int fd, const char *path)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "{\"execute\": \"trace-start\", \"arguments\": "
		 "{\"file\": \"%s\"}}",
		 path);
	return ctl_cmd(fd, cmd);
}

static bool is_event(json_t *m, const char *name, long long id)
{
	json_t *ev = json_object_get(m, "event");

	return json_is_string(ev) && !strcmp(json_string_value(ev), name) &&
	       (id < 0 || json_integer_value(json_object_get(
				  json_object_get(m, "data"), "id")) == id);
}

json_t *ctl_event_of(int fd, const char *name, long long id, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	json_t *m;
	size_t i;

	json_array_foreach(conn[fd].kept, i, m)
		if (is_event(m, name, id)) {
			json_incref(m);
			json_array_remove(conn[fd].kept, i);
			return m;
		}
	for (;;) {
		m = ctl_read(fd, end - now_ms());
		if (!m || is_event(m, name, id))
			return m;
		json_array_append_new(conn[fd].kept, m);
	}
}

json_t *ctl_event(int fd, const char *name, int timeout_ms)
{
	return ctl_event_of(fd, name, -1, timeout_ms);
}

void ctl_assert_ok(json_t *reply)
{
	char *s = json_dumps(reply, JSON_COMPACT);

	ck_assert_msg(json_object_get(reply, "return"), "not a success: %s", s);
	free(s);
	json_decref(reply);
}

void ctl_assert_error(json_t *reply, const char *cls, const char *desc_part)
{
	json_t *e = json_object_get(reply, "error");
	const char *desc = json_string_value(json_object_get(e, "desc"));
	char *s = json_dumps(reply, JSON_COMPACT);

	ck_assert_msg(
		e &&
			!strcmp(json_string_value(json_object_get(e, "class")),
				cls) &&
			desc && strstr(desc, desc_part),
		"expected %s '%s', got %s", cls, desc_part, s);
	free(s);
	json_decref(reply);
}

bool ctl_closed(int fd, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	char buf[4096];

	while (now_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, end - now_ms()) <= 0)
			return false;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return true;
	}
	return false;
}

void ctl_client_close(int fd)
{
	close(fd);
	free(conn[fd].buf);
	json_decref(conn[fd].kept);
	memset(&conn[fd], 0, sizeof(conn[fd]));
}

/* Guests through the socket (ctl_test.h). */

json_int_t ctl_launch(int fd, const char *args)
{
	char line[512];
	json_t *r;
	json_int_t id;

	snprintf(line, sizeof(line),
		 "{\"execute\": \"guest-launch\", \"arguments\": %s}", args);
	r = ctl_cmd(fd, line);
	id = json_integer_value(
		json_object_get(json_object_get(r, "return"), "id"));
	ck_assert_msg(id > 0, "%s",
		      json_string_value(json_object_get(
			      json_object_get(r, "error"), "desc")));
	json_decref(r);
	return id;
}

/* {"execute": cmd, "arguments": {"guest": id}}: its reply. */
json_t *ctl_guest_cmd(int fd, const char *cmd, json_int_t id)
{
	char line[256];

	snprintf(line, sizeof(line),
		 "{\"execute\": \"%s\", \"arguments\": {\"guest\": %lld}}", cmd,
		 (long long)id);
	return ctl_cmd(fd, line);
}

/* The GUEST_STOPPED of guest id, as fd sees it. */
json_t *ctl_stopped(int fd, json_int_t id)
{
	json_t *ev = ctl_event_of(fd, "GUEST_STOPPED", id, 30000);

	ck_assert_msg(ev, "no GUEST_STOPPED for guest %lld", (long long)id);
	return ev;
}

void ctl_assert_stopped(json_t *ev, const char *reason, const char *integrity)
{
	json_t *d = json_object_get(ev, "data");

	ck_assert_str_eq(json_string_value(json_object_get(d, "reason")),
			 reason);
	ck_assert_str_eq(json_string_value(json_object_get(d, "integrity")),
			 integrity);
	ck_assert_int_gt(json_integer_value(json_object_get(
				 json_object_get(ev, "timestamp"), "seconds")),
			 1600000000);
	json_decref(ev);
}

void ctl_assert_detail(json_t *ev, const char *part)
{
	const char *d = json_string_value(
		json_object_get(json_object_get(ev, "data"), "detail"));

	ck_assert_msg(d && strstr(d, part), "detail '%s' lacks '%s'", d, part);
}

json_t *ctl_guest_in(json_t *list, json_int_t id)
{
	size_t i;
	json_t *g;

	json_array_foreach(list, i, g)
		if (json_integer_value(json_object_get(g, "id")) == id)
			return g;
	return NULL;
}

/* Wait until guest id has faulted in at least bytes: its script is
 * past its first commands (`power deaf` among them). */
void ctl_wait_faulted(int fd, json_int_t id, json_int_t bytes)
{
	for (int i = 0;; i++) {
		json_t *r = ctl_cmd(fd, "{\"execute\": \"query-guests\"}");
		json_t *g = ctl_guest_in(json_object_get(r, "return"), id);
		json_int_t n = g ? json_integer_value(json_object_get(
					   json_object_get(g, "memory"),
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
