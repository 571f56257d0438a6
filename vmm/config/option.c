// SPDX-License-Identifier: GPL-2.0
/* One option of a table: parsed, checked, stored, described (option.h). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/config/option.h"
#include "util/size.h"

#define NS_PER_MS 1000000ULL

static void *field_of(const struct option_desc *o, void *base)
{
	return (char *)base + o->off;
}

const struct option_desc *option_find(const struct option_desc *table,
				      const char *name)
{
	for (const struct option_desc *o = table; o->name; o++)
		if (!strcmp(o->name, name))
			return o;
	return NULL;
}

static bool has_range(const struct option_desc *o)
{
	return o->min || o->max;
}

int option_check(const struct option_desc *o, const struct option_value *v)
{
	switch (o->type) {
	case OPTION_SIZE:
		if (o->multiple && v->u % o->multiple)
			return -ERANGE;
		/* fall through */
	case OPTION_TIME:
		if (o->type == OPTION_TIME && !v->u && o->zero)
			return 0;
		if (v->u < (uint64_t)o->min ||
		    (o->max && v->u > (uint64_t)o->max))
			return -ERANGE;
		return 0;
	case OPTION_INT:
	case OPTION_PERCENT:
		if (has_range(o) && (v->n < o->min || v->n > o->max))
			return -ERANGE;
		return 0;
	case OPTION_STRING:
		if (strlen(v->s) < (size_t)o->min ||
		    (o->max && strlen(v->s) > (size_t)o->max))
			return -ERANGE;
		return 0;
	default:
		return 0;
	}
}

/* The text of one value of the row's type, not yet checked. */
static int parse_value(const struct option_desc *o, const char *text,
		       struct option_value *v)
{
	*v = (struct option_value){ 0 };
	switch (o->type) {
	case OPTION_SIZE:
		return parse_size(text, &v->u) ? -EINVAL : 0;
	case OPTION_TIME:
		/* 0 needs no unit. */
		if (text &&
		    (!strcmp(text, "0") || (o->zero && !strcmp(text, o->zero))))
			return 0;
		return parse_duration_ns(text, &v->u) ? -EINVAL : 0;
	case OPTION_INT:
		return parse_int(text, LONG_MIN, LONG_MAX, &v->n);
	case OPTION_PERCENT:
		return parse_percent(text, LONG_MIN, LONG_MAX, &v->n);
	case OPTION_FLAG:
		if (text && *text)
			return -EINVAL;
		v->u = !o->negative;
		return 0;
	case OPTION_ON_OFF:
		if (!text || (strcmp(text, "on") && strcmp(text, "off")))
			return -EINVAL;
		v->u = !strcmp(text, "on");
		return 0;
	case OPTION_ENUM:
		for (v->u = 0; text && o->words[v->u]; v->u++)
			if (!strcmp(text, o->words[v->u]))
				return 0;
		return -EINVAL;
	case OPTION_STRING:
		if (!text)
			return -EINVAL;
		v->s = text;
		return 0;
	default:
		return -EINVAL;
	}
}

int option_parse(const struct option_desc *o, const char *text,
		 struct option_value *v)
{
	int ret = parse_value(o, text, v);

	return ret ? ret : option_check(o, v);
}

static int store_field(const struct option_desc *o, void *base,
		       const struct option_value *v)
{
	void *f = field_of(o, base);
	/* What a number-like row holds: ms for a time in an unsigned int. */
	uint64_t u = o->type == OPTION_INT || o->type == OPTION_PERCENT ?
			     (uint64_t)v->n :
			     v->u;

	if (o->type == OPTION_TIME && o->store == OPTION_STORE_UINT)
		u /= NS_PER_MS;
	switch (o->store) {
	case OPTION_STORE_BOOL:
		*(bool *)f = o->invert ? !u : !!u;
		return 0;
	case OPTION_STORE_UINT:
		*(unsigned int *)f = (unsigned int)u;
		return 0;
	case OPTION_STORE_INT:
		*(int *)f = (int)v->n;
		return 0;
	case OPTION_STORE_U64:
		*(uint64_t *)f = u;
		return 0;
	case OPTION_STORE_STR: {
		char *s = v->s ? strdup(v->s) : NULL;

		if (v->s && !s)
			return -ENOMEM;
		free(*(char **)f);
		*(char **)f = s;
		return 0;
	}
	default:
		return 0;
	}
}

int option_store(const struct option_desc *o, void *base,
		 const struct option_value *v)
{
	int ret = store_field(o, base, v);

	if (ret)
		return ret;
	if (o->given)
		*(bool *)((char *)base + o->given - 1) = true;
	if (o->after)
		o->after(base);
	return 0;
}

int option_set_default(const struct option_desc *o, void *base)
{
	struct option_value v = { .u = o->negative };

	if (o->dflt && option_parse(o, o->dflt, &v))
		return -EINVAL; /* a table's mistake: tests catch it */
	if (o->dflt || o->type == OPTION_FLAG)
		return store_field(o, base, &v);
	return 0;
}

int option_bad(const struct option_desc *o, const char *val, char *err,
	       size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->where & OPTION_SPEC)
		n = snprintf(err, errlen, "guest %s=%s: ", o->name,
			     val ? val : "");
	else if (o->type == OPTION_STRING)
		n = snprintf(err, errlen, "--%s '%s': ", o->name,
			     val ? val : "");
	else
		n = snprintf(err, errlen, "--%s %s: ", o->name, val ? val : "");
	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int option_set(const struct option_desc *o, void *base, const char *text,
	       char *err, size_t errlen)
{
	struct option_value v;
	char what[192];

	if (o->type == OPTION_CUSTOM)
		return o->parse(o, base, text, err, errlen);
	if (option_parse(o, text, &v))
		return option_bad(o, text, err, errlen, "%s",
				  option_accepts(o, what, sizeof(what)));
	if (option_store(o, base, &v)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* A size or a time of the row's type, as typed. */
static const char *format_amount(const struct option_desc *o, uint64_t v,
				 char *buf, size_t len)
{
	return o->type == OPTION_TIME ? format_duration(v, buf, len) :
					format_size_short(v, buf, len);
}

const char *option_range(const struct option_desc *o, char *buf, size_t len)
{
	char a[32], b[32];

	buf[0] = 0;
	if (!has_range(o))
		return buf;
	switch (o->type) {
	case OPTION_SIZE:
	case OPTION_TIME:
		format_amount(o, o->min, a, sizeof(a));
		format_amount(o, o->max, b, sizeof(b));
		if (!o->max)
			snprintf(buf, len, "of %s or more", a);
		else if (o->min)
			snprintf(buf, len, "from %s to %s", a, b);
		else
			snprintf(buf, len, "up to %s", b);
		break;
	case OPTION_INT:
	case OPTION_PERCENT:
		snprintf(buf, len, "%lld..%lld", o->min, o->max);
		break;
	case OPTION_STRING:
		if (o->max)
			snprintf(buf, len, "of %lld to %lld bytes", o->min,
				 o->max);
		else
			snprintf(buf, len, "of %lld bytes or more", o->min);
		break;
	default:
		break;
	}
	return buf;
}

/* "a, b or c" */
static void join_words(const char *const *w, char *buf, size_t len)
{
	buf[0] = 0;
	for (size_t i = 0; w[i]; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
			 !i	  ? "" :
			 w[i + 1] ? ", " :
				    " or ",
			 w[i]);
}

const char *option_accepts(const struct option_desc *o, char *buf, size_t len)
{
	char r[96], m[32];

	option_range(o, r, sizeof(r));
	switch (o->type) {
	case OPTION_SIZE:
		format_size_short(o->multiple, m, sizeof(m));
		if (o->multiple && !*r)
			snprintf(buf, len, "a size in whole %s pages", m);
		else if (o->multiple)
			snprintf(buf, len, "a multiple of %s %s", m, r);
		else if (*r)
			snprintf(buf, len, "a size %s", r);
		else
			snprintf(buf, len, "a size (e.g. 512M, 4G)");
		break;
	case OPTION_TIME:
		/* "10ms to 1h", "a time up to 1h" */
		snprintf(buf, len, "%s%s%s%s",
			 !*r	? "a time (e.g. 250ms, 2s)" :
			 o->min ? "" :
				  "a time ",
			 *r && o->min ? r + strlen("from ") : r,
			 o->zero ? ", or " : "", o->zero ? o->zero : "");
		break;
	case OPTION_INT:
		snprintf(buf, len, "%s%s%s", r, o->unit ? " " : "",
			 o->unit ? o->unit : "");
		break;
	case OPTION_PERCENT:
		snprintf(buf, len, "a percentage%s%s, %s", o->unit ? " " : "",
			 o->unit ? o->unit : "", r);
		break;
	case OPTION_ON_OFF:
		snprintf(buf, len, "on or off");
		break;
	case OPTION_ENUM:
		join_words(o->words, buf, len);
		break;
	case OPTION_STRING:
		snprintf(buf, len, "%s %s", o->unit ? o->unit : "text", r);
		break;
	default:
		snprintf(buf, len, "no value");
		break;
	}
	if (o->hint)
		snprintf(buf + strlen(buf), len - strlen(buf), " (%s)",
			 o->hint);
	return buf;
}

const char *option_arg(const struct option_desc *o, char *buf, size_t len)
{
	static const char *const name[] = {
		[OPTION_SIZE] = "SIZE",	    [OPTION_TIME] = "TIME",
		[OPTION_INT] = "N",	    [OPTION_PERCENT] = "PCT",
		[OPTION_ON_OFF] = "on|off",
	};

	buf[0] = 0;
	if (o->arg)
		snprintf(buf, len, "%s", o->arg);
	else if (o->type == OPTION_ENUM)
		for (size_t i = 0; o->words[i]; i++)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
				 i ? "|" : "", o->words[i]);
	else if ((size_t)o->type < sizeof(name) / sizeof(name[0]) &&
		 name[o->type])
		snprintf(buf, len, "%s%s%s", name[o->type], o->zero ? "|" : "",
			 o->zero ? o->zero : "");
	return buf;
}

bool option_on(const struct option_desc *o, const void *base)
{
	return *(const bool *)field_of(o, (void *)base) != o->invert;
}

static uint64_t field_u64(const struct option_desc *o, const void *base)
{
	const void *f = field_of(o, (void *)base);

	switch (o->store) {
	case OPTION_STORE_BOOL:
		return *(const bool *)f;
	case OPTION_STORE_UINT:
		return *(const unsigned int *)f;
	case OPTION_STORE_INT:
		return (uint64_t)(int64_t) * (const int *)f;
	case OPTION_STORE_U64:
		return *(const uint64_t *)f;
	case OPTION_STORE_STR:
		return *(char *const *)f != NULL;
	default:
		return 0;
	}
}

const char *option_format(const struct option_desc *o, const void *base,
			  char *buf, size_t len)
{
	uint64_t v = field_u64(o, base);
	bool given = o->given &&
		     *(const bool *)((const char *)base + o->given - 1);

	buf[0] = 0;
	if (o->show) {
		o->show(base, buf, len);
		if (!buf[0] && o->none)
			snprintf(buf, len, "%s", o->none);
		return buf;
	}
	/* 0 without a default is the row's none ("computed ..."). */
	if (!v && !given && !o->dflt &&
	    (o->type == OPTION_SIZE || o->type == OPTION_INT ||
	     o->type == OPTION_PERCENT || o->type == OPTION_STRING ||
	     (o->type == OPTION_TIME && !o->zero))) {
		snprintf(buf, len, "%s", o->none ? o->none : "-");
		return buf;
	}
	switch (o->type) {
	case OPTION_SIZE:
		return format_size_short(v, buf, len);
	case OPTION_TIME:
		if (!v)
			snprintf(buf, len, "%s", o->zero);
		else
			format_duration(o->store == OPTION_STORE_UINT ?
						v * NS_PER_MS :
						v,
					buf, len);
		return buf;
	case OPTION_INT:
	case OPTION_PERCENT:
		snprintf(buf, len, "%" PRId64, (int64_t)v);
		return buf;
	case OPTION_FLAG:
		/* Whether the flag is in effect: --no-hugepages given. */
		snprintf(buf, len, "%s",
			 option_on(o, base) != o->negative ? "yes" : "no");
		return buf;
	case OPTION_ON_OFF:
		snprintf(buf, len, "%s", option_on(o, base) ? "on" : "off");
		return buf;
	case OPTION_ENUM:
		snprintf(buf, len, "%s", o->words[v]);
		return buf;
	case OPTION_STRING:
		snprintf(buf, len, "%s",
			 *(char *const *)field_of(o, (void *)base));
		return buf;
	default:
		return buf;
	}
}
