/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an overcommit run measured: filled in by run.c (and sample.c)
 * while it runs, by analyze.c from the trace afterwards, and read by the
 * reports (expect.c, summary.c, plot.c, html.c).  Times are nanoseconds
 * from the start of the run unless a name says otherwise.
 */
#ifndef TOOLS_OVERCOMMIT_RESULT_H
#define TOOLS_OVERCOMMIT_RESULT_H

#include "vmm/virtio/balloon.h"
#include "mm/vmstat.h"
#include "tools/overcommit/pressure.h"
#include "tools/overcommit/scenario.h"
#include "tools/trace/latency.h"
#include "vmm/guest_mem/guest_mem.h"
#include "vmm/host/api.h"
#include "vmm/kvm/vm.h"

enum oc_guest_state {
	OC_PENDING, /* its start time has not come */
	OC_RUNNING,
	OC_ENDED, /* stopped, for whatever reason: see why */
	OC_LAUNCH_FAILED,
	OC_NOT_STARTED, /* the run ended before its start time */
};

struct oc_guest {
	const struct guest_spec *spec;
	uint64_t start_ns; /* as planned */
	enum oc_guest_state state;
	unsigned int id; /* the host's VM id while it runs */
	uint64_t started_ns, ended_ns;
	bool stopped_by_runner; /* the run's end, its timeout or a signal */
	char error[256]; /* why the launch failed, "" if it did not */

	/* How it ended (OC_ENDED), read just before it was reaped. */
	enum vm_exit_reason why;
	char detail[VM_DETAIL_MAX];
	struct vm_summary sum;
	struct guest_mem_stats mem;
	bool has_balloon;
	struct balloon_info balloon;
	uint64_t peak_balloon_pages; /* sampled */
	struct oc_pressure psi; /* sampled, and at its end */
	/* The cold tier: the most of it in the tier at a sample (pages),
	 * and what the tier had of it at its end. */
	uint64_t peak_swap_pages;
	/* The most it held at a sample, in frames and in the tier
	 * together (pages). */
	uint64_t peak_held_pages;
	struct host_guest_swap swap;
};

struct oc_result {
	const struct scenario *sc;
	const char *dir; /* the report directory */
	uint64_t t0; /* trace clock at the start of the run */
	uint64_t elapsed_ns;
	uint64_t sample_ns;
	bool duration_reached, timed_out, interrupted;
	bool host_error; /* the run could not be carried out */
	char error[256];

	unsigned int nr_guests;
	struct oc_guest guest[VMM_MAX_GUESTS];

	/* The pool. */
	unsigned int nr_nodes;
	uint64_t pool_bytes;
	bool hugepages;
	unsigned long wmark[MAX_NUMNODES][3]; /* min, low, high pages */
	unsigned long node_pages[MAX_NUMNODES];
	unsigned long node_min_free[MAX_NUMNODES]; /* lowest sampled */
	uint64_t node_below_low_ns[MAX_NUMNODES]; /* sampled time spent */
	uint64_t node_deflated[MAX_NUMNODES]; /* pages its kswapd deflated */
	/* Proactive compaction's marks on the fragmentation score (0 and 0:
	 * none), as sampled. */
	unsigned int frag_score_low, frag_score_high;
	struct oc_pressure node_psi[MAX_NUMNODES]; /* sampled */

	/* From the samples. */
	unsigned long samples;
	uint64_t peak_nominal_bytes; /* sum of RAM of running guests */
	uint64_t peak_resident_bytes; /* sum of guest memory backed */
	uint64_t footprint_peak, footprint_end; /* host memory of the pool */
	uint64_t returned_bytes; /* sum of footprint decreases */
	uint64_t last_footprint;
	/* The cold tier, if there is one (docs/cold_tier.md): the most at a
	 * sample of meminfo's Zswap (the stores' frames) and Zswapped (what
	 * they hold), and of pages in the swap file; its size (SwapTotal),
	 * in pages. */
	bool tier;
	uint64_t peak_zswap_pages, peak_zswapped_pages, peak_in_file_pages;
	uint64_t swap_total_pages;

	/* At the end. */
	unsigned long vmstat[NR_VM_EVENT_ITEMS];
	uint64_t released_pageblocks; /* punched out by the runner */

	/* The trace. */
	uint64_t trace_events, trace_lost;
	unsigned int trace_ring;
	bool analyzed;
	unsigned long trace_malformed;
	struct latency lat;
};

/* "ok", "FAILED", "not checked" */
const char *oc_integrity(const struct oc_guest *g);
/* Ended with OOM_KILL. */
bool oc_oom_killed(const struct oc_guest *g);
/* Achieved overcommit: sum of each guest's peak backed memory / pool. */
double oc_overcommit_achieved(const struct oc_result *r);
/* One line of how a guest ended: "guest exit, status 0". */
const char *oc_ending(const struct oc_guest *g, char *buf, size_t len);

#endif /* TOOLS_OVERCOMMIT_RESULT_H */
