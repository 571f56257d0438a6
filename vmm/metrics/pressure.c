// SPDX-License-Identifier: GPL-2.0
/*
 * Memory pressure: the share of time guests stalled on memory, per guest
 * and per pool node, as /proc/pressure/memory counts it.
 */
#include "vmm/metrics/internal.h"

/*
 * PSI TOTALS GO HERE, from the pressure stall accounting (the PSI
 * module, which lands beside this one): per guest (labels id and name)
 * and per pool node (label node), the totals of "some" and "full" stall
 * time as counters in seconds, one family each, e.g.
 *
 *   vmm_guest_pressure_memory_some_seconds_total{id="2",name="hog"}
 *   vmm_guest_pressure_memory_full_seconds_total{id="2",name="hog"}
 *   vmm_node_pressure_memory_some_seconds_total{node="0"}
 *   vmm_node_pressure_memory_full_seconds_total{node="0"}
 *
 * (the totals, not the avg10/avg60/avg300 ratios: Prometheus computes
 * those with rate(), as node_exporter's node_pressure_memory_*).  Until
 * then it writes nothing.
 */
int metrics_pressure(struct vmm_host *h, FILE *f)
{
	(void)h, (void)f;
	return 0;
}
