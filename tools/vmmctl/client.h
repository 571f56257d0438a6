/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A client of vmm's control socket (docs/control.md), for vmmctl and any
 * tool that drives a running vmm: connect (the greeting is checked),
 * execute commands and get their replies, read events.
 *
 * Events that arrive while a reply is awaited are kept, in order, for
 * ctl_next_event(): nothing is lost between a command and the events it
 * causes.
 */
#ifndef TOOLS_VMMCTL_CLIENT_H
#define TOOLS_VMMCTL_CLIENT_H

#include <jansson.h>
#include <stddef.h>

struct ctl_conn {
	int fd;
	char *buf; /* received, not yet parsed */
	size_t len, cap;
	int timeout_ms; /* for a reply; -1: forever */
	long long next_id;
	json_t *greeting;
	json_t *events; /* array: received while waiting for a reply */
};

#define CTL_ERR_LEN 512

/* 0, or -errno with the reason in err (no server, not vmm, ...). */
int ctl_connect(struct ctl_conn *c, const char *path, int timeout_ms, char *err,
		size_t errlen);
void ctl_close(struct ctl_conn *c);

/*
 * Run cmd with args (stolen; NULL: none).  0: *ret is the "return" value;
 * 1: the server answered with an error, *ret is its {"class", "desc"};
 * -errno: no answer (connection lost, time-out), reason in err.
 */
int ctl_execute(struct ctl_conn *c, const char *cmd, json_t *args, json_t **ret,
		char *err, size_t errlen);
/* Send one line as is and return the first reply (not an event) after
 * it: for raw access.  Same results as ctl_execute, *ret the message. */
int ctl_execute_raw(struct ctl_conn *c, const char *line, json_t **ret,
		    char *err, size_t errlen);
/*
 * The next event, kept or new, waiting up to timeout_ms (-1: forever).
 * 0: *ev set; -ETIMEDOUT; -EPIPE: the server closed the connection;
 * other -errno with err.
 */
int ctl_next_event(struct ctl_conn *c, int timeout_ms, json_t **ev, char *err,
		   size_t errlen);

#endif /* TOOLS_VMMCTL_CLIENT_H */
