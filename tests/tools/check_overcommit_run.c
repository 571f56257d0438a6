// SPDX-License-Identifier: GPL-2.0
/*
 * tools/overcommit end to end against real guests (KVM): a small 1.5x
 * scenario runs, and its report is checked: every file there, the JSON
 * files parse, the HTML shows every plot, each expectation is judged on
 * what was measured; the same run with expectations it cannot meet fails
 * them, and only them, with exit status 1.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/overcommit/report.h"
#include "tools/overcommit/run.h"

/*
 * 192 MiB of guests on 128 MiB: b needs 80 MiB while a still backs 58,
 * 48 of them freed in a: only a's balloon makes the room.  Slow builds
 * (sanitizers) change the timing, not the outcome.
 */
#define SCENARIO(extra_expect, fault_bounds)                                                \
	"{ \"name\": \"e2e\", \"description\": \"two guests, 1.5x\",\n"                     \
	"  \"pool\": { \"size\": \"128M\" },\n"                                             \
	"  \"reclaim\": { \"release_interval\": \"100ms\" },\n"                             \
	"  \"run\": { \"timeout\": \"50s\", \"sample_interval\": \"50ms\" },\n"             \
	"  \"guests\": [\n"                                                                 \
	"    { \"name\": \"a\", \"mem\": \"64M\",\n"                                        \
	"      \"script\": [\"touch 56M\", \"free 48M\", \"hold 1500ms\", \"verify\"] },\n" \
	"    { \"name\": \"b\", \"mem\": \"128M\", \"start\": \"400ms\",\n"                 \
	"      \"script\": [\"touch 80M\", \"verify\"] } ],\n"                              \
	"  \"expect\": { \"integrity\": true, \"completed\": true,\n"                       \
	"    \"overcommit_min\": 1.05, \"returned_to_host_min\": \"4M\",\n"                 \
	"    \"latency\": { \"fault\": { \"p50\": \"10s\"" fault_bounds                     \
	" } } " extra_expect "} }\n"

static char dir[64];

static const char *in_dir(const char *name)
{
	static char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static off_t size_of(const char *name)
{
	struct stat st;

	return stat(in_dir(name), &st) ? -1 : st.st_size;
}

static char *slurp(const char *name)
{
	FILE *f = fopen(in_dir(name), "re");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "%s missing", name);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, n + 1);
	ck_assert_int_eq(fread(buf, 1, n, f), n);
	fclose(f);
	return buf;
}

static json_t *load_json(const char *name)
{
	json_error_t jerr;
	json_t *o = json_load_file(in_dir(name), 0, &jerr);

	ck_assert_msg(o != NULL, "%s: line %d: %s", name, jerr.line, jerr.text);
	return o;
}

/* Run text as a scenario with its report in dir: the exit status. */
static int run_scenario(const char *text, struct oc_result *r,
			struct oc_checks *checks, struct scenario *sc)
{
	struct oc_options opt = { .progress = false };
	char path[128], err[SC_ERR_MAX];
	FILE *f;
	int ret;

	snprintf(dir, sizeof(dir), "/tmp/check-overcommit-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/in.json", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_msg(scenario_load(path, sc, err, sizeof(err)) == 0, "%s",
		      err);
	ret = oc_run(sc, dir, &opt, r);
	ck_assert_msg(ret == 0, "%s", r->error);
	return oc_report(r, ret, true, checks, stderr);
}

static void cleanup(struct oc_result *r, struct oc_checks *checks,
		    struct scenario *sc)
{
	char cmd[128];

	oc_report_free(r, checks);
	scenario_free(sc);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* The run's guest called name; the test fails without one. */
static const struct oc_guest *guest_named(const struct oc_result *r,
					  const char *name)
{
	for (unsigned int i = 0; i < r->nr_guests; i++)
		if (!strcmp(r->guest[i].spec->name, name))
			return &r->guest[i];
	ck_abort_msg("no guest %s in the run", name);
	return NULL;
}

static bool have_gnuplot(void)
{
	return !system("command -v gnuplot >/dev/null 2>&1");
}

START_TEST(test_report)
{
	static const char *const files[] = {
		"summary.txt", "summary.json", "index.html", "nodes.csv",
		"guests.csv",  "pool.csv",     "events.csv", "latency.txt",
		"latency.csv", "trace.txt",    "trace.json", "guests.txt",
		"console.txt", "plots.gp",
	};
	static const char *const plots[] = { "memory",	      "balloons",
					     "nodes",	      "latency",
					     "fragmentation", "host",
					     "events" };
	static struct oc_result r;
	struct oc_checks checks;
	struct scenario sc;
	json_t *o, *e, *g;
	char *html, *csv;
	size_t i;
	int status = run_scenario(SCENARIO("", ""), &r, &checks, &sc);

	for (i = 0; i < checks.n; i++)
		ck_assert_msg(checks.c[i].pass, "%s: %s", checks.c[i].expect,
			      checks.c[i].observed);
	ck_assert_int_eq(status, 0);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		ck_assert_msg(size_of(files[i]) > 0, "%s empty or missing",
			      files[i]);
	ck_assert_int_eq(size_of("oom.txt"), 0); /* nobody killed */

	/* summary.json: the verdict and every expectation, observed. */
	o = load_json("summary.json");
	ck_assert_str_eq(json_string_value(json_object_get(o, "result")),
			 "PASS");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "exit_status")),
			 0);
	e = json_object_get(o, "expectations");
	/* timeout, launched, integrity, completed, fault p50, returned,
	 * overcommit */
	ck_assert_uint_eq(json_array_size(e), 7);
	json_array_foreach(e, i, g) {
		ck_assert(json_is_true(json_object_get(g, "pass")));
		ck_assert_ptr_nonnull(json_object_get(g, "observed"));
	}
	g = json_object_get(json_object_get(o, "memory"), "overcommit");
	ck_assert(json_real_value(json_object_get(g, "nominal")) == 1.5);
	ck_assert(json_real_value(json_object_get(g, "achieved")) > 1.05);
	g = json_object_get(o, "guests");
	ck_assert_uint_eq(json_array_size(g), 2);
	ck_assert_str_eq(
		json_string_value(json_object_get(
			json_object_get(json_array_get(g, 1), "integrity"),
			"result")),
		"ok");
	ck_assert_int_eq(json_integer_value(json_object_get(
				 json_object_get(o, "trace"), "lost")),
			 0);
	ck_assert_int_gt(
		json_integer_value(json_object_get(
			json_object_get(json_object_get(o, "latency"), "fault"),
			"count")),
		0);
	/* Per guest: b's faults, named as the scenario names it. */
	{
		json_t *lg = json_object_get(o, "latency_by_guest"), *x;
		bool b_faults = false;

		json_array_foreach(lg, i, x)
			if (!strcmp(json_string_value(
					    json_object_get(x, "name")),
				    "b") &&
			    json_integer_value(json_object_get(
				    json_object_get(
					    json_object_get(x, "distributions"),
					    "fault"),
				    "count")) > 0)
				b_faults = true;
		ck_assert(b_faults);
	}
	json_decref(o);

	/* The Chrome export parses and has events. */
	o = load_json("trace.json");
	ck_assert_uint_gt(json_array_size(json_object_get(o, "traceEvents")),
			  10);
	json_decref(o);

	/* The time series have their headers and a row per sample. */
	csv = slurp("nodes.csv");
	ck_assert(!strncmp(
		csv,
		"time_s,node,free_mib,min_mib,low_mib,high_mib,frag_score," OC_PSI_CSV_COLUMNS
		"\n",
		strlen("time_s,node,free_mib,min_mib,low_mib,high_mib,"
		       "frag_score," OC_PSI_CSV_COLUMNS "\n")));
	free(csv);
	/* The plots' bands: both guests by name (no "others" for two). */
	csv = slurp("memory.csv");
	ck_assert(
		!strncmp(csv,
			 "time_s,pool_free_mib,a_resident_mib,b_resident_mib,",
			 51) ||
		!strncmp(csv,
			 "time_s,pool_free_mib,b_resident_mib,a_resident_mib,",
			 51));
	free(csv);
	csv = slurp("events.csv");
	ck_assert_ptr_nonnull(strstr(csv, ",guest_start,,a,"));
	ck_assert_ptr_nonnull(strstr(csv, ",guest_stop,,b,"));
	free(csv);
	ck_assert_uint_ge(r.samples, 10);

	/* Plots in both formats, and the page shows each of them. */
	html = slurp("index.html");
	ck_assert_ptr_nonnull(strstr(html, "<span class=\"PASS\">PASS</span>"));
	if (have_gnuplot()) {
		for (i = 0; i < sizeof(plots) / sizeof(plots[0]); i++) {
			char png[32], svg[32], ref[64];

			snprintf(png, sizeof(png), "%s.png", plots[i]);
			snprintf(svg, sizeof(svg), "%s.svg", plots[i]);
			ck_assert_msg(size_of(png) > 1000, "%s", png);
			ck_assert_msg(size_of(svg) > 1000, "%s", svg);
			snprintf(ref, sizeof(ref), "<img src=\"%s\"", svg);
			ck_assert_msg(strstr(html, ref), "no %s", ref);
			snprintf(ref, sizeof(ref), "<a href=\"%s\">", png);
			ck_assert_msg(strstr(html, ref), "no %s", ref);
		}
		ck_assert_int_eq(size_of("plots.log"), 0); /* no warnings */
		/* A stall plot exactly when there were stalls. */
		ck_assert_int_eq(size_of("stalls.png") > 0,
				 r.lat.d[LAT_DIRECT_RECLAIM].n > 0);
	} else {
		printf("SKIP: overcommit plots: gnuplot is not installed\n");
	}
	ck_assert_ptr_nonnull(strstr(html, "<a href=\"trace.json\">"));
	/* Each guest's latency: b faulted, so b has a row group. */
	ck_assert_ptr_nonnull(strstr(html, "<table class=\"byguest\">"));
	ck_assert_ptr_nonnull(
		strstr(html, "<tbody>\n<tr><td rowspan=\"3\">b</td>"));
	free(html);
	cleanup(&r, &checks, &sc);
}
END_TEST

/* Expectations the run cannot meet fail, with what was seen; the rest
 * still pass; exit status 1. */
START_TEST(test_failing_expectations)
{
	static struct oc_result r;
	struct oc_checks checks;
	struct scenario sc;
	unsigned int failed = 0;
	char *txt;
	int status = run_scenario(SCENARIO(", \"oom_victims\": [\"b\"]",
					   ", \"max\": \"1ns\""),
				  &r, &checks, &sc);

	ck_assert_int_eq(status, 1);
	for (unsigned int i = 0; i < checks.n; i++) {
		const struct oc_check *c = &checks.c[i];

		if (!strcmp(c->key, "expect.oom_victims")) {
			ck_assert(!c->pass);
			ck_assert_str_eq(c->observed, "killed: none");
			failed++;
		} else if (!strcmp(c->key, "expect.latency.fault.max")) {
			ck_assert(!c->pass);
			ck_assert_ptr_nonnull(strstr(c->observed, "samples)"));
			failed++;
		} else {
			ck_assert_msg(c->pass, "%s: %s", c->expect,
				      c->observed);
		}
	}
	ck_assert_uint_eq(failed, 2);
	ck_assert_uint_eq(checks.failed, 2);
	txt = slurp("summary.txt");
	ck_assert_ptr_nonnull(
		strstr(txt, "scenario e2e: FAIL (7 of 9 checks passed)"));
	ck_assert_ptr_nonnull(strstr(txt, "  FAIL  fault max <= 1 ns "));
	ck_assert_ptr_nonnull(strstr(txt, "  FAIL  OOM victims: b "));
	ck_assert_ptr_nonnull(strstr(txt, "  PASS  no bad page in any guest"));
	free(txt);
	cleanup(&r, &checks, &sc);
}
END_TEST

/* name's direct reclaims, from the trace. */
static size_t direct_reclaims_of(const struct oc_result *r, const char *name)
{
	for (unsigned int i = 0; i < r->lat.guests.n; i++)
		if (!strcmp(r->lat.guests.g[i].name, name))
			return r->lat.guests.g[i].d[LAT_DIRECT_RECLAIM].n;
	return 0;
}

/*
 * The run's memory pressure: a naps while b's faults may reclaim from
 * its balloon (kswapd often answers first).  a is never stalled; b,
 * with one vCPU, is full whenever stalled, and is stalled when its
 * faults reclaimed; the node saw exactly b's stalls.  The bounds are
 * judged on that (b's "never stalled" fails exactly when it was), and
 * the figures are in the CSVs and the summary.
 */
START_TEST(test_pressure)
{
	static struct oc_result r;
	const struct oc_guest *a, *b;
	struct oc_checks checks;
	struct scenario sc;
	uint64_t b_some;
	json_t *o, *g;
	char *txt;
	int status = run_scenario(
		SCENARIO(
			", \"pressure\": {\"guests\": {"
			"\"a\": {\"some\": {\"total\": \"1ns\"}},"
			"\"b\": {\"some\": {\"total\": \"1ns\"},"
			" \"full\": {\"avg10\": 100}}},"
			" \"nodes\": {\"*\": {\"some\": {\"total\": \"50s\"}}}}",
			""),
		&r, &checks, &sc);

	a = guest_named(&r, "a");
	b = guest_named(&r, "b");
	ck_assert(a->psi.sampled && b->psi.sampled && r.node_psi[0].sampled);
	b_some = b->psi.last.total_us[PSI_MEM_SOME];
	fprintf(stderr, "overcommit psi: b some %lu us, %zu direct reclaims\n",
		(unsigned long)b_some, direct_reclaims_of(&r, "b"));
	ck_assert_uint_eq(a->psi.last.total_us[PSI_MEM_SOME], 0);
	ck_assert_uint_eq(b->psi.last.total_us[PSI_MEM_FULL], b_some);
	ck_assert_uint_eq(r.node_psi[0].last.total_us[PSI_MEM_SOME], b_some);
	ck_assert(!direct_reclaims_of(&r, "b") || b_some > 0);
	for (unsigned int i = 0; i < checks.n; i++) {
		const struct oc_check *c = &checks.c[i];

		if (!strcmp(c->key, "expect.pressure.guests.b.some.total"))
			ck_assert_msg(c->pass == !b_some, "%s", c->observed);
		else
			ck_assert_msg(c->pass, "%s: %s", c->expect,
				      c->observed);
	}
	ck_assert_int_eq(status, b_some ? 1 : 0);

	txt = slurp("guests.csv");
	ck_assert_ptr_nonnull(strstr(
		txt,
		"balloon_target_mib,swap_mib,swap_stored_mib,swap_file_mib,refaulted_pages," OC_PSI_CSV_COLUMNS
		"\n"));
	ck_assert_ptr_nonnull(strstr(txt, ",b,"));
	free(txt);
	txt = slurp("summary.txt");
	ck_assert_ptr_nonnull(strstr(txt, "\npressure (PSI"));
	ck_assert_ptr_nonnull(strstr(txt, "\n  b                some "));
	ck_assert_ptr_nonnull(strstr(txt, "\n  node0            some "));
	free(txt);
	o = load_json("summary.json");
	g = json_array_get(json_object_get(o, "guests"), 1);
	ck_assert_int_eq(
		json_integer_value(json_object_get(
			json_object_get(json_object_get(g, "pressure"), "some"),
			"total_us")),
		(json_int_t)b_some);
	g = json_array_get(
		json_object_get(json_object_get(o, "memory"), "node"), 0);
	ck_assert_ptr_nonnull(json_object_get(
		json_object_get(json_object_get(g, "pressure"), "full"),
		"avg10_max"));
	json_decref(o);
	cleanup(&r, &checks, &sc);
}
END_TEST

/*
 * Guests that would run for ever, and a run.duration: at its end each is
 * asked to shut down; ours verify and go (reason "stopped", integrity
 * ok), the one that ignores it is killed at run.shutdown_timeout; the
 * run passes (they were stopped by design), and ends long before the
 * guests' scripts would have.
 */
START_TEST(test_duration_shutdown)
{
	static struct oc_result r;
	struct oc_checks checks;
	struct scenario sc;
	const struct oc_guest *w, *deaf;
	int status = run_scenario(
		"{ \"name\": \"forever\", \"pool\": { \"size\": \"128M\" },\n"
		"  \"run\": { \"duration\": \"1500ms\", \"shutdown_timeout\": \"500ms\",\n"
		"    \"timeout\": \"30s\" },\n"
		"  \"guests\": [\n"
		"    { \"name\": \"w\", \"mem\": \"64M\", \"vcpus\": 2, \"script\":\n"
		"      [\"touch 32M\", \"churn ws=32M rate=0 time=600s\"] },\n"
		"    { \"name\": \"deaf\", \"mem\": \"32M\", \"script\":\n"
		"      [\"power deaf\", \"touch 8M\", \"hold 600s\"] } ],\n"
		"  \"expect\": { \"no_oom\": true, \"integrity\": true,\n"
		"    \"completed\": true } }\n",
		&r, &checks, &sc);

	ck_assert_int_eq(status, 0);
	ck_assert(r.duration_reached && !r.timed_out);
	w = guest_named(&r, "w");
	deaf = guest_named(&r, "deaf");
	ck_assert_int_eq(w->why, VM_EXIT_STOPPED);
	ck_assert_str_eq(w->detail, "shut down when asked, status 0");
	ck_assert_uint_ge(w->sum.nr_verify, 2); /* the churn's, the last */
	ck_assert_uint_eq(w->sum.verify_bad, 0);
	ck_assert_int_eq(deaf->why, VM_EXIT_KILLED);
	ck_assert_ptr_nonnull(strstr(deaf->detail, "time-out"));
	/* The deaf one went at the grace's end, w right away. */
	ck_assert_uint_lt(w->ended_ns, 1500000000ULL + 400000000ULL);
	ck_assert_uint_ge(deaf->ended_ns, 1500000000ULL + 500000000ULL);
	ck_assert_uint_lt(deaf->ended_ns, 1500000000ULL + 5000000000ULL);
	cleanup(&r, &checks, &sc);
}
END_TEST

/*
 * A guest's own floor (floor=) holds against reclaim: the newcomer's
 * memory comes from the other guest's balloon, the protected guest gives
 * only what it holds above its floor.
 */
START_TEST(test_guest_floor)
{
	static struct oc_result r;
	struct oc_checks checks;
	struct scenario sc;
	const struct oc_guest *prot, *other;
	int status = run_scenario(
		"{ \"name\": \"floor\", \"pool\": { \"size\": \"256M\" },\n"
		"  \"reclaim\": { \"deflate\": false },\n"
		"  \"run\": { \"timeout\": \"40s\" },\n"
		"  \"guests\": [\n"
		"    { \"name\": \"prot\", \"mem\": \"128M\", \"floor\": \"100M\",\n"
		"      \"script\": \"touch 112M; free 104M; hold 3s; verify\" },\n"
		"    { \"name\": \"other\", \"mem\": \"128M\",\n"
		"      \"script\": \"touch 112M; free 104M; hold 3s; verify\" },\n"
		"    { \"name\": \"new\", \"mem\": \"128M\", \"start\": \"800ms\",\n"
		"      \"script\": \"touch 96M; verify\" } ],\n"
		"  \"expect\": { \"no_oom\": true, \"integrity\": true,\n"
		"    \"completed\": true } }\n",
		&r, &checks, &sc);

	ck_assert_int_eq(status, 0);
	prot = guest_named(&r, "prot");
	other = guest_named(&r, "other");
	/* prot backed 112M + its kernel's: at most about 14M above 100M. */
	ck_assert_msg(prot->peak_balloon_pages <= (16 << 20) >> 12,
		      "prot's balloon reached %llu pages",
		      (unsigned long long)prot->peak_balloon_pages);
	ck_assert_msg(other->peak_balloon_pages > (40 << 20) >> 12,
		      "other's balloon only %llu pages",
		      (unsigned long long)other->peak_balloon_pages);
	cleanup(&r, &checks, &sc);
}
END_TEST

/* A guest's panic is in how the report says it ended. */
START_TEST(test_ending_panic)
{
	static struct oc_guest g = {
		.state = OC_ENDED,
		.why = VM_EXIT_GUEST_EXIT,
		.sum = { .exited = true,
			 .exit_status = 3,
			 .nr_panics = 1,
			 .panic = "touch: out of memory after 7 pages" },
	};
	char buf[512];

	ck_assert_str_eq(
		oc_ending(&g, buf, sizeof(buf)),
		"guest exit, status 3 (out of guest memory); guest panic: touch: out of memory after 7 pages");
}
END_TEST

Suite *overcommit_suite(void)
{
	Suite *s = suite_create("overcommit");
	TCase *tc = tcase_create("kvm");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_report);
	tcase_add_test(tc, test_failing_expectations);
	tcase_add_test(tc, test_pressure);
	tcase_add_test(tc, test_duration_shutdown);
	tcase_add_test(tc, test_guest_floor);
	tcase_add_test(tc, test_ending_panic);
	suite_add_tcase(s, tc);
	return s;
}
