// SPDX-License-Identifier: GPL-2.0
/*
 * A scenario's JSON values, read and checked: sizes, times, integers and
 * booleans, the keys an object may have, names; every error names the
 * JSON path (scenario_internal.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tools/overcommit/scenario_internal.h"
#include "util/size.h"

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
