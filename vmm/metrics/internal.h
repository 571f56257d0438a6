/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the metrics module: the text format's writer (expose.c) and the
 * families, one file per subject: the pool (pool.c), the guests
 * (guests.c), memory pressure (pressure.c).
 */
#ifndef VMM_METRICS_INTERNAL_H
#define VMM_METRICS_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "util/histogram.h"

struct vmm_host;

/* A label of a sample: name="value" (the value escaped as it is
 * written). */
struct prom_label {
	const char *name;
	const char *value;
};

/* The bounds of every histogram's buckets: 1-2-5 steps from 1 us to
 * 10 s, then +Inf. */
#define PROM_NR_BOUNDS 22

/* A histogram of ns as Prometheus buckets: small enough to keep one per
 * guest while a family is written. */
struct prom_hist {
	uint64_t cum[PROM_NR_BOUNDS]; /* values <= each bound */
	uint64_t count; /* every value: the +Inf bucket */
	uint64_t sum_ns;
};

/* # HELP and # TYPE: once per family, before its samples.  type:
 * "counter", "gauge" or "histogram". */
void prom_family(FILE *f, const char *name, const char *type, const char *help);
/* name{labels} v */
void prom_u64(FILE *f, const char *name, const struct prom_label *l,
	      unsigned int nl, uint64_t v);
/* name{labels} in seconds, exact to the microsecond given. */
void prom_seconds_us(FILE *f, const char *name, const struct prom_label *l,
		     unsigned int nl, uint64_t us);
/* A snapshot (hist_snapshot()) into buckets. */
void prom_hist_from(struct prom_hist *ph, const struct histogram *snap);
/* name_bucket{labels,le="..."} for each bound and +Inf, name_sum (in
 * seconds, exact to the ns) and name_count. */
void prom_histogram(FILE *f, const char *name, const struct prom_label *l,
		    unsigned int nl, const struct prom_hist *ph);

/* The families of each subject: 0, or -ENOMEM (what was written is
 * not the whole of them). */
int metrics_pool(struct vmm_host *h, FILE *f);
int metrics_guests(struct vmm_host *h, FILE *f);
int metrics_pressure(struct vmm_host *h, FILE *f);

#endif /* VMM_METRICS_INTERNAL_H */
