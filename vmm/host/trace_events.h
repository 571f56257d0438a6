/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's trace events (mm/trace.h says how events are declared): the
 * balloon device's answers, OOM kills, guests starting and stopping, and
 * what samplers (a tracing session's, the overcommit runner's) record of
 * nodes and guests: free pages, watermarks (when they change), a guest's
 * backed pages and its balloon (pages).
 * Their ids are the host range of the id space.
 *
 * Every layer's events, for whoever reads or writes traces: this header
 * includes the others', and host_trace_events_register() makes them all
 * known by name.
 */
#ifndef VMM_HOST_TRACE_EVENTS_H
#define VMM_HOST_TRACE_EVENTS_H

#include "balloon/trace.h"
#include "mm/trace.h"
#include "vmm/guest_mem/trace.h"

/* X(id, name, key0, key1, key2, key3): NULL keys are not printed. */
#define HOST_TRACE_EVENTS(X)                                                   \
	X(TR_BALLOON_DONE, "balloon_done", "vm", "pages", "ns", NULL)          \
	X(TR_OOM_KILL, "oom_kill", "vm", "frames", "badness", NULL)            \
	X(TR_VM_STATE, "vm_state", "vm", "state", NULL, NULL)                  \
	X(TR_BALLOON_ACTUAL, "balloon_actual", "vm", "actual", "target", NULL) \
	X(TR_NODE_FREE, "node_free", "node", "free", "low", "high")            \
	X(TR_VM_MEM, "vm_mem", "vm", "pages", "balloon", "target")             \
	X(TR_NODE_WMARK, "node_watermarks", "node", "min", "low", "high")

DECLARE_TRACE_EVENT_IDS(HOST_TRACE_EVENTS, TRACE_HOST_FIRST, TR_HOST_END,
			NR_TRACE_EVENTS);

extern const struct trace_events host_trace_events;

/*
 * Register the events of every layer above mm (the reclaim engine's,
 * guest memory's, the host's), so that traces print and parse them by
 * name: host_create() does, and so does any program that reads traces.
 * Returns 0 (again when called again), or the -errno of
 * trace_register_events().  Context: any thread.
 */
int host_trace_events_register(void) __must_check;

#endif /* VMM_HOST_TRACE_EVENTS_H */
