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
static const struct lat_guest *find(const struct latency *lat, unsigned int vm)
{
	for (unsigned int i = 0; i < lat->guests.n; i++)
		if (lat->guests.g[i].vm == vm)
			return &lat->guests.g[i];
	return NULL;
}

/* Each guest's own distributions: faults, the slow paths and direct
 * reclaim its faults waited for, its balloon, its migration pauses. */
START_TEST(test_by_guest)
{
	struct trace_reader r;
	struct latency lat;
	const struct lat_guest *web, *hog, *v3;
	json_t *o, *g;
	FILE *in;

	analyze(&lat, &r, &in);
	ck_assert_uint_eq(lat.guests.n, 3);
	web = find(&lat, 1);
	hog = find(&lat, 2);
	v3 = find(&lat, 3);
	ck_assert_ptr_nonnull(web);
	ck_assert_ptr_nonnull(hog);
	ck_assert_ptr_nonnull(v3);
	ck_assert_str_eq(web->name, "web");
	ck_assert_str_eq(hog->name, "hog");
	ck_assert_str_eq(v3->name, "");
	ck_assert_uint_eq(web->d[LAT_FAULT].n, 10);
	ck_assert_uint_eq(web->d[LAT_FAULT_4K].n, 10);
	ck_assert_uint_eq(dist_max(&web->d[LAT_FAULT]), 10 * US);
	ck_assert_uint_eq(web->d[LAT_DIRECT_RECLAIM].n, 1);
	ck_assert_uint_eq(dist_max(&web->d[LAT_DIRECT_RECLAIM]), 5 * MS);
	ck_assert_uint_eq(web->d[LAT_SLOWPATH].n, 1);
	ck_assert_uint_eq(web->d[LAT_BALLOON].n, 0); /* never completed */
	ck_assert_uint_eq(dist_max(&web->d[LAT_COMPACTION]), 700 * US);
	ck_assert_uint_eq(dist_max(&web->d[LAT_MIGRATE]), 50 * US);
	ck_assert_uint_eq(hog->d[LAT_FAULT_2M].n, 2);
	ck_assert_uint_eq(dist_max(&hog->d[LAT_DIRECT_RECLAIM]), 1 * MS);
	ck_assert_uint_eq(dist_max(&hog->d[LAT_SLOWPATH]), 1500 * US);
	ck_assert_uint_eq(dist_max(&hog->d[LAT_BALLOON]), 4 * MS);
	ck_assert_uint_eq(dist_max(&v3->d[LAT_BALLOON]), 3 * MS);
	/* Without a guest: the order-9 slow path of an older-format line. */
	ck_assert_uint_eq(lat.d[LAT_SLOWPATH].n, 3);
	o = latency_json(&lat, &r);
	g = json_array_get(json_object_get(o, "guests"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(g, "name")), "web");
	ck_assert_int_eq(
		json_integer_value(json_object_get(
			json_object_get(json_object_get(g, "distributions"),
					"direct_reclaim"),
			"max")),
		5 * MS);
	json_decref(o);
	done(&lat, &r, in);
}
END_TEST

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
	tcase_add_test(tc, test_by_guest);
	suite_add_tcase(s, tc);
	return s;
}
