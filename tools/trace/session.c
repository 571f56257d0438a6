// SPDX-License-Identifier: GPL-2.0
/* What a trace file says about its own recording (see session.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/trace/session.h"
#include "util/array.h"

void trace_session_destroy(struct trace_session *s)
{
	free(s->loss);
	memset(s, 0, sizeof(*s));
}

/* "name=n name=n ..." after a loss line's colon. */
static bool parse_types(const char *p, struct trace_loss *l)
{
	uint64_t sum = 0;

	while (*p == ' ')
		p++;
	while (*p && *p != '\n') {
		char name[64];
		uint64_t n;
		int len, t;

		if (sscanf(p, "%63[^= \n]=%" SCNu64 "%n", name, &n, &len) != 2)
			return false;
		t = trace_event_lookup(name);
		if (t >= 0)
			l->by_type[t] += n;
		sum += n;
		p += len;
		while (*p == ' ')
			p++;
	}
	return sum <= l->n;
}

static int add_loss(struct trace_session *s, const char *p)
{
	struct trace_loss l = { 0 };
	uint64_t typed = 0;
	int len = 0;

	if (sscanf(p,
		   "# lost %" SCNu64 " events between ts=%" SCNu64
		   " and ts=%" SCNu64 "%n",
		   &l.n, &l.from_ts, &l.to_ts, &len) != 3 ||
	    !len)
		return TRACE_COMMENT_OTHER;
	p += len;
	if (*p == ':' && !parse_types(p + 1, &l))
		return TRACE_COMMENT_OTHER;
	/* What is left: of types unknown here, or of none. */
	for (int t = 0; t < NR_TRACE_EVENTS; t++)
		typed += l.by_type[t];
	l.untyped = l.n - typed;
	s->lost += l.n;
	s->lost_untyped += l.untyped;
	for (int t = 0; t < NR_TRACE_EVENTS; t++)
		s->lost_by_type[t] += l.by_type[t];
	if (array_grow(s->loss, s->nr_loss, s->cap_loss, 8))
		return -ENOMEM;
	s->loss[s->nr_loss++] = l;
	return TRACE_COMMENT_LOSS;
}

/* "off=a,b,c": the types not recorded. */
static void parse_off(const char *p, uint64_t *off)
{
	char name[64];
	int len;

	while (sscanf(p, "%63[^, \n]%n", name, &len) == 1) {
		int t = trace_event_lookup(name);

		if (t >= 0)
			*off |= TRACE_BIT(t);
		p += len;
		if (*p != ',')
			break;
		p++;
	}
}

int trace_session_comment(struct trace_session *s, const char *line)
{
	uint64_t a, b, c;
	int len = 0;

	if (sscanf(line, "# trace start ts=%" SCNu64 " ring=%" SCNu64 "%n", &a,
		   &b, &len) == 2 &&
	    len) {
		s->has_start = true;
		s->start_ts = a;
		s->ring = b;
		s->off = 0;
		if (!strncmp(line + len, " off=", 5))
			parse_off(line + len + 5, &s->off);
		return TRACE_COMMENT_START;
	}
	if (sscanf(line,
		   "# trace end ts=%" SCNu64 " events=%" SCNu64
		   " lost=%" SCNu64,
		   &a, &b, &c) == 3) {
		s->has_end = true;
		s->end_ts = a;
		s->end_events = b;
		s->end_lost = c;
		return TRACE_COMMENT_END;
	}
	if (!strncmp(line, "# lost ", 7))
		return add_loss(s, line);
	return TRACE_COMMENT_OTHER;
}

uint64_t trace_session_lost(const struct trace_session *s)
{
	return s->end_lost > s->lost ? s->end_lost : s->lost;
}

bool trace_loss_hits(const struct trace_loss *l, uint64_t mask)
{
	if (l->untyped)
		return true;
	for (int t = 0; t < NR_TRACE_EVENTS; t++)
		if ((mask & TRACE_BIT(t)) && l->by_type[t])
			return true;
	return false;
}
