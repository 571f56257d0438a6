// SPDX-License-Identifier: GPL-2.0
/* The host's shutdown request (power.h). */
#include "guest/power.h"
#include "guest/io.h"

static bool power_off, deaf;

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

bool power_off_pending(void)
{
	return READ_ONCE(power_off);
}
