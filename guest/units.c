// SPDX-License-Identifier: GPL-2.0
/* Sizes and times (units.h): built into the guest and into the host. */
#include "guest/units.h"

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Leading decimal digits of s[0..len); *used says how many. */
static int parse_digits(const char *s, size_t len, uint64_t *v, size_t *used)
{
	uint64_t x = 0;
	size_t i = 0;

	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		unsigned int d = s[i] - '0';

		if (x > (UINT64_MAX - d) / 10)
			return UNITS_RANGE;
		x = x * 10 + d;
	}
	if (!i)
		return UNITS_BAD;
	*v = x;
	*used = i;
	return UNITS_OK;
}

/* s[0..len) is word, whatever its case. */
static bool word_is(const char *s, size_t len, const char *word)
{
	size_t i = 0;

	for (; i < len && word[i]; i++)
		if (lower(s[i]) != word[i])
			return false;
	return i == len && !word[i];
}

int units_parse_size(const char *s, size_t len, uint64_t *bytes)
{
	static const char units[] = "kmgt";
	unsigned int shift = 0;
	size_t i;
	uint64_t v;
	int ret = parse_digits(s, len, &v, &i);

	if (ret)
		return ret;
	for (unsigned int u = 0; i < len && units[u]; u++) {
		if (lower(s[i]) != units[u])
			continue;
		shift = 10 * (u + 1);
		i++;
		if (i < len && lower(s[i]) == 'i')
			i++;
		break;
	}
	if (i < len && lower(s[i]) == 'b')
		i++;
	if (i < len)
		return UNITS_BAD;
	if (shift && v > (UINT64_MAX >> shift))
		return UNITS_RANGE;
	*bytes = v << shift;
	return UNITS_OK;
}

int units_parse_time(const char *s, size_t len, uint64_t *ns)
{
	static const struct {
		const char *unit;
		uint64_t ns;
	} units[] = {
		{ "ns", 1 },
		{ "us", 1000 },
		{ "ms", 1000000 },
		{ "s", 1000000000ULL },
		{ "m", 60 * 1000000000ULL },
		{ "h", 3600 * 1000000000ULL },
	};
	size_t i;
	uint64_t v;
	int ret = parse_digits(s, len, &v, &i);

	if (ret)
		return ret;
	for (unsigned int u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		if (!word_is(s + i, len - i, units[u].unit))
			continue;
		if (v > UINT64_MAX / units[u].ns)
			return UNITS_RANGE;
		*ns = v * units[u].ns;
		return UNITS_OK;
	}
	return UNITS_BAD;
}
