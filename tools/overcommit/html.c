// SPDX-License-Identifier: GPL-2.0
/* index.html of an overcommit report (html.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tools/overcommit/files.h"
#include "tools/overcommit/html.h"
#include "tools/overcommit/plot.h"
#include "tools/overcommit/summary.h"
#include "util/size.h"

static void esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

static bool have(const struct oc_result *r, const char *name)
{
	char path[4096];
	struct stat st;

	return !stat(oc_path(path, sizeof(path), r->dir, name), &st) &&
	       st.st_size > 0;
}

static const char style[] =
	"body{font-family:sans-serif;max-width:1160px;margin:1em auto;padding:0 1em;color:#222}"
	"table{border-collapse:collapse;margin:.5em 0}"
	"td,th{padding:3px 10px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}"
	"th{background:#f3f3f3}.PASS{color:#070;font-weight:bold}"
	".FAIL,.ERROR{color:#c00;font-weight:bold}"
	"pre{background:#f6f6f6;padding:8px;overflow-x:auto;font-size:90%}"
	"img{max-width:100%;border:1px solid #eee}";

static void expectations(FILE *f, const struct oc_checks *c)
{
	fputs("<h2>Expectations</h2>\n<table>\n<tr><th>result</th><th>expected</th><th>observed</th></tr>\n",
	      f);
	for (unsigned int i = 0; i < c->n; i++) {
		const char *v = c->c[i].pass ? "PASS" : "FAIL";

		fprintf(f, "<tr><td class=\"%s\">%s</td><td>", v, v);
		esc(f, c->c[i].expect);
		fputs("</td><td>", f);
		esc(f, c->c[i].observed);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void memory(FILE *f, const struct oc_result *r)
{
	char a[32], b[32];

	fputs("<h2>Memory</h2>\n<table>\n", f);
	fprintf(f, "<tr><td>pool</td><td>%s in %u node(s)</td></tr>\n",
		format_size(r->pool_bytes, a, sizeof(a)), r->nr_nodes);
	fprintf(f,
		"<tr><td>overcommit, nominal</td><td>%.2fx</td><td>most RAM of guests running at once / pool</td></tr>\n",
		r->pool_bytes ? (double)r->peak_nominal_bytes / r->pool_bytes :
				0);
	fprintf(f,
		"<tr><td>overcommit, achieved</td><td>%.2fx</td><td>sum of every guest's peak backed memory / pool</td></tr>\n",
		oc_overcommit_achieved(r));
	fprintf(f,
		"<tr><td>pool use at peak</td><td>%.2f</td><td>most guest memory backed at once / pool</td></tr>\n",
		r->pool_bytes ? (double)r->peak_resident_bytes / r->pool_bytes :
				0);
	fprintf(f,
		"<tr><td>host footprint</td><td>peak %s, end %s</td><td>memfd blocks, from the kernel</td></tr>\n",
		format_size(r->footprint_peak, a, sizeof(a)),
		format_size(r->footprint_end, b, sizeof(b)));
	fprintf(f,
		"<tr><td>returned to the host</td><td>%s</td><td>the footprint's decreases between samples</td></tr>\n",
		format_size(r->returned_bytes, a, sizeof(a)));
	fputs("</table>\n", f);
}

static void guests(FILE *f, const struct oc_result *r)
{
	char buf[512], a[32];

	fputs("<h2>Guests</h2>\n<table>\n<tr><th>guest</th><th>RAM</th><th>started</th><th>ended</th><th>how</th><th>integrity</th><th>peak backed</th><th>peak balloon</th></tr>\n",
	      f);
	for (unsigned int i = 0; i < r->nr_guests; i++) {
		const struct oc_guest *g = &r->guest[i];

		fputs("<tr><td>", f);
		esc(f, g->spec->name);
		fprintf(f, "</td><td>%s</td><td>%.3f s</td><td>%.3f s</td><td>",
			format_size(g->spec->mem_bytes, a, sizeof(a)),
			g->started_ns / 1e9, g->ended_ns / 1e9);
		esc(f, oc_ending(g, buf, sizeof(buf)));
		fprintf(f,
			"</td><td>%s</td><td>%.1f MiB</td><td>%.1f MiB</td></tr>\n",
			oc_integrity(g), g->mem.peak_pages / 256.0,
			g->peak_balloon_pages / 256.0);
	}
	fputs("</table>\n", f);
}

static void latency(FILE *f, struct oc_result *r)
{
	char a[32];

	fputs("<h2>Latency</h2>\n", f);
	if (!r->analyzed) {
		fputs("<p>The trace was not analyzed.</p>\n", f);
		return;
	}
	fputs("<table>\n<tr><th>distribution</th><th>count</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>from</th></tr>\n",
	      f);
	for (int i = 0; i < NR_LAT_DISTS; i++) {
		struct dist *d = &r->lat.d[i];

		fprintf(f, "<tr><td>%s</td><td>%zu</td>", lat_title[i], d->n);
#define X(p10, name)              \
	fprintf(f, "<td>%s</td>", \
		d->n ? fmt_ns(dist_percentile(d, p10), a, sizeof(a)) : "");
		DIST_PERCENTILES(X)
#undef X
		fprintf(f, "<td>%s</td><td>",
			d->n ? fmt_ns(dist_max(d), a, sizeof(a)) : "");
		esc(f, lat_from[i]);
		fputs("</td></tr>\n", f);
	}
	fprintf(f,
		"</table>\n<p>%" PRIu64 " trace events, %" PRIu64
		" lost. Histograms: <a href=\"latency.txt\">latency.txt</a>, <a href=\"latency.csv\">latency.csv</a>.</p>\n",
		r->trace_events, r->trace_lost);
}

static void plots(FILE *f, const struct oc_result *r)
{
	static const struct {
		const char *name, *title;
	} plot[] = {
#define X(name, title) { #name, title },
		OC_PLOTS(X)
#undef X
	};
	char png[64], svg[64];
	bool any = false;

	fputs("<h2>Plots</h2>\n", f);
	for (size_t i = 0; i < sizeof(plot) / sizeof(plot[0]); i++) {
		snprintf(png, sizeof(png), "%s.png", plot[i].name);
		snprintf(svg, sizeof(svg), "%s.svg", plot[i].name);
		if (!have(r, svg) && !have(r, png))
			continue;
		any = true;
		fprintf(f,
			"<h3>%s</h3>\n<p><a href=\"%s\"><img src=\"%s\" alt=\"%s\"></a><br>"
			"<a href=\"%s\">PNG</a> <a href=\"%s\">SVG</a></p>\n",
			plot[i].title, png, have(r, svg) ? svg : png,
			plot[i].title, png, svg);
	}
	if (!any)
		fputs("<p>No plots: see plots.log (is gnuplot installed?).</p>\n",
		      f);
}

static void files(FILE *f, const struct oc_result *r)
{
	static const struct {
		const char *name, *what;
	} file[] = {
		{ "summary.txt", "this summary as text" },
		{ "summary.json", "this summary for scripts" },
		{ "scenario.json", "the scenario as run" },
		{ "nodes.csv",
		  "free memory and watermarks per node, per sample" },
		{ "guests.csv",
		  "each guest's backed memory and balloon, per sample" },
		{ "pool.csv",
		  "the pool's host footprint and free memory, per sample" },
		{ "events.csv",
		  "kswapd, direct reclaim, compaction, balloon requests, OOM kills, guest starts and stops" },
		{ "latency.txt", "latency distributions with histograms" },
		{ "latency.csv", "latency histograms" },
		{ "trace.txt", "every trace event (mm/trace.h format)" },
		{ "trace.json",
		  "the trace in Chrome's format: open it in https://ui.perfetto.dev" },
		{ "guests.txt", "each guest's report, as vmm run prints it" },
		{ "oom.txt", "the OOM killer's reports" },
		{ "console.txt", "the guests' consoles" },
		{ "plots.gp", "the gnuplot script (gnuplot plots.gp redraws)" },
		{ "plots.log", "gnuplot's messages" },
	};

	fputs("<h2>Files</h2>\n<table>\n", f);
	for (size_t i = 0; i < sizeof(file) / sizeof(file[0]); i++)
		if (have(r, file[i].name) || !strcmp(file[i].name, "oom.txt"))
			fprintf(f,
				"<tr><td><a href=\"%s\">%s</a></td><td>%s</td></tr>\n",
				file[i].name, file[i].name, file[i].what);
	fputs("</table>\n", f);
}

int oc_write_html(struct oc_result *r, const struct oc_checks *c, char *err,
		  size_t errlen)
{
	FILE *f = oc_fopen(r->dir, "index.html", err, errlen);
	const char *v = oc_verdict(r, c);
	char *text = NULL;
	size_t len = 0;
	FILE *mem;

	if (!f)
		return -EIO;
	fprintf(f,
		"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>overcommit: ");
	esc(f, r->sc->name);
	fprintf(f,
		" %s</title>\n<style>%s</style>\n</head>\n<body>\n<h1>overcommit: ",
		v, style);
	esc(f, r->sc->name);
	fprintf(f, " <span class=\"%s\">%s</span></h1>\n<p>", v, v);
	esc(f, r->sc->description);
	fprintf(f,
		"</p>\n<p>%u of %u checks passed; the run took %.3f s.</p>\n",
		c->n - c->failed, c->n, r->elapsed_ns / 1e9);
	if (r->host_error) {
		fputs("<p class=\"ERROR\">", f);
		esc(f, r->error);
		fputs("</p>\n", f);
	}
	expectations(f, c);
	memory(f, r);
	guests(f, r);
	plots(f, r);
	latency(f, r);
	files(f, r);
	mem = open_memstream(&text, &len);
	if (mem) {
		oc_summary_text(r, c, mem);
		fclose(mem);
		fputs("<h2>Summary</h2>\n<pre>", f);
		esc(f, text);
		fputs("</pre>\n", f);
		free(text);
	}
	fputs("</body>\n</html>\n", f);
	if (oc_fclose(&f)) {
		snprintf(err, errlen, "%s: writing index.html failed", r->dir);
		return -EIO;
	}
	return 0;
}
