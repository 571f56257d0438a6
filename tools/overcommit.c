// SPDX-License-Identifier: GPL-2.0
/*
 * overcommit: run a declarative overcommit scenario against real guests
 * and write a report (docs/overcommit.md).
 *
 *   overcommit [options] SCENARIO.json [--out DIR]
 *
 * Exit status: 0 every expectation met, 1 one was not, 2 an error (a bad
 * scenario, no /dev/kvm, an interrupted run, a report not written).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/overcommit/report.h"
#include "tools/overcommit/run.h"
#include "tools/overcommit/summary.h"
#include "util/size.h"

static void usage(FILE *f)
{
	fputs("usage: overcommit [options] SCENARIO.json\n"
	      "\n"
	      "Run an overcommit scenario (pool, guests with start times and\n"
	      "workloads, expectations) against real guests and write a report:\n"
	      "summary.txt/.json, CSV time series, the trace, latency\n"
	      "distributions, gnuplot plots (PNG, SVG) and index.html.\n"
	      "Scenarios to start from: tools/scenarios/.  docs/overcommit.md.\n"
	      "\n"
	      "  --out DIR          the report directory (default out/NAME)\n"
	      "  --sample TIME      sample every TIME (default: the scenario's, 100ms)\n"
	      "  --check            check the scenario, print it, run nothing\n"
	      "  --no-plots         do not run gnuplot\n"
	      "  -q, --quiet        no progress line\n"
	      "  -h, --help         this text\n"
	      "\n"
	      "Exit status: 0 every expectation met, 1 one was not, 2 an error.\n",
	      f);
}

/* mkdir -p */
static int make_dir(const char *path)
{
	char buf[4096];

	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/* The scenario as given, kept with its report. */
static int copy_scenario(const char *from, const char *dir)
{
	char path[4096], buf[4096];
	FILE *in = fopen(from, "re"), *out;
	size_t n;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/scenario.json", dir);
	if (!in)
		return -errno;
	out = fopen(path, "we");
	if (!out) {
		ret = -errno;
		fclose(in);
		return ret;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			ret = -EIO;
	fclose(in);
	if (fclose(out))
		ret = -EIO;
	return ret;
}

struct args {
	const char *scenario, *out;
	struct oc_options run;
	bool check, plots;
};

static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "sample", required_argument, NULL, 's' },
		{ "check", no_argument, NULL, 'c' },
		{ "no-plots", no_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*a = (struct args){ .run.progress = true, .plots = true };
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			a->out = optarg;
			break;
		case 's':
			if (parse_duration_ns(optarg, &a->run.sample_ns) ||
			    a->run.sample_ns < 10000000ULL ||
			    a->run.sample_ns > 10000000000ULL) {
				fprintf(stderr,
					"overcommit: --sample %s: a time from 10ms to 10s\n",
					optarg);
				return 2;
			}
			break;
		case 'c':
			a->check = true;
			break;
		case 'P':
			a->plots = false;
			break;
		case 'q':
			a->run.progress = false;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			fprintf(stderr, "overcommit: %s needs a value\n",
				argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr, "overcommit: unknown option '%s'\n",
				argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	a->scenario = argv[optind];
	return -1;
}

int main(int argc, char **argv)
{
	static struct oc_result r; /* large: not on the stack */
	struct oc_checks checks;
	struct scenario sc;
	struct args a;
	char err[SC_ERR_MAX], dir[4096];
	int ret, status;

	ret = parse_args(argc, argv, &a);
	if (ret >= 0)
		return ret;
	if (scenario_load(a.scenario, &sc, err, sizeof(err))) {
		fprintf(stderr, "overcommit: %s\n", err);
		return 2;
	}
	if (a.check) {
		scenario_print(&sc, stdout);
		scenario_free(&sc);
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s", a.out ? a.out : "out/");
	if (!a.out)
		strncat(dir, sc.name, sizeof(dir) - strlen(dir) - 1);
	ret = make_dir(dir);
	if (!ret)
		ret = copy_scenario(a.scenario, dir);
	if (ret) {
		fprintf(stderr, "overcommit: %s: %s\n", dir, strerror(-ret));
		scenario_free(&sc);
		return 2;
	}
	if (a.run.progress)
		fprintf(stderr, "overcommit: %s: %u guest(s), report in %s\n",
			sc.name, sc.cfg.nr_guests, dir);
	ret = oc_run(&sc, dir, &a.run, &r);
	if (ret)
		fprintf(stderr, "overcommit: %s\n", r.error);
	status = oc_report(&r, ret, a.plots, &checks, stderr);
	oc_summary_text(&r, &checks, stdout);
	printf("\nreport: %s/index.html\n", dir);
	oc_report_free(&r, &checks);
	scenario_free(&sc);
	return status;
}
