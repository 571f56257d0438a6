/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's request to shut down (GUEST_PV_POWER, abi.h), as an ACPI
 * power button is to Linux.  Asking the host is an MMIO read, an exit, so
 * only vCPU 0 asks, at its safe points (each nap, every few chunks of a
 * touch, each churn batch, between commands); the answer is sticky and
 * every vCPU reads it from memory.  The workload then stops at its next
 * safe point and verifies what it holds before it exits (workload.c).
 */
#ifndef GUEST_POWER_H
#define GUEST_POWER_H

#include "guest/types.h"

/* vCPU 0: ask the host.  True once it has asked (then without exits). */
bool power_poll(void);
/* Any vCPU: has vCPU 0 seen the request?  No exit. */
bool power_off_pending(void);
/* `power deaf`: never ask (a guest that ignores the button; tests). */
void power_set_deaf(bool deaf);

#endif /* GUEST_POWER_H */
