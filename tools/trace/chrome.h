/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A trace in Chrome's trace-event JSON format (opens in Perfetto and in
 * chrome://tracing), written as the lines come, so any size fits:
 *
 *   "X" complete events per thread: guest faults, allocation slow paths,
 *       direct reclaim, compaction, migration batches, kswapd runs
 *   "b"/"e" async spans: balloon request -> completion per guest, kswapd
 *       response per node (from the latency analyzer's spans)
 *   "i" instants: kswapd wake-ups, LOW breaches, balloon requests, OOM
 *       (kills are global), guest state changes, events lost (global)
 *   "C" counters: free memory per node against its MIN, LOW and HIGH
 *       watermarks, each guest's backed memory and its balloon's size
 *       and target, in MiB (from the samples a tracing session takes,
 *       and kswapd's and the balloons' own events)
 *   "M" names for the process and every thread seen.
 *
 * Page allocations and frees are left out (there are millions).
 * Timestamps are the trace clock in microseconds, to the nanosecond.
 */
#ifndef TOOLS_TRACE_CHROME_H
#define TOOLS_TRACE_CHROME_H

#include <stdio.h>

#include "tools/trace/latency.h"
#include "tools/trace/parse.h"

struct chrome_thread {
	uint32_t tid;
	char name[64];
};

struct chrome {
	FILE *f;
	const struct trace_reader *r; /* guest names, losses (may be NULL) */
	unsigned long written;
	unsigned int losses_seen; /* of r's session */
	/* Each node's watermarks (node_watermarks), pages; 0: not known. */
	uint64_t wmark[MAX_NUMNODES][3];
	uint64_t next_id; /* async span ids */
	struct chrome_thread *thread;
	unsigned int nr_threads, cap_threads;
};

void chrome_begin(struct chrome *c, FILE *f, const struct trace_reader *r);
/* Every line, in file order. */
void chrome_line(struct chrome *c, const struct trace_line *l);
/* The analyzer's span callback (struct latency.span), arg = c. */
void chrome_span(void *arg, const struct lat_span *s);
/* Thread names, the closing brackets: 0 or -EIO. */
int chrome_end(struct chrome *c);

#endif /* TOOLS_TRACE_CHROME_H */
