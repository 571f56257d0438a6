// SPDX-License-Identifier: GPL-2.0
/*
 * PSI over time: how much of each interval between samples the pool's
 * nodes and the guests spent stalled on memory (docs/pressure.md).
 *
 * The figure drawn is the share of the interval, from the growth of the
 * stall totals (as Prometheus' rate() of them), because the kernel's
 * averages (avg10, also drawn for the nodes) start from zero and move
 * slowly: a run of a few seconds with a burst of stalls shows avg10 0.00
 * while its totals say 20 ms in 100.  The guests are ranked by their
 * stall total, the top PLOT_TOP by name and, with more guests, the
 * highest share among the rest as one line ("others, the most").
 */
#include <errno.h>
#include <string.h>

#include "tools/overcommit/csv.h"
#include "tools/overcommit/files.h"
#include "tools/overcommit/plot_internal.h"

/* A y range up to a little above the highest share, at least 1%: set
 * here, as gnuplot warns of an empty range when every value is 0. */
static void y_range(FILE *f, double max)
{
	fprintf(f, "set yrange [0:%.3f]\n", max > 0.9 ? max * 1.1 : 1.0);
}

/* The share in % of the interval [t0, t1] (s) that total grew by (us). */
static double share(double grew_us, double t0, double t1)
{
	double us = (t1 - t0) * 1e6;

	return us > 0 && grew_us > 0 ? 100.0 * grew_us / us : 0;
}

/* pressure_nodes.csv: per node per sample, the shares of some and full
 * and the kernel's some avg10, as nodes.csv's rows come. */
static int write_nodes(struct plot_run *p)
{
	double last_t[MAX_NUMNODES] = { 0 }, last[MAX_NUMNODES][2] = { { 0 } };
	int t_col, node, some, full, avg10, ret;
	char err[256];
	struct csv c;
	FILE *f;

	ret = csv_open(&c, p->r->dir, "nodes.csv");
	if (ret)
		return ret;
	t_col = csv_column(&c, "time_s");
	node = csv_column(&c, "node");
	some = csv_column(&c, "psi_some_total_us");
	full = csv_column(&c, "psi_full_total_us");
	avg10 = csv_column(&c, "psi_some_avg10");
	f = oc_fopen(p->r->dir, "pressure_nodes.csv", err, sizeof(err));
	if (!f) {
		csv_close(&c);
		return -errno;
	}
	fputs("time_s,node,some_pct,full_pct,some_avg10\n", f);
	while (csv_next(&c)) {
		unsigned int n = (unsigned int)csv_num(&c, node);
		double t = csv_num(&c, t_col);
		double v[2] = { csv_num(&c, some), csv_num(&c, full) };
		double s;

		if (n >= MAX_NUMNODES)
			continue;
		s = share(v[0] - last[n][0], last_t[n], t);
		if (s > p->pressure_max[0])
			p->pressure_max[0] = s;
		if (csv_num(&c, avg10) > p->pressure_max[0])
			p->pressure_max[0] = csv_num(&c, avg10);
		fprintf(f, "%s,%u,%.3f,%.3f,%.2f\n", csv_str(&c, t_col), n, s,
			share(v[1] - last[n][1], last_t[n], t),
			csv_num(&c, avg10));
		last_t[n] = t;
		memcpy(last[n], v, sizeof(v));
	}
	csv_close(&c);
	return oc_fclose(&f);
}

/* Bands by the guests' stall totals, largest first: band[i] is guest
 * i's; a guest that never stalled is never named. */
static void rank(struct plot_run *p, const double *total, unsigned int *band)
{
	struct oc_result *r = p->r;
	struct bands *b = &p->pressure;
	bool taken[VMM_MAX_GUESTS] = { false };
	unsigned int named = 0;

	memset(b, 0, sizeof(*b));
	while (named < PLOT_TOP && named < r->nr_guests) {
		int best = -1;

		for (unsigned int i = 0; i < r->nr_guests; i++)
			if (!taken[i] && total[i] > 0 &&
			    (best < 0 || total[i] > total[best]))
				best = (int)i;
		if (best < 0)
			break;
		taken[best] = true;
		band[best] = named;
		b->b[named].name = r->guest[best].spec->name;
		snprintf(b->b[named].title, sizeof(b->b[named].title), "%s",
			 b->b[named].name);
		b->b[named].color = plot_color[named % PLOT_NR_COLORS];
		named++;
	}
	b->n = named;
	for (unsigned int i = 0; i < r->nr_guests; i++)
		if (!taken[i])
			band[i] = named;
	if (named < r->nr_guests) {
		unsigned int rest = r->nr_guests - named;

		snprintf(b->b[named].title, sizeof(b->b[named].title),
			 "%s (%u guest%s), the most",
			 named ? "others" : "every guest", rest,
			 rest == 1 ? "" : "s");
		b->b[named].color = PLOT_OTHERS_COLOR;
		b->n++;
	}
}

/* Each guest's stall total at its last row of guests.csv (us). */
static int totals(struct plot_run *p, double *total)
{
	int name, some, ret;
	struct csv c;

	ret = csv_open(&c, p->r->dir, "guests.csv");
	if (ret)
		return ret;
	name = csv_column(&c, "guest");
	some = csv_column(&c, "psi_some_total_us");
	while (csv_next(&c)) {
		int i = plot_guest_index(p->r, csv_str(&c, name));

		if (i >= 0)
			total[i] = csv_num(&c, some);
	}
	csv_close(&c);
	return 0;
}

/* pressure_guests.csv: per sample, each band's share of some (the
 * highest of its guests'). */
static int write_guests(struct plot_run *p, const unsigned int *band)
{
	double last_t[VMM_MAX_GUESTS] = { 0 }, last[VMM_MAX_GUESTS] = { 0 };
	double row[PLOT_TOP + 1] = { 0 }, t_row = -1;
	int t_col, name, some, ret;
	char err[256];
	struct csv c;
	FILE *f;

	ret = csv_open(&c, p->r->dir, "guests.csv");
	if (ret)
		return ret;
	t_col = csv_column(&c, "time_s");
	name = csv_column(&c, "guest");
	some = csv_column(&c, "psi_some_total_us");
	f = oc_fopen(p->r->dir, "pressure_guests.csv", err, sizeof(err));
	if (!f) {
		csv_close(&c);
		return -errno;
	}
	fputs("time_s", f);
	for (unsigned int j = 0; j < p->pressure.n; j++)
		fprintf(f, ",band%u_some_pct", j);
	fputc('\n', f);
	for (bool more = csv_next(&c);; more = csv_next(&c)) {
		double t = more ? csv_num(&c, t_col) : -1;
		int i = more ? plot_guest_index(p->r, csv_str(&c, name)) : -1;

		/* A sample's rows share its time: a new time ends a row. */
		if (t_row >= 0 && (!more || t > t_row + 0.0005)) {
			fprintf(f, "%.3f", t_row);
			for (unsigned int j = 0; j < p->pressure.n; j++)
				fprintf(f, ",%.3f", row[j]);
			fputc('\n', f);
			memset(row, 0, sizeof(row));
		}
		if (!more)
			break;
		t_row = t;
		if (i < 0)
			continue;
		{
			double v = csv_num(&c, some);
			double s = share(v - last[i], last_t[i], t);

			if (s > row[band[i]])
				row[band[i]] = s;
			if (s > p->pressure_max[1])
				p->pressure_max[1] = s;
			last[i] = v;
			last_t[i] = t;
		}
	}
	csv_close(&c);
	return oc_fclose(&f);
}

int plot_pressure_data(struct plot_run *p, FILE *f)
{
	double total[VMM_MAX_GUESTS] = { 0 };
	unsigned int band[VMM_MAX_GUESTS];
	int ret;

	(void)f;
	p->pressure.n = 0;
	p->pressure_max[0] = p->pressure_max[1] = 0;
	if (!p->r->samples ||
	    plot_column(p, "nodes.csv", "psi_some_total_us") <= 0)
		return 0;
	ret = write_nodes(p);
	if (ret)
		return ret;
	if (p->r->nr_guests &&
	    plot_column(p, "guests.csv", "psi_some_total_us") > 0) {
		ret = totals(p, total);
		if (!ret) {
			rank(p, total, band);
			ret = write_guests(p, band);
		}
		if (ret)
			return ret;
	}
	return 1;
}

void plot_pressure(struct plot_run *p, FILE *f, const struct term *t)
{
	const char *sep = "plot ";
	bool guests = p->pressure.n > 0;

	plot_output(f, t, "pressure", 1100, guests ? 760 : 420);
	fprintf(f,
		"set multiplot layout %d,1 title 'memory pressure: the share of each interval stalled on memory (PSI)'\n"
		"set ylabel '%% of the interval'\nset key outside right top\n",
		guests ? 2 : 1);
	fputs("set title 'per pool node: some and full (lines), the kernel''s some avg10 (thin)'\n",
	      f);
	y_range(f, p->pressure_max[0]);
	for (unsigned int n = 0; n < p->r->nr_nodes; n++) {
		const char *c = plot_color[n % PLOT_NR_COLORS];

		fprintf(f,
			"%s'pressure_nodes.csv' skip 1 using 1:($2 == %u ? $3 : NaN) with lines lw 2 lc rgb '%s' title 'node %u, some', \\\n"
			"  'pressure_nodes.csv' skip 1 using 1:($2 == %u ? $4 : NaN) with lines lw 2 dt 2 lc rgb '%s' title 'node %u, full', \\\n"
			"  'pressure_nodes.csv' skip 1 using 1:($2 == %u ? $5 : NaN) with lines lw 1 lc rgb '%s' title 'node %u, some avg10'",
			sep, n, c, n, n, c, n, n, c, n);
		sep = ", \\\n  ";
	}
	fputc('\n', f);
	if (guests) {
		sep = "plot ";
		fputs("set title 'per guest (some), the most stalled by name'\n",
		      f);
		y_range(f, p->pressure_max[1]);
		for (unsigned int j = 0; j < p->pressure.n; j++) {
			fprintf(f,
				"%s'pressure_guests.csv' skip 1 using 1:%u with lines lw 2 lc rgb '%s' title '%s'",
				sep, j + 2, p->pressure.b[j].color,
				p->pressure.b[j].title);
			sep = ", \\\n  ";
		}
		fputc('\n', f);
	}
	fputs("unset multiplot\nunset title\nset key default\n", f);
}
