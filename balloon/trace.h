/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The balloon reclaimer's trace events (mm/trace.h says how events are
 * declared): the balloon targets that kswapd and direct reclaim set
 * through it (kswapd's own runs are mm's, mm/vmscan.c).  Their ids are
 * the reclaim range of the id space.
 */
#ifndef BALLOON_TRACE_H
#define BALLOON_TRACE_H

#include "mm/trace.h"

/* X(id, name, key0, key1, key2, key3): NULL keys are not printed. */
#define RECLAIM_TRACE_EVENTS(X)                                              \
	X(TR_BALLOON_REQ, "balloon_request", "vm", "target", "actual", NULL) \
	X(TR_BALLOON_DEFLATE, "balloon_deflate", "vm", "node", "pages",      \
	  "target")

DECLARE_TRACE_EVENT_IDS(RECLAIM_TRACE_EVENTS, TRACE_RECLAIM_FIRST,
			TR_RECLAIM_END, TRACE_GUEST_MEM_FIRST);

/* Registered by the program that traces (host_trace_events_register()). */
extern const struct trace_events reclaim_trace_events;

#endif /* BALLOON_TRACE_H */
