// SPDX-License-Identifier: GPL-2.0
/*
 * tools/trace/chrome.c: the known trace exported, parsed back with
 * jansson, and checked against the trace-event format and the contents.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/trace/chrome.h"

#define KNOWN_TRACE "tests/traces/known.trace"
#define SESSION_TRACE "tests/traces/session.trace"

static json_t *export_trace(const char *path)
{
	struct trace_reader r;
	struct trace_line l;
	struct latency lat;
	struct chrome c;
	json_error_t jerr;
	char *buf = NULL;
	size_t len = 0;
	FILE *in = fopen(path, "re"), *out;
	json_t *o;

	ck_assert_ptr_nonnull(in);
	out = open_memstream(&buf, &len);
	trace_reader_init(&r, in, path, NULL);
	latency_init(&lat);
	lat.names = &r;
	chrome_begin(&c, out, &r);
	lat.span = chrome_span;
	lat.span_arg = &c;
	while (trace_reader_next(&r, &l) > 0) {
		latency_feed(&lat, &l);
		chrome_line(&c, &l);
	}
	latency_finish(&lat);
	ck_assert_int_eq(chrome_end(&c), 0);
	fclose(out);
	o = json_loadb(buf, len, 0, &jerr);
	ck_assert_msg(o != NULL, "line %d: %s", jerr.line, jerr.text);
	free(buf);
	latency_destroy(&lat);
	trace_reader_destroy(&r);
	fclose(in);
	return o;
}

static unsigned int count(json_t *events, const char *ph, const char *name)
{
	unsigned int n = 0;
	size_t i;
	json_t *e;

	json_array_foreach(events, i, e) {
		const char *p = json_string_value(json_object_get(e, "ph"));
		const char *nm = json_string_value(json_object_get(e, "name"));

		if (!strcmp(p, ph) && (!name || !strcmp(nm, name)))
			n++;
	}
	return n;
}

static json_t *find(json_t *events, const char *ph, const char *name)
{
	size_t i;
	json_t *e;

	json_array_foreach(events, i, e)
		if (!strcmp(json_string_value(json_object_get(e, "ph")), ph) &&
		    !strcmp(json_string_value(json_object_get(e, "name")),
			    name))
			return e;
	return NULL;
}

/* Every event has what the format requires of its phase. */
START_TEST(test_format)
{
	json_t *o = export_trace(KNOWN_TRACE),
	       *events = json_object_get(o, "traceEvents");
	size_t i;
	json_t *e;

	ck_assert(json_is_array(events));
	ck_assert_uint_gt(json_array_size(events), 40);
	json_array_foreach(events, i, e) {
		const char *ph = json_string_value(json_object_get(e, "ph"));

		ck_assert_ptr_nonnull(ph);
		ck_assert(json_is_string(json_object_get(e, "name")));
		ck_assert(json_is_integer(json_object_get(e, "pid")));
		ck_assert(json_is_integer(json_object_get(e, "tid")));
		if (strcmp(ph, "M"))
			ck_assert(json_is_number(json_object_get(e, "ts")));
		if (!strcmp(ph, "X"))
			ck_assert(json_number_value(
					  json_object_get(e, "dur")) >= 0);
		if (!strcmp(ph, "b") || !strcmp(ph, "e")) {
			ck_assert(json_is_integer(json_object_get(e, "id")));
			ck_assert(json_is_string(json_object_get(e, "cat")));
		}
		if (!strcmp(ph, "C") || !strcmp(ph, "M"))
			ck_assert(json_is_object(json_object_get(e, "args")));
	}
	ck_assert_uint_eq(count(events, "b", NULL), count(events, "e", NULL));
	json_decref(o);
}
END_TEST

START_TEST(test_contents)
{
	json_t *o = export_trace(KNOWN_TRACE),
	       *events = json_object_get(o, "traceEvents");
	json_t *e;

	/* Complete events for what has a duration. */
	ck_assert_uint_eq(count(events, "X", "fault"), 10);
	ck_assert_uint_eq(count(events, "X", "fault 2M"), 2);
	ck_assert_uint_eq(count(events, "X", "direct reclaim"), 3);
	ck_assert_uint_eq(count(events, "X", "slow path"), 3);
	ck_assert_uint_eq(count(events, "X", "kswapd run"), 3);
	ck_assert_uint_eq(count(events, "X", "direct compaction"), 1);
	ck_assert_uint_eq(count(events, "X", "migrate batch"), 1);
	/* 700 us of compaction ending at 1000300700000 ns. */
	e = find(events, "X", "direct compaction");
	ck_assert_double_eq_tol(json_number_value(json_object_get(e, "ts")),
				1000300000.0, 1e-3);
	ck_assert_double_eq_tol(json_number_value(json_object_get(e, "dur")),
				700.0, 1e-3);
	/* Async spans from the analyzer, with the guest's name. */
	ck_assert_uint_eq(count(events, "b", "balloon vm2 hog"), 1);
	ck_assert_uint_eq(count(events, "b", "balloon vm3"), 1);
	ck_assert_uint_eq(count(events, "b", "kswapd response node0"), 1);
	/* The OOM kill is a global instant. */
	e = find(events, "i", "oom_kill");
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(json_string_value(json_object_get(e, "s")), "g");
	ck_assert_int_eq(json_integer_value(json_object_get(
				 json_object_get(e, "args"), "vm")),
			 2);
	/* Counters in MiB: 1024 pages are 4 MiB. */
	e = find(events, "C", "node0 free MiB");
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(count(events, "C", "node0 free MiB"), 7);
	e = find(events, "C", "vm1 web MiB");
	ck_assert_ptr_nonnull(e);
	ck_assert_double_eq_tol(
		json_number_value(json_object_get(json_object_get(e, "args"),
						  "resident")),
		10.0, 1e-9);
	/* Threads are named by what they do. */
	ck_assert_uint_eq(count(events, "M", "thread_name"), 3);
	json_decref(o);
}
END_TEST

/* The args of the first (or the last) "C" event of name that has key. */
static json_t *counter(json_t *events, const char *name, const char *key,
		       bool last)
{
	json_t *e, *found = NULL;
	size_t i;

	json_array_foreach(events, i, e) {
		json_t *args = json_object_get(e, "args");

		if (strcmp(json_string_value(json_object_get(e, "ph")), "C") ||
		    strcmp(json_string_value(json_object_get(e, "name")),
			   name) ||
		    !json_object_get(args, key))
			continue;
		found = args;
		if (!last)
			break;
	}
	ck_assert_msg(found, "no counter %s with %s", name, key);
	return found;
}

static double arg(json_t *args, const char *key)
{
	ck_assert_msg(json_is_number(json_object_get(args, key)), "no %s", key);
	return json_number_value(json_object_get(args, key));
}

/*
 * Counter tracks of a session's samples: each node's free memory against
 * its min, low and high watermarks, each guest's backed memory and its
 * balloon's size and target, in MiB; and where events were lost.
 */
START_TEST(test_counters)
{
	json_t *o = export_trace(SESSION_TRACE);
	json_t *events = json_object_get(o, "traceEvents"), *args, *e;

	/* node_free: 2560 pages free, and node_watermarks' min. */
	args = counter(events, "node0 free MiB", "free", false);
	ck_assert_double_eq_tol(arg(args, "free"), 10.0, 1e-9);
	ck_assert_double_eq_tol(arg(args, "min"), 1.0, 1e-9);
	ck_assert_double_eq_tol(arg(args, "low"), 2.0, 1e-9);
	ck_assert_double_eq_tol(arg(args, "high"), 3.0, 1e-9);
	ck_assert_uint_eq(count(events, "C", "node0 free MiB"), 3);
	/* vm_mem: 1024 pages backed at first; at last 768, the balloon at
	 * its target of 256; balloon_actual between. */
	args = counter(events, "vm1 web MiB", "resident", false);
	ck_assert_double_eq_tol(arg(args, "resident"), 4.0, 1e-9);
	ck_assert_double_eq_tol(arg(args, "balloon_target"), 0.0, 1e-9);
	args = counter(events, "vm1 web MiB", "resident", true);
	ck_assert_double_eq_tol(arg(args, "resident"), 3.0, 1e-9);
	ck_assert_double_eq_tol(arg(args, "balloon"), 1.0, 1e-9);
	ck_assert_double_eq_tol(arg(args, "balloon_target"), 1.0, 1e-9);
	ck_assert_uint_eq(count(events, "C", "vm1 web MiB"), 3);
	/* Losses: global instants with their counts by type. */
	ck_assert_uint_eq(count(events, "i", "lost 3 events"), 1);
	e = find(events, "i", "lost 3 events");
	ck_assert_str_eq(json_string_value(json_object_get(e, "s")), "g");
	ck_assert_double_eq_tol(json_number_value(json_object_get(e, "ts")),
				2000020100.0, 1e-3);
	ck_assert_double_eq_tol(
		arg(json_object_get(e, "args"), "balloon_actual"), 1.0, 1e-9);
	ck_assert_uint_eq(count(events, "i", "lost 2 events"), 1);
	json_decref(o);
}
END_TEST

Suite *trace_chrome_suite(void)
{
	Suite *s = suite_create("trace_chrome");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_contents);
	tcase_add_test(tc, test_counters);
	suite_add_tcase(s, tc);
	return s;
}
