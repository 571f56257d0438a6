/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracing sessions: the pool's trace ring (mm/trace.h) records from
 * host_trace_start() until host_trace_stop(), which writes the session's
 * events to its file.  One session at a time; `--trace FILE` is a session
 * from start-up to exit.  The file is opened when the session starts, so
 * a bad path is an error then and not at the end.
 *
 * Which files may be written (enum host_trace_open): never anything but
 * a regular file, never a file of the kernel's own filesystems (proc,
 * sysfs, ...); an existing file only when the user's own command line
 * names it.  A write that fails (a full disk) fails the session with its
 * errno, and the file is cut back to its last whole line.
 *
 * The ring keeps its newest events: a session longer than the ring loses
 * its oldest ones, and the stop says how many.
 *
 * Context: the thread that owns the host (the event loop's).
 */
#ifndef VMM_HOST_TRACE_H
#define VMM_HOST_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vmm/config/config.h"

struct vmm_host;

/*
 * Which guest has which id: a trace names its guests with
 * "# vm=<id> name=<name>" comments at the point where each started
 * (tools/trace reads them), from this log; a session that starts later
 * names first the guests that still ran then.  The newest HOST_NAME_LOG
 * launches are kept.
 */
#define HOST_NAME_LOG 256

struct host_name_entry {
	uint64_t ts; /* trace clock at launch */
	uint64_t end_ts; /* ... when it was reaped, 0: not yet */
	unsigned int id;
	char name[VMM_NAME_MAX];
};

struct host_name_log {
	struct host_name_entry e[HOST_NAME_LOG];
	uint64_t n; /* launches ever; e[i % HOST_NAME_LOG] */
};

/* A guest got id (host_launch_commit()).  Caller holds h->lock. */
void host_trace_name(struct vmm_host *h, unsigned int id, const char *name);
/* Guest id is gone (host_reap()).  Caller holds h->lock. */
void host_trace_name_end(struct vmm_host *h, unsigned int id);

struct host_trace {
	FILE *f; /* NULL: no session */
	char *path;
	uint64_t since; /* ring index when it started */
	uint64_t start_ns;
	/* What reached the file (f writes through these). */
	int fd;
	int err; /* the first failed write's -errno, 0 */
	uint64_t bytes; /* written */
	uint64_t whole; /* ... up to the end of the last whole line */
	uint64_t lines; /* whole lines written */
};

struct host_trace_result {
	uint64_t events; /* written */
	uint64_t lost; /* overwritten before they could be */
	uint64_t lines; /* whole lines in the file (events and names) */
};

/* How a session's file is opened. */
enum host_trace_open {
	/*
	 * `--trace FILE`, the user's own command line: a new file, or an
	 * existing regular file replaced, as `perf record -o` does.
	 */
	HOST_TRACE_REPLACE,
	/*
	 * trace-start over the control socket, which any client may drive
	 * while vmm runs as root: a new file only (O_CREAT | O_EXCL |
	 * O_NOFOLLOW): nothing that exists is truncated, no symlink is
	 * followed.
	 */
	HOST_TRACE_CREATE,
};

int host_trace_start(struct vmm_host *h, const char *path,
		     enum host_trace_open how, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/*
 * -ENOENT: no session; otherwise 0 or the -errno of the first failed
 * write (-ENOSPC on a full disk; the file then ends with its last whole
 * line).  The path is returned in *path (caller frees).
 */
int host_trace_stop(struct vmm_host *h, struct host_trace_result *res,
		    char **path);
/*
 * End the session, if any, and say on f what went wrong (vmm's own
 * --trace session at exit): 0, or the -errno of host_trace_stop().
 */
int host_trace_finish(struct vmm_host *h, FILE *f);
/* The session's file, NULL if none. */
const char *host_trace_path(struct vmm_host *h);

#endif /* VMM_HOST_TRACE_H */
