// SPDX-License-Identifier: GPL-2.0
/* Trace file lines (see parse.h). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/trace/parse.h"
#include "util/array.h"

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static bool at_end(const char *s)
{
	s = skip_blanks(s);
	return !*s || *s == '\n' || (*s == '\r' && (!s[1] || s[1] == '\n'));
}

/* key=value at *sp: the key into key, the number into *v. */
static int parse_kv(const char **sp, char *key, size_t keylen, uint64_t *v,
		    const char **why)
{
	const char *s = *sp;
	size_t n = 0;
	int base = 10;
	char *end;

	while (isalnum((unsigned char)s[n]) || s[n] == '_')
		n++;
	if (!n || s[n] != '=') {
		*why = "expected key=value";
		return -EINVAL;
	}
	if (n >= keylen) {
		*why = "key too long";
		return -EINVAL;
	}
	memcpy(key, s, n);
	key[n] = 0;
	s += n + 1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!isxdigit((unsigned char)*s) ||
	    (base == 10 && !isdigit((unsigned char)*s))) {
		*why = "value is not a number";
		return -EINVAL;
	}
	errno = 0;
	*v = strtoull(s, &end, base);
	if (errno) {
		*why = "value out of range";
		return -EINVAL;
	}
	if (*end && *end != ' ' && *end != '\t' && *end != '\n' &&
	    *end != '\r') {
		*why = "junk after a value";
		return -EINVAL;
	}
	*sp = end;
	return 0;
}

/* "# vm=<id> name=<name>" */
static int parse_name_comment(const char *s, unsigned int *vm, char *name,
			      size_t namelen)
{
	char key[TRACE_NAME_MAX];
	const char *p = skip_blanks(s + 1);
	const char *why;
	uint64_t id;
	size_t n;

	if (strncmp(p, "vm=", 3) || parse_kv(&p, key, sizeof(key), &id, &why))
		return TRACE_PARSE_SKIP;
	p = skip_blanks(p);
	if (strncmp(p, "name=", 5) || id > UINT_MAX)
		return TRACE_PARSE_SKIP;
	p += 5;
	n = strcspn(p, " \t\r\n");
	if (!n || n >= namelen || !at_end(p + n))
		return TRACE_PARSE_SKIP;
	memcpy(name, p, n);
	name[n] = 0;
	*vm = (unsigned int)id;
	return TRACE_PARSE_NAME;
}

/*
 * Keys added to events later, so that traces written before still
 * parse: the guest whose fault an allocation served (vm=, 0 for none),
 * a balloon's target in a guest's memory sample.
 */
static bool optional_key(int type, const char *key)
{
	return (!strcmp(key, "vm") &&
		(type == TR_SLOWPATH_BEGIN || type == TR_DIRECT_RECLAIM_END ||
		 type == TR_COMPACT_END)) ||
	       (!strcmp(key, "target") && type == TR_VM_MEM);
}

int trace_parse_line(const char *s, struct trace_line *l, unsigned int *vm,
		     char *name, size_t namelen, const char **why)
{
	static const char *const head[] = { "ts", "tid", "event" };
	char key[TRACE_NAME_MAX];
	uint64_t v;

	s = skip_blanks(s);
	if (at_end(s))
		return TRACE_PARSE_SKIP;
	if (*s == '#')
		return parse_name_comment(s, vm, name, namelen);
	memset(l, 0, sizeof(*l));
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(head[i]);

		if (strncmp(s, head[i], n) || s[n] != '=') {
			*why = i == 0 ? "no ts= first" :
			       i == 1 ? "no tid= after ts=" :
					"no event= after tid=";
			return -EINVAL;
		}
		if (i < 2) {
			if (parse_kv(&s, key, sizeof(key), &v, why))
				return -EINVAL;
			if (i == 0)
				l->ts = v;
			else if (v > UINT32_MAX) {
				*why = "tid out of range";
				return -EINVAL;
			} else
				l->tid = (uint32_t)v;
		} else {
			size_t len;

			s += n + 1;
			len = strcspn(s, " \t\r\n");
			if (!len || len >= sizeof(l->event)) {
				*why = "bad event name";
				return -EINVAL;
			}
			memcpy(l->event, s, len);
			l->event[len] = 0;
			s += len;
		}
		if (!at_end(s) && *s != ' ' && *s != '\t') {
			*why = "junk in the header";
			return -EINVAL;
		}
		s = skip_blanks(s);
	}
	while (!at_end(s)) {
		if (l->nr_kv == TRACE_LINE_KEYS) {
			*why = "too many keys";
			return -EINVAL;
		}
		if (parse_kv(&s, l->kv[l->nr_kv].key, sizeof(l->kv[0].key),
			     &l->kv[l->nr_kv].val, why))
			return -EINVAL;
		l->nr_kv++;
		s = skip_blanks(s);
	}
	l->type = trace_event_lookup(l->event);
	for (unsigned int k = 0; l->type >= 0 && k < 4; k++) {
		const char *want = trace_event_key(l->type, k);

		if (want && !optional_key(l->type, want) &&
		    !trace_get(l, want, &v)) {
			*why = "a key of the event is missing";
			return -EINVAL;
		}
	}
	return TRACE_PARSE_EVENT;
}

bool trace_get(const struct trace_line *l, const char *key, uint64_t *v)
{
	for (unsigned int i = 0; i < l->nr_kv; i++)
		if (!strcmp(l->kv[i].key, key)) {
			*v = l->kv[i].val;
			return true;
		}
	return false;
}

uint64_t trace_val(const struct trace_line *l, const char *key)
{
	uint64_t v = 0;

	trace_get(l, key, &v);
	return v;
}

void trace_reader_init(struct trace_reader *r, FILE *f, const char *path,
		       FILE *err)
{
	memset(r, 0, sizeof(*r));
	r->f = f;
	r->path = path;
	r->err = err;
	r->max_reports = 20;
}

void trace_reader_destroy(struct trace_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	free(r->names);
	r->names = NULL;
	r->nr_names = r->cap_names = 0;
	trace_session_destroy(&r->session);
}

/* The entry of guest vm, NULL if the trace has not named it. */
static struct trace_vm_name *vm_entry(const struct trace_reader *r, uint64_t vm)
{
	/* From the newest: the guests of a trace's end are looked up most. */
	for (unsigned int i = r->nr_names; i-- > 0;)
		if (r->names[i].vm == vm)
			return &r->names[i];
	return NULL;
}

static void set_vm_name(struct trace_reader *r, uint64_t vm, const char *name)
{
	struct trace_vm_name *e = vm_entry(r, vm);

	if (!e) {
		if (array_grow(r->names, r->nr_names, r->cap_names, 16))
			return; /* unnamed, then */
		e = &r->names[r->nr_names++];
	}
	e->vm = vm;
	snprintf(e->name, sizeof(e->name), "%s", name);
}

int trace_reader_next(struct trace_reader *r, struct trace_line *l)
{
	ssize_t n;

	while ((n = getline(&r->buf, &r->cap, r->f)) >= 0) {
		char name[VMM_NAME_MAX];
		const char *why = "";
		unsigned int vm;
		int ret;

		r->lineno++;
		if (memchr(r->buf, 0, n)) {
			ret = -EINVAL;
			why = "NUL byte in the line";
		} else {
			ret = trace_parse_line(r->buf, l, &vm, name,
					       sizeof(name), &why);
		}
		switch (ret) {
		case TRACE_PARSE_EVENT:
			r->events++;
			if (l->type < 0)
				r->unknown++;
			return 1;
		case TRACE_PARSE_NAME:
			set_vm_name(r, vm, name);
			r->comments++;
			continue;
		case TRACE_PARSE_SKIP:
			if (r->buf[strspn(r->buf, " \t\r\n")] != '#')
				continue;
			r->comments++;
			if (trace_session_comment(
				    &r->session,
				    r->buf + strspn(r->buf, " \t")) == -ENOMEM)
				return -ENOMEM;
			continue;
		default:
			if (r->err && r->malformed < r->max_reports)
				fprintf(r->err, "%s:%lu: malformed line: %s\n",
					r->path, r->lineno, why);
			r->malformed++;
			continue;
		}
	}
	if (ferror(r->f))
		return -EIO;
	if (r->at_eof)
		return 0;
	r->at_eof = true;
	if (r->err && r->malformed > r->max_reports)
		fprintf(r->err, "%s: %lu more malformed lines not shown\n",
			r->path, r->malformed - r->max_reports);
	return 0;
}

const char *trace_reader_vm_name(const struct trace_reader *r, uint64_t vm)
{
	const struct trace_vm_name *e = vm_entry(r, vm);

	return e ? e->name : "";
}
