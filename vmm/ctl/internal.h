/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the control socket's server, shared by its files: server.c
 * (the server: accepting, events, start and stop), peer.c (one
 * connection: buffers, lines, commands, replies) and socket.c (the
 * socket file).  Everything here runs on the event loop's thread.
 */
#ifndef VMM_CTL_INTERNAL_H
#define VMM_CTL_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "vmm/config/config.h"
#include "vmm/ctl/ctl.h"
#include "vmm/ctl/cmd.h"
#include "vmm/ctl/path.h"
#include "util/event_loop.h"

struct ctl_worker;

/*
 * A connection.  Its two evs (readable, writable) are what the loop holds
 * on to: the peer is freed from their release hook once both are idle,
 * never while the kernel may still complete a request that points at it.
 */
struct ctl_peer {
	struct ctl_server *s;
	unsigned int id;
	int fd;
	struct ev in_ev, out_ev;
	char *in; /* CTL_LINE_MAX bytes: the line being received */
	size_t in_len;
	bool discarding; /* the rest of a line that was too long */
	char *out; /* out[out_off .. out_len) not yet sent */
	size_t out_off, out_len, out_cap;
	bool eof; /* the client will send no more: close once flushed */
	bool closing;
	bool in_callback; /* one of its evs is being dispatched */
	/* Time-outs and eviction (ctl.h), on the trace clock. */
	uint64_t line_ns; /* first byte of the line being received, 0: none */
	uint64_t active_ns; /* connected, or its last command or reply */
	bool spoke; /* it has sent a command */
	unsigned int pending; /* deferred commands not answered yet */
	bool watching; /* watch-events: exempt from the idle time-out */
	uint64_t events; /* which events it gets (bit: ctl_event_bit()) */
};

struct ctl_server {
	struct vmm_host *h;
	struct evloop *loop;
	struct ctl_ops ops;
	char path[CTL_SOCKET_PATH_MAX];
	dev_t dev; /* the socket file we made, removed only if still ours */
	ino_t ino;
	int lfd;
	int events_fd;
	struct ev accept_ev, accept_pause_ev, events_ev, balloon_ev;
	struct ctl_peer *client[CTL_MAX_CLIENTS]; /* open ones */
	unsigned int nr_clients;
	unsigned int nr_watchers;
	unsigned int nr_closing; /* closed, waiting for their evs */
	unsigned int next_client;
	bool stopping;
	uint64_t start_ns;
	struct ctl_worker *worker;
	/* Each slot's balloon as last reported (BALLOON_CHANGE). */
	struct ctl_balloon_seen {
		unsigned int id; /* the guest they are of */
		uint64_t target, actual; /* pages */
	} balloon_seen[VMM_MAX_GUESTS + 1];
};

/* peer.c */
void ctl_peer_new(struct ctl_server *s, int fd);
/* No more reading or writing; freed when the loop lets go of it. */
void ctl_peer_close(struct ctl_peer *c);
/* Send what the socket takes now; watch for room if some is left. */
void ctl_peer_flush(struct ctl_peer *c);
/* Queue bytes and flush; a peer with too much unread is closed. */
void ctl_peer_queue(struct ctl_peer *c, const char *buf, size_t n);
/* A reply: {"return": ret} (ret stolen, NULL: {}) or {"error": e}. */
void ctl_peer_reply(struct ctl_peer *c, json_t *id, json_t *ret,
		    const struct ctl_error *e);
struct ctl_peer *ctl_peer_by_id(struct ctl_server *s, unsigned int id);
/* Close c if it let a time-out pass (ctl.h), with a line saying so. */
void ctl_peer_timeouts(struct ctl_peer *c, uint64_t now);
/* May c give its place to a new client (not watching, nothing pending)? */
bool ctl_peer_evictable(const struct ctl_peer *c);
/* An error line with no id, then close (a refusal, a time-out). */
void ctl_peer_drop(struct ctl_peer *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* socket.c: make s->path listen (s->lfd), and remove it if ours. */
int ctl_socket_listen(struct ctl_server *s, bool private_dir, char *err,
		      size_t errlen);
void ctl_socket_unlink(struct ctl_server *s);

#endif /* VMM_CTL_INTERNAL_H */
