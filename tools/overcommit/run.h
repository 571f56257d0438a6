/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running a scenario, in this process: a vmm host (the library, no
 * socket), one io_uring event loop for guest starts and stops, samples,
 * memory release, balloon notifications and signals; the trace ring is
 * drained into DIR/trace.txt at every sample so that nothing is lost
 * silently (what the ring overwrote first is counted).
 *
 * DIR also gets guests.txt (each guest's report as `vmm run` prints it),
 * oom.txt (the OOM killer's reports), console.txt (the guests' consoles)
 * and the CSVs of sample.h.
 */
#ifndef TOOLS_OVERCOMMIT_RUN_H
#define TOOLS_OVERCOMMIT_RUN_H

#include "tools/overcommit/result.h"

struct oc_options {
	uint64_t sample_ns; /* 0: the scenario's */
	bool progress; /* the progress line on stderr */
};

/*
 * Run sc with the report files in dir (which exists).  0 when the run was
 * carried out (r->timed_out, r->interrupted say how it ended), -errno when
 * it could not be (r->error says why).  r is the caller's; zeroed here.
 */
int oc_run(const struct scenario *sc, const char *dir,
	   const struct oc_options *opt, struct oc_result *r);

#endif /* TOOLS_OVERCOMMIT_RUN_H */
