// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "vmm/size.h"

/* Leading digits only: no sign, no spaces, no base prefixes. */
static int parse_digits(const char *s, uint64_t *v, const char **end)
{
	uint64_t n = 0;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	for (; isdigit((unsigned char)*s); s++) {
		if (n > (UINT64_MAX - (*s - '0')) / 10)
			return -ERANGE;
		n = n * 10 + (*s - '0');
	}
	*v = n;
	*end = s;
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGT";
	const char *end;
	unsigned int shift = 0;
	uint64_t v;
	int ret;

	if (!s)
		return -EINVAL;
	ret = parse_digits(s, &v, &end);
	if (ret)
		return ret;
	if (*end) {
		const char *u = NULL;

		for (int i = 0; units[i]; i++)
			if (toupper((unsigned char)*end) == units[i])
				u = &units[i];
		if (u) {
			shift = 10 * (unsigned int)(u - units + 1);
			end++;
			if (*end == 'i' || *end == 'I')
				end++;
		}
		if (*end == 'b' || *end == 'B')
			end++;
		if (*end)
			return -EINVAL;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

int parse_duration_ns(const char *s, uint64_t *out)
{
	static const struct {
		const char *unit;
		uint64_t ns;
	} units[] = {
		{ "ns", 1 },
		{ "us", 1000 },
		{ "ms", 1000000 },
		{ "s", 1000000000ULL },
		{ "m", 60000000000ULL },
	};
	const char *end;
	uint64_t v;
	int ret;

	if (!s)
		return -EINVAL;
	ret = parse_digits(s, &v, &end);
	if (ret)
		return ret;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(end, units[i].unit))
			continue;
		if (v > UINT64_MAX / units[i].ns)
			return -ERANGE;
		*out = v * units[i].ns;
		return 0;
	}
	return -EINVAL;
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
