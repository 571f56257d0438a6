// SPDX-License-Identifier: GPL-2.0
/*
 * tools/trace/latency.c against tests/traces/known.trace, a hand-written
 * trace whose every figure is known (its comments say which).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/trace/latency.h"

#define KNOWN_TRACE "tests/traces/known.trace"
#define US 1000ULL
#define MS 1000000ULL
#define CSV_HEADER "distribution,bucket_lo_ns,bucket_hi_ns,count\n"

static void analyze(struct latency *lat, struct trace_reader *r, FILE **in)
{
	struct trace_line l;
	int ret;

	*in = fopen(KNOWN_TRACE, "re");
	ck_assert_ptr_nonnull(*in);
	trace_reader_init(r, *in, KNOWN_TRACE, NULL);
	latency_init(lat);
	lat->names = r;
	while ((ret = trace_reader_next(r, &l)) > 0)
		latency_feed(lat, &l);
	ck_assert_int_eq(ret, 0);
	latency_finish(lat);
}

static void done(struct latency *lat, struct trace_reader *r, FILE *in)
{
	latency_destroy(lat);
	trace_reader_destroy(r);
	fclose(in);
}

struct want {
	enum lat_dist d;
	size_t count;
	uint64_t p50, p90, p99, p999, max;
};

START_TEST(test_known_distributions)
{
	static const struct want want[] = {
		{ LAT_DIRECT_RECLAIM, 2, 1 * MS, 5 * MS, 5 * MS, 5 * MS,
		  5 * MS },
		{ LAT_SLOWPATH, 3, 1500 * US, 6 * MS, 6 * MS, 6 * MS, 6 * MS },
		{ LAT_FAULT, 12, 6 * US, 100 * US, 200 * US, 200 * US,
		  200 * US },
		{ LAT_FAULT_4K, 10, 5 * US, 9 * US, 10 * US, 10 * US, 10 * US },
		{ LAT_FAULT_2M, 2, 100 * US, 200 * US, 200 * US, 200 * US,
		  200 * US },
		{ LAT_KSWAPD, 1, 50 * MS, 50 * MS, 50 * MS, 50 * MS, 50 * MS },
		{ LAT_BALLOON, 2, 3 * MS, 4 * MS, 4 * MS, 4 * MS, 4 * MS },
		{ LAT_COMPACTION, 1, 700 * US, 700 * US, 700 * US, 700 * US,
		  700 * US },
		{ LAT_MIGRATE, 1, 50 * US, 50 * US, 50 * US, 50 * US, 50 * US },
	};
	struct trace_reader r;
	struct latency lat;
	FILE *in;

	analyze(&lat, &r, &in);
	ck_assert_uint_eq(r.events, 50);
	ck_assert_uint_eq(r.unknown, 1);
	ck_assert_uint_eq(r.malformed, 5);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct dist *d = &lat.d[want[i].d];

		ck_assert_msg(d->n == want[i].count, "%s: count %zu",
			      lat_key[want[i].d], d->n);
		ck_assert_uint_eq(dist_percentile(d, 500), want[i].p50);
		ck_assert_uint_eq(dist_percentile(d, 900), want[i].p90);
		ck_assert_uint_eq(dist_percentile(d, 990), want[i].p99);
		ck_assert_uint_eq(dist_percentile(d, 999), want[i].p999);
		ck_assert_uint_eq(dist_max(d), want[i].max);
	}
	ck_assert_uint_eq(lat.kswapd_unbalanced, 1);
	ck_assert_uint_eq(lat.kswapd_idle, 1);
	ck_assert_uint_eq(lat.balloon_superseded, 1);
	ck_assert_uint_eq(lat.balloon_unfinished, 1);
	ck_assert_uint_eq(lat.nr_oom, 1);
	ck_assert_uint_eq(lat.oom[0].vm, 2);
	ck_assert_str_eq(trace_reader_vm_name(&r, 2), "hog");
	done(&lat, &r, in);
}
END_TEST

/* The JSON report carries the same figures, and the CSV every bucket. */
START_TEST(test_json_and_csv)
{
	struct trace_reader r;
	struct latency lat;
	char *csv = NULL;
	size_t len = 0;
	json_t *o, *d;
	FILE *in, *f;

	analyze(&lat, &r, &in);
	o = latency_json(&lat, &r);
	ck_assert_int_eq(
		json_integer_value(json_object_get(o, "malformed_lines")), 5);
	d = json_object_get(json_object_get(o, "distributions"), "fault");
	ck_assert_int_eq(json_integer_value(json_object_get(d, "count")), 12);
	ck_assert_int_eq(json_integer_value(json_object_get(d, "p90")),
			 100 * US);
	ck_assert_int_eq(json_integer_value(json_object_get(d, "p99.9")),
			 200 * US);
	ck_assert_str_eq(
		json_string_value(json_object_get(
			json_array_get(json_object_get(o, "oom_kills"), 0),
			"name")),
		"hog");
	d = json_object_get(json_object_get(o, "distributions"), "compaction");
	ck_assert_int_eq(json_array_size(json_object_get(d, "histogram")), 1);
	json_decref(o);

	f = open_memstream(&csv, &len);
	ck_assert_int_eq(latency_csv(&lat, f), 0);
	fclose(f);
	ck_assert(!strncmp(csv, CSV_HEADER, strlen(CSV_HEADER)));
	ck_assert_ptr_nonnull(strstr(csv, "\nfault,5000,10000,5\n"));
	ck_assert_ptr_nonnull(
		strstr(csv, "\nkswapd_response,50000000,100000000,1\n"));
	free(csv);
	done(&lat, &r, in);
}
END_TEST

Suite *trace_latency_suite(void)
{
	Suite *s = suite_create("trace_latency");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_known_distributions);
	tcase_add_test(tc, test_json_and_csv);
	suite_add_tcase(s, tc);
	return s;
}
