/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket: a Unix stream socket that speaks a JSON protocol in
 * the style of QEMU's QMP (docs/control.md).  Each client gets a greeting,
 * sends one command per line and gets one reply per command, and receives
 * the host's events (vmm/host/events.h) as they happen.
 *
 * Everything runs in the host's io_uring event loop: accepting, reading,
 * writing (non-blocking, with bounded buffers: a client that sends lines
 * longer than CTL_LINE_MAX gets an error, a client that does not read its
 * replies and events is dropped), the commands themselves, and the events.
 * Work that may wait for memory (creating a guest) runs on a worker
 * thread and replies when done, so the loop never stalls.
 *
 * The socket is made with mode 0600, in a directory of mode 0700 when the
 * path is the default one; a stale socket (nobody listening) is replaced,
 * a live one is an error; it is removed at the end.
 *
 * Context: the event loop's thread.
 */
#ifndef VMM_CTL_H
#define VMM_CTL_H

#include <stdbool.h>
#include <stddef.h>

struct vmm_host;
struct evloop;
struct ctl_server;

#define CTL_MAX_CLIENTS 32
#define CTL_LINE_MAX (64 * 1024) /* a command, its newline included */
#define CTL_OUT_MAX (1024 * 1024) /* replies and events not yet read */

/*
 * Clients that hold a place without using it (docs/control.md, "Framing
 * and limits"): a command line must be complete within CTL_LINE_TIMEOUT
 * of its first byte, and a new connection must send its first command
 * within CTL_LINE_TIMEOUT too; one that has nothing in progress and does
 * not watch events is closed after CTL_IDLE_TIMEOUT without a command.
 * When all places are taken, a new client takes the place of the one
 * idle longest (not watching, nothing in progress); at most
 * CTL_MAX_WATCHERS watch, so that one place always stays for commands.
 */
#define CTL_LINE_TIMEOUT_NS (5 * 1000000000ULL)
#define CTL_IDLE_TIMEOUT_NS (60 * 1000000000ULL)
#define CTL_MAX_WATCHERS (CTL_MAX_CLIENTS - 1)

/* What the program around the host does for the socket. */
struct ctl_ops {
	void *priv;
	const char *mode; /* "host" or "run", for query-status */
	/* A guest the socket started: watch it until it stops. */
	void (*watch_guest)(void *priv, unsigned int id);
	/* Stop every guest and end once they are gone. */
	/* End: ask the guests to shut down and kill them after
	 * shutdown_timeout_ns (0: stop them at once). */
	void (*quit)(void *priv, const char *why, uint64_t shutdown_timeout_ns);
	bool (*quitting)(void *priv);
};

/*
 * Listen on path (private_dir: make and check its directory, for the
 * default path); 0 or -errno with the reason in err.
 */
int ctl_server_start(struct vmm_host *h, struct evloop *loop, const char *path,
		     bool private_dir, const struct ctl_ops *ops,
		     struct ctl_server **out, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/*
 * The end: pending events and replies go out (briefly, to clients that
 * read), then every client is closed and the socket removed.  Runs the
 * loop until the server's requests are done; the loop must still exist.
 */
void ctl_server_stop(struct ctl_server *s);

#endif /* VMM_CTL_H */
