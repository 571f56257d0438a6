// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus text exposition format, version 0.0.4: a family is its
 * # HELP and # TYPE lines and then its samples, one a line, `name{label=
 * "value",...} value`; label values escape \, " and newline, help text \
 * and newline.
 */
#include <inttypes.h>
#include <stdbool.h>

#include "vmm/metrics/internal.h"

#define NS_PER_S UINT64_C(1000000000)

/* In ns, and as `le` says them in seconds (as %g writes them, which is
 * what Prometheus' own clients write too). */
static const struct {
	uint64_t ns;
	const char *le;
} bounds[PROM_NR_BOUNDS] = {
	{ 1000, "1e-06" },     { 2000, "2e-06" },    { 5000, "5e-06" },
	{ 10000, "1e-05" },    { 20000, "2e-05" },   { 50000, "5e-05" },
	{ 100000, "0.0001" },  { 200000, "0.0002" }, { 500000, "0.0005" },
	{ 1000000, "0.001" },  { 2000000, "0.002" }, { 5000000, "0.005" },
	{ 10000000, "0.01" },  { 20000000, "0.02" }, { 50000000, "0.05" },
	{ 100000000, "0.1" },  { 200000000, "0.2" }, { 500000000, "0.5" },
	{ 1000000000, "1" },   { 2000000000, "2" },  { 5000000000, "5" },
	{ 10000000000, "10" },
};

static void put_escaped(FILE *f, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '"' && quote)
			fputs("\\\"", f);
		else
			fputc(*s, f);
	}
}

void prom_family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s ", name);
	put_escaped(f, help, false);
	fprintf(f, "\n# TYPE %s %s\n", name, type);
}

/* name{l...,extra="..."} without the value; extra may be NULL. */
static void put_series(FILE *f, const char *name, const char *suffix,
		       const struct prom_label *l, unsigned int nl,
		       const struct prom_label *extra)
{
	const char *sep = "{";

	fputs(name, f);
	fputs(suffix, f);
	for (unsigned int i = 0; i < nl + (extra != NULL); i++) {
		const struct prom_label *x = i < nl ? &l[i] : extra;

		fprintf(f, "%s%s=\"", sep, x->name);
		put_escaped(f, x->value, true);
		fputc('"', f);
		sep = ",";
	}
	if (nl || extra)
		fputc('}', f);
}

void prom_u64(FILE *f, const char *name, const struct prom_label *l,
	      unsigned int nl, uint64_t v)
{
	put_series(f, name, "", l, nl, NULL);
	fprintf(f, " %" PRIu64 "\n", v);
}

void prom_seconds_us(FILE *f, const char *name, const struct prom_label *l,
		     unsigned int nl, uint64_t us)
{
	put_series(f, name, "", l, nl, NULL);
	fprintf(f, " %" PRIu64 ".%06" PRIu64 "\n", us / 1000000, us % 1000000);
}

void prom_hist_from(struct prom_hist *ph, const struct histogram *snap)
{
	uint64_t le[PROM_NR_BOUNDS];

	for (unsigned int i = 0; i < PROM_NR_BOUNDS; i++)
		le[i] = bounds[i].ns;
	hist_cumulative(snap, le, PROM_NR_BOUNDS, ph->cum);
	ph->count = snap->n;
	ph->sum_ns = snap->sum;
}

void prom_histogram(FILE *f, const char *name, const struct prom_label *l,
		    unsigned int nl, const struct prom_hist *ph)
{
	for (unsigned int i = 0; i <= PROM_NR_BOUNDS; i++) {
		struct prom_label le = { "le", i < PROM_NR_BOUNDS ?
						       bounds[i].le :
						       "+Inf" };

		put_series(f, name, "_bucket", l, nl, &le);
		fprintf(f, " %" PRIu64 "\n",
			i < PROM_NR_BOUNDS ? ph->cum[i] : ph->count);
	}
	put_series(f, name, "_sum", l, nl, NULL);
	fprintf(f, " %" PRIu64 ".%09" PRIu64 "\n", ph->sum_ns / NS_PER_S,
		ph->sum_ns % NS_PER_S);
	put_series(f, name, "_count", l, nl, NULL);
	fprintf(f, " %" PRIu64 "\n", ph->count);
}
