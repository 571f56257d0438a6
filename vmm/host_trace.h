/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracing sessions: the pool's trace ring (mm/trace.h) records from
 * host_trace_start() until host_trace_stop(), which writes the session's
 * events to its file.  One session at a time; `--trace FILE` is a session
 * from start-up to exit.  The file is opened when the session starts, so
 * a bad path is an error then and not at the end.
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

#include "vmm/config.h"

struct vmm_host;

/*
 * Which guest had which id when: a trace names its guests with
 * "# vm=<id> name=<name>" comments at the point where each started
 * (tools/trace reads them), from this log.  The newest HOST_NAME_LOG
 * launches are kept.
 */
#define HOST_NAME_LOG 256

struct host_name_entry {
	uint64_t ts; /* trace clock at launch */
	unsigned int id;
	char name[VMM_NAME_MAX];
};

struct host_name_log {
	struct host_name_entry e[HOST_NAME_LOG];
	uint64_t n; /* launches ever; e[i % HOST_NAME_LOG] */
};

/* A guest got id (host_launch_commit()).  Caller holds h->lock. */
void host_trace_name(struct vmm_host *h, unsigned int id, const char *name);

struct host_trace {
	FILE *f; /* NULL: no session */
	char *path;
	uint64_t since; /* ring index when it started */
	uint64_t start_ns;
};

struct host_trace_result {
	uint64_t events; /* written */
	uint64_t lost; /* overwritten before they could be */
};

int host_trace_start(struct vmm_host *h, const char *path, char *err,
		     size_t errlen) __attribute__((warn_unused_result));
/* -ENOENT: no session.  The path is returned in *path (caller frees). */
int host_trace_stop(struct vmm_host *h, struct host_trace_result *res,
		    char **path);
/* The session's file, NULL if none. */
const char *host_trace_path(struct vmm_host *h);

#endif /* VMM_HOST_TRACE_H */
