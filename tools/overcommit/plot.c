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
#include "tools/overcommit/csv.h"
#include "tools/overcommit/files.h"
#include "tools/overcommit/plot_internal.h"

const char *const plot_color[PLOT_NR_COLORS] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
	"#8c564b", "#e377c2", "#bcbd22", "#17becf",
};

static const struct term terms[] = {
	{ "pngcairo noenhanced font 'sans,10'", "png" },
	{ "svg noenhanced dynamic font 'sans,11'", "svg" },
};

void plot_output(FILE *f, const struct term *t, const char *name, int w, int h)
{
	fprintf(f, "\nset terminal %s size %d,%d\nset output '%s.%s'\n",
		t->name, w, h, name, t->ext);
}

/* An events.csv marker series at height y (graph fraction, y2 axis). */
void plot_marker(FILE *f, const char *event, int node, double y,
		 const char *style, const char *title)
{
	fprintf(f, ", \\\n  'events.csv' skip 1 using 1:(strcol(2) eq '%s'",
		event);
	if (node >= 0)
		fprintf(f, " && strcol(3) eq '%d'", node);
	fprintf(f, " ? %.2f : NaN) axes x1y2 with %s title '%s'", y, style,
		title);
}

unsigned long plot_nr_events(const struct plot_run *p, const char *event,
			     int node)
{
	for (unsigned int i = 0; i < p->nr_events; i++)
		if (!strcmp(p->event[i].name, event))
			return node < 0		   ? p->event[i].n :
			       node < MAX_NUMNODES ? p->event[i].node[node] :
						     0;
	return 0;
}

int plot_column(const struct plot_run *p, const char *file, const char *name)
{
	struct csv c;
	int col;

	if (csv_open(&c, p->r->dir, file))
		return 0;
	col = csv_column(&c, name) + 1;
	csv_close(&c);
	return col;
}

void plot_rank(const struct oc_result *r, const double *peak, struct bands *b,
	       unsigned int *band)
{
	unsigned int named = r->nr_guests <= PLOT_TOP + 1 ? r->nr_guests :
							    PLOT_TOP;
	bool taken[VMM_MAX_GUESTS] = { false };

	memset(b, 0, sizeof(*b));
	for (unsigned int k = 0; k < named; k++) {
		unsigned int best = 0;

		while (taken[best])
			best++;
		for (unsigned int i = best + 1; i < r->nr_guests; i++)
			if (!taken[i] && peak[i] > peak[best])
				best = i;
		taken[best] = true;
		band[best] = k;
		b->b[k].name = r->guest[best].spec->name;
		snprintf(b->b[k].title, sizeof(b->b[k].title), "%s",
			 b->b[k].name);
		b->b[k].color = plot_color[k % PLOT_NR_COLORS];
	}
	b->n = named;
	if (named == r->nr_guests)
		return;
	for (unsigned int i = 0; i < r->nr_guests; i++)
		if (!taken[i])
			band[i] = named;
	snprintf(b->b[named].title, sizeof(b->b[named].title),
		 "others (%u guests)", r->nr_guests - named);
	b->b[named].color = PLOT_OTHERS_COLOR;
	b->n++;
}

void plot_sum(FILE *f, unsigned int from, unsigned int to)
{
	if (from > to) {
		fputs("(0)", f);
		return;
	}
	fputc('(', f);
	for (unsigned int c = from; c <= to; c++)
		fprintf(f, "%s$%u", c > from ? "+" : "", c);
	fputc(')', f);
}

int plot_guest_index(const struct oc_result *r, const char *name)
{
	for (unsigned int i = 0; i < r->nr_guests; i++)
		if (!strcmp(name, r->guest[i].spec->name))
			return (int)i;
	return -1;
}

int plot_walk_open(const struct oc_result *r, struct sample_walk *w)
{
	int ret = csv_open(&w->g, r->dir, "guests.csv");

	if (ret)
		return ret;
	ret = csv_open(&w->pool, r->dir, "pool.csv");
	if (ret) {
		csv_close(&w->g);
		return ret;
	}
	w->g_time = csv_column(&w->g, "time_s");
	w->g_name = csv_column(&w->g, "guest");
	w->p_time = csv_column(&w->pool, "time_s");
	w->more = csv_next(&w->g);
	w->consumed = false;
	return 0;
}

bool plot_walk_sample(struct sample_walk *w)
{
	if (!csv_next(&w->pool))
		return false;
	w->t = csv_num(&w->pool, w->p_time);
	return true;
}

int plot_walk_guest(struct sample_walk *w, const struct oc_result *r)
{
	for (;;) {
		double t;
		int i;

		if (w->consumed) {
			w->more = csv_next(&w->g);
			w->consumed = false;
		}
		/* Times are printed to the millisecond. */
		if (!w->more || (t = csv_num(&w->g, w->g_time)) > w->t + 0.0005)
			return -1;
		w->consumed = true;
		i = plot_guest_index(r, csv_str(&w->g, w->g_name));
		if (i >= 0 && t >= w->t - 0.0005)
			return i;
	}
}

void plot_walk_close(struct sample_walk *w)
{
	csv_close(&w->pool);
	csv_close(&w->g);
}

/* Count events.csv's rows by kind and node (a series with no rows would
 * make gnuplot warn). */
static void count_events(struct plot_run *p)
{
	struct csv c;
	int col, node_col;

	p->nr_events = 0;
	if (csv_open(&c, p->r->dir, "events.csv"))
		return;
	col = csv_column(&c, "event");
	node_col = csv_column(&c, "node");
	while (csv_next(&c)) {
		const char *name = csv_str(&c, col);
		int node = *csv_str(&c, node_col) ? (int)csv_num(&c, node_col) :
						    -1;
		unsigned int i;

		for (i = 0; i < p->nr_events; i++)
			if (!strcmp(p->event[i].name, name))
				break;
		if (i == p->nr_events) {
			if (i == sizeof(p->event) / sizeof(p->event[0]))
				continue;
			snprintf(p->event[i].name, sizeof(p->event[i].name),
				 "%s", name);
			p->nr_events++;
		}
		p->event[i].n++;
		p->event[i].node[node >= 0 && node < MAX_NUMNODES ?
					 node :
					 MAX_NUMNODES]++;
	}
	csv_close(&c);
}

void plot_log_us_range(FILE *f, char axis, uint64_t lo_ns, uint64_t hi_ns)
{
	/* Decades from 1 ns (1e-3 us) up. */
	static const char *const label[] = { "1 ns", "10 ns", "100 ns",
					     "1 us", "10 us", "100 us",
					     "1 ms", "10 ms", "100 ms",
					     "1 s",  "10 s",  "100 s" };
	double lo = 1e-3, hi;

	fprintf(f, "set logscale %c\nset %ctics (", axis, axis);
	for (int i = 0; i < (int)(sizeof(label) / sizeof(label[0])); i++)
		fprintf(f, "%s'%s' 1e%d", i ? ", " : "", label[i], i - 3);
	/* Whole decades: one value alone is no empty range, and a tic
	 * shows; the ends a hair beyond, or gnuplot may round a tic off. */
	while (lo * 10 <= lo_ns / 1000.0)
		lo *= 10;
	for (hi = lo * 10; hi < hi_ns / 1000.0;)
		hi *= 10;
	fprintf(f, ")\nset %crange [%g:%g]\n", axis, lo * 0.999, hi * 1.001);
}

/* One panel of a node: free against the marks, with event markers. */
static void node_panel(FILE *f, const struct plot_run *p, unsigned int n,
		       bool zoom)
{
	static const struct {
		const char *event;
		bool of_node; /* its rows name a node */
		double y;
		const char *style, *title;
	} mark[] = {
		{ "kswapd_wake", true, 0.04,
		  "points pt 9 ps 1.2 lc rgb '#2ca02c'", "kswapd wake" },
		{ "direct_reclaim", true, 0.09,
		  "points pt 2 ps 1 lc rgb '#9467bd'", "direct reclaim" },
		{ "compaction", false, 0.14,
		  "points pt 12 ps 1 lc rgb '#8c564b'", "compaction" },
		{ "oom_kill", false, 1.0, "impulses lw 3 lc rgb '#d62728'",
		  "OOM kill" },
	};
	double high = p->r->wmark[n][WMARK_HIGH] / 256.0;

	if (zoom)
		fprintf(f,
			"set title 'node %u, near the watermarks'\nset yrange [0:%.1f]\n",
			n, high * 3 > 8 ? high * 3 : 8);
	else
		fprintf(f, "set title 'node %u'\nset yrange [0:*]\n", n);
	fprintf(f,
		"plot 'nodes.csv' skip 1 using 1:($2 == %u ? $3 : NaN) with lines lw 2 lc rgb '%s' title 'free'",
		n, plot_color[0]);
	fprintf(f,
		", \\\n  '' skip 1 using 1:($2 == %u ? $4 : NaN) with lines dt 2 lw 1.5 lc rgb '#d62728' title 'min'",
		n);
	fprintf(f,
		", \\\n  '' skip 1 using 1:($2 == %u ? $5 : NaN) with lines dt 2 lw 1.5 lc rgb '#ff7f0e' title 'low'",
		n);
	fprintf(f,
		", \\\n  '' skip 1 using 1:($2 == %u ? $6 : NaN) with lines dt 2 lw 1.5 lc rgb '#2ca02c' title 'high'",
		n);
	for (size_t i = 0; i < sizeof(mark) / sizeof(mark[0]); i++) {
		int node = mark[i].of_node ? (int)n : -1;

		if (plot_nr_events(p, mark[i].event, node))
			plot_marker(f, mark[i].event, node, mark[i].y,
				    mark[i].style, mark[i].title);
	}
	fputc('\n', f);
}

int plot_nodes_data(struct plot_run *p, FILE *f)
{
	(void)f;
	return p->r->samples > 0;
}

/* Per node: the whole range, and a zoom on min/low/high. */
void plot_nodes(struct plot_run *p, FILE *f, const struct term *t)
{
	const struct oc_result *r = p->r;

	plot_output(f, t, "nodes", 1400, 60 + 300 * r->nr_nodes);
	fprintf(f,
		"set multiplot layout %u,2 title 'free memory per pool node'\n",
		r->nr_nodes);
	fputs("set ylabel 'MiB'\nset y2range [0:1]\nunset y2tics\n", f);
	for (unsigned int n = 0; n < r->nr_nodes; n++) {
		node_panel(f, p, n, false);
		node_panel(f, p, n, true);
	}
	fputs("unset multiplot\nunset title\nset yrange [*:*]\n", f);
}

int plot_host_data(struct plot_run *p, FILE *f)
{
	(void)f;
	return p->r->samples > 0;
}

void plot_host(struct plot_run *p, FILE *f, const struct term *t)
{
	plot_output(f, t, "host", 1100, 420);
	fprintf(f,
		"set title 'the pool on the host (memfd blocks, from the kernel)'\n"
		"set ylabel 'MiB'\n"
		"plot %.0f with lines lc rgb 'black' dt 3 title 'pool size'",
		p->r->pool_bytes / 1048576.0);
	fprintf(f,
		", \\\n  'pool.csv' skip 1 using 1:4 with lines lw 2 lc rgb '%s' title 'host footprint'",
		plot_color[0]);
	fprintf(f,
		", \\\n  '' skip 1 using 1:3 with lines lw 1.5 lc rgb '%s' title 'guest memory backed'",
		plot_color[1]);
	fprintf(f,
		", \\\n  '' skip 1 using 1:2 with lines lw 1.5 lc rgb '%s' title 'pool free'",
		plot_color[2]);
	fprintf(f,
		", \\\n  '' skip 1 using 1:6 with lines lw 1.5 dt 2 lc rgb '%s' title 'returned to the host (total)'",
		plot_color[3]);
	fputs("\nunset title\n", f);
}

unsigned int plot_timeline_rows(const struct plot_run *p,
				const struct timeline_row *rows, size_t nr,
				const struct timeline_row **out)
{
	unsigned int n = 0;

	for (size_t i = 0; i < nr; i++)
		if (plot_nr_events(p, rows[i].event, -1))
			out[n++] = &rows[i];
	return n;
}

void plot_timeline(FILE *f, const struct plot_run *p,
		   const struct timeline_row *const *row, unsigned int n)
{
	/* A span is at least 1/500 of the run wide: a short one shows. */
	double least = p->r->elapsed_ns / 1e9 / 500;
	const char *sep = "plot ";

	fputs("unset ylabel\nunset key\nset ytics (", f);
	for (unsigned int i = 0; i < n; i++)
		fprintf(f, "%s'%s' %u", i ? ", " : "", row[i]->label, n - i);
	fprintf(f, ")\nset yrange [0.5:%u.5]\n", n);
	for (unsigned int i = 0; i < n; i++) {
		fprintf(f,
			"%s'events.csv' skip 1 using 1:(strcol(2) eq '%s' ? %u : NaN)",
			sep, row[i]->event, n - i);
		if (row[i]->span)
			fprintf(f, ":($6 / 1000 > %g ? $6 / 1000 : %g):(0)",
				least, least);
		fprintf(f, " with %s", row[i]->style);
		sep = ", \\\n  ";
	}
	fputc('\n', f);
}

/* The events plot's rows, top to bottom. */
static const struct timeline_row timeline[] = {
	{ "kswapd_run", "kswapd", "vectors nohead lw 8 lc rgb '#2ca02c'",
	  true },
	{ "direct_reclaim", "direct reclaim", "points pt 2 lc rgb '#9467bd'",
	  false },
	{ "compaction", "compaction", "points pt 12 lc rgb '#8c564b'", false },
	{ "kcompactd_run", "kcompactd", "vectors nohead lw 8 lc rgb '#8c564b'",
	  true },
	{ "kcompactd_proactive", "kcompactd, proactive",
	  "vectors nohead lw 8 lc rgb '#c49c94'", true },
	{ "migrate", "migration", "points pt 1 lc rgb '#7f7f7f'", false },
	{ "balloon_request", "balloon request", "points pt 6 lc rgb '#1f77b4'",
	  false },
	{ "oom_kill", "OOM kill", "points pt 7 ps 2 lc rgb '#d62728'", false },
	{ "guest_start", "guest start", "points pt 5 lc rgb '#17becf'", false },
	{ "guest_stop", "guest stop", "points pt 4 lc rgb '#17becf'", false },
};
#define NR_TIMELINE (sizeof(timeline) / sizeof(timeline[0]))

int plot_events_data(struct plot_run *p, FILE *f)
{
	const struct timeline_row *row[NR_TIMELINE];

	(void)f;
	return plot_timeline_rows(p, timeline, NR_TIMELINE, row) > 0;
}

void plot_events(struct plot_run *p, FILE *f, const struct term *t)
{
	const struct timeline_row *row[NR_TIMELINE];
	unsigned int n = plot_timeline_rows(p, timeline, NR_TIMELINE, row);

	plot_output(f, t, "events", 1100, 120 + 40 * n);
	fputs("set title 'events'\n", f);
	plot_timeline(f, p, row, n);
}

static const struct plot_def {
	const char *name;
	int (*data)(struct plot_run *p, FILE *f);
	void (*draw)(struct plot_run *p, FILE *f, const struct term *t);
} plots[] = {
#define X(name, title) { #name, plot_##name##_data, plot_##name },
	OC_PLOTS(X)
#undef X
};
#define NR_PLOTS (sizeof(plots) / sizeof(plots[0]))

/* No plot of an earlier run in the same directory stays behind. */
static void remove_old(const struct oc_result *r)
{
	char name[64], path[4096];

	for (size_t i = 0; i < NR_PLOTS; i++)
		for (size_t k = 0; k < sizeof(terms) / sizeof(terms[0]); k++) {
			snprintf(name, sizeof(name), "%s.%s", plots[i].name,
				 terms[k].ext);
			unlink(oc_path(path, sizeof(path), r->dir, name));
		}
}

/* What every plot starts from: a time axis over the run. */
static void defaults(FILE *f, const struct oc_result *r)
{
	/* Rows of other nodes or guests read as NaN: with "missing NaN"
	 * a line goes on across them (1/0 would cut it at every row). */
	fputs("\nreset\nset datafile separator ','\nset datafile missing NaN\n"
	      "set grid\nset key outside right top\n"
	      "set xlabel 'time (s)'\n",
	      f);
	if (r->elapsed_ns >= 10000000)
		fprintf(f, "set xrange [0:%.3f]\n", r->elapsed_ns / 1e9);
	else
		fputs("set xrange [0:*]\n", f);
}

static int write_script(struct oc_result *r, char *err, size_t errlen)
{
	FILE *f = oc_fopen(r->dir, "plots.gp", err, errlen);
	struct plot_run p = { .r = r };
	bool draw[NR_PLOTS];
	int ret = 0;

	if (!f)
		return -EIO;
	remove_old(r);
	count_events(&p);
	fprintf(f,
		"# The plots of overcommit scenario %s: `gnuplot plots.gp` in this\n"
		"# directory draws them again (docs/overcommit.md says how to read them).\n",
		r->sc->name);
	for (size_t i = 0; i < NR_PLOTS; i++) {
		int d = plots[i].data(&p, f);

		if (d < 0 && !ret) {
			snprintf(err, errlen, "%s: the data of plot %s: %s",
				 r->dir, plots[i].name, strerror(-d));
			ret = d;
		}
		draw[i] = d > 0;
	}
	for (size_t k = 0; k < sizeof(terms) / sizeof(terms[0]); k++)
		for (size_t i = 0; i < NR_PLOTS; i++)
			if (draw[i]) {
				defaults(f, r);
				plots[i].draw(&p, f, &terms[k]);
			}
	fputs("set output\n", f);
	if (oc_fclose(&f) && !ret) {
		snprintf(err, errlen, "writing plots.gp failed");
		ret = -EIO;
	}
	return ret;
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
