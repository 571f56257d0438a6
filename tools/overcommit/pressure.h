/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory pressure in an overcommit run (docs/pressure.md): each guest's
 * and each pool node's PSI, sampled with the rest (sample.c: the CSV
 * columns below), its highest averages and its totals at the end, for
 * the expectations (expect.c) and the summary (summary.c).
 */
#ifndef TOOLS_OVERCOMMIT_PRESSURE_H
#define TOOLS_OVERCOMMIT_PRESSURE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "mm/psi.h"

/*
 * The columns of nodes.csv and guests.csv after their own: the running
 * averages in percent (as /proc/pressure/memory prints them) and the
 * totals in microseconds, of some and of full.
 */
#define OC_PSI_CSV_COLUMNS                                                 \
	"psi_some_avg10,psi_some_avg60,psi_some_avg300,psi_some_total_us," \
	"psi_full_avg10,psi_full_avg60,psi_full_avg300,psi_full_total_us"

struct oc_pressure {
	bool sampled;
	/* The highest of each average sampled (hundredths of a percent). */
	unsigned int peak[NR_PSI_STATES][NR_PSI_AVGS];
	struct psi_stats last; /* the last sample: the end, for a guest */
};

/* A sample: the highest averages follow, and it is the last. */
void oc_pressure_add(struct oc_pressure *p, const struct psi_stats *st);
/* ",some_avg10,...,full_total_us" of st (no newline): a row's columns. */
void oc_pressure_csv(FILE *f, const struct psi_stats *st);
/* "some 12.34/3.45/0.80% 1.23 s, full ...": the highest averages and
 * the totals, for the summary. */
void oc_pressure_line(const struct oc_pressure *p, FILE *f);
/* {"some": {"avg10_max", "avg60_max", "avg300_max", "total_us"},
 * "full": ...}, or null if never sampled. */
json_t *oc_pressure_json(const struct oc_pressure *p);

#endif /* TOOLS_OVERCOMMIT_PRESSURE_H */
