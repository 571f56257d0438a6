// SPDX-License-Identifier: GPL-2.0
/*
 * A scenario's JSON values, read and checked: sizes, times, integers and
 * booleans, options by their rows (vmm/config/option.h), the keys an
 * object may have, names; every error names the JSON path
 * (scenario_internal.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tools/overcommit/scenario_internal.h"
#include "util/size.h"
#include "vmm/config/option.h"

int __attribute__((format(printf, 3, 4)))
sc_bad(struct sc_ctx *c, const char *path, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = snprintf(c->err, c->errlen, "%s: ", path);
	if (n >= c->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

const char *sc_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

void __attribute__((format(printf, 3, 4)))
sc_pathf(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, len, fmt, ap);
	va_end(ap);
}

void sc_join(char *out, size_t len, const char *path, const char *key)
{
	sc_pathf(out, len, "%s%s%s", path, *path ? "." : "", key);
}

/* Every key of obj is one of allowed (NULL-terminated). */
int sc_check_keys(struct sc_ctx *c, json_t *obj, const char *path,
		  const char *const *allowed)
{
	const char *key;
	json_t *v;

	if (!json_is_object(obj))
		return sc_bad(c, *path ? path : "(top level)",
			      "must be an object, not %s", sc_type_name(obj));
	json_object_foreach(obj, key, v) {
		const char *const *a;
		char p[256], list[512] = "";

		for (a = allowed; *a && strcmp(*a, key); a++)
			;
		if (*a)
			continue;
		for (a = allowed; *a; a++)
			snprintf(list + strlen(list),
				 sizeof(list) - strlen(list), "%s%s",
				 a == allowed ? "" : ", ", *a);
		sc_join(p, sizeof(p), path, key);
		return sc_bad(c, p, "unknown key (known here: %s)", list);
	}
	return 0;
}

int sc_get_size(struct sc_ctx *c, json_t *v, const char *path, uint64_t *out)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (json_is_string(v) && !parse_size(json_string_value(v), out))
		return 0;
	if (json_is_string(v))
		return sc_bad(c, path, "\"%s\" is not a size (e.g. 256M, 1G)",
			      json_string_value(v));
	return sc_bad(c, path, "must be a size (\"256M\" or bytes), not %s",
		      sc_type_name(v));
}

int sc_get_duration(struct sc_ctx *c, json_t *v, const char *path,
		    uint64_t *out)
{
	if (json_is_string(v) && !parse_duration_ns(json_string_value(v), out))
		return 0;
	if (json_is_string(v))
		return sc_bad(
			c, path,
			"\"%s\" is not a time (a number and ns, us, ms or s: \"250ms\")",
			json_string_value(v));
	return sc_bad(c, path, "must be a time such as \"250ms\", not %s",
		      sc_type_name(v));
}

int sc_get_int(struct sc_ctx *c, json_t *v, const char *path, long min,
	       long max, long *out)
{
	if (!json_is_integer(v))
		return sc_bad(c, path, "must be an integer, not %s",
			      sc_type_name(v));
	if (json_integer_value(v) < min || json_integer_value(v) > max)
		return sc_bad(c, path,
			      "%" JSON_INTEGER_FORMAT " is not in %ld..%ld",
			      json_integer_value(v), min, max);
	*out = (long)json_integer_value(v);
	return 0;
}

int sc_get_bool(struct sc_ctx *c, json_t *v, const char *path, bool *out)
{
	if (!json_is_boolean(v))
		return sc_bad(c, path, "must be true or false, not %s",
			      sc_type_name(v));
	*out = json_is_true(v);
	return 0;
}

/* A guest or scenario name: what `vmm run` accepts. */
int sc_check_name(struct sc_ctx *c, const char *s, const char *path, size_t max)
{
	if (!*s || strlen(s) >= max || strpbrk(s, " \t/\"\\<>&'"))
		return sc_bad(
			c, path,
			"\"%s\": 1 to %zu characters, no blanks, quotes, '/', '\\', '<', '>' or '&'",
			s, max - 1);
	return 0;
}

/* What the row's range asks, as a scenario says it: "must be from 4K to
 * 1T", "must be a multiple of 2M from 8M to 256G". */
static int bad_range(struct sc_ctx *c, const struct option_desc *o,
		     const char *path)
{
	char r[96], m[32];

	option_range(o, r, sizeof(r));
	format_size_short(o->multiple, m, sizeof(m));
	if (o->type == OPTION_SIZE && o->multiple && !*r)
		return sc_bad(c, path, "must be whole %s pages", m);
	return sc_bad(c, path, "must be %s%s%s%s%s%s",
		      o->multiple ? "a multiple of " : "", o->multiple ? m : "",
		      o->multiple ? " " : "", r, o->zero ? ", or \"" : "",
		      o->zero ? o->zero : "");
}

/* "must be \"entries\" or \"pause\"" */
static int bad_word(struct sc_ctx *c, const struct option_desc *o,
		    const char *path)
{
	char list[256] = "";

	for (size_t i = 0; o->words[i]; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s\"%s\"",
			 !i		 ? "" :
			 o->words[i + 1] ? ", " :
					   " or ",
			 o->words[i]);
	return sc_bad(c, path, "must be %s", list);
}

/* The JSON value of the row's type: -EINVAL with the message. */
static int get_value(struct sc_ctx *c, const struct option_desc *o, json_t *v,
		     const char *path, struct option_value *val)
{
	bool on = false;
	int ret;

	switch (o->type) {
	case OPTION_SIZE:
		return sc_get_size(c, v, path, &val->u);
	case OPTION_TIME:
		if (o->zero && json_is_string(v) &&
		    !strcmp(json_string_value(v), o->zero))
			return 0;
		return sc_get_duration(c, v, path, &val->u);
	case OPTION_INT:
	case OPTION_PERCENT:
		return sc_get_int(c, v, path, o->min, o->max, &val->n);
	case OPTION_FLAG:
	case OPTION_ON_OFF:
		ret = sc_get_bool(c, v, path, &on);
		val->u = on;
		return ret;
	case OPTION_ENUM:
		if (!json_is_string(v) ||
		    option_parse(o, json_string_value(v), val))
			return bad_word(c, o, path);
		return 0;
	case OPTION_STRING:
		if (!json_is_string(v))
			return sc_bad(c, path, "must be a string, not %s",
				      sc_type_name(v));
		val->s = json_string_value(v);
		return 0;
	default:
		return sc_bad(c, path, "not read here"); /* the caller's */
	}
}

int sc_get_option(struct sc_ctx *c, const struct option_desc *o, json_t *v,
		  const char *path, void *base)
{
	struct option_value val = { 0 };
	int ret = get_value(c, o, v, path, &val);

	if (ret)
		return ret;
	if (option_check(o, &val))
		return bad_range(c, o, path);
	return option_store(o, base, &val);
}
