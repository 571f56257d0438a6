/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the control socket suites: a `vmm host` (vmm_run with the
 * host options, parsed as the command line would be) in a child process,
 * and raw clients that send exactly the bytes a test wants.
 */
#ifndef TESTS_CTL_TEST_H
#define TESTS_CTL_TEST_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

struct ctl_test {
	pid_t pid;
	char dir[64]; /* a private temporary directory */
	char path[128]; /* the socket: dir/s */
	char log[128]; /* the child's stdout and stderr: dir/log */
};

/* A private directory, the socket and log paths in it. */
void ctl_test_init(struct ctl_test *t);
/*
 * ctl_test_init, then `vmm host --socket dir/s --console off ARGS...`
 * (NULL-ended) in a child, and wait until it listens.
 */
void ctl_test_start(struct ctl_test *t, ...) __attribute__((sentinel));
/* Just the child, with exactly these options (NULL-ended). */
void ctl_test_spawn(struct ctl_test *t, const char *const *args);
/* Wait until t->path takes connections (20 s at most). */
void ctl_test_listening(struct ctl_test *t);
/* Its exit status (waits up to 20 s, then kills it: -1). */
int ctl_test_wait(struct ctl_test *t);
/* quit over the socket, then ctl_test_wait. */
int ctl_test_quit(struct ctl_test *t);
/* Remove the directory. */
void ctl_test_done(struct ctl_test *t);
/* The log so far (malloc'd). */
char *ctl_test_log(struct ctl_test *t);

/* A client: connected, greeting read (and checked); returns the fd. */
int ctl_client(struct ctl_test *t);
int ctl_client_at(const char *path);
/* A client that only listens: it has sent watch-events (so vmm keeps it
 * with nothing more to send). */
int ctl_watcher(struct ctl_test *t);
/* Send bytes as they are. */
void ctl_send(int fd, const void *buf, size_t len);
void ctl_send_str(int fd, const char *s);
/* The next line as JSON (NULL at EOF or after timeout_ms). */
json_t *ctl_read(int fd, int timeout_ms);
/* The next message that is not an event (events are kept: see below). */
json_t *ctl_next_reply(int fd, int timeout_ms);
/* Send one line, return its reply (not an event). */
json_t *ctl_cmd(int fd, const char *line);
/* trace-start to path: its reply. */
json_t *ctl_trace_start(int fd, const char *path);
/* The next event named name within timeout_ms (NULL if none); others
 * stay for later calls.  ctl_event_of: only one about guest id. */
json_t *ctl_event(int fd, const char *name, int timeout_ms);
json_t *ctl_event_of(int fd, const char *name, long long id, int timeout_ms);
/* Reply is {"return": ...} / {"error": {"class": cls, ...}}. */
void ctl_assert_ok(json_t *reply);
void ctl_assert_error(json_t *reply, const char *cls, const char *desc_part);
/* The connection ends (EOF or reset) within timeout_ms. */
bool ctl_closed(int fd, int timeout_ms);
void ctl_client_close(int fd);

/* Guests through the socket.  ctl_launch: guest-launch with args (JSON
 * text), its id (asserted).  ctl_guest_cmd: {"execute": cmd, "arguments":
 * {"guest": id}}, its reply.  ctl_stopped: the GUEST_STOPPED of guest id
 * as fd sees it (asserted); ctl_assert_stopped: its reason and integrity
 * (and the event freed); ctl_assert_detail: its detail holds part. */
json_int_t ctl_launch(int fd, const char *args);
json_t *ctl_guest_cmd(int fd, const char *cmd, json_int_t id);
json_t *ctl_stopped(int fd, json_int_t id);
void ctl_assert_stopped(json_t *ev, const char *reason, const char *integrity);
void ctl_assert_detail(json_t *ev, const char *part);
/* Guest id in a query-guests list, or NULL. */
json_t *ctl_guest_in(json_t *list, json_int_t id);
/* Wait until guest id has faulted in at least bytes (10 s at most). */
void ctl_wait_faulted(int fd, json_int_t id, json_int_t bytes);

#endif /* TESTS_CTL_TEST_H */
