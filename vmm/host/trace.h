/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracing sessions: from host_trace_start() until host_trace_stop(), the
 * pool's trace ring (mm/trace.h) records and a writer thread streams it
 * to the session's file (mm/trace_writer.h), as `perf record` does: it
 * sleeps until the ring is half full or WRITER_PERIOD has passed, then
 * writes what there is in large buffered writes.  A session of any
 * length keeps every event it was asked for as long as the writer keeps
 * up; where it could not, the ring dropped events and the file says how
 * many, of which types and where ("# lost" lines, the end line), and so
 * does the stop.  One session at a time; `--trace FILE` is a session
 * from start-up to exit.  The file is opened when the session starts, so
 * a bad path is an error then and not at the end.
 *
 * A session chooses (struct host_trace_opts) the ring's size, whether the
 * page allocator's per-page events are recorded (off unless asked: there
 * are millions), and how often the host samples memory into the trace
 * (node_free, node_watermarks, vm_mem: Perfetto's counter tracks).
 *
 * Which files may be written (enum host_trace_open): never anything but
 * a regular file, never a file of the kernel's own filesystems (proc,
 * sysfs, ...); an existing file only when the user's own command line
 * names it.  A write that fails (a full disk) fails the session with its
 * errno, and the file is cut back to its last whole line.
 *
 * Context: the thread that owns the host (the event loop's).
 */
#ifndef VMM_HOST_TRACE_H
#define VMM_HOST_TRACE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mm/mmzone.h"
#include "mm/trace_writer.h"
#include "util/periodic.h"
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
	/* Its own lock, not h->lock: the trace's writer must not wait for
	 * a guest being reaped (its frames freed: the trace's busiest
	 * moment) to name one. */
	pthread_mutex_t lock;
	struct host_name_entry e[HOST_NAME_LOG];
	uint64_t n; /* launches ever; e[i % HOST_NAME_LOG] */
};

/* A guest got id (host_launch_commit()).  Any thread. */
void host_trace_name(struct vmm_host *h, unsigned int id, const char *name);
/* Guest id is gone (host_reap()).  Any thread. */
void host_trace_name_end(struct vmm_host *h, unsigned int id);

/* What a session records. */
struct host_trace_opts {
	unsigned int ring_events; /* ring size; 0: as it is */
	bool page_events; /* mm_page_alloc, mm_page_free too */
	uint64_t sample_ns; /* memory samples this often; 0: none */
};

struct host_trace {
	FILE *f; /* NULL: no session */
	char *path;
	struct host_trace_opts opts;
	struct trace_writer w;
	pthread_t writer;
	bool stop; /* the writer thread ends */
	bool hold; /* the writer does not drain (host_trace_hold()) */
	struct periodic sampler;
	/* Each node's watermarks, as last sampled into the trace. */
	unsigned long wmark[VMM_MAX_POOL_NODES][NR_WMARK];
	/* Launches not named in the file yet, by ts (the writer's). */
	struct host_name_entry *names;
	unsigned int nr_names, next_name;
	uint64_t names_seen; /* host_name_log.n copied up to */
	/* What reached the file (f writes through these). */
	int fd;
	int err; /* the first failed write's -errno, 0 */
	uint64_t bytes; /* written */
	uint64_t whole; /* ... up to the end of the last whole line */
	uint64_t lines; /* whole lines written */
};

struct host_trace_result {
	uint64_t events; /* written */
	uint64_t lost; /* dropped: the writer did not keep up */
	uint64_t lost_by_type[NR_TRACE_EVENTS]; /* ... of each type */
	uint64_t lines; /* whole lines in the file (events and comments) */
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

/* The host's own choices: --trace-ring, --trace-page-events,
 * --trace-sample. */
void host_trace_default_opts(struct vmm_host *h, struct host_trace_opts *o);
/* A session to path with opts (NULL: the host's own). */
int host_trace_start(struct vmm_host *h, const char *path,
		     enum host_trace_open how,
		     const struct host_trace_opts *opts, char *err,
		     size_t errlen) __attribute__((warn_unused_result));
/*
 * -ENOENT: no session; otherwise 0 or the -errno of the first failed
 * write (-ENOSPC on a full disk; the file then ends with its last whole
 * line).  The path is returned in *path (caller frees).
 */
int host_trace_stop(struct vmm_host *h, struct host_trace_result *res,
		    char **path);
/*
 * End the session, if any, and say on f what went wrong (vmm's own
 * --trace session at exit), and what was lost: 0, or the -errno of
 * host_trace_stop().  *res (may be NULL) gets its result.
 */
int host_trace_finish(struct vmm_host *h, FILE *f,
		      struct host_trace_result *res);
/*
 * Fault injection for tests: a held writer drains nothing, as one that
 * cannot keep up, until released.  Any thread.
 */
void host_trace_hold(struct vmm_host *h, bool hold);
/* The session's file, NULL if none. */
const char *host_trace_path(struct vmm_host *h);

#endif /* VMM_HOST_TRACE_H */
