// SPDX-License-Identifier: GPL-2.0
/*
 * Stalls over time: every direct-reclaim stall of the run as a point, its
 * start on x and its length on a log y, so that a few slow ones stand out
 * and show when they came.  The guests that stalled most have a colour
 * each, the rest share one; a dashed line marks p99.
 */
#include <string.h>

#include "tools/overcommit/plot_internal.h"

/* Stalls of the guest called name, over every entry the trace has. */
static size_t stalls_of(const struct lat_guests *gs, const char *name)
{
	size_t n = 0;

	for (unsigned int i = 0; i < gs->n; i++)
		if (!strcmp(gs->g[i].name, name))
			n += gs->g[i].d[LAT_DIRECT_RECLAIM].n;
	return n;
}

int plot_stalls_data(struct plot_run *p, FILE *f)
{
	struct oc_result *r = p->r;
	struct bands *b = &p->stalls;
	size_t count[VMM_MAX_GUESTS], named_stalls = 0, total;
	unsigned int stalled = 0, named;
	bool taken[VMM_MAX_GUESTS] = { false };

	(void)f;
	memset(b, 0, sizeof(*b));
	if (!r->analyzed || !r->lat.d[LAT_DIRECT_RECLAIM].n)
		return 0;
	total = r->lat.d[LAT_DIRECT_RECLAIM].n;
	p->stall_p99_ns = dist_percentile(&r->lat.d[LAT_DIRECT_RECLAIM], 990);
	p->stall_min_ns = dist_min(&r->lat.d[LAT_DIRECT_RECLAIM]);
	p->stall_max_ns = dist_max(&r->lat.d[LAT_DIRECT_RECLAIM]);
	for (unsigned int i = 0; i < r->nr_guests; i++) {
		count[i] = stalls_of(&r->lat.guests, r->guest[i].spec->name);
		stalled += count[i] > 0;
	}
	named = stalled <= PLOT_TOP + 1 ? stalled : PLOT_TOP;
	for (unsigned int k = 0; k < named; k++) {
		int best = -1;

		for (unsigned int i = 0; i < r->nr_guests; i++)
			if (!taken[i] && count[i] &&
			    (best < 0 || count[i] > count[best]))
				best = (int)i;
		taken[best] = true;
		named_stalls += count[best];
		b->b[k].name = r->guest[best].spec->name;
		snprintf(b->b[k].title, sizeof(b->b[k].title), "%s (%zu)",
			 b->b[k].name, count[best]);
		b->b[k].color = plot_color[k % PLOT_NR_COLORS];
	}
	b->n = named;
	/* The rest: other guests, and stalls no guest had (a launch's boot
	 * memory is allocated by the runner). */
	if (named_stalls < total) {
		struct band *o = &b->b[named];
		size_t by_guests = 0;
		char others[32] = "";

		for (unsigned int i = 0; i < r->nr_guests; i++)
			by_guests += count[i];
		if (stalled > named)
			snprintf(others, sizeof(others), "%u other guests",
				 stalled - named);
		snprintf(o->title, sizeof(o->title), "%s%s%s (%zu)", others,
			 *others && by_guests < total ? " + " : "",
			 by_guests < total ? "no guest" : "",
			 total - named_stalls);
		o->color = PLOT_OTHERS_COLOR;
		b->n++;
	}
	return 1;
}

/* Is the row a stall of band j? */
static void stall_of(FILE *f, const struct bands *b, unsigned int j)
{
	fputs("strcol(2) eq 'direct_reclaim'", f);
	if (b->b[j].name) {
		fprintf(f, " && strcol(4) eq '%s'", b->b[j].name);
		return;
	}
	for (unsigned int k = 0; k < b->n; k++)
		if (b->b[k].name)
			fprintf(f, " && strcol(4) ne '%s'", b->b[k].name);
}

void plot_stalls(struct plot_run *p, FILE *f, const struct term *t)
{
	const struct bands *b = &p->stalls;
	char a[32];

	plot_output(f, t, "stalls", 1100, 440);
	fputs("set title 'direct-reclaim stalls: a point per allocation that waited (the key counts them)'\n"
	      "set ylabel 'stall'\nset key invert font ',9'\n",
	      f);
	plot_log_us_range(f, 'y', p->stall_min_ns, p->stall_max_ns);
	fputs("plot ", f);
	/* The others first, so that the named guests are drawn on top. */
	for (unsigned int k = b->n; k-- > 0;) {
		fputs("'events.csv' skip 1 using 1:(", f);
		stall_of(f, b, k);
		fprintf(f,
			" ? ($6 > 1e-6 ? $6 * 1000 : 1e-3) : NaN) with points pt 7 ps 0.7 lc rgb '%s' title '%s', \\\n  ",
			b->b[k].color, b->b[k].title);
	}
	fprintf(f,
		"%.4f with lines dt 2 lw 1.5 lc rgb 'black' title 'p99 %s'\n",
		p->stall_p99_ns / 1000.0,
		fmt_ns(p->stall_p99_ns, a, sizeof(a)));
}
