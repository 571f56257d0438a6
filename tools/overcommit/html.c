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

/* Laid out for a laptop screen: the page is as wide as the plots (1100
 * pixels, smaller where the window is), long text wraps, a wide table
 * scrolls in its own box rather than the page. */
static const char style[] =
	"body{font-family:sans-serif;max-width:1120px;margin:1em auto;padding:0 1em;color:#222}"
	"nav{position:sticky;top:0;background:#fff;padding:.3em 0;border-bottom:1px solid #ddd;z-index:1}"
	"nav a{margin-right:1em;white-space:nowrap}"
	"table{border-collapse:collapse;margin:.5em 0}"
	"td,th{padding:3px 10px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}"
	"th{background:#f3f3f3}.PASS{color:#070;font-weight:bold}"
	".FAIL,.ERROR{color:#c00;font-weight:bold}"
	"pre{background:#f6f6f6;padding:8px;font-size:90%;white-space:pre-wrap;overflow-wrap:anywhere}"
	"figure{margin:1em 0}figcaption{font-weight:bold;margin:.3em 0}"
	"img{width:100%;height:auto;border:1px solid #eee}"
	".wide{overflow-x:auto}"
	".byguest td,.byguest th{padding:1px 8px;font-size:90%;white-space:nowrap}"
	".byguest tbody{border-top:2px solid #bbb}"
	".byguest td.p{color:#777}"
	".lat td{white-space:nowrap}.lat td:first-child,.lat td:last-child{white-space:normal}";

static void expectations(FILE *f, const struct oc_checks *c)
{
	fputs("<h2 id=\"expectations\">Expectations</h2>\n<table>\n<tr><th>result</th><th>expected</th><th>observed</th></tr>\n",
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

	fputs("<h2 id=\"memory\">Memory</h2>\n<table>\n", f);
	fprintf(f, "<tr><td>pool</td><td>%s in %u node(s)</td></tr>\n",
		format_size(r->pool_bytes, a, sizeof(a)), r->nr_nodes);
	fprintf(f,
		"<tr><td>overcommit, nominal</td><td>%.2fx</td><td>most RAM of guests running at once / pool</td></tr>\n",
		r->pool_bytes ? (double)r->peak_nominal_bytes / r->pool_bytes :
				0);
	fprintf(f,
		"<tr><td>overcommit, achieved</td><td>%.2fx</td><td>sum of every guest's peak memory held (backed or in the cold tier) / pool</td></tr>\n",
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
	if (r->tier)
		fprintf(f,
			"<tr><td>cold tier</td><td>peak Zswap %.1f MiB, Zswapped %.1f MiB, %.1f MiB in the swap file</td>"
			"<td>zswpout %lu, zswpin %lu, zswpwb %lu, pswpout %lu, pswpin %lu, workingset_refault_anon %lu (pages)</td></tr>\n",
			r->peak_zswap_pages / 256.0,
			r->peak_zswapped_pages / 256.0,
			r->peak_in_file_pages / 256.0, r->vmstat[ZSWPOUT],
			r->vmstat[ZSWPIN], r->vmstat[ZSWPWB],
			r->vmstat[PSWPOUT], r->vmstat[PSWPIN],
			r->vmstat[WORKINGSET_REFAULT_ANON]);
	fputs("</table>\n", f);
}

static void guests(FILE *f, const struct oc_result *r)
{
	char buf[512], a[32];

	fputs("<h2 id=\"guests\">Guests</h2>\n<table>\n<tr><th>guest</th><th>RAM</th><th>started</th><th>ended</th><th>how</th><th>integrity</th><th>peak backed</th><th>peak balloon</th><th>peak swapped</th><th>refaulted</th></tr>\n",
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
			"</td><td>%s</td><td>%.1f MiB</td><td>%.1f MiB</td><td>%.1f MiB</td><td>%.1f MiB</td></tr>\n",
			oc_integrity(g), g->mem.peak_pages / 256.0,
			g->peak_balloon_pages / 256.0,
			g->peak_swap_pages / 256.0, g->mem.swap_in / 256.0);
	}
	fputs("</table>\n", f);
}

/* The distributions that have samples of some guest: how many, into on. */
static unsigned int guest_dists(const struct lat_guests *gs, bool *on)
{
	unsigned int n = 0;

	for (int k = 0; k < NR_LAT_DISTS; k++) {
		on[k] = false;
		for (unsigned int i = 0; i < gs->n && !on[k]; i++)
			on[k] = gs->g[i].d[k].n > 0;
		n += on[k];
	}
	return n;
}

/* One guest's rows: p50, p99 and max of each distribution. */
static void guest_latency(FILE *f, struct lat_guest *g, const bool *on)
{
	static const struct {
		const char *name;
		unsigned int p10; /* p100 is the max */
	} fig[] = { { "p50", 500 }, { "p99", 990 }, { "max", 1000 } };
	char a[32];

	fputs("<tbody>\n", f);
	for (size_t j = 0; j < sizeof(fig) / sizeof(fig[0]); j++) {
		fputs("<tr>", f);
		if (!j) {
			fprintf(f, "<td rowspan=\"%zu\">",
				sizeof(fig) / sizeof(fig[0]));
			esc(f, g->name[0] ? g->name : "(unnamed)");
			fputs("</td>", f);
		}
		fprintf(f, "<td class=\"p\">%s</td>", fig[j].name);
		for (int k = 0; k < NR_LAT_DISTS; k++) {
			struct dist *d = &g->d[k];

			if (!on[k])
				continue;
			fprintf(f, "<td>%s</td>",
				d->n ? fmt_ns(dist_percentile(d, fig[j].p10), a,
					      sizeof(a)) :
				       "");
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n", f);
}

static bool scenario_guest(const struct oc_result *r, const char *name)
{
	for (unsigned int i = 0; i < r->nr_guests; i++)
		if (!strcmp(r->guest[i].spec->name, name))
			return true;
	return false;
}

/* Each guest's latency (latency_by_guest in summary.json), in the order
 * of the scenario. */
static void latency_by_guest(FILE *f, struct oc_result *r)
{
	struct lat_guests *gs = &r->lat.guests;
	bool on[NR_LAT_DISTS];

	if (!guest_dists(gs, on))
		return;
	fputs("<h3 id=\"latency-by-guest\">Latency by guest</h3>\n"
	      "<div class=\"wide\"><table class=\"byguest\">\n<thead><tr><th>guest</th><th></th>",
	      f);
	for (int k = 0; k < NR_LAT_DISTS; k++)
		if (on[k])
			fprintf(f, "<th>%s</th>", lat_key[k]);
	fputs("</tr></thead>\n", f);
	for (unsigned int i = 0; i < r->nr_guests; i++)
		for (unsigned int j = 0; j < gs->n; j++)
			if (!strcmp(gs->g[j].name, r->guest[i].spec->name))
				guest_latency(f, &gs->g[j], on);
	/* Last, those the scenario does not name. */
	for (unsigned int j = 0; j < gs->n; j++)
		if (!scenario_guest(r, gs->g[j].name))
			guest_latency(f, &gs->g[j], on);
	fputs("</table></div>\n", f);
}

static void latency(FILE *f, struct oc_result *r)
{
	char a[32];

	fputs("<h2 id=\"latency\">Latency</h2>\n", f);
	if (!r->analyzed) {
		fputs("<p>The trace was not analyzed.</p>\n", f);
		return;
	}
	fputs("<table class=\"lat\">\n<tr><th>distribution</th><th>count</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>from</th></tr>\n",
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
	latency_by_guest(f, r);
}

static const struct {
	const char *name, *title;
} plot[] = {
#define X(name, title) { #name, title },
	OC_PLOTS(X)
#undef X
};
#define NR_PLOTS (sizeof(plot) / sizeof(plot[0]))

static bool have_plot(const struct oc_result *r, const char *name)
{
	char png[64], svg[64];

	snprintf(png, sizeof(png), "%s.png", name);
	snprintf(svg, sizeof(svg), "%s.svg", name);
	return have(r, svg) || have(r, png);
}

/* Each plot as wide as the page, the SVG linked to the PNG. */
static void plots(FILE *f, const struct oc_result *r)
{
	char png[64], svg[64];
	bool any = false;

	fputs("<h2 id=\"plots\">Plots</h2>\n", f);
	for (size_t i = 0; i < NR_PLOTS; i++) {
		if (!have_plot(r, plot[i].name))
			continue;
		snprintf(png, sizeof(png), "%s.png", plot[i].name);
		snprintf(svg, sizeof(svg), "%s.svg", plot[i].name);
		any = true;
		fprintf(f,
			"<figure id=\"plot-%s\"><figcaption>%s</figcaption>\n"
			"<a href=\"%s\"><img src=\"%s\" alt=\"%s\"></a>\n"
			"<a href=\"%s\">PNG</a> <a href=\"%s\">SVG</a></figure>\n",
			plot[i].name, plot[i].title, png,
			have(r, svg) ? svg : png, plot[i].title, png, svg);
	}
	if (!any)
		fputs("<p>No plots: see plots.log (is gnuplot installed?).</p>\n",
		      f);
}

/* Links to the sections and to each plot, kept at the top. */
static void nav(FILE *f, const struct oc_result *r)
{
	fputs("<nav><a href=\"#expectations\">expectations</a>"
	      "<a href=\"#memory\">memory figures</a>plots:",
	      f);
	for (size_t i = 0; i < NR_PLOTS; i++)
		if (have_plot(r, plot[i].name))
			fprintf(f, " <a href=\"#plot-%s\">%s</a>", plot[i].name,
				plot[i].name);
	fputs("<a href=\"#latency\">latency percentiles</a><a href=\"#guests\">guests</a>"
	      "<a href=\"#files\">files</a><a href=\"#summary\">summary</a></nav>\n",
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
		  "free memory, watermarks and fragmentation score per node, per sample" },
		{ "guests.csv",
		  "each guest's backed memory, balloon, memory in the cold tier and refaults, per sample" },
		{ "pool.csv",
		  "the pool's host footprint and free memory, how KVM maps the guests, the cold tier's store and counters, per sample" },
		{ "memory.csv",
		  "the plots' bands: the top guests and the rest, per sample" },
		{ "swap.csv",
		  "the swap plot's bands: memory in the cold tier and refaults of the top guests and the rest, per sample" },
		{ "events.csv",
		  "kswapd, direct reclaim, compaction, kcompactd, migrations, balloon requests, OOM kills, guest starts and stops" },
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

	fputs("<h2 id=\"files\">Files</h2>\n<table>\n", f);
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
	nav(f, r);
	expectations(f, c);
	memory(f, r);
	plots(f, r);
	latency(f, r);
	guests(f, r);
	files(f, r);
	mem = open_memstream(&text, &len);
	if (mem) {
		oc_summary_text(r, c, mem);
		fclose(mem);
		fputs("<h2 id=\"summary\">Summary</h2>\n<pre>", f);
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
