/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket's commands, between the server (server.c) and
 * the files that implement them: cmds.c (the protocol and the host),
 * guests.c, stats.c, pressure.c.  A command is a name, its arguments and a
 * handler.  The server checks the arguments against the table (unknown,
 * missing and mistyped ones are errors) before the handler runs, so a
 * handler only reads values of the types it declared.
 *
 * A handler returns 0 with its result in *ret (NULL: an empty object),
 * -1 with e filled in, or CTL_DEFERRED after ctl_req_hold(): the reply
 * comes later through ctl_reply() (work done off the loop).
 *
 * Context: the event loop's thread, for handlers and replies alike.
 */
#ifndef VMM_CTL_CMD_H
#define VMM_CTL_CMD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vmm/ctl/ctl.h"
#include "vmm/host/events.h"

/* The classes of QMP that apply here. */
enum ctl_error_class {
	CTL_ERR_GENERIC, /* GenericError: bad input, refused, failed */
	CTL_ERR_COMMAND_NOT_FOUND, /* CommandNotFound */
	CTL_ERR_DEVICE_NOT_FOUND, /* DeviceNotFound: no such guest */
};

#define CTL_DESC_MAX 320

struct ctl_error {
	enum ctl_error_class cls;
	char desc[CTL_DESC_MAX];
};

/* Fill e; returns -1 (a handler's error return). */
int ctl_fail(struct ctl_error *e, enum ctl_error_class cls, const char *fmt,
	     ...) __attribute__((format(printf, 3, 4)));
const char *ctl_error_class_name(enum ctl_error_class cls);

enum ctl_arg_type {
	CTL_ARG_STRING,
	CTL_ARG_INT,
	CTL_ARG_BOOL,
	CTL_ARG_SIZE, /* bytes: an integer >= 0, or a string like "64M" */
	CTL_ARG_GUEST, /* a guest: its id (integer) or its name (string) */
	CTL_ARG_STRINGS, /* an array of strings */
	CTL_ARG_DURATION, /* seconds: an integer >= 0, or a string "500ms" */
};

struct ctl_arg {
	const char *name;
	enum ctl_arg_type type;
	bool optional;
};

/* A command being answered: who asked, and the id to echo. */
struct ctl_req {
	struct ctl_server *s;
	unsigned int client; /* never reused, so a late reply finds no one */
	json_t *id; /* NULL: none */
};

#define CTL_DEFERRED 1

typedef int (*ctl_cmd_fn)(struct ctl_req *req, json_t *args, json_t **ret,
			  struct ctl_error *e);

struct ctl_cmd {
	const char *name;
	ctl_cmd_fn fn;
	const struct ctl_arg *args; /* ends with { NULL } */
	const char *help; /* one line, for query-commands */
	/* Optional arguments beyond args, named by a table elsewhere
	 * (guest-launch: the guest SPEC keys): false for no such name. */
	bool (*more_args)(const char *name, struct ctl_arg *out);
};

/* The tables, each ending with { NULL }. */
extern const struct ctl_cmd ctl_core_cmds[];
extern const struct ctl_cmd ctl_guest_cmds[];
extern const struct ctl_cmd ctl_stats_cmds[];
extern const struct ctl_cmd ctl_validate_cmds[];
extern const struct ctl_cmd ctl_pressure_cmds[];

const struct ctl_cmd *ctl_cmd_find(const char *name);
/* Check args (an object, or NULL for none) against cmd's table. */
int ctl_check_args(const struct ctl_cmd *cmd, json_t *args,
		   struct ctl_error *e);
/*
 * A report printed to a FILE, as one JSON string: ctl_text_open() gives
 * the FILE (NULL: out of memory), ctl_text_close() the string (NULL:
 * out of memory).
 */
struct ctl_text {
	char *buf;
	size_t len;
	FILE *f;
};
FILE *ctl_text_open(struct ctl_text *t);
json_t *ctl_text_close(struct ctl_text *t);
/* A guest's or node's PSI as query-pressure shows it: {"some": {"avg10",
 * "avg60", "avg300", "total-us"}, "full": {...}} (pressure.c). */
struct psi_stats;
json_t *ctl_pressure_json(const struct psi_stats *st);
/* A CTL_ARG_SIZE value, already type-checked; -1 with e on bad text. */
int ctl_arg_size(json_t *v, const char *name, uint64_t *out,
		 struct ctl_error *e);

/* A pool node (a CTL_ARG_INT value), checked against the pool: the
 * node, or -1 with e. */
int ctl_node_arg(struct ctl_server *s, json_t *v, struct ctl_error *e);
/* A CTL_ARG_DURATION value, already type-checked; -1 with e on bad
 * text. */
int ctl_arg_duration(json_t *v, const char *name, uint64_t *ns,
		     struct ctl_error *e);

/* What handlers reach through the server. */
struct vmm_host *ctl_host(struct ctl_server *s);
const struct ctl_ops *ctl_ops(struct ctl_server *s);
const char *ctl_socket_path(struct ctl_server *s);
uint64_t ctl_start_ns(struct ctl_server *s);
unsigned int ctl_nr_clients(struct ctl_server *s);
bool ctl_stopping(struct ctl_server *s);

/*
 * Find a live guest by a CTL_ARG_GUEST value (its id or its name), or
 * NULL with e ("no such guest").  It lives while the handler runs
 * (guests are reaped on this thread).
 */
struct vm *ctl_find_guest(struct ctl_server *s, json_t *v, struct ctl_error *e);

/* Deferred replies: keep the request, answer it later (ret is stolen;
 * e NULL for success).  A client gone meanwhile gets nothing. */
struct ctl_req *ctl_req_hold(const struct ctl_req *req);
void ctl_reply(struct ctl_req *req, json_t *ret, const struct ctl_error *e);

/*
 * Run work(arg) on the server's worker thread, then done(s, arg) on the
 * loop's.  Jobs run one at a time, in order; at the end every queued job
 * still runs and completes (done sees ctl_stopping()).  0 or -errno.
 */
int ctl_work_queue(struct ctl_server *s, void (*work)(void *arg),
		   void (*done)(struct ctl_server *s, void *arg), void *arg);
/*
 * A command answered later from the worker (CTL_DEFERRED): req held in
 * *held, then work(arg) and done(s, arg) queued, arg being the job that
 * holds *held.  0, or -errno (-ENOMEM) with nothing held (*held NULL)
 * and nothing queued.
 */
int ctl_work_defer(struct ctl_req *req, struct ctl_req **held,
		   void (*work)(void *arg),
		   void (*done)(struct ctl_server *s, void *arg), void *arg);

/* Events as sent: {"event", "data", "timestamp"} (events.c). */
struct host_event;
json_t *ctl_event_json(const struct host_event *ev);
json_t *ctl_event_new(const char *name, json_t *data, uint64_t wall_ns);
/*
 * The events a client may receive: the host's (enum host_event_type),
 * then the server's own.  Names are what query-events lists.
 */
#define CTL_EVENTS_DROPPED NR_HOST_EVENTS /* the queue overflowed */
#define NR_CTL_EVENTS (CTL_EVENTS_DROPPED + 1)
const char *ctl_event_name(int type);
/* The event called name, or -1. */
int ctl_event_lookup(const char *name);
/* Its bit in a client's event mask (EVENTS_DROPPED: every client's). */
static inline uint64_t ctl_event_bit(int type)
{
	return type == CTL_EVENTS_DROPPED ? ~0ULL : 1ULL << type;
}
/* Send an event of that type to every client that takes it. */
void ctl_broadcast(struct ctl_server *s, json_t *event, int type);
/*
 * Client id watches events (watch-events): of the types in mask only,
 * with no idle time-out.  -1 with e when CTL_MAX_WATCHERS others do.
 */
int ctl_watch(struct ctl_server *s, unsigned int client, uint64_t mask,
	      struct ctl_error *e);

#endif /* VMM_CTL_CMD_H */
