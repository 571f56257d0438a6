// SPDX-License-Identifier: GPL-2.0
/*
 * mm/trace.c streamed to a reader, and mm/trace_writer.c: nothing unread
 * is overwritten, what finds the ring full is dropped and counted by
 * type, the reader is woken when the ring fills, and the file says
 * where events were lost.
 */
#include <check.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/trace_writer.h"
#include "tests/mm/mm_test.h"

static void collect_pfn(const struct trace_record *r, void *arg)
{
	uint64_t **out = arg;

	*(*out)++ = r->arg[0];
}

/*
 * Streamed, a full ring keeps what the reader has not read and drops the
 * newest, by type; what the reader has read makes room again.
 */
START_TEST(test_stream_drops_newest)
{
	struct trace_ring tr;
	uint64_t got[64], *p = got, pos, lost = 0, dropped[NR_TRACE_EVENTS];

	ck_assert_int_eq(trace_ring_init(&tr, 16), 0);
	pos = trace_ring_attach(&tr);
	ck_assert_uint_eq(pos, 0);
	trace_ring_enable(&tr, true);
	for (uint64_t i = 0; i < 20; i++)
		trace_event(&tr, TR_PAGE_FREE, i, 0, 0, 0);
	trace_event(&tr, TR_OOM, 0, 0, 0, 0);
	trace_ring_dropped(&tr, dropped);
	ck_assert_uint_eq(dropped[TR_PAGE_FREE], 4);
	ck_assert_uint_eq(dropped[TR_OOM], 1);
	ck_assert_uint_eq(trace_ring_head(&tr), 16);
	ck_assert_int_eq(trace_ring_drain(&tr, &pos, &lost, collect_pfn, &p),
			 16);
	ck_assert_uint_eq(lost, 0); /* nothing was overwritten */
	for (int i = 0; i < 16; i++)
		ck_assert_uint_eq(got[i], i); /* the oldest, in order */
	/* Read: their slots take new events. */
	for (uint64_t i = 100; i < 110; i++)
		trace_event(&tr, TR_PAGE_FREE, i, 0, 0, 0);
	ck_assert_int_eq(trace_ring_drain(&tr, &pos, &lost, collect_pfn, &p),
			 10);
	ck_assert_uint_eq(got[16], 100);
	trace_ring_dropped(&tr, dropped);
	ck_assert_uint_eq(dropped[TR_PAGE_FREE], 4);
	/* Detached, it is a flight recorder again: the newest are kept. */
	trace_ring_detach(&tr);
	for (uint64_t i = 200; i < 240; i++)
		trace_event(&tr, TR_PAGE_FREE, i, 0, 0, 0);
	trace_ring_dropped(&tr, dropped);
	ck_assert_uint_eq(dropped[TR_PAGE_FREE], 4);
	trace_ring_destroy(&tr);
}
END_TEST

struct waiter {
	struct trace_ring *tr;
	uint64_t ns;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;
	uint64_t t0 = trace_clock_ns();

	trace_ring_wait(w->tr, 20000000000ULL); /* 20 s */
	__atomic_store_n(&w->ns, trace_clock_ns() - t0, __ATOMIC_RELEASE);
	return NULL;
}

/* A reader asleep is woken by the event that fills the ring to its mark
 * (a quarter), long before its time-out; and by a kick. */
START_TEST(test_stream_wakes_reader)
{
	const struct timespec ms50 = { 0, 50000000 };
	struct trace_ring tr;
	struct waiter w = { .tr = &tr };
	pthread_t th;

	ck_assert_int_eq(trace_ring_init(&tr, 64), 0);
	trace_ring_attach(&tr);
	trace_ring_enable(&tr, true);
	ck_assert_int_eq(pthread_create(&th, NULL, wait_thread, &w), 0);
	nanosleep(&ms50, NULL); /* asleep by now, most likely */
	for (int i = 0; i < TRACE_WAKE_MARK(63); i++)
		trace_event(&tr, TR_PAGE_FREE, i, 0, 0, 0);
	nanosleep(&ms50, NULL);
	/* Not yet: at the mark. */
	ck_assert_uint_eq(__atomic_load_n(&w.ns, __ATOMIC_ACQUIRE), 0);
	trace_event(&tr, TR_PAGE_FREE, 99, 0, 0, 0);
	pthread_join(th, NULL);
	ck_assert_uint_lt(w.ns, 5000000000ULL);

	/* A kick, before the wait or during it, ends it too. */
	trace_ring_consume(&tr, trace_ring_head(&tr));
	trace_ring_kick(&tr);
	w.ns = 0;
	ck_assert_int_eq(pthread_create(&th, NULL, wait_thread, &w), 0);
	pthread_join(th, NULL);
	ck_assert_uint_lt(w.ns, 5000000000ULL);
	trace_ring_destroy(&tr);
}
END_TEST

/* The ts of the record of pfn in text. */
static uint64_t nth_ts(const char *text, const char *pfn)
{
	char key[32];
	const char *p;

	snprintf(key, sizeof(key), "pfn=%s order=0\n", pfn);
	p = strstr(text, key);
	ck_assert_ptr_nonnull(p);
	while (p > text && p[-1] != '\n')
		p--;
	return strtoull(p + 3, NULL, 10);
}

/*
 * The writer: a start line naming what is not recorded, the records,
 * a loss line where the drops happened (between the records either
 * side, with their times and types), an end line with the totals.
 */
START_TEST(test_writer_losses)
{
	struct trace_writer w;
	struct trace_ring tr;
	char *buf = NULL, line[160];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *gap, *after;

	ck_assert_int_eq(trace_ring_init(&tr, 16), 0);
	trace_ring_set_events(&tr, ~TRACE_BIT(TR_PAGE_ALLOC));
	trace_writer_begin(&w, &tr, f, NULL, NULL);
	trace_ring_enable(&tr, true);
	for (uint64_t i = 0; i < 16; i++)
		trace_event(&tr, TR_PAGE_FREE, i, 0, 0, 0);
	/* The writer does not keep up: these are dropped. */
	for (uint64_t i = 16; i < 19; i++)
		trace_event(&tr, TR_PAGE_FREE, i, 0, 0, 0);
	trace_event(&tr, TR_OOM, 0, 0, 0, 0);
	trace_event(&tr, TR_OOM, 0, 0, 0, 0);
	ck_assert_uint_eq(trace_writer_drain(&w, trace_ring_head(&tr)), 16);
	/* ... and the writer caught up. */
	trace_event(&tr, TR_PAGE_FREE, 0x100, 0, 0, 0);
	trace_event(&tr, TR_PAGE_ALLOC, 0x200, 0, 0, 0); /* not recorded */
	trace_ring_enable(&tr, false);
	ck_assert_int_eq(trace_writer_end(&w), 0);
	fclose(f);

	ck_assert_msg(!strncmp(buf, "# trace start ts=", 17), "%s", buf);
	ck_assert_ptr_nonnull(strstr(buf, " ring=16 off=mm_page_alloc\n"));
	snprintf(line, sizeof(line),
		 "\n# lost 5 events between ts=%" PRIu64 " and ts=%" PRIu64
		 ": mm_page_free=3 mm_oom=2\n",
		 nth_ts(buf, "0xf"), nth_ts(buf, "0x100"));
	gap = strstr(buf, line);
	ck_assert_msg(gap, "no '%s' in:\n%s", line + 1, buf);
	/* Right after the last record before the drops. */
	after = strstr(buf, "pfn=0xf order=0\n");
	ck_assert_ptr_eq(after + strlen("pfn=0xf order=0"), gap);
	ck_assert_ptr_nonnull(strstr(buf, "\n# trace end ts="));
	ck_assert_ptr_nonnull(strstr(buf, " events=17 lost=5\n"));
	ck_assert_ptr_null(strstr(buf, "mm_page_alloc pfn"));
	ck_assert_uint_eq(w.lost, 5);
	ck_assert_uint_eq(w.lost_by_type[TR_OOM], 2);
	free(buf);
	trace_ring_destroy(&tr);
}
END_TEST

/* A record whose writer never finishes is waited for, then counted lost
 * at the end, of no known type. */
START_TEST(test_writer_unfinished)
{
	struct trace_writer w;
	struct trace_ring tr;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_int_eq(trace_ring_init(&tr, 16), 0);
	trace_writer_begin(&w, &tr, f, NULL, NULL);
	trace_ring_enable(&tr, true);
	trace_event(&tr, TR_PAGE_FREE, 1, 0, 0, 0);
	trace_event(&tr, TR_PAGE_FREE, 2, 0, 0, 0);
	tr.buf->rec[1].seq = 0; /* as a writer of index 1 would leave it */
	trace_ring_enable(&tr, false);
	ck_assert_int_eq(trace_writer_end(&w), 0);
	fclose(f);
	ck_assert_msg(strstr(buf, "\n# lost 1 events between ts="), "%s", buf);
	ck_assert_ptr_nonnull(strstr(buf, " events=1 lost=1\n"));
	free(buf);
	trace_ring_destroy(&tr);
}
END_TEST

/*
 * A resize between sessions: the new size from then on, nothing of the
 * old buffer read as new records, the old buffer used again for its
 * size.
 */
START_TEST(test_resize)
{
	struct trace_ring tr;
	struct trace_buf *first;
	uint64_t got[64], *p = got, pos, lost = 0;

	ck_assert_int_eq(trace_ring_init(&tr, 16), 0);
	first = tr.buf;
	trace_ring_enable(&tr, true);
	for (uint64_t i = 0; i < 16; i++)
		trace_event(&tr, TR_PAGE_FREE, i, 0, 0, 0);
	trace_ring_enable(&tr, false);
	ck_assert_int_eq(trace_ring_resize(&tr, 33), 0);
	ck_assert_uint_eq(trace_ring_capacity(&tr), 64);
	pos = trace_ring_attach(&tr);
	trace_ring_enable(&tr, true);
	for (uint64_t i = 100; i < 140; i++)
		trace_event(&tr, TR_PAGE_FREE, i, 0, 0, 0);
	ck_assert_int_eq(trace_ring_drain(&tr, &pos, &lost, collect_pfn, &p),
			 40);
	ck_assert_uint_eq(got[0], 100);
	trace_ring_enable(&tr, false);
	trace_ring_detach(&tr);
	ck_assert_int_eq(trace_ring_resize(&tr, 16), 0);
	ck_assert_ptr_eq(tr.buf, first);
	/* Its old records are not the ones to come. */
	pos = trace_ring_attach(&tr);
	p = got;
	ck_assert_int_eq(trace_ring_drain(&tr, &pos, &lost, collect_pfn, &p),
			 0);
	trace_ring_destroy(&tr);
}
END_TEST

Suite *trace_suite(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_stream_drops_newest);
	tcase_add_test(tc, test_stream_wakes_reader);
	tcase_add_test(tc, test_writer_losses);
	tcase_add_test(tc, test_writer_unfinished);
	tcase_add_test(tc, test_resize);
	suite_add_tcase(s, tc);
	return s;
}
