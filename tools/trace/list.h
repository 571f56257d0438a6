/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One line per measured interval, as bcc's drsnoop lists direct reclaim
 * stalls: when it ended, the thread, the guest, how long, how many
 * pages.  The kinds are a table (lat_list_kinds[]): each is a latency
 * distribution (latency.h) and what its pages are; a new kind (swap-ins,
 * once the cold tier exists) is a distribution and an entry.
 */
#ifndef TOOLS_TRACE_LIST_H
#define TOOLS_TRACE_LIST_H

#include <stdio.h>

#include "tools/trace/latency.h"

struct lat_list_kind {
	const char *name; /* as --list takes it */
	enum lat_dist dist;
	const char *pages; /* what PAGES counts, for --help */
};

extern const struct lat_list_kind lat_list_kinds[];
extern const unsigned int nr_lat_list_kinds;

struct lat_list {
	FILE *f;
	const struct latency *lat; /* its first event: time 0 */
	const struct trace_reader *r; /* guest names; the session's start */
	unsigned int kinds; /* bit per entry of lat_list_kinds[] */
	bool header;
};

/*
 * "direct-reclaim,kswapd" into *kinds; -EINVAL with the kind that is not
 * one in err.
 */
int lat_list_parse(const char *arg, unsigned int *kinds, char *err,
		   size_t errlen);
void lat_list_begin(struct lat_list *l, FILE *f, const struct latency *lat,
		    const struct trace_reader *r, unsigned int kinds);
/* The analyzer's span callback (struct latency.span), arg = l. */
void lat_list_span(void *arg, const struct lat_span *s);

#endif /* TOOLS_TRACE_LIST_H */
