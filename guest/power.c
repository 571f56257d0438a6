// SPDX-License-Identifier: GPL-2.0
/* The host's shutdown request (power.h). */
#include "guest/power.h"
#include "guest/io.h"
#include "guest/kernel.h"

static bool power_off, deaf;
static uint64_t next_poll_ns;

void power_set_deaf(bool d)
{
	deaf = d;
}

bool power_poll(void)
{
	if (READ_ONCE(power_off))
		return true;
	if (deaf || pv_read32(GUEST_PV_POWER) != 1)
		return false;
	WRITE_ONCE(power_off, true);
	return true;
}

bool power_poll_often(bool *polled)
{
	uint64_t now = now_ns();
	bool ask = now >= next_poll_ns;

	if (polled)
		*polled = ask;
	if (!ask)
		return power_off_pending();
	next_poll_ns = now + POWER_POLL_NS;
	return power_poll();
}

bool power_off_pending(void)
{
	return READ_ONCE(power_off);
}
