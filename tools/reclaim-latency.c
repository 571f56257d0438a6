// SPDX-License-Identifier: GPL-2.0
/*
 * reclaim-latency: latency distributions from a vmm trace file (`vmm run
 * --trace`, or trace.txt of an overcommit report).  docs/latency.md.
 *
 *   reclaim-latency [--json] [--by-guest] [--csv FILE] [--chrome FILE]
 *                   [--list KIND,...] [--strict] TRACE
 *
 * Malformed lines are counted and reported (with line numbers) on stderr,
 * and otherwise skipped.  Events the trace says were lost are warned of
 * on stderr, with the distributions they shorten.  Exit status 0; 1 with
 * --strict when events were lost (or the trace is cut short); 2 on a
 * usage or I/O error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "tools/trace/chrome.h"
#include "tools/trace/latency.h"
#include "tools/trace/list.h"
#include "tools/trace/lost.h"

#define PROG "reclaim-latency"

static void usage(FILE *f)
{
	fputs("usage: " PROG " [options] TRACE\n"
	      "\n"
	      "Distributions (count, p50/p90/p99/p99.9/max, histogram) of the\n"
	      "direct-reclaim stall per allocation, allocation slow paths, guest\n"
	      "fault service, kswapd response, balloon request to completion,\n"
	      "compaction and migration pauses.  TRACE '-' reads stdin.\n"
	      "\n"
	      "  --json         JSON on stdout instead of text (with every\n"
	      "                 guest's distributions under \"guests\")\n"
	      "  --by-guest     also each guest's distributions: whose faults\n"
	      "                 stalled, whose balloon was slow\n"
	      "  --csv FILE     histograms as CSV ('-': stdout, and nothing else)\n"
	      "  --chrome FILE  the trace in Chrome's trace-event JSON format\n"
	      "                 (open it in https://ui.perfetto.dev)\n"
	      "  --list KIND,...  instead of the report, one line per interval\n"
	      "                 as it ended (as bcc's drsnoop): time, thread,\n"
	      "                 guest, latency, pages.  KIND:",
	      f);
	for (unsigned int k = 0; k < nr_lat_list_kinds; k++)
		fprintf(f, "%s%s", k ? ", " : " ", lat_list_kinds[k].name);
	fputs("\n"
	      "  --strict       exit status 1 if the trace lost events (or is\n"
	      "                 cut short)\n"
	      "  -h, --help     this text\n",
	      f);
}

static FILE *open_out(const char *path)
{
	return strcmp(path, "-") ? fopen(path, "we") : stdout;
}

static int close_out(FILE *f, const char *path)
{
	int bad = ferror(f);

	if (f == stdout)
		bad |= fflush(f);
	else
		bad |= fclose(f);
	if (bad)
		fprintf(stderr, PROG ": writing %s failed\n", path);
	return bad ? -EIO : 0;
}

/* Where the analyzer's spans go: the Chrome export, the listing. */
struct spans {
	struct chrome *chrome;
	struct lat_list *list;
};

static void on_span(void *arg, const struct lat_span *s)
{
	struct spans *sp = arg;

	if (sp->chrome)
		chrome_span(sp->chrome, s);
	if (sp->list)
		lat_list_span(sp->list, s);
}

struct opts {
	bool json, by_guest, strict;
	const char *csv, *chrome;
	unsigned int list; /* kinds to list, 0: the report */
};

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "by-guest", no_argument, NULL, 'g' },
		{ "csv", required_argument, NULL, 'c' },
		{ "chrome", required_argument, NULL, 'C' },
		{ "list", required_argument, NULL, 'l' },
		{ "strict", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *on_stdout[4];
	unsigned int n = 0;
	char err[128];
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case 'c':
			o->csv = optarg;
			break;
		case 'g':
			o->by_guest = true;
			break;
		case 'C':
			o->chrome = optarg;
			break;
		case 'l':
			if (lat_list_parse(optarg, &o->list, err,
					   sizeof(err))) {
				fprintf(stderr, PROG ": --list %s: %s\n",
					optarg, err);
				usage(stderr);
				return 2;
			}
			break;
		case 's':
			o->strict = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, PROG ": bad option '%s'\n",
				argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	/* One output on stdout, whole: a CSV or JSON parser reads it. */
	if (o->json)
		on_stdout[n++] = "--json";
	if (o->list)
		on_stdout[n++] = "--list";
	if (o->csv && !strcmp(o->csv, "-"))
		on_stdout[n++] = "--csv -";
	if (o->chrome && !strcmp(o->chrome, "-"))
		on_stdout[n++] = "--chrome -";
	if (n > 1) {
		fprintf(stderr, PROG ": %s and %s both write to stdout\n",
			on_stdout[0], on_stdout[1]);
		return 2;
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	const char *path;
	struct trace_reader r;
	struct trace_line l;
	struct latency lat;
	struct chrome ch;
	struct lat_list list;
	struct spans spans = { 0 };
	FILE *in, *chrome_f = NULL;
	bool report;
	int ret, status = 0;

	ret = parse_args(argc, argv, &o);
	if (ret >= 0)
		return ret;
	path = argv[optind];
	/* The report goes to stdout unless something else does. */
	report = !o.list && !(o.csv && !strcmp(o.csv, "-")) &&
		 !(o.chrome && !strcmp(o.chrome, "-"));
	/* Every layer's events, by name. */
	ret = host_trace_events_register();
	if (ret) {
		fprintf(stderr, PROG ": trace events: %s\n", strerror(-ret));
		return 2;
	}
	in = strcmp(path, "-") ? fopen(path, "re") : stdin;
	if (!in) {
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (o.chrome && !(chrome_f = open_out(o.chrome))) {
		fprintf(stderr, PROG ": %s: %s\n", o.chrome, strerror(errno));
		fclose(in);
		return 2;
	}
	trace_reader_init(&r, in, path, stderr);
	latency_init(&lat);
	lat.names = &r;
	if (chrome_f) {
		chrome_begin(&ch, chrome_f, &r);
		spans.chrome = &ch;
	}
	if (o.list) {
		lat_list_begin(&list, stdout, &lat, &r, o.list);
		spans.list = &list;
	}
	if (spans.chrome || spans.list) {
		lat.span = on_span;
		lat.span_arg = &spans;
	}
	while ((ret = trace_reader_next(&r, &l)) > 0) {
		latency_feed(&lat, &l);
		if (chrome_f)
			chrome_line(&ch, &l);
	}
	latency_finish(&lat);
	if (ret < 0) {
		fprintf(stderr, PROG ": reading %s: %s\n", path,
			strerror(-ret));
		status = 2;
	}
	if (chrome_f && (chrome_end(&ch) || close_out(chrome_f, o.chrome)))
		status = 2;
	if (o.json) {
		json_t *j = latency_json(&lat, &r);

		if (!j || json_dumpf(j, stdout, JSON_INDENT(2)) ||
		    fputc('\n', stdout) == EOF)
			status = 2;
		json_decref(j);
	} else if (report) {
		latency_print(&lat, &r, stdout);
		if (o.by_guest)
			latency_print_guests(&lat, stdout);
	}
	if (o.csv) {
		FILE *f = open_out(o.csv);

		if (!f) {
			fprintf(stderr, PROG ": %s: %s\n", o.csv,
				strerror(errno));
			status = 2;
		} else if (latency_csv(&lat, f) | close_out(f, o.csv)) {
			status = 2;
		}
	}
	if (fflush(stdout))
		status = 2;
	/* Last, so that it is what a terminal shows at the bottom. */
	if (latency_warn(&lat, &r, PROG, stderr) && o.strict && !status)
		status = 1;
	latency_destroy(&lat);
	trace_reader_destroy(&r);
	if (in != stdin)
		fclose(in);
	return status;
}
