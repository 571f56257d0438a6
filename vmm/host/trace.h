/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracing sessions: from host_trace_start() until host_trace_stop(), the
 * pool's trace ring (mm/trace.h) records and a writer thread streams it
 * to the session's file (mm/trace_writer.h), as `perf record` does: it
 * sleeps until the ring is a quarter full or 50 ms have passed, then
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
 * The sessions' interface is api.h's ("tracing"); this is their state.
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
#include "vmm/host/api.h"

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

#endif /* VMM_HOST_TRACE_H */
