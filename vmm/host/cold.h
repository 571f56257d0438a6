/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cold page scanner: a host thread that, every scan interval, runs
 * one idle-sampling pass (guest_mem_idle_scan(), docs/cold_pages.md) over
 * each running guest, a bounded number of units in all, as khugepaged's
 * pages_to_scan bounds it.  A unit untouched for the cold age (that many
 * passes: age / interval) is cold: the cold tier asks for such pages with
 * host_cold_pages().  With scanning off there is no thread, no page is
 * ever dropped, and no page is cold.
 *
 * Context: start and stop from the thread that owns the host.
 */
#ifndef VMM_HOST_COLD_H
#define VMM_HOST_COLD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/periodic.h"

struct vmm_host;

/* Defaults for a 0 in the config (the option rows say the same). */
#define COLD_SCAN_INTERVAL_MS_DEFAULT 10000
#define COLD_AGE_MS_DEFAULT 120000
/* Units (64 KiB, or a 2 MiB pageblock mapping) per pass, all guests
 * together: 4 GiB of 64 KiB units. */
#define COLD_SCAN_UNITS 65536

struct host_cold {
	struct vmm_host *h;
	struct periodic thread;
	unsigned int min_age; /* passes: cold age / scan interval, 1..255 */
	/* Statistics (atomic). */
	uint64_t passes;
	uint64_t pass_ns; /* time the passes took, together */
};

int host_cold_start(struct vmm_host *h) __attribute__((warn_unused_result));
void host_cold_stop(struct vmm_host *h);
/* Passes a unit must be untouched to be cold: the cold age over the
 * interval, at least 1, at most 255. */
unsigned int host_cold_min_age(uint64_t age_ms, uint64_t interval_ms);
/*
 * One pass over every running guest now (the thread's work; tests).
 * Returns the units looked at.  Context: any thread but the scanner's.
 */
long host_cold_scan_all(struct vmm_host *h, unsigned long max_units);
/*
 * Up to max cold pages (GPAs, oldest first) of guest id: its pages
 * untouched for the cold age.  0 when scanning is off, -ENOENT when the
 * guest is not running.
 */
long host_cold_pages(struct vmm_host *h, unsigned int id, uint64_t *gpa,
		     unsigned int max);
/*
 * How cold pages were found, for the pool summary: sampling with its
 * passes and their cost, or nothing (scanning off), and what DAMON the
 * host has, since that is what a host that allows it should use.
 */
void host_cold_show(struct vmm_host *h, FILE *f);

#endif /* VMM_HOST_COLD_H */
