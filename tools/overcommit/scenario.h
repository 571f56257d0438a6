/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An overcommit scenario: a JSON file (docs/overcommit.md has every key)
 * describing the pool, reclaim, the guests with their start times and
 * workloads, how the run is sampled, and what is expected of it.  The
 * whole file is checked before anything starts: unknown keys, wrong types,
 * bad sizes and times and impossible combinations are errors that name
 * the JSON path ("guests[2].mem: ...").
 */
#ifndef TOOLS_OVERCOMMIT_SCENARIO_H
#define TOOLS_OVERCOMMIT_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mm/psi.h"
#include "tools/trace/latency.h"
#include "vmm/config/config.h"

#define SC_ERR_MAX 512
#define SC_MAX_BOUNDS 32

/* "latency.direct_reclaim.p99 <= 5ms" */
struct sc_latency_bound {
	enum lat_dist dist;
	unsigned int p10; /* tenths of a percent; 1000: max */
	uint64_t max_ns;
};

/*
 * "pressure.guests.hog.some.avg10 <= 20": a bound on a guest's (or a
 * pool node's) PSI: an average's highest sample, or the total at the
 * end.
 */
#define SC_MAX_PRESSURE_BOUNDS 32
#define SC_EVERY "*" /* every guest, every node */

struct sc_pressure_bound {
	char guest[VMM_NAME_MAX]; /* a guest, SC_EVERY; "": a node */
	int node; /* a node, -1: every node (guest "") */
	enum psi_states state;
	int avg; /* enum psi_avgs; -1: the total */
	unsigned int max_avg; /* hundredths of a percent */
	uint64_t max_total_us;
};

struct sc_expect {
	bool no_oom; /* no OOM kill at all */
	unsigned int nr_victims; /* these guests, and only these, killed */
	bool victims_set;
	char victim[VMM_MAX_GUESTS][VMM_NAME_MAX];
	bool integrity; /* no guest saw a bad page; survivors verified */
	bool completed; /* every guest not expected to die finished clean */
	unsigned int nr_bounds;
	struct sc_latency_bound bound[SC_MAX_BOUNDS];
	bool returned_set; /* memory returned to the host >= returned_min */
	uint64_t returned_min;
	bool overcommit_set; /* achieved overcommit ratio >= overcommit_min */
	double overcommit_min;
	unsigned int nr_pressure;
	struct sc_pressure_bound pressure[SC_MAX_PRESSURE_BOUNDS];
};

struct scenario {
	char name[64];
	char *description; /* may be "" */
	char *path; /* the file */
	struct vmm_config cfg; /* pool, reclaim knobs, the guests */
	uint64_t start_ns[VMM_MAX_GUESTS]; /* guest i starts then */
	uint64_t duration_ns; /* 0: until every guest has ended */
	/* At the duration's end guests are asked to shut down (they verify
	 * their memory); after this long they are killed.  0: stop at once. */
	uint64_t shutdown_timeout_ns;
	uint64_t timeout_ns;
	uint64_t sample_ns;
	unsigned int trace_events; /* ring size */
	struct sc_expect expect;
};

/* Load and check path; -EINVAL (or -errno) with "file: path: what" in
 * err.  sc is freed on error. */
int scenario_load(const char *path, struct scenario *sc, char *err,
		  size_t errlen);
void scenario_free(struct scenario *sc);
/* What will run, in words (overcommit --check). */
void scenario_print(const struct scenario *sc, FILE *f);
/* "p99" for 990, "max" for 1000. */
const char *sc_percentile_name(unsigned int p10);

#endif /* TOOLS_OVERCOMMIT_SCENARIO_H */
