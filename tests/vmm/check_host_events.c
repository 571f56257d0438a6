// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/host/events.c: nothing queued while nobody listens, events from
 * many threads all arrive (or are counted as lost, never both), mm trace
 * events come through the probe, the fd says when to look.
 */
#include <check.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>

#include "tests/vmm/host_test.h"
#include "vmm/host/events.h"

static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

START_TEST(test_quiet_until_enabled)
{
	struct vmm_host *h = test_host(32, 1);
	struct host_event ev[4];
	uint64_t lost;
	int fd;

	trace_event(&h->pool->trace, TR_KSWAPD_WAKE, 0, 1, 2, 3);
	host_event_shutdown(h, "nobody hears this");
	ck_assert_ptr_null(h->events);
	fd = host_events_enable(h);
	ck_assert_int_ge(fd, 0);
	ck_assert(!readable(fd));
	ck_assert_uint_eq(host_events_take(h, ev, 4, &lost), 0);

	trace_event(&h->pool->trace, TR_KSWAPD_WAKE, 0, 100, 200, 300);
	trace_event(&h->pool->trace, TR_PAGE_FREE, 1, 0, 0, 0); /* not probed */
	trace_event(&h->pool->trace, TR_DIRECT_RECLAIM_END, 512, 7000, 0, 0);
	host_event_shutdown(h, "bye");
	ck_assert(readable(fd));
	ck_assert_uint_eq(host_events_take(h, ev, 4, &lost), 3);
	ck_assert_uint_eq(lost, 0);
	ck_assert(!readable(fd));
	ck_assert_int_eq(ev[0].type, HEV_KSWAPD_WAKE);
	ck_assert_uint_eq(ev[0].kswapd_wake.low, 200);
	ck_assert_int_eq(ev[1].type, HEV_DIRECT_RECLAIM);
	ck_assert_uint_eq(ev[1].direct.reclaimed, 512);
	ck_assert_uint_eq(ev[1].direct.ns, 7000);
	ck_assert_int_eq(ev[2].type, HEV_SHUTDOWN);

	/* Direct compaction, as the slow path traces it. */
	trace_event(&h->pool->trace, TR_COMPACT_BEGIN, 9, 1, 0, 0);
	trace_event(&h->pool->trace, TR_COMPACT_END, 9, COMPACT_SUCCESS, 4242,
		    0);
	ck_assert_uint_eq(host_events_take(h, ev, 4, &lost), 2);
	ck_assert_int_eq(ev[0].type, HEV_COMPACTION);
	ck_assert(!ev[0].compact.end);
	ck_assert_int_eq(ev[1].compact.kind, HOST_COMPACT_DIRECT);
	ck_assert(ev[1].compact.end);
	ck_assert_int_eq(ev[1].compact.order, 9);
	ck_assert_int_eq(ev[1].compact.result, COMPACT_SUCCESS);
	ck_assert_uint_eq(ev[1].compact.duration_ns, 4242);
	ck_assert_str_eq(compact_result_name(COMPACT_SUCCESS), "success");

	/* kcompactd: a round is a wake and its node's next sleep; the
	 * sleeps of an idle kcompactd are nothing. */
	trace_event(&h->pool->trace, TR_KCOMPACTD_SLEEP, 0, 80, 0, 0);
	trace_event(&h->pool->trace, TR_KCOMPACTD_WAKE, 0, 0, 1, 80);
	trace_event(&h->pool->trace, TR_KCOMPACTD_WAKE, 1, 9, 1, 50);
	trace_event(&h->pool->trace, TR_KCOMPACTD_SLEEP, 0, 20, 0, 0);
	trace_event(&h->pool->trace, TR_KCOMPACTD_SLEEP, 0, 20, 0, 0);
	ck_assert_uint_eq(host_events_take(h, ev, 4, &lost), 3);
	ck_assert_int_eq(ev[0].compact.kind, HOST_COMPACT_PROACTIVE);
	ck_assert_int_eq(ev[0].compact.score, 80);
	ck_assert(!ev[0].compact.end);
	ck_assert_int_eq(ev[1].compact.kind, HOST_COMPACT_KCOMPACTD);
	ck_assert_int_eq(ev[1].compact.node, 1);
	ck_assert_int_eq(ev[1].compact.order, 9);
	ck_assert(ev[2].compact.end);
	ck_assert_int_eq(ev[2].compact.node, 0);
	ck_assert_int_eq(ev[2].compact.kind, HOST_COMPACT_PROACTIVE);
	ck_assert_int_eq(ev[2].compact.score, 20);

	trace_event(&h->pool->trace, TR_KSWAPD_WAKE, 0, 100, 200, 300);
	trace_event(&h->pool->trace, TR_DIRECT_RECLAIM_END, 512, 7000, 0, 0);
	host_event_shutdown(h, "bye");
	ck_assert_uint_eq(host_events_take(h, ev, 4, &lost), 3);
	ck_assert_uint_eq(lost, 0);
	ck_assert(!readable(fd));
	ck_assert_int_eq(ev[0].type, HEV_KSWAPD_WAKE);
	ck_assert_uint_eq(ev[0].kswapd_wake.low, 200);
	ck_assert_int_eq(ev[1].type, HEV_DIRECT_RECLAIM);
	ck_assert_uint_eq(ev[1].direct.reclaimed, 512);
	ck_assert_uint_eq(ev[1].direct.ns, 7000);
	ck_assert_int_eq(ev[2].type, HEV_SHUTDOWN);
	ck_assert_str_eq(ev[2].text, "bye");
	ck_assert_uint_gt(ev[2].wall_ns, 1600000000ULL * 1000000000ULL);
	ck_assert_str_eq(host_event_name(HEV_OOM_KILL), "OOM_KILL");

	host_events_disable(h);
	trace_event(&h->pool->trace, TR_KSWAPD_WAKE, 0, 1, 2, 3);
	host_event_shutdown(h, "unheard");
	ck_assert_uint_eq(host_events_take(h, ev, 4, &lost), 0);
	test_host_done(h);
}
END_TEST

#define POSTERS 4
#define PER_POSTER 1000

static void *poster(void *arg)
{
	struct vmm_host *h = arg;

	for (int i = 0; i < PER_POSTER; i++) {
		struct host_compact_event ce = { .order = i, .node = -1 };

		host_event_compaction(h, &ce);
	}
	return NULL;
}

/* More events than the queue holds, from several threads at once: every
 * one is either delivered or counted as lost. */
START_TEST(test_many_posters)
{
	struct vmm_host *h = test_host(32, 1);
	static struct host_event ev[HOST_EVENT_QUEUE];
	uint64_t got = 0, lost_total = 0, lost;
	pthread_t t[POSTERS];
	int fd = host_events_enable(h);

	ck_assert_int_ge(fd, 0);
	for (int i = 0; i < POSTERS; i++)
		pthread_create(&t[i], NULL, poster, h);
	for (int i = 0; i < POSTERS; i++)
		pthread_join(t[i], NULL);
	for (;;) {
		unsigned int n = host_events_take(h, ev, 100, &lost);

		got += n;
		lost_total += lost;
		for (unsigned int k = 0; k < n; k++)
			ck_assert_int_eq(ev[k].type, HEV_COMPACTION);
		if (!n)
			break;
		/* Still events: the fd stays readable for them. */
		ck_assert(readable(fd) || !h->events->len);
	}
	ck_assert_uint_le(got, HOST_EVENT_QUEUE);
	ck_assert_uint_eq(got + lost_total, POSTERS * PER_POSTER);
	test_host_done(h);
}
END_TEST

Suite *host_events_suite(void)
{
	Suite *s = suite_create("host_events");
	TCase *tc = tcase_create("queue");

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_quiet_until_enabled);
	tcase_add_test(tc, test_many_posters);
	suite_add_tcase(s, tc);
	return s;
}
