/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Time for code that a simulator could drive: it reads the time through
 * a struct clock instead of calling clock_gettime(), so that a test (or
 * a simulation in virtual time) can pass its own.  clock_monotonic is
 * the host's CLOCK_MONOTONIC, in nanoseconds.
 *
 * A fake clock begins with a struct clock and returns what its owner set:
 *
 *	struct fake_clock { struct clock c; uint64_t ns; };
 *	static uint64_t fake_now(const struct clock *c)
 *	{
 *		return ((const struct fake_clock *)c)->ns;
 *	}
 */
#ifndef UTIL_CLOCK_H
#define UTIL_CLOCK_H

#include <stdint.h>

struct clock {
	uint64_t (*now_ns)(const struct clock *c);
};

extern const struct clock clock_monotonic;

static inline uint64_t clock_now_ns(const struct clock *c)
{
	return c->now_ns(c);
}

#endif /* UTIL_CLOCK_H */
