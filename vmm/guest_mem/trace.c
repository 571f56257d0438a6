// SPDX-License-Identifier: GPL-2.0
/* Guest memory's trace events' names and keys (see trace.h). */
#include "vmm/guest_mem/trace.h"

DEFINE_TRACE_EVENTS(guest_mem_trace_events, GUEST_MEM_TRACE_EVENTS,
		    TRACE_GUEST_MEM_FIRST);
