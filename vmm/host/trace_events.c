// SPDX-License-Identifier: GPL-2.0
/* The host's trace events, and every layer's registered (see the .h). */
#include "vmm/host/trace_events.h"

DEFINE_TRACE_EVENTS(host_trace_events, HOST_TRACE_EVENTS, TRACE_HOST_FIRST);

int host_trace_events_register(void)
{
	static const struct trace_events *const tables[] = {
		&reclaim_trace_events,
		&guest_mem_trace_events,
		&host_trace_events,
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(tables); i++) {
		int ret = trace_register_events(tables[i]);

		if (ret)
			return ret;
	}
	return 0;
}
