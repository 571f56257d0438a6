/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the losses a trace records (session.h) mean for the latency
 * distributions, said where a user will see it: warnings for stderr,
 * lines of the report, members of its JSON.  A distribution is short
 * when a loss may have taken events of the types it is made of
 * (lat_events[]): a loss of page frees shortens none, a loss whose
 * types are not known shortens all.
 */
#ifndef TOOLS_TRACE_LOST_H
#define TOOLS_TRACE_LOST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "tools/trace/latency.h"

/* May lost events have shortened distribution i?  (lat->names: the
 * reader; without one, nothing is known lost.) */
bool latency_short(const struct latency *lat, enum lat_dist i);
/*
 * Warn on f, each line starting with prog: events lost (how many, where,
 * of which types), the distributions they shorten; a trace whose start
 * line has no end line (cut short, or still being written).  Returns
 * whether there was anything to warn of (reclaim-latency --strict fails
 * then).
 */
bool latency_warn(const struct latency *lat, const struct trace_reader *r,
		  const char *prog, FILE *f);
/* The report's lines about the recording: the session, what it did not
 * record, what it lost. */
void latency_print_session(const struct latency *lat,
			   const struct trace_reader *r, FILE *f);
/* {"start_ns", "end_ns", "ring", "not_recorded": [], "complete",
 *  "lost", "lost_by_event": {}, "losses": [{from_ns, to_ns, n}],
 *  "short": [keys]} */
json_t *latency_session_json(const struct latency *lat,
			     const struct trace_reader *r);

#endif /* TOOLS_TRACE_LOST_H */
