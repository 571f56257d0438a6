/* SPDX-License-Identifier: GPL-2.0 */
/*
 * After a run, everything in order: the trace analyzed, the expectations
 * checked, summary.txt/.json, the plots, index.html.  Problems with any
 * part are said on log; the rest is still written.
 */
#ifndef TOOLS_OVERCOMMIT_REPORT_H
#define TOOLS_OVERCOMMIT_REPORT_H

#include <stdio.h>

#include "tools/overcommit/expect.h"

/* run_ret is oc_run()'s.  Returns the exit status (summary.h). */
int oc_report(struct oc_result *r, int run_ret, bool plots,
	      struct oc_checks *checks, FILE *log);
/* What oc_report() and oc_run() kept. */
void oc_report_free(struct oc_result *r, struct oc_checks *checks);

#endif /* TOOLS_OVERCOMMIT_REPORT_H */
