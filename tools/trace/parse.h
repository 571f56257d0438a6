/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading trace files (mm/trace.h), one line per event:
 *
 *   ts=<ns> tid=<tid> event=<name> key=value ...
 *
 * Values are decimal, or hex with 0x.  A line starting with '#' is a
 * comment; "# vm=<id> name=<name>" names guest <id> from that line on (the
 * overcommit runner and vmm's tracing sessions write those), and the
 * writer's own (start, losses, end: session.h) go into the reader's
 * session.  A well-formed line naming an event this
 * build does not know is kept (type -1) for forward compatibility; a known
 * event must carry every key its layer declares for it (mm/trace.h says
 * where events are declared).  Anything else is malformed: counted, and
 * reported with its line number.
 */
#ifndef TOOLS_TRACE_PARSE_H
#define TOOLS_TRACE_PARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tools/trace/session.h"
#include "vmm/host/trace_events.h"
#include "vmm/config/config.h"

#define TRACE_LINE_KEYS 8
#define TRACE_NAME_MAX 48

struct trace_kv {
	char key[TRACE_NAME_MAX];
	uint64_t val;
};

struct trace_line {
	uint64_t ts;
	uint32_t tid;
	int type; /* enum trace_event_type, -1: unknown to this build */
	char event[TRACE_NAME_MAX];
	unsigned int nr_kv;
	struct trace_kv kv[TRACE_LINE_KEYS];
};

enum trace_parse_result {
	TRACE_PARSE_EVENT,
	TRACE_PARSE_SKIP, /* blank line or comment */
	TRACE_PARSE_NAME, /* "# vm=<id> name=<name>": *vm and name set */
};

/*
 * Parse one line (no newline needed; s is not modified).  Returns an
 * enum trace_parse_result, or -EINVAL with the reason in *why.
 */
int trace_parse_line(const char *s, struct trace_line *l, unsigned int *vm,
		     char *name, size_t namelen, const char **why);
/* The value of key in l: true if present. */
bool trace_get(const struct trace_line *l, const char *key, uint64_t *v);
/* The same, 0 when absent (keys a known event always has). */
uint64_t trace_val(const struct trace_line *l, const char *key);

struct trace_reader {
	FILE *f;
	const char *path;
	FILE *err; /* malformed lines are reported there (NULL: not) */
	unsigned int max_reports; /* ... the first this many */
	unsigned long lineno;
	unsigned long events, unknown, malformed, comments;
	char *buf;
	size_t cap;
	bool at_eof;
	/* The guests the comments named so far (ids are never reused). */
	struct trace_vm_name {
		uint64_t vm;
		char name[VMM_NAME_MAX];
	} * names;
	unsigned int nr_names, cap_names;
	/* What the file's comments say of its recording, so far. */
	struct trace_session session;
};

void trace_reader_init(struct trace_reader *r, FILE *f, const char *path,
		       FILE *err);
void trace_reader_destroy(struct trace_reader *r);
/* The next event line: 1, 0 at the end of the file, -errno on error. */
int trace_reader_next(struct trace_reader *r, struct trace_line *l);
/* Guest vm's name from the comments so far, or "" */
const char *trace_reader_vm_name(const struct trace_reader *r, uint64_t vm);

#endif /* TOOLS_TRACE_PARSE_H */
