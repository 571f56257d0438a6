/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A trace ring streamed to a trace file while it records (mm/trace.h),
 * as `perf record` empties its buffers into perf.data: what a tracing
 * session's writer thread (vmm/host/trace.c) and the overcommit runner
 * do.  The file is in the trace format (docs/latency.md), with comments
 * that say what a reader must know to trust it:
 *
 *   # trace start ts=<ns> ring=<events>[ off=<event>,<event>...]
 *   ts=... tid=... event=... (the records)
 *   # lost <n> events between ts=<a> and ts=<b>: <event>=<n> ...
 *   # trace end ts=<ns> events=<n> lost=<n>
 *
 * off= names the event types not recorded.  A "lost" line stands where
 * its events were dropped (the ring was full: the writer did not keep
 * up): after the last record written before them (ts a) and before the
 * first one after (ts b, or the end), with their counts by type; events
 * still being written when the session stopped have no type.  The end
 * line sums them.
 *
 * Context: one thread at a time uses a writer (the ring's one reader).
 */
#ifndef MM_TRACE_WRITER_H
#define MM_TRACE_WRITER_H

#include <stdio.h>

#include "mm/trace.h"

/* Losses found, not yet written: more than this are merged. */
#define TRACE_WRITER_GAPS 4

struct trace_gap {
	uint64_t at; /* the index of the first record after it */
	uint64_t n;
	uint64_t by_type[NR_TRACE_EVENTS];
};

struct trace_writer {
	struct trace_ring *tr;
	FILE *f;
	uint64_t pos; /* the next record to write */
	uint64_t start_ns;
	uint64_t last_ts; /* of the last record written (start_ns first) */
	uint64_t records; /* written */
	uint64_t lost; /* told in the file */
	uint64_t lost_by_type[NR_TRACE_EVENTS]; /* ... of a known type */
	uint64_t dropped[NR_TRACE_EVENTS]; /* the ring's drops placed */
	struct trace_gap gap[TRACE_WRITER_GAPS]; /* by index */
	unsigned int nr_gaps;
	/* Called before each record with its ts, and once at the end with
	 * UINT64_MAX: the caller's comments go in there (guest names). */
	void (*before)(void *arg, FILE *f, uint64_t ts);
	void *arg;
};

/*
 * Attach to the ring (trace_ring_attach()) and write the header.  The
 * caller enables the ring after.  before and arg may be NULL.
 */
void trace_writer_begin(struct trace_writer *w, struct trace_ring *tr, FILE *f,
			void (*before)(void *arg, FILE *f, uint64_t ts),
			void *arg);
/*
 * Write the complete records before index end (trace_ring_head(), read
 * by the caller) and the losses among them, and give their slots back
 * to the ring; returns the records written.  A record still being
 * written ends it: the next call starts there.
 */
uint64_t trace_writer_drain(struct trace_writer *w, uint64_t end);
/*
 * Once the ring no longer records: the rest (records being written are
 * waited for up to 100 ms, then counted lost), the losses not yet
 * written, the end line; detaches from the ring.  0, or -EIO if f has
 * failed.  The caller closes f.
 */
int trace_writer_end(struct trace_writer *w);

#endif /* MM_TRACE_WRITER_H */
