// SPDX-License-Identifier: GPL-2.0
/*
 * The all-in-use scenario through the overcommit runner (swap_scenario.h):
 * its library, oc_run(), as build/tools/overcommit runs it, the report
 * files in a directory of their own under /var/tmp, removed afterwards
 * (the figures are read from the result, not from the files).
 */
#include <errno.h>
#include <ftw.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/bench/swap_scenario.h"
#include "tools/overcommit/run.h"
#include "util/clock.h"
#include "util/errf.h"

#define SCENARIO "tools/scenarios/all-in-use.json"

/*
 * The scenario in the tree the program was built from (build/tools/ is
 * two folders below it), else in the current directory.
 */
static int find_scenario(char *path, size_t len)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		exe[n] = '\0';
		snprintf(path, len, "%s/../../%s", dirname(dirname(exe)),
			 SCENARIO);
		if (!access(path, R_OK))
			return 0;
	}
	snprintf(path, len, "%s", SCENARIO);
	return access(path, R_OK) ? -errno : 0;
}

static int rm_one(const char *path, const struct stat *st, int type,
		  struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

/* One run in a fresh directory: 0 (the run carried out and ended by
 * itself), or -errno with err; the seconds it took in *secs. */
static int run_once(const struct scenario *sc, struct oc_result *r,
		    double *secs, char *err, size_t len)
{
	char dir[] = "/var/tmp/bench_swap_oc.XXXXXX";
	const struct oc_options opt = { .progress = false };
	uint64_t t0;
	int ret;

	if (!mkdtemp(dir))
		return errf(err, len, -errno, "%s: %s", dir, strerror(errno));
	t0 = clock_now_ns(&clock_monotonic);
	ret = oc_run(sc, dir, &opt, r);
	*secs = (clock_now_ns(&clock_monotonic) - t0) / 1e9;
	if (ret)
		errf(err, len, ret, "%s: %s", sc->name, r->error);
	else if (r->timed_out || r->interrupted)
		ret = errf(err, len, -ETIMEDOUT, "%s: %s", sc->name,
			   r->timed_out ? "timed out" : "interrupted");
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return ret;
}

/* What a run achieved, under the prefix "swap." or "swap.off_". */
static void print_run(const char *prefix, const struct oc_result *r,
		      double secs)
{
	unsigned int kills = 0;
	bool intact = true;

	for (unsigned int i = 0; i < r->nr_guests; i++) {
		kills += oc_oom_killed(&r->guest[i]);
		/* A killed guest checked nothing more; the rest must
		 * have found every page intact. */
		if (!oc_oom_killed(&r->guest[i]) &&
		    strcmp(oc_integrity(&r->guest[i]), "ok"))
			intact = false;
	}
	printf("%sovercommit_x %.2f ratio\n", prefix,
	       oc_overcommit_achieved(r));
	printf("%soom_kills %u kills\n", prefix, kills);
	printf("%sall_in_use_intact %d bool\n", prefix, intact);
	printf("%sall_in_use_s %.1f s\n", prefix, secs);
}

int bench_swap_all_in_use(const char *prog, const char *path)
{
	static struct oc_result r; /* large: not on the stack */
	char found[4096], err[SC_ERR_MAX];
	struct scenario sc;
	double secs;
	int ret;

	if (!path) {
		ret = find_scenario(found, sizeof(found));
		if (ret) {
			fprintf(stderr,
				"%s: %s: %s (give the scenario's path)\n", prog,
				SCENARIO, strerror(-ret));
			return ret;
		}
		path = found;
	}
	ret = scenario_load(path, &sc, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return ret;
	}
	ret = run_once(&sc, &r, &secs, err, sizeof(err));
	if (!ret) {
		print_run("swap.", &r, secs);
		/* The baseline: the same run without the tier. */
		sc.cfg.swap_store_set = true;
		sc.cfg.swap_store_bytes = 0;
		ret = run_once(&sc, &r, &secs, err, sizeof(err));
	}
	if (!ret)
		print_run("swap.off_", &r, secs);
	else
		fprintf(stderr, "%s: %s\n", prog, err);
	scenario_free(&sc);
	return ret;
}
