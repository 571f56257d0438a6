// SPDX-License-Identifier: GPL-2.0
/* The balloon reclaimer's trace events' names and keys (see trace.h). */
#include "balloon/trace.h"

DEFINE_TRACE_EVENTS(reclaim_trace_events, RECLAIM_TRACE_EVENTS,
		    TRACE_RECLAIM_FIRST);
