// SPDX-License-Identifier: GPL-2.0
/* The report, once the run is over (report.h). */
#include "tools/overcommit/analyze.h"
#include "tools/overcommit/html.h"
#include "tools/overcommit/plot.h"
#include "tools/overcommit/report.h"
#include "tools/overcommit/summary.h"

int oc_report(struct oc_result *r, int run_ret, bool plots,
	      struct oc_checks *checks, FILE *log)
{
	char err[512];
	int status;

	if (!run_ret && oc_analyze(r, err, sizeof(err)))
		fprintf(log, "overcommit: %s\n", err);
	oc_expect(r, checks);
	status = oc_exit_status(r, checks);
	if (oc_write_summary(r, checks, err, sizeof(err))) {
		fprintf(log, "overcommit: %s\n", err);
		status = 2;
	}
	/* Plots are a bonus: without gnuplot the report stands. */
	if (plots && oc_plot(r, err, sizeof(err)))
		fprintf(log, "overcommit: plots: %s\n", err);
	if (oc_write_html(r, checks, err, sizeof(err))) {
		fprintf(log, "overcommit: %s\n", err);
		status = 2;
	}
	return status;
}

void oc_report_free(struct oc_result *r, struct oc_checks *checks)
{
	oc_checks_free(checks);
	oc_analyze_free(r);
}
