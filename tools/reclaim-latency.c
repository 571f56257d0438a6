// SPDX-License-Identifier: GPL-2.0
/*
 * reclaim-latency: latency distributions from a vmm trace file (`vmm run
 * --trace`, or trace.txt of an overcommit report).  docs/latency.md.
 *
 *   reclaim-latency [--json] [--by-guest] [--csv FILE] [--chrome FILE] TRACE
 *
 * Malformed lines are counted and reported (with line numbers) on stderr,
 * and otherwise skipped.  Exit status 0, or 2 on a usage or I/O error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "tools/trace/chrome.h"
#include "tools/trace/latency.h"

static void usage(FILE *f)
{
	fputs("usage: reclaim-latency [options] TRACE\n"
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
	      "  --csv FILE     histograms as CSV ('-': stdout)\n"
	      "  --chrome FILE  the trace in Chrome's trace-event JSON format\n"
	      "                 (open it in https://ui.perfetto.dev)\n"
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
		fprintf(stderr, "reclaim-latency: writing %s failed\n", path);
	return bad ? -EIO : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "by-guest", no_argument, NULL, 'g' },
		{ "csv", required_argument, NULL, 'c' },
		{ "chrome", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *csv = NULL, *chrome_path = NULL, *path;
	struct trace_reader r;
	struct trace_line l;
	struct latency lat;
	struct chrome ch;
	FILE *in, *chrome_f = NULL;
	bool json = false, by_guest = false;
	int c, ret, status = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'c':
			csv = optarg;
			break;
		case 'g':
			by_guest = true;
			break;
		case 'C':
			chrome_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "reclaim-latency: bad option '%s'\n",
				argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	path = argv[optind];
	/* Every layer's events, by name. */
	ret = host_trace_events_register();
	if (ret) {
		fprintf(stderr, "reclaim-latency: trace events: %s\n",
			strerror(-ret));
		return 2;
	}
	in = strcmp(path, "-") ? fopen(path, "re") : stdin;
	if (!in) {
		fprintf(stderr, "reclaim-latency: %s: %s\n", path,
			strerror(errno));
		return 2;
	}
	if (chrome_path && !(chrome_f = open_out(chrome_path))) {
		fprintf(stderr, "reclaim-latency: %s: %s\n", chrome_path,
			strerror(errno));
		fclose(in);
		return 2;
	}
	trace_reader_init(&r, in, path, stderr);
	latency_init(&lat);
	lat.names = &r;
	if (chrome_f) {
		chrome_begin(&ch, chrome_f, &r);
		lat.span = chrome_span;
		lat.span_arg = &ch;
	}
	while ((ret = trace_reader_next(&r, &l)) > 0) {
		latency_feed(&lat, &l);
		if (chrome_f)
			chrome_line(&ch, &l);
	}
	latency_finish(&lat);
	if (ret < 0) {
		fprintf(stderr, "reclaim-latency: reading %s: %s\n", path,
			strerror(-ret));
		status = 2;
	}
	if (chrome_f && (chrome_end(&ch) || close_out(chrome_f, chrome_path)))
		status = 2;
	if (json) {
		json_t *o = latency_json(&lat, &r);

		if (!o || json_dumpf(o, stdout, JSON_INDENT(2)) ||
		    fputc('\n', stdout) == EOF)
			status = 2;
		json_decref(o);
	} else {
		latency_print(&lat, &r, stdout);
		if (by_guest)
			latency_print_guests(&lat, stdout);
	}
	if (csv) {
		FILE *f = open_out(csv);

		if (!f) {
			fprintf(stderr, "reclaim-latency: %s: %s\n", csv,
				strerror(errno));
			status = 2;
		} else if (latency_csv(&lat, f) | close_out(f, csv)) {
			status = 2;
		}
	}
	if (fflush(stdout))
		status = 2;
	latency_destroy(&lat);
	trace_reader_destroy(&r);
	if (in != stdin)
		fclose(in);
	return status;
}
