// SPDX-License-Identifier: GPL-2.0
/*
 * A tracing session's memory samples (internal.h): what Perfetto draws as
 * counter tracks beside the stalls, from the trace alone.
 */
#include <string.h>

#include "vmm/host/balloon.h"
#include "vmm/host/internal.h"
#include "vmm/host/trace_events.h"

static void sample_nodes(struct vmm_host *h, struct trace_ring *ring)
{
	struct host_trace *t = &h->trace;
	struct host_stats st;

	host_get_stats(h, &st);
	for (unsigned int nid = 0; nid < st.nr_nodes; nid++) {
		const unsigned long *w = st.node[nid].wmark;

		/* Watermarks change seldom (hotplug, settings): when they
		 * do, and at the first sample. */
		if (memcmp(t->wmark[nid], w, sizeof(t->wmark[nid]))) {
			memcpy(t->wmark[nid], w, sizeof(t->wmark[nid]));
			trace_event(ring, TR_NODE_WMARK, nid, w[WMARK_MIN],
				    w[WMARK_LOW], w[WMARK_HIGH]);
		}
		trace_event(ring, TR_NODE_FREE, nid, st.node[nid].free,
			    w[WMARK_LOW], w[WMARK_HIGH]);
	}
}

static void sample_guests(struct vmm_host *h, struct trace_ring *ring)
{
	pthread_mutex_lock(&h->lock);
	for (unsigned int slot = 1; slot <= VMM_MAX_GUESTS; slot++) {
		struct vm *vm = h->vm[slot];
		struct guest_mem_stats ms = { 0 };
		struct balloon_info bi = { 0 };

		if (!vm)
			continue;
		if (vm->mem)
			guest_mem_get_stats(vm->mem, &ms);
		if (h->balloon[slot])
			balloon_get_info(&h->balloon[slot]->vb, &bi);
		trace_event(ring, TR_VM_MEM, vm->id, ms.pages, bi.actual,
			    bi.target);
	}
	pthread_mutex_unlock(&h->lock);
}

void host_trace_sample(void *arg)
{
	struct vmm_host *h = arg;
	struct trace_ring *ring = &h->pool->trace;

	sample_nodes(h, ring);
	sample_guests(h, ring);
}
