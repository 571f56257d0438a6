// SPDX-License-Identifier: GPL-2.0
/*
 * Each guest's families, labelled id (vmmctl's, never given twice) and
 * name: its memory and its balloon, its faults, and the latencies it saw.
 * The guests are read once, one at a time (host_guest_info(),
 * host_guest_latency()), and then written family by family.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "vmm/host/api.h"
#include "vmm/metrics/internal.h"

#define PAGE_BYTES 4096ULL
#define HUGE_BYTES (2ULL << 20)

enum guest_value {
	GV_RAM,
	GV_BACKED,
	GV_HUGE,
	GV_BALLOON_TARGET,
	GV_BALLOON_ACTUAL,
	GV_FAULTS,
	GV_SWAPPED,
	GV_SWAP_STORED,
	GV_SWAP_FILE,
	GV_SWAP_REFAULTED,
	NR_GUEST_VALUES
};

enum guest_hist { GH_FAULT, GH_MIGRATE_PAUSE, GH_BALLOON, NR_GUEST_HISTS };

/* A guest as read, until its families are written. */
struct guest_row {
	unsigned int id;
	char id_text[12];
	char name[VMM_NAME_MAX];
	bool has_balloon;
	uint64_t value[NR_GUEST_VALUES];
	struct prom_hist hist[NR_GUEST_HISTS];
};

static const struct {
	const char *name, *type, *help;
	bool balloon; /* only for guests with a balloon */
} value_families[NR_GUEST_VALUES] = {
	[GV_RAM] = { "vmm_guest_ram_bytes", "gauge", "The guest's RAM." },
	[GV_BACKED] = { "vmm_guest_backed_bytes", "gauge",
			"The guest's RAM backed by pool memory now (faulted "
			"in, not ballooned or discarded)." },
	[GV_HUGE] = { "vmm_guest_huge_mapped_bytes", "gauge",
		      "The guest's RAM mapped in whole 2 MiB regions, each one "
		      "pageblock of the pool, which KVM can map with 2 MiB "
		      "entries." },
	[GV_BALLOON_TARGET] = { "vmm_guest_balloon_target_bytes", "gauge",
				"What the host asks the guest's balloon to "
				"hold.",
				true },
	[GV_BALLOON_ACTUAL] = { "vmm_guest_balloon_actual_bytes", "gauge",
				"What the guest's balloon driver says it "
				"holds.",
				true },
	[GV_FAULTS] = { "vmm_guest_faults_total", "counter",
			"Faults of the guest's RAM served (userfaultfd "
			"events)." },
	[GV_SWAPPED] = { "vmm_guest_swapped_bytes", "gauge",
			 "The guest's RAM held by the cold tier now (as "
			 "VmSwap)." },
	[GV_SWAP_STORED] = { "vmm_guest_swap_stored_bytes", "gauge",
			     "What the guest's pages in the cold tier take "
			     "compressed in its stores (pool memory)." },
	[GV_SWAP_FILE] = { "vmm_guest_swap_file_bytes", "gauge",
			   "The guest's pages in the cold tier's swap "
			   "file." },
	[GV_SWAP_REFAULTED] = { "vmm_guest_swap_refaulted_bytes_total",
				"counter",
				"The guest's RAM its faults brought back from "
				"the cold tier (its workingset_refault_anon, "
				"in bytes)." },
};

static const struct {
	const char *name, *help;
	bool balloon;
} hist_families[NR_GUEST_HISTS] = {
	[GH_FAULT] = { "vmm_guest_fault_seconds",
		       "A fault of the guest's RAM, from the userfaultfd event "
		       "to the vCPU woken: allocation (and any reclaim or "
		       "compaction it waited for) and mapping." },
	[GH_MIGRATE_PAUSE] = { "vmm_guest_migrate_pause_seconds",
			       "The longest a vCPU of the guest could be held "
			       "up by one batch of page migrations "
			       "(compaction, collapse)." },
	[GH_BALLOON] = { "vmm_guest_balloon_request_seconds",
			 "A balloon request, from the host raising the target "
			 "to the guest's driver saying its balloon holds it.",
			 true },
};

/* The guest now, into row: 0, or -ENOENT (it was reaped meanwhile). */
static int read_guest(struct vmm_host *h, unsigned int id,
		      struct guest_row *row, struct host_guest_info *gi,
		      struct host_guest_latency *lat)
{
	if (host_guest_info(h, id, gi) || host_guest_latency(h, id, lat))
		return -ENOENT;
	row->id = id;
	snprintf(row->id_text, sizeof(row->id_text), "%u", id);
	snprintf(row->name, sizeof(row->name), "%s", gi->name);
	row->has_balloon = gi->has_balloon;
	row->value[GV_RAM] = gi->ram_bytes;
	row->value[GV_BACKED] = gi->mem.pages * PAGE_BYTES;
	row->value[GV_HUGE] = gi->mem.huge_maps * HUGE_BYTES;
	row->value[GV_BALLOON_TARGET] = gi->balloon.target * PAGE_BYTES;
	row->value[GV_BALLOON_ACTUAL] = gi->balloon.actual * PAGE_BYTES;
	row->value[GV_FAULTS] = gi->mem.faults;
	row->value[GV_SWAPPED] = gi->mem.swapped * PAGE_BYTES;
	row->value[GV_SWAP_STORED] = gi->swap.stored_bytes;
	row->value[GV_SWAP_FILE] = gi->swap.file_bytes;
	row->value[GV_SWAP_REFAULTED] = gi->swap.refaulted_bytes;
	prom_hist_from(&row->hist[GH_FAULT], &lat->fault);
	prom_hist_from(&row->hist[GH_MIGRATE_PAUSE], &lat->migrate_pause);
	prom_hist_from(&row->hist[GH_BALLOON], &lat->balloon);
	return 0;
}

static int by_id(const void *a, const void *b)
{
	const struct guest_row *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static void write_families(FILE *f, const struct guest_row *rows,
			   unsigned int n)
{
	for (int v = 0; v < NR_GUEST_VALUES; v++) {
		const char *name = value_families[v].name;

		prom_family(f, name, value_families[v].type,
			    value_families[v].help);
		for (unsigned int i = 0; i < n; i++) {
			struct prom_label l[] = { { "id", rows[i].id_text },
						  { "name", rows[i].name } };

			if (!value_families[v].balloon || rows[i].has_balloon)
				prom_u64(f, name, l, 2, rows[i].value[v]);
		}
	}
	for (int k = 0; k < NR_GUEST_HISTS; k++) {
		const char *name = hist_families[k].name;

		prom_family(f, name, "histogram", hist_families[k].help);
		for (unsigned int i = 0; i < n; i++) {
			struct prom_label l[] = { { "id", rows[i].id_text },
						  { "name", rows[i].name } };

			if (!hist_families[k].balloon || rows[i].has_balloon)
				prom_histogram(f, name, l, 2, &rows[i].hist[k]);
		}
	}
}

int metrics_guests(struct vmm_host *h, FILE *f)
{
	unsigned int ids[VMM_MAX_GUESTS], nr_ids, n = 0;
	struct host_guest_latency *lat = malloc(sizeof(*lat));
	struct host_guest_info *gi = malloc(sizeof(*gi));
	struct guest_row *rows = calloc(VMM_MAX_GUESTS, sizeof(*rows));
	int ret = -ENOMEM;

	if (!lat || !gi || !rows)
		goto out;
	nr_ids = host_guest_ids(h, ids, VMM_MAX_GUESTS);
	for (unsigned int i = 0; i < nr_ids; i++)
		if (!read_guest(h, ids[i], &rows[n], gi, lat))
			n++;
	qsort(rows, n, sizeof(*rows), by_id);
	write_families(f, rows, n);
	ret = 0;
out:
	free(rows);
	free(gi);
	free(lat);
	return ret;
}
