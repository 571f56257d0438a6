// SPDX-License-Identifier: GPL-2.0
/* gnuplot plots of an overcommit report (plot.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mm/mmzone.h"
#include "tools/overcommit/files.h"
#include "tools/overcommit/plot.h"

static const char *const color[] = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
				     "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
				     "#bcbd22", "#17becf" };
#define NR_COLORS (sizeof(color) / sizeof(color[0]))

struct term {
	const char *name, *ext;
};

static const struct term terms[] = {
	{ "pngcairo noenhanced font 'sans,10'", "png" },
	{ "svg noenhanced dynamic font 'sans,11'", "svg" },
};

/* Which kinds of event the trace had. */
struct seen {
	bool kswapd, direct, compaction, balloon, oom, migrate, guests;
};

static void seen_from(const struct oc_result *r, struct seen *s)
{
	const struct latency *lat = &r->lat;

	memset(s, 0, sizeof(*s));
	if (!r->analyzed)
		return;
	s->kswapd = lat->nr_type[TR_KSWAPD_WAKE] ||
		    lat->nr_type[TR_KSWAPD_SLEEP];
	s->direct = lat->d[LAT_DIRECT_RECLAIM].n;
	s->compaction = lat->nr_type[TR_COMPACT_END];
	s->balloon = lat->nr_type[TR_BALLOON_REQ];
	s->oom = lat->nr_type[TR_OOM_KILL];
	s->migrate = lat->nr_type[TR_MIGRATE_BATCH];
	s->guests = lat->nr_type[TR_VM_STATE];
}

static void output(FILE *f, const struct term *t, const char *name, int w,
		   int h)
{
	fprintf(f, "\nset terminal %s size %d,%d\nset output '%s.%s'\n",
		t->name, w, h, name, t->ext);
}

/* An events.csv marker series at height y (graph fraction, y2 axis). */
static void marker(FILE *f, const char *event, int node, double y,
		   const char *style, const char *title)
{
	fprintf(f, ", \\\n  'events.csv' skip 1 using 1:(strcol(2) eq '%s'",
		event);
	if (node >= 0)
		fprintf(f, " && strcol(3) eq '%d'", node);
	fprintf(f, " ? %.2f : NaN) axes x1y2 with %s title '%s'", y, style,
		title);
}

/* One panel of a node: free against the marks, with event markers. */
static void node_panel(FILE *f, const struct oc_result *r, const struct seen *s,
		       unsigned int n, bool zoom)
{
	double high = r->wmark[n][WMARK_HIGH] / 256.0;

	if (zoom)
		fprintf(f,
			"set title 'node %u, near the watermarks'\nset yrange [0:%.1f]\n",
			n, high * 3 > 8 ? high * 3 : 8);
	else
		fprintf(f, "set title 'node %u'\nset yrange [0:*]\n", n);
	fprintf(f,
		"plot 'nodes.csv' skip 1 using 1:($2 == %u ? $3 : NaN) with lines lw 2 lc rgb '%s' title 'free'",
		n, color[0]);
	fprintf(f,
		", \\\n  '' skip 1 using 1:($2 == %u ? $4 : NaN) with lines dt 2 lw 1.5 lc rgb '#d62728' title 'min'",
		n);
	fprintf(f,
		", \\\n  '' skip 1 using 1:($2 == %u ? $5 : NaN) with lines dt 2 lw 1.5 lc rgb '#ff7f0e' title 'low'",
		n);
	fprintf(f,
		", \\\n  '' skip 1 using 1:($2 == %u ? $6 : NaN) with lines dt 2 lw 1.5 lc rgb '#2ca02c' title 'high'",
		n);
	if (s->kswapd)
		marker(f, "kswapd_wake", n, 0.04,
		       "points pt 9 ps 1.2 lc rgb '#2ca02c'", "kswapd wake");
	if (s->direct)
		marker(f, "direct_reclaim", n, 0.09,
		       "points pt 2 ps 1 lc rgb '#9467bd'", "direct reclaim");
	if (s->compaction)
		marker(f, "compaction", -1, 0.14,
		       "points pt 12 ps 1 lc rgb '#8c564b'", "compaction");
	if (s->oom)
		marker(f, "oom_kill", -1, 1.0, "impulses lw 3 lc rgb '#d62728'",
		       "OOM kill");
	fputc('\n', f);
}

/* Per node: the whole range, and a zoom on min/low/high. */
static void plot_nodes(FILE *f, const struct oc_result *r, const struct seen *s,
		       const struct term *t)
{
	output(f, t, "nodes", 1400, 60 + 300 * r->nr_nodes);
	fprintf(f,
		"set multiplot layout %u,2 title 'free memory per pool node'\n",
		r->nr_nodes);
	fputs("set ylabel 'MiB'\nset y2range [0:1]\nunset y2tics\n", f);
	for (unsigned int n = 0; n < r->nr_nodes; n++) {
		node_panel(f, r, s, n, false);
		node_panel(f, r, s, n, true);
	}
	fputs("unset multiplot\nunset title\nset yrange [*:*]\n", f);
}

static void plot_guests(FILE *f, const struct oc_result *r,
			const struct term *t)
{
	output(f, t, "guests", 1100, 480);
	fprintf(f,
		"set title 'guests: backed memory (solid) and balloon (dashed)'\n"
		"set ylabel 'MiB'\n"
		"plot %.0f with lines lc rgb 'black' dt 3 title 'pool'",
		r->pool_bytes / 1048576.0);
	for (unsigned int i = 0; i < r->nr_guests; i++) {
		const char *name = r->guest[i].spec->name;
		const char *c = color[i % NR_COLORS];

		fprintf(f,
			", \\\n  'guests.csv' skip 1 using 1:(strcol(2) eq '%s' ? $4 : NaN) with lines lw 2 lc rgb '%s' title '%s'",
			name, c, name);
		fprintf(f,
			", \\\n  'guests.csv' skip 1 using 1:(strcol(2) eq '%s' ? $5 : NaN) with lines lw 1.5 dt 2 lc rgb '%s' title '%s balloon'",
			name, c, name);
	}
	fputs("\nunset title\n", f);
}

static void plot_host(FILE *f, const struct oc_result *r, const struct term *t)
{
	output(f, t, "host", 1100, 420);
	fprintf(f,
		"set title 'the pool on the host (memfd blocks, from the kernel)'\n"
		"set ylabel 'MiB'\n"
		"plot %.0f with lines lc rgb 'black' dt 3 title 'pool size'",
		r->pool_bytes / 1048576.0);
	fprintf(f,
		", \\\n  'pool.csv' skip 1 using 1:4 with lines lw 2 lc rgb '%s' title 'host footprint'",
		color[0]);
	fprintf(f,
		", \\\n  '' skip 1 using 1:3 with lines lw 1.5 lc rgb '%s' title 'guest memory backed'",
		color[1]);
	fprintf(f,
		", \\\n  '' skip 1 using 1:2 with lines lw 1.5 lc rgb '%s' title 'pool free'",
		color[2]);
	fprintf(f,
		", \\\n  '' skip 1 using 1:6 with lines lw 1.5 dt 2 lc rgb '%s' title 'returned to the host (total)'",
		color[3]);
	fputs("\nunset title\n", f);
}

/* Timeline rows, top to bottom. */
static void plot_events(FILE *f, const struct seen *s, const struct term *t)
{
	struct {
		bool on;
		const char *event, *label, *style;
		bool span;
	} row[] = {
		{ s->kswapd, "kswapd_run", "kswapd",
		  "vectors nohead lw 8 lc rgb '#2ca02c'", true },
		{ s->direct, "direct_reclaim", "direct reclaim",
		  "points pt 2 lc rgb '#9467bd'", false },
		{ s->compaction, "compaction", "compaction",
		  "points pt 12 lc rgb '#8c564b'", false },
		{ s->migrate, "migrate", "migration",
		  "points pt 1 lc rgb '#7f7f7f'", false },
		{ s->balloon, "balloon_request", "balloon request",
		  "points pt 6 lc rgb '#1f77b4'", false },
		{ s->oom, "oom_kill", "OOM kill",
		  "points pt 7 ps 2 lc rgb '#d62728'", false },
		{ s->guests, "guest_start", "guest start",
		  "points pt 5 lc rgb '#17becf'", false },
		{ s->guests, "guest_stop", "guest stop",
		  "points pt 4 lc rgb '#17becf'", false },
	};
	int n = 0, y;
	const char *sep = "plot ", *comma = "";

	for (size_t i = 0; i < sizeof(row) / sizeof(row[0]); i++)
		n += row[i].on;
	output(f, t, "events", 1100, 120 + 40 * n);
	fputs("set title 'events'\nunset ylabel\nset ytics (", f);
	y = n;
	for (size_t i = 0; i < sizeof(row) / sizeof(row[0]); i++) {
		if (!row[i].on)
			continue;
		fprintf(f, "%s'%s' %d", comma, row[i].label, y--);
		comma = ", ";
	}
	fprintf(f, ")\nset yrange [0.5:%d.5]\n", n);
	y = n;
	for (size_t i = 0; i < sizeof(row) / sizeof(row[0]); i++) {
		if (!row[i].on)
			continue;
		if (row[i].span)
			fprintf(f,
				"%s'events.csv' skip 1 using 1:(strcol(2) eq '%s' ? %d : NaN):($6 / 1000):(0) with %s notitle",
				sep, row[i].event, y, row[i].style);
		else
			fprintf(f,
				"%s'events.csv' skip 1 using 1:(strcol(2) eq '%s' ? %d : NaN) with %s notitle",
				sep, row[i].event, y, row[i].style);
		sep = ", \\\n  ";
		y--;
	}
	fputs("\nunset title\nset ytics auto\nset yrange [*:*]\n", f);
}

static unsigned int nonempty_dists(struct oc_result *r)
{
	unsigned int n = 0;

	for (int i = 0; i < NR_LAT_DISTS && r->analyzed; i++)
		n += r->lat.d[i].n > 0;
	return n;
}

/* One datablock per distribution: "label,count" per bucket. */
static void latency_data(FILE *f, struct oc_result *r)
{
	for (int i = 0; i < NR_LAT_DISTS; i++) {
		uint64_t count[DIST_BUCKETS];
		unsigned int used = dist_histogram(&r->lat.d[i], count), first;
		char a[32], b[32];

		if (!r->lat.d[i].n)
			continue;
		for (first = 0; !count[first]; first++)
			;
		fprintf(f, "$%s << EOD\n", lat_key[i]);
		for (unsigned int k = first; k < used; k++)
			fprintf(f, "%s-%s,%" PRIu64 "\n",
				fmt_ns(dist_bucket_lo(k), a, sizeof(a)),
				fmt_ns(dist_bucket_hi(k), b, sizeof(b)),
				count[k]);
		fputs("EOD\n", f);
	}
}

static void plot_latency(FILE *f, struct oc_result *r, const struct term *t)
{
	unsigned int n = nonempty_dists(r), rows = (n + 1) / 2;
	char a[32], b[32];

	output(f, t, "latency", 1100, 60 + 300 * rows);
	fprintf(f,
		"set multiplot layout %u,2 title 'latency histograms'\n"
		"set style fill solid 0.6 border -1\nset boxwidth 0.8\n"
		"set xtics rotate by -35 font ',8'\nset ylabel 'count'\n"
		"unset xlabel\nset yrange [0:*]\n",
		rows);
	for (int i = 0; i < NR_LAT_DISTS; i++) {
		struct dist *d = &r->lat.d[i];

		if (!d->n)
			continue;
		fprintf(f, "set title '%s: %zu, p50 %s, p99 %s'\n",
			lat_title[i], d->n,
			fmt_ns(dist_percentile(d, 500), a, sizeof(a)),
			fmt_ns(dist_percentile(d, 990), b, sizeof(b)));
		fprintf(f,
			"plot $%s using 0:2:xtic(1) with boxes lc rgb '%s' notitle\n",
			lat_key[i], color[i % NR_COLORS]);
	}
	fputs("unset multiplot\nunset title\nset xtics norotate font ''\n"
	      "set xlabel 'time (s)'\nset yrange [*:*]\n",
	      f);
}

static int write_script(struct oc_result *r, char *err, size_t errlen)
{
	FILE *f = oc_fopen(r->dir, "plots.gp", err, errlen);
	struct seen s;

	if (!f)
		return -EIO;
	seen_from(r, &s);
	/* Rows of other nodes or guests read as NaN: with "missing NaN"
	 * a line goes on across them (1/0 would cut it at every row). */
	fprintf(f,
		"# The plots of overcommit scenario %s: `gnuplot plots.gp` in this\n"
		"# directory draws them again (docs/overcommit.md says how to read them).\n"
		"set datafile separator ','\nset datafile missing NaN\n"
		"set grid\nset key outside right top\n"
		"set xlabel 'time (s)'\nset xrange [0:*]\n",
		r->sc->name);
	if (nonempty_dists(r))
		latency_data(f, r);
	for (size_t i = 0; i < sizeof(terms) / sizeof(terms[0]); i++) {
		plot_nodes(f, r, &s, &terms[i]);
		plot_guests(f, r, &terms[i]);
		plot_host(f, r, &terms[i]);
		if (s.guests)
			plot_events(f, &s, &terms[i]);
		if (nonempty_dists(r)) {
			fputs("set xrange [*:*]\n", f);
			plot_latency(f, r, &terms[i]);
			fputs("set xrange [0:*]\n", f);
		}
	}
	fputs("set output\n", f);
	if (oc_fclose(&f)) {
		snprintf(err, errlen, "writing plots.gp failed");
		return -EIO;
	}
	return 0;
}

/* gnuplot plots.gp in r->dir, its messages into plots.log. */
static int run_gnuplot(struct oc_result *r, char *err, size_t errlen)
{
	int status, fd;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -errno;
	}
	if (!pid) {
		if (chdir(r->dir))
			_exit(126);
		fd = open("plots.log", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			  0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execlp("gnuplot", "gnuplot", "plots.gp", (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, errlen, "waitpid: %s", strerror(errno));
			return -errno;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		snprintf(
			err, errlen,
			"gnuplot is not installed (apt-get install gnuplot-nox): no plots");
		return -ENOENT;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(err, errlen, "gnuplot failed: see %s/plots.log",
			 r->dir);
		return -EIO;
	}
	return 0;
}

int oc_plot(struct oc_result *r, char *err, size_t errlen)
{
	int ret = write_script(r, err, errlen);

	return ret ? ret : run_gnuplot(r, err, errlen);
}
