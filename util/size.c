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

int parse_percent(const char *s, long min, long max, long *out)
{
	char num[24];
	size_t len = s ? strlen(s) : 0;

	if (len && s[len - 1] == '%')
		len--;
	if (!len || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, len);
	num[len] = '\0';
	return parse_int(num, min, max, out);
}

const char *format_size_short(uint64_t bytes, char *buf, size_t len)
{
	static const char unit[] = "KMGT";
	int u = -1;

	while (u < 3 && bytes && !(bytes & 1023)) {
		bytes >>= 10;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)bytes,
			 unit[u]);
	return buf;
}

const char *format_duration(uint64_t ns, char *buf, size_t len)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} unit[] = {
		{ "h", 3600000000000ULL },
		{ "s", 1000000000ULL },
		{ "ms", 1000000ULL },
		{ "us", 1000ULL },
	};
	const char *name = "ns";
	uint64_t per = 1;

	for (size_t i = 0; ns && i < sizeof(unit) / sizeof(unit[0]); i++)
		if (!(ns % unit[i].ns)) {
			name = unit[i].name;
			per = unit[i].ns;
			break;
		}
	if (!ns)
		name = "s";
	snprintf(buf, len, "%llu%s", (unsigned long long)(ns / per), name);
	return buf;
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
