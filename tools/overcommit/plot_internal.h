/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the report's plot files share: plot.c writes plots.gp and runs
 * gnuplot, each plot_*.c tells one story (plot.h lists them).  A plot is
 * made in two steps: its data once (datablocks in plots.gp, or a file
 * beside the CSVs), then the drawing once per terminal (PNG, SVG).
 */
#ifndef TOOLS_OVERCOMMIT_PLOT_INTERNAL_H
#define TOOLS_OVERCOMMIT_PLOT_INTERNAL_H

#include <stdbool.h>
#include <stdio.h>

#include "tools/overcommit/csv.h"
#include "tools/overcommit/plot.h"
#include "tools/overcommit/result.h"

/* A plot of many guests names this many; the rest are one band. */
#define PLOT_TOP 8

/* Colours of the named guests (tab10 without its grey). */
extern const char *const plot_color[];
#define PLOT_NR_COLORS 9
#define PLOT_OTHERS_COLOR "#9a9a9a"

struct term {
	const char *name, *ext;
};

/* One band of a plot: a guest by name, or the rest together. */
struct band {
	const char *name; /* the guest's; NULL: the others */
	char title[64]; /* what the key says */
	const char *color;
};

struct bands {
	unsigned int n; /* named ones, then at most one for the others */
	struct band b[PLOT_TOP + 1];
};

/* What the plots of one report share, filled in by their data steps. */
struct plot_run {
	struct oc_result *r;
	struct bands memory; /* memory.csv's bands, by peak backed memory */
	double balloon_max[PLOT_TOP + 1]; /* MiB, each band's, or target */
	/* The cold tier in memory.csv, MiB: the most of its store and the
	 * guests' memory in it (0: the run had none), and of the guests'
	 * backed memory and memory in the tier together. */
	double tier_max, swapped_top;
	struct bands swap; /* swap.csv's bands, by peak memory in the tier */
	/* The most swap.csv has of each panel's columns (0: all zero). */
	double swap_max, refault_max;
	struct bands stalls; /* by direct-reclaim stalls */
	uint64_t stall_p99_ns, stall_min_ns, stall_max_ns;
	/* How many rows of each kind events.csv has, per node (the last:
	 * rows of no node) and in all. */
	struct {
		char name[32];
		unsigned long node[MAX_NUMNODES + 1], n;
	} event[32];
	unsigned int nr_events;
	/* Columns of the CSVs (1-based, as gnuplot counts; 0: absent). */
	int node_frag_col, pool_kvm_col, pool_kvm2m_col, pool_whole_col,
		pool_resident_col;
	struct bands pressure; /* by the guests' stall totals */
	double pressure_max[2]; /* the highest share drawn: nodes, guests */
};

void plot_output(FILE *f, const struct term *t, const char *name, int w, int h);
/* An events.csv marker series at height y (graph fraction, y2 axis):
 * ", \ ..." continuing a plot command; node -1: every node. */
void plot_marker(FILE *f, const char *event, int node, double y,
		 const char *style, const char *title);
/* Rows of events.csv of that kind, of node (-1: of any). */
unsigned long plot_nr_events(const struct plot_run *p, const char *event,
			     int node);
/* Bands of r's guests by peak, largest first: the top PLOT_TOP by name
 * (every guest when there are at most one more), the rest as "others";
 * band[i] is guest i's. */
void plot_rank(const struct oc_result *r, const double *peak, struct bands *b,
	       unsigned int *band);
/* The sum of a file's columns from..to (1-based) in a using spec, "(0)"
 * if none (a bare 0 would be column 0, the row's number). */
void plot_sum(FILE *f, unsigned int from, unsigned int to);
/* The index in r of the guest called name, or -1. */
int plot_guest_index(const struct oc_result *r, const char *name);
/*
 * guests.csv and pool.csv read a sample at a time: each row of pool.csv,
 * and the rows of guests.csv of the same sample (they come before it).
 */
struct sample_walk {
	struct csv g, pool;
	int g_time, g_name, p_time;
	double t; /* the sample's time */
	bool more, consumed;
};

/* 0 or -errno (a file missing). */
int plot_walk_open(const struct oc_result *r, struct sample_walk *w);
/* The next sample, its row of pool.csv in w->pool: false at the end. */
bool plot_walk_sample(struct sample_walk *w);
/* The sample's next row of guests.csv, in w->g: its guest's index in r,
 * or -1 when the sample has no more (rows of no guest of r skipped). */
int plot_walk_guest(struct sample_walk *w, const struct oc_result *r);
void plot_walk_close(struct sample_walk *w);
/* Column name of file in the report directory, 1-based as gnuplot counts
 * them; 0 when the file or the column is not there. */
int plot_column(const struct plot_run *p, const char *file, const char *name);
/* A row of a timeline: the events.csv rows of a kind, as points or
 * (span) as bars as long as their duration_ms. */
struct timeline_row {
	const char *event, *label, *style;
	bool span;
};
/* Of the nr rows, those the run has events of, into out: how many. */
unsigned int plot_timeline_rows(const struct plot_run *p,
				const struct timeline_row *rows, size_t nr,
				const struct timeline_row **out);
/* A plot of n rows, top to bottom, at heights n .. 1. */
void plot_timeline(FILE *f, const struct plot_run *p,
		   const struct timeline_row *const *row, unsigned int n);
/* A log axis ('x' or 'y') in microseconds over the decades from lo_ns to
 * hi_ns, a tic a decade: "1 us", "10 ms". */
void plot_log_us_range(FILE *f, char axis, uint64_t lo_ns, uint64_t hi_ns);

/*
 * Each plot of OC_PLOTS (plot.h) is two functions: plot_NAME_data(), its
 * data once (datablocks into f, which is plots.gp, or a file of its
 * own): 1 to draw, 0 when the run has nothing for it, -errno when its
 * data could not be written; plot_NAME() draws it in terminal t.
 */
#define X(name, title)                                       \
	int plot_##name##_data(struct plot_run *p, FILE *f); \
	void plot_##name(struct plot_run *p, FILE *f, const struct term *t);
OC_PLOTS(X)
#undef X

#endif /* TOOLS_OVERCOMMIT_PLOT_INTERNAL_H */
