/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest memory's trace events (mm/trace.h says how events are declared):
 * a guest fault served, a batch of guest pages migrated, a batch
 * swapped out to the cold tier, a fault served from it (a swap-in: the
 * pages mapped, of them read from the swap file, its time; the vmm_fault
 * event that follows names the GPA).  Their ids are the guest-memory
 * range of the id space.
 */
#ifndef VMM_GUEST_MEM_TRACE_H
#define VMM_GUEST_MEM_TRACE_H

#include "mm/trace.h"

/* X(id, name, key0, key1, key2, key3): NULL keys are not printed. */
#define GUEST_MEM_TRACE_EVENTS(X)                                       \
	X(TR_FAULT, "vmm_fault", "vm", "gpa", "order", "ns")            \
	X(TR_MIGRATE_BATCH, "migrate_batch", "vm", "pages", "pause_ns", \
	  "failed")                                                     \
	X(TR_SWAP_OUT, "swap_out", "vm", "pages", "refused", "ns")      \
	X(TR_SWAP_IN, "swap_in", "vm", "pages", "file", "ns")

DECLARE_TRACE_EVENT_IDS(GUEST_MEM_TRACE_EVENTS, TRACE_GUEST_MEM_FIRST,
			TR_GUEST_MEM_END, TRACE_HOST_FIRST);

/* Registered by the program that traces (host_trace_events_register()). */
extern const struct trace_events guest_mem_trace_events;

#endif /* VMM_GUEST_MEM_TRACE_H */
