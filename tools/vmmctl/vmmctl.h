/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmmctl: control a running vmm (vmm host, or vmm run --socket) over its
 * control socket.  One file per subcommand (cmd_*.c), like kvmtool's
 * builtin-*.c; this header is what they share.
 *
 * Exit status: 0 done; 1 vmm refused or the operation failed (an error
 * reply, a guest that ended badly, a time-out); 2 bad usage; 3 no vmm to
 * talk to (no socket, connection lost).
 */
#ifndef TOOLS_VMMCTL_VMMCTL_H
#define TOOLS_VMMCTL_VMMCTL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "tools/vmmctl/client.h"

enum {
	VMMCTL_OK = 0,
	VMMCTL_FAILED = 1,
	VMMCTL_USAGE = 2,
	VMMCTL_NO_SERVER = 3,
};

struct vmmctl {
	const char *socket;
	bool json; /* --json: machine-readable output */
	int timeout_ms; /* for replies and waits */
	bool connected;
	struct ctl_conn conn;
};

struct vmmctl_cmd {
	const char *name;
	/* argv[0] is the command's name; returns the exit status. */
	int (*run)(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
		   char **argv);
	const char *args; /* synopsis after the name */
	const char *summary; /* one line, for `vmmctl --help` */
	const char *help; /* the rest of `vmmctl NAME --help` */
};

/* The subcommands (cmd_*.c). */
int cmd_status(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
	       char **argv);
int cmd_version(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
		char **argv);
int cmd_list(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
	     char **argv);
int cmd_launch(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
	       char **argv);
int cmd_stop(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
	     char **argv);
int cmd_kill(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
	     char **argv);
int cmd_balloon(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
		char **argv);
int cmd_compact(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
		char **argv);
int cmd_stats(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
	      char **argv);
int cmd_check(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
	      char **argv);
int cmd_trace(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
	      char **argv);
int cmd_watch(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
	      char **argv);
int cmd_trigger(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
		char **argv);
int cmd_quit(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
	     char **argv);
int cmd_raw(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
	    char **argv);

/* Connect once; prints why not (returns VMMCTL_NO_SERVER). */
int vmmctl_connect(struct vmmctl *v);
/*
 * Run a command (args stolen).  VMMCTL_OK with *ret; on an error reply
 * or a lost connection the message is printed as "vmmctl NAME: ..." and
 * the exit status returned.
 */
int vmmctl_exec(struct vmmctl *v, const char *name, const char *cmd,
		json_t *args, json_t **ret);
/*
 * A command of no arguments that shows what one query answers: the
 * reply as JSON with --json, else printed by print().
 */
int vmmctl_query(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
		 const char *execute, void (*print)(json_t *reply));
/*
 * This connection is going to wait for events (watch-events): vmm then
 * keeps it however long nothing is sent, and sends only the events
 * named (an array of names, stolen; NULL: all).  A refusal is printed
 * and returned as vmmctl_exec() does.
 */
int vmmctl_watch_events(struct vmmctl *v, const char *name, json_t *events);
/* "vmmctl NAME: msg" and the hint to --help; returns VMMCTL_USAGE. */
int vmmctl_usage(const struct vmmctl_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prints the command's help if argv asks for it (-h, --help). */
bool vmmctl_help_asked(const struct vmmctl_cmd *cmd, int argc, char **argv);
void vmmctl_print_help(const struct vmmctl_cmd *cmd);

/* Output helpers (format.c). */
void print_json(json_t *j); /* one line */
const char *fmt_size(uint64_t bytes, char *buf, size_t len); /* "64M" */
const char *fmt_json_size(json_t *bytes, char *buf, size_t len);
/* A GUEST argument: digits are an id, anything else a name. */
json_t *guest_ref(const char *arg);
/* Wait for GUEST_STOPPED of guest id; print it; VMMCTL_OK if it ended
 * well (guest exit, status 0, integrity not failed) or stopping was the
 * point (want_stop), else VMMCTL_FAILED. */
int wait_guest_stopped(struct vmmctl *v, const char *name, json_int_t id,
		       bool want_stop);
/* An event, as one line of text (or JSON with --json). */
void print_event(struct vmmctl *v, json_t *ev);
/* The guest table of `list` and `stats`. */
void print_guest_table(json_t *guests);

#endif /* TOOLS_VMMCTL_VMMCTL_H */
