// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/host/trace.c: a tracing session streams the ring to its file while
 * the guests run; a writer that does not keep up (held back here, as
 * the fault injection lets a test do) loses events, and the file, the
 * stop and reclaim-latency's analysis all say so, every event emitted
 * being either in the file or counted lost.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/vmm/host_test.h"
#include "tools/trace/latency.h"
#include "tools/trace/lost.h"

static char *read_file(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "re");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(getdelim(&buf, &len, 0, f), 0);
	fclose(f);
	return buf;
}

static unsigned int count(const char *text, const char *what)
{
	unsigned int n = 0;

	for (const char *p = text; (p = strstr(p, what)); p++)
		n++;
	return n;
}

static void temp_path(char *buf, size_t len)
{
	int fd;

	snprintf(buf, len, "/tmp/vmm-trace-XXXXXX");
	fd = mkstemp(buf);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

/*
 * A writer held back while 100 faults are traced into a ring of 64: the
 * ring keeps what came first and drops the rest; released, the writer
 * writes them and a loss line where the drops were.
 */
START_TEST(test_held_writer_loses)
{
	struct vmm_host *h = test_host(32, 1);
	struct host_trace_opts o = { .ring_events = 64 };
	struct host_trace_result res;
	struct trace_reader r;
	struct trace_line l;
	struct latency lat;
	char path[64], err[256], *text, *warn = NULL;
	size_t len = 0;
	FILE *f, *out;

	temp_path(path, sizeof(path));
	ck_assert_msg(!host_trace_start(h, path, HOST_TRACE_REPLACE, &o, err,
					sizeof(err)),
		      "%s", err);
	host_trace_hold(h, true);
	for (int i = 0; i < 100; i++)
		trace_event(&h->pool->trace, TR_FAULT, 1, (uint64_t)i << 12, 0,
			    1000 + i);
	host_trace_hold(h, false);
	/* The writer catches up, and this one gets in after the loss. */
	usleep(200000);
	trace_event(&h->pool->trace, TR_FAULT, 1, 100 << 12, 0, 1100);
	out = open_memstream(&warn, &len);
	ck_assert_int_eq(host_trace_finish(h, out, &res), 0);
	fclose(out);

	text = read_file(path);
	/* Every fault is written or counted lost, never both. */
	ck_assert_uint_ge(res.lost_by_type[TR_FAULT], 36);
	ck_assert_uint_eq(count(text, "event=vmm_fault ") +
				  res.lost_by_type[TR_FAULT],
			  101);
	ck_assert_msg(strstr(text, "\n# lost "), "%s", text);
	ck_assert_ptr_nonnull(strstr(text, " vmm_fault="));
	ck_assert_ptr_nonnull(strstr(text, "\n# trace end ts="));
	/* The last fault came after the loss. */
	ck_assert(strstr(text, "\n# lost ") < strstr(text, "gpa=0x64000 "));
	ck_assert_msg(strstr(warn, "vmm: warning: trace ") &&
			      strstr(warn, "(vmm_fault "),
		      "%s", warn);

	/* reclaim-latency's analysis: the fault distributions are short,
	 * the others are not; the warning names them. */
	f = fopen(path, "re");
	trace_reader_init(&r, f, path, NULL);
	latency_init(&lat);
	lat.names = &r;
	while (trace_reader_next(&r, &l) > 0)
		latency_feed(&lat, &l);
	latency_finish(&lat);
	ck_assert_uint_eq(trace_session_lost(&r.session), res.lost);
	ck_assert(latency_short(&lat, LAT_FAULT));
	ck_assert(latency_short(&lat, LAT_FAULT_4K));
	ck_assert(!latency_short(&lat, LAT_BALLOON));
	ck_assert(!latency_short(&lat, LAT_DIRECT_RECLAIM));
	free(warn);
	out = open_memstream(&warn, &len);
	ck_assert(latency_warn(&lat, &r, "reclaim-latency", out));
	fclose(out);
	ck_assert_msg(strstr(warn, "distributions short of events") &&
			      strstr(warn, "fault, fault_4k, fault_2m"),
		      "%s", warn);
	latency_destroy(&lat);
	trace_reader_destroy(&r);
	fclose(f);
	free(warn);
	free(text);
	unlink(path);
	test_host_done(h);
}
END_TEST

/* Page events only when asked; the ring's size as asked. */
START_TEST(test_session_choices)
{
	struct vmm_host *h = test_host(32, 1);
	struct host_trace_opts o = { .ring_events = 100, .page_events = true };
	struct host_trace_result res;
	char path[64], err[256], *text;
	pfn_t p;

	temp_path(path, sizeof(path));
	ck_assert(!host_trace_start(h, path, HOST_TRACE_REPLACE, NULL, err,
				    sizeof(err)));
	p = __alloc_pages(h->pool, GFP_VMM, 0, 0, NULL);
	__free_pages(h->pool, p, 0);
	ck_assert_int_eq(host_trace_stop(h, &res, NULL), 0);
	text = read_file(path);
	ck_assert_msg(!strstr(text, "event=mm_page_alloc ") &&
			      !strstr(text, "event=mm_page_free "),
		      "%s", text);
	ck_assert_ptr_nonnull(
		strstr(text, " ring=65536 off=mm_page_alloc,mm_page_free\n"));
	free(text);

	ck_assert(!host_trace_start(h, path, HOST_TRACE_REPLACE, &o, err,
				    sizeof(err)));
	p = __alloc_pages(h->pool, GFP_VMM, 0, 0, NULL);
	__free_pages(h->pool, p, 0);
	ck_assert_int_eq(host_trace_stop(h, &res, NULL), 0);
	text = read_file(path);
	ck_assert_ptr_nonnull(strstr(text, "event=mm_page_alloc "));
	ck_assert_ptr_nonnull(strstr(text, "event=mm_page_free "));
	ck_assert_ptr_nonnull(strstr(text, " ring=128\n"));
	ck_assert_uint_eq(res.lost, 0);
	free(text);
	unlink(path);
	test_host_done(h);
}
END_TEST

/*
 * A real guest: its events are in the file while it runs (streamed, not
 * written at the stop), with its name before them and the memory
 * samples; the stop adds the rest, and loses nothing.
 */
START_TEST(test_session_streams)
{
	struct vmm_host *h = test_host(128, 1);
	struct host_trace_opts o = { .sample_ns = 20000000 };
	struct host_trace_result res;
	char path[64], err[256], *text, name[64], mem[64];
	unsigned int id;

	temp_path(path, sizeof(path));
	ck_assert(!host_trace_start(h, path, HOST_TRACE_REPLACE, &o, err,
				    sizeof(err)));
	id = test_launch(h, "streamed", 64, 1, 1,
			 "touch 32M; hold 500ms; touch 8M; verify", 0);
	test_wait_phases(h, id, 1);
	usleep(200000); /* the writer's period is 50 ms */
	text = read_file(path);
	snprintf(name, sizeof(name), "\n# vm=%u name=streamed\n", id);
	snprintf(mem, sizeof(mem), " event=vm_mem vm=%u pages=", id);
	ck_assert_msg(strstr(text, name), "%s", text);
	ck_assert_msg(strstr(text, " event=vmm_fault "), "%s", text);
	ck_assert(strstr(text, name) < strstr(text, " event=vmm_fault "));
	ck_assert_ptr_nonnull(strstr(text, " event=node_free node=0 "));
	ck_assert_ptr_nonnull(strstr(text, " event=node_watermarks node=0 "));
	ck_assert_ptr_nonnull(strstr(text, mem));
	ck_assert_ptr_null(strstr(text, "# trace end"));
	free(text);
	test_assert_clean(h, id);
	ck_assert_int_eq(host_trace_stop(h, &res, NULL), 0);
	text = read_file(path);
	ck_assert_uint_eq(res.lost, 0);
	ck_assert_uint_eq(count(text, "\nts="), res.events);
	ck_assert_ptr_nonnull(strstr(text, " target="));
	ck_assert_ptr_nonnull(strstr(text, " lost=0\n"));
	free(text);
	unlink(path);
	test_host_done(h);
}
END_TEST

Suite *trace_session_suite(void)
{
	Suite *s = suite_create("trace_session");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_held_writer_loses);
	tcase_add_test(tc, test_session_choices);
	suite_add_tcase(s, tc);
	return s;
}

Suite *trace_session_kvm_suite(void)
{
	Suite *s = suite_create("trace_session_kvm");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_session_streams);
	suite_add_tcase(s, tc);
	return s;
}
