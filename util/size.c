// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/units.h"
#include "util/size.h"

/* units.c's verdict as an errno. */
static int units_errno(int ret)
{
	return ret == UNITS_OK ? 0 : ret == UNITS_RANGE ? -ERANGE : -EINVAL;
}

int parse_size(const char *s, uint64_t *out)
{
	if (!s)
		return -EINVAL;
	return units_errno(units_parse_size(s, strlen(s), out));
}

int parse_duration_ns(const char *s, uint64_t *out)
{
	if (!s)
		return -EINVAL;
	return units_errno(units_parse_time(s, strlen(s), out));
}

int parse_int(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

const char *format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "B",   "KiB", "MiB", "GiB",
					    "TiB", "PiB", "EiB" };
	unsigned int u = 0;
	double v = (double)bytes;

	while (v >= 1024 && u < 6) {
		v /= 1024;
		u++;
	}
	if (u == 0 || v == (double)(uint64_t)v)
		snprintf(buf, len, "%.0f %s", v, unit[u]);
	else
		snprintf(buf, len, "%.1f %s", v, unit[u]);
	return buf;
}
