/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a trace file says about its own recording, in the comments vmm's
 * writer puts there (mm/trace_writer.h): when the session started and
 * ended, the ring's size, the event types it did not record, and every
 * place where events were lost, with their counts by type.  A reader
 * that skipped these would report a trace with holes as if it were
 * whole.
 *
 * A trace without them (written by an older vmm, or by hand) has no
 * start and no end: nothing is known to be lost, nor known not to be.
 */
#ifndef TOOLS_TRACE_SESSION_H
#define TOOLS_TRACE_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/trace.h"

/* "# lost N events between ts=A and ts=B: name=n ..." */
struct trace_loss {
	uint64_t from_ts, to_ts; /* the records either side */
	uint64_t n;
	/* Of types known here; the rest (n less their sum) of types
	 * unknown here, or of no type (still being written at the end). */
	uint64_t by_type[NR_TRACE_EVENTS];
	uint64_t untyped;
};

struct trace_session {
	bool has_start, has_end;
	uint64_t start_ts, end_ts; /* the session's, trace clock */
	uint64_t ring; /* events */
	uint64_t off; /* event types not recorded (bit per type) */
	uint64_t end_events, end_lost; /* as the end line says */
	/* Every loss line, in file order. */
	struct trace_loss *loss;
	unsigned int nr_loss, cap_loss;
	uint64_t lost; /* their sum */
	uint64_t lost_by_type[NR_TRACE_EVENTS];
	uint64_t lost_untyped;
};

enum trace_comment_kind {
	TRACE_COMMENT_OTHER, /* not one of these */
	TRACE_COMMENT_START,
	TRACE_COMMENT_LOSS, /* session->loss[nr_loss - 1] is it */
	TRACE_COMMENT_END,
};

void trace_session_destroy(struct trace_session *s);
/*
 * A comment line ('#' first) into s: which kind it was.  A line that
 * starts as one of them but does not parse is TRACE_COMMENT_OTHER (a
 * comment like any other).  -ENOMEM when a loss could not be kept (its
 * count still is).
 */
int trace_session_comment(struct trace_session *s, const char *line);
/* Events lost, as far as the file knows: the loss lines, or the end
 * line's count if that is more. */
uint64_t trace_session_lost(const struct trace_session *s);
/* Might a loss have taken events of types mask (bit per type)? */
bool trace_loss_hits(const struct trace_loss *l, uint64_t mask);

#endif /* TOOLS_TRACE_SESSION_H */
