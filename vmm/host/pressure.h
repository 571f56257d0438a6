/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory pressure in the host (docs/pressure.md): a PSI group per pool
 * node (each guest has its own in struct vm), and the thread that keeps
 * every group's running averages and polls its triggers, as the
 * kernel's psi_avgs_work and psimon do.  A trigger that fires becomes a
 * PRESSURE event.  What programs read is in api.h (host_guest_pressure(),
 * host_node_pressure(), the triggers).
 *
 * Context: start and stop from the thread that owns the host; the
 * thread ticks the guests' groups under the host's lock.
 */
#ifndef VMM_HOST_PRESSURE_H
#define VMM_HOST_PRESSURE_H

#include <pthread.h>
#include <stdbool.h>

#include "mm/psi.h"

struct host_pressure {
	struct psi_group node[MAX_NUMNODES]; /* by pool node */
	pthread_t thread;
	bool running;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* Guarded by lock: */
	bool stop;
	bool kick; /* a trigger came: poll again now */
	unsigned int next_trigger_id; /* never given twice */
};

struct vmm_host;

/* The nodes' groups and the thread: 0 or -errno (nothing started). */
int host_pressure_start(struct vmm_host *h);
void host_pressure_stop(struct vmm_host *h);

#endif /* VMM_HOST_PRESSURE_H */
