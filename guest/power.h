/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's request to shut down (GUEST_PV_POWER, abi.h), as an ACPI
 * power button is to Linux.  Asking the host is an MMIO read, an exit, so
 * only vCPU 0 asks, at its safe points (after each nap; between touch
 * chunks, churn batches and commands at most every POWER_POLL_NS); the
 * answer is sticky and
 * every vCPU reads it from memory.  The workload then stops at its next
 * safe point and verifies what it holds before it exits (workload.c).
 */
#ifndef GUEST_POWER_H
#define GUEST_POWER_H

#include "guest/types.h"

/* vCPU 0: ask the host.  True once it has asked (then without exits). */
bool power_poll(void);
/*
 * vCPU 0 in a loop that does not nap: power_poll() at most every
 * POWER_POLL_NS, the sticky answer in between, so that short commands
 * and chunks do not each cost an exit.  *polled (may be NULL): whether
 * it asked the host this time.
 */
#define POWER_POLL_NS 20000000ULL
bool power_poll_often(bool *polled);
/* Any vCPU: has vCPU 0 seen the request?  No exit. */
bool power_off_pending(void);
/* `power deaf`: never ask (a guest that ignores the button; tests). */
void power_set_deaf(bool deaf);

#endif /* GUEST_POWER_H */
