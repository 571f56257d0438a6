/* SPDX-License-Identifier: GPL-2.0 */
/*
 * khugepaged for guests: a host thread that, every collapse interval,
 * looks at a bounded number of guest 2 MiB regions and collapses the ones
 * that are fully backed by scattered frames into one free pageblock
 * (host_collapse_all()), so that KVM can map them with 2 MiB entries
 * again.  It is what turns compaction's free pageblocks into guest
 * hugepages; without it they only go back to the host.
 *
 * Context: start and stop from the thread that owns the host.
 */
#ifndef VMM_HOST_KHUGEPAGED_H
#define VMM_HOST_KHUGEPAGED_H

#include <stdint.h>

#include "util/periodic.h"

struct vmm_host;

struct khugepaged {
	struct vmm_host *h;
	struct periodic thread;
	unsigned long max_scan, max_collapse; /* per pass */
	/* Statistics (atomic). */
	uint64_t passes, collapsed;
};

int host_khugepaged_start(struct vmm_host *h)
	__attribute__((warn_unused_result));
void host_khugepaged_stop(struct vmm_host *h);

#endif /* VMM_HOST_KHUGEPAGED_H */
