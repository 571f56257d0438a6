// SPDX-License-Identifier: GPL-2.0
/*
 * Memory pressure: the time guests stalled on memory, per guest and per
 * pool node, as /proc/pressure/memory counts it (docs/pressure.md).
 * The totals, as counters in seconds, not the avg10/avg60/avg300 ratios:
 * Prometheus computes those with rate(), as it does for node_exporter's
 * node_pressure_memory_*_seconds_total.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "vmm/host/api.h"
#include "vmm/metrics/internal.h"

/* A guest's or a node's stall totals, read at once. */
struct pressure_row {
	char label[2][VMM_NAME_MAX];
	struct psi_stats st;
};

static const struct {
	const char *suffix, *help;
	int state;
} kinds[] = {
	{ "some",
	  "Time at least one vCPU stalled waiting for memory (reclaim, "
	  "compaction, an OOM kill), as /proc/pressure/memory's some total.",
	  PSI_MEM_SOME },
	{ "full",
	  "Time all non-idle vCPUs stalled waiting for memory at once, as "
	  "/proc/pressure/memory's full total.",
	  PSI_MEM_FULL },
};

static void write_family(FILE *f, const char *who, const char *const *names,
			 unsigned int nl, const struct pressure_row *rows,
			 unsigned int n, unsigned int k)
{
	char name[96];

	snprintf(name, sizeof(name), "vmm_%s_pressure_memory_%s_seconds_total",
		 who, kinds[k].suffix);
	prom_family(f, name, "counter", kinds[k].help);
	for (unsigned int i = 0; i < n; i++) {
		struct prom_label l[2];
		uint64_t us = rows[i].st.total_us[kinds[k].state];

		for (unsigned int j = 0; j < nl; j++)
			l[j] = (struct prom_label){ names[j],
						    rows[i].label[j] };
		prom_seconds_us(f, name, l, nl, us);
	}
}

int metrics_pressure(struct vmm_host *h, FILE *f)
{
	static const char *const guest_labels[] = { "id", "name" };
	static const char *const node_labels[] = { "node" };
	struct pressure_row *rows = calloc(VMM_MAX_GUESTS, sizeof(*rows));
	unsigned int ids[VMM_MAX_GUESTS], nr_ids, n = 0;
	struct host_guest_info *gi = malloc(sizeof(*gi));
	struct host_stats st;

	if (!rows || !gi) {
		free(rows);
		free(gi);
		return -ENOMEM;
	}
	nr_ids = host_guest_ids(h, ids, VMM_MAX_GUESTS);
	for (unsigned int i = 0; i < nr_ids; i++) {
		/* One reaped meanwhile is left out. */
		if (host_guest_info(h, ids[i], gi) ||
		    host_guest_pressure(h, ids[i], &rows[n].st))
			continue;
		snprintf(rows[n].label[0], sizeof(rows[n].label[0]), "%u",
			 ids[i]);
		snprintf(rows[n].label[1], sizeof(rows[n].label[1]), "%s",
			 gi->name);
		n++;
	}
	for (unsigned int k = 0; k < 2; k++)
		write_family(f, "guest", guest_labels, 2, rows, n, k);
	host_get_stats(h, &st);
	n = 0;
	for (unsigned int nid = 0; nid < st.nr_nodes; nid++) {
		if (host_node_pressure(h, (int)nid, &rows[n].st))
			continue;
		snprintf(rows[n].label[0], sizeof(rows[n].label[0]), "%u", nid);
		n++;
	}
	for (unsigned int k = 0; k < 2; k++)
		write_family(f, "node", node_labels, 1, rows, n, k);
	free(gi);
	free(rows);
	return 0;
}
