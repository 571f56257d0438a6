// SPDX-License-Identifier: GPL-2.0
/* The host's monotonic clock behind struct clock (clock.h). */
#include "util/clock.h"

#include <time.h>

static uint64_t monotonic_now_ns(const struct clock *c)
{
	struct timespec ts;

	(void)c;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

const struct clock clock_monotonic = { .now_ns = monotonic_now_ns };
