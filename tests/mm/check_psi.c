// SPDX-License-Identifier: GPL-2.0
/*
 * mm/psi.c, mm/psi_trigger.c, mm/psi_task.c: pressure stall information
 * on a fake clock.  Known stall patterns give the totals and averages
 * the kernel's formulas give (kernel/sched/psi.c, loadavg.c), worked out
 * by hand below; triggers fire as the kernel's do; the allocator's slow
 * path stalls the tasks its thread works for.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "mm/psi.h"
#include "tests/mm/mm_test.h"

#define MS 1000000ULL
#define SEC 1000000000ULL

struct fake_clock {
	struct clock c;
	uint64_t ns;
};

static uint64_t fake_now(const struct clock *c)
{
	return ((const struct fake_clock *)c)->ns;
}

static struct fake_clock fake_clock(void)
{
	return (struct fake_clock){ .c.now_ns = fake_now };
}

/* Read the group at now into st; its totals, in microseconds. */
static void ck_totals(struct psi_group *g, uint64_t now, struct psi_stats *st,
		      uint64_t some, uint64_t full)
{
	psi_group_read(g, now, st);
	ck_assert_uint_eq(st->total_us[PSI_MEM_SOME], some);
	ck_assert_uint_eq(st->total_us[PSI_MEM_FULL], full);
}

static void ck_avgs(const struct psi_stats *st, enum psi_states s,
		    unsigned int a10, unsigned int a60, unsigned int a300)
{
	ck_assert_uint_eq(st->avg[s][PSI_AVG10], a10);
	ck_assert_uint_eq(st->avg[s][PSI_AVG60], a60);
	ck_assert_uint_eq(st->avg[s][PSI_AVG300], a300);
}

/*
 * Two tasks over the first period: one stalls 1 s, the other 0.5 s of
 * that, overlapping for 0.25 s.  total: some 1 s, full 0.25 s.  At 2 s
 * the first average: some is 50% of the period, pct = 50 * 2048 =
 * 102400, and calc_load(0, 1677, 102400) = (102400 * 371 + 2047) / 2048
 * = 18550, which prints as 9.05 (18550 >> 11 = 9, ((18550 & 2047) * 100)
 * >> 11 = 5); with 1981: 3350 = 1.63; with 2034: 701 = 0.34.  full is
 * 0.25e9 * 100 / 2e9 = 12 (integer) percent: 24576, giving 4452 = 2.17,
 * 805 = 0.39, 169 = 0.08.
 */
START_TEST(test_totals_and_first_average)
{
	struct psi_group g;
	struct psi_stats st;

	psi_group_init(&g, 0);
	psi_group_change(&g, 2, 0, 0);
	psi_group_change(&g, -1, 1, 1 * SEC);
	psi_group_change(&g, -1, 1, 1500 * MS); /* both stalled: full */
	psi_group_change(&g, 1, -1, 1750 * MS);
	/* Within the first period: the stall so far, no average yet. */
	ck_totals(&g, 1900 * MS, &st, 900000, 250000);
	ck_avgs(&st, PSI_MEM_SOME, 0, 0, 0);
	psi_group_change(&g, 1, -1, 2 * SEC);

	ck_totals(&g, 2 * SEC, &st, 1000000, 250000);
	ck_avgs(&st, PSI_MEM_SOME, 905, 163, 34);
	ck_avgs(&st, PSI_MEM_FULL, 217, 39, 8);
	psi_group_destroy(&g);
}
END_TEST

/*
 * A group stalled without a break for 10 s, read only at 10 s: 4
 * periods were missed (they decay towards 0: from 0, nothing), and the
 * stall of all of them lands in the last, clamped to its 2 s: 100%, or
 * 204800, giving calc_load(0, 1677, 204800) = 37100 = 18.11 (6700 =
 * 3.27, 1400 = 0.68).  The 8 s carried over count at the next update,
 * again clamped: calc_load(37100, 1677, 204800) = 67480 = 32.94.  A
 * group read every period instead has had five updates at 100%: 63.18.
 */
START_TEST(test_late_reader)
{
	struct psi_group late, punctual;
	struct psi_stats st;

	psi_group_init(&late, 0);
	psi_group_init(&punctual, 0);
	psi_group_change(&late, 0, 1, 0);
	psi_group_change(&punctual, 0, 1, 0);
	for (uint64_t t = 2 * SEC; t <= 10 * SEC; t += 2 * SEC)
		psi_group_read(&punctual, t, &st);
	ck_avgs(&st, PSI_MEM_SOME, 6318, 1532, 337);
	psi_group_change(&late, 0, -1, 10 * SEC);

	ck_totals(&late, 10 * SEC, &st, 10000000, 10000000);
	ck_avgs(&st, PSI_MEM_SOME, 1811, 327, 68);
	psi_group_read(&late, 12 * SEC, &st);
	ck_avgs(&st, PSI_MEM_SOME, 3294, 643, 136);
	ck_avgs(&st, PSI_MEM_FULL, 3294, 643, 136);
	psi_group_destroy(&late);
	psi_group_destroy(&punctual);
}
END_TEST

/* The periodic work says when it is due, and is what a read does. */
START_TEST(test_tick)
{
	struct psi_trigger_event ev[PSI_GROUP_TRIGGERS];
	struct psi_group g;
	struct psi_stats st;
	unsigned int n;

	psi_group_init(&g, 5 * SEC);
	psi_group_change(&g, 0, 1, 5 * SEC);
	psi_group_change(&g, 0, -1, 6 * SEC);
	ck_assert_uint_eq(psi_group_tick(&g, 6 * SEC, ev, &n), 7 * SEC);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(psi_group_tick(&g, 7 * SEC, ev, &n), 9 * SEC);
	psi_group_read(&g, 7 * SEC, &st);
	ck_avgs(&st, PSI_MEM_SOME, 905, 163, 34);
	/* Late by a period and a half: back on the schedule. */
	ck_assert_uint_eq(psi_group_tick(&g, 12 * SEC, ev, &n), 13 * SEC);
	psi_group_destroy(&g);
}
END_TEST

static char *show(const struct psi_stats *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	psi_show(st, f);
	fclose(f);
	return buf;
}

START_TEST(test_show_format)
{
	struct psi_stats st = { 0 };
	struct psi_group g;
	char *s = show(&st);

	ck_assert_str_eq(s, "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
			    "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
	free(s);
	psi_group_init(&g, 0);
	psi_group_change(&g, 2, 0, 0);
	psi_group_change(&g, -1, 1, 1 * SEC);
	psi_group_change(&g, -1, 1, 1500 * MS);
	psi_group_change(&g, 1, -1, 1750 * MS);
	psi_group_change(&g, 1, -1, 2 * SEC);
	psi_group_read(&g, 2 * SEC, &st);
	s = show(&st);
	ck_assert_str_eq(
		s, "some avg10=9.05 avg60=1.63 avg300=0.34 total=1000000\n"
		   "full avg10=2.17 avg60=0.39 avg300=0.08 total=250000\n");
	free(s);
	psi_group_destroy(&g);
	ck_assert_str_eq(psi_state_name(PSI_MEM_FULL), "full");
	ck_assert_int_eq(psi_state_lookup("some"), PSI_MEM_SOME);
	ck_assert_int_eq(psi_state_lookup("cpu"), -1);
}
END_TEST

/* A task stalled while the other is idle is FULL; running, only SOME. */
START_TEST(test_tasks_full_only_without_productive)
{
	struct fake_clock clk = fake_clock();
	struct psi_task a, b, *cur[] = { &a };
	struct psi_group g;
	struct psi_stats st;
	unsigned long flags;

	psi_group_init(&g, 0);
	psi_task_init(&a, &clk.c, &g);
	psi_task_init(&b, &clk.c, &g);
	psi_task_start(&a, 101);
	psi_task_start(&b, 102);
	ck_assert_int_eq(psi_task_tid(&b), 102);
	psi_task_idle(&b, true);
	psi_set_current(cur, 1);

	clk.ns = 1 * SEC;
	psi_memstall_enter(&flags, 0);
	clk.ns = 2 * SEC;
	psi_memstall_leave(&flags);
	psi_task_idle(&b, false);
	clk.ns = 3 * SEC;
	psi_memstall_enter(&flags, 0);
	clk.ns = 4 * SEC;
	psi_memstall_leave(&flags);

	/* Both idle: nothing, however long. */
	psi_task_idle(&a, true);
	psi_task_idle(&b, true);
	ck_totals(&g, 9 * SEC, &st, 2000000, 1000000);

	/* A task that stops while stalled counts no more. */
	psi_task_idle(&a, false);
	clk.ns = 10 * SEC;
	psi_memstall_enter(&flags, 0);
	clk.ns = 10500 * MS;
	psi_task_stop(&a);
	ck_assert_int_eq(psi_task_tid(&a), 0);
	clk.ns = 11 * SEC;
	psi_memstall_leave(&flags);
	psi_set_current(NULL, 0);
	ck_totals(&g, 12 * SEC, &st, 2500000, 1500000);
	ck_assert_uint_eq(g.nr_memstall, 0);
	ck_assert_uint_eq(g.nr_productive, 0);
	psi_task_destroy(&a);
	psi_task_destroy(&b);
	psi_group_destroy(&g);
}
END_TEST

/*
 * A stall counts on the node its allocation is for; the task is
 * productive on its other nodes.  Sections nest; a thread without
 * current tasks stalls nobody.
 */
START_TEST(test_node_attribution)
{
	struct fake_clock clk = fake_clock();
	struct psi_group guest, n0, n1;
	struct psi_task a, b;
	struct psi_task *cur_a[] = { &a }, *cur_both[] = { &a, NULL, &b, &a };
	struct psi_stats st;
	unsigned long outer, inner;

	psi_group_init(&guest, 0);
	psi_group_init(&n0, 0);
	psi_group_init(&n1, 0);
	psi_task_init(&a, &clk.c, &guest);
	psi_task_init(&b, &clk.c, &guest);
	psi_task_set_node(&a, 0, &n0);
	psi_task_set_node(&a, 1, &n1);
	psi_task_set_node(&b, 0, &n0);
	psi_task_start(&a, 1);
	psi_task_start(&b, 2);

	psi_set_current(cur_a, 1);
	clk.ns = 1 * SEC;
	psi_memstall_enter(&outer, 1);
	psi_memstall_enter(&inner, 0); /* nested: still node 1's */
	ck_assert_uint_eq(inner, 1);
	ck_assert_uint_eq(outer, 0);
	clk.ns = 2 * SEC;
	psi_memstall_leave(&inner);
	psi_memstall_leave(&outer);

	/* Both, once each: NULL skipped, a task named twice stalls once. */
	psi_set_current(cur_both, 4);
	clk.ns = 3 * SEC;
	psi_memstall_enter(&outer, 0);
	clk.ns = 4 * SEC;
	psi_memstall_leave(&outer);

	psi_set_current(NULL, 0);
	clk.ns = 5 * SEC;
	psi_memstall_enter(&outer, 0);
	clk.ns = 6 * SEC;
	psi_memstall_leave(&outer);

	ck_totals(&guest, 6 * SEC, &st, 2000000, 1000000);
	ck_totals(&n0, 6 * SEC, &st, 1000000, 1000000);
	ck_totals(&n1, 6 * SEC, &st, 1000000, 1000000);
	ck_assert_uint_eq(a.memstall, 0);
	ck_assert_uint_eq(n1.nr_productive, 1);
	psi_task_destroy(&a);
	psi_task_destroy(&b);
	psi_group_destroy(&guest);
	psi_group_destroy(&n0);
	psi_group_destroy(&n1);
}
END_TEST

/*
 * "some 150000 1000000": polled every 100 ms.  100 ms of stall by 0.2 s
 * is below the threshold; 60 ms more by 0.36 s make 160 ms within the
 * window: the poll at 0.4 s fires.  A stall from 0.5 s on crosses it
 * again at once, but the next event waits for the window after the
 * last: at 1.4 s, with the window's growth interpolated as the kernel
 * does: the window restarted at 1.1 s holding 760 ms, and 300 ms grew
 * since, so 300 + 760 * 0.7 = 832 ms.
 */
START_TEST(test_trigger_fires_once_per_window)
{
	struct psi_trigger_event ev[PSI_GROUP_TRIGGERS], fired[8];
	struct psi_group g;
	uint64_t when[8];
	unsigned int n, nr = 0;

	psi_group_init(&g, 0);
	psi_group_change(&g, 1, 0, 0);
	ck_assert_int_eq(
		psi_trigger_add(&g, 7, PSI_MEM_SOME, 150000, 1000000, 0), 0);
	for (uint64_t t = 100 * MS; t <= 1500 * MS; t += 100 * MS) {
		if (t == 100 * MS || t == 300 * MS || t == 500 * MS)
			psi_group_change(&g, -1, 1, t);
		if (t == 200 * MS)
			psi_group_change(&g, 1, -1, t);
		if (t == 400 * MS)
			psi_group_change(&g, 1, -1, 360 * MS);
		ck_assert_uint_eq(psi_group_tick(&g, t, ev, &n), t + 100 * MS);
		for (unsigned int i = 0; i < n && nr < 8; i++) {
			when[nr] = t;
			fired[nr++] = ev[i];
		}
	}
	ck_assert_uint_eq(nr, 2);
	ck_assert_uint_eq(when[0], 400 * MS);
	ck_assert_uint_eq(fired[0].id, 7);
	ck_assert_uint_eq(fired[0].growth_us, 160000);
	ck_assert_uint_eq(fired[0].threshold_us, 150000);
	ck_assert_uint_eq(fired[0].window_us, 1000000);
	ck_assert_uint_eq(fired[0].total_us, 160000);
	ck_assert_uint_eq(when[1], 1400 * MS);
	ck_assert_uint_eq(fired[1].growth_us, 832000);
	ck_assert_uint_eq(fired[1].total_us, 1060000);
	psi_group_destroy(&g);
}
END_TEST

/* Stall that never reaches the threshold within a window: no event;
 * full triggers see only full stall. */
START_TEST(test_trigger_below_threshold)
{
	struct psi_trigger_event ev[PSI_GROUP_TRIGGERS];
	struct psi_group g;
	unsigned int n, total = 0;

	psi_group_init(&g, 0);
	psi_group_change(&g, 2, 0, 0);
	ck_assert_int_eq(
		psi_trigger_add(&g, 1, PSI_MEM_SOME, 150000, 1000000, 0), 0);
	ck_assert_int_eq(psi_trigger_add(&g, 2, PSI_MEM_FULL, 50000, 500000, 0),
			 0);
	/* 70 ms of some, twice 1 s apart; never full (one task runs). */
	for (uint64_t t = 50 * MS; t <= 3 * SEC; t += 50 * MS) {
		if (t == 100 * MS || t == 1100 * MS)
			psi_group_change(&g, -1, 1, t);
		if (t == 150 * MS || t == 1150 * MS)
			psi_group_change(&g, 1, -1, t + 20 * MS);
		psi_group_tick(&g, t, ev, &n);
		total += n;
	}
	ck_assert_uint_eq(total, 0);
	psi_group_destroy(&g);
}
END_TEST

START_TEST(test_trigger_rules)
{
	struct psi_trigger list[PSI_GROUP_TRIGGERS + 1];
	enum psi_states s;
	uint64_t thr, win;
	struct psi_group g;
	char err[128];

	psi_group_init(&g, 0);
	/* The kernel's bounds: a window of 500 ms .. 10 s, a threshold
	 * within it and not 0; ids are the caller's, not 0. */
	ck_assert_int_eq(psi_trigger_add(&g, 1, PSI_MEM_SOME, 1000, 499999, 0),
			 -EINVAL);
	ck_assert_int_eq(psi_trigger_add(&g, 1, PSI_MEM_SOME, 1000, 10000001,
					 0),
			 -EINVAL);
	ck_assert_int_eq(psi_trigger_add(&g, 1, PSI_MEM_SOME, 0, 1000000, 0),
			 -EINVAL);
	ck_assert_int_eq(psi_trigger_add(&g, 1, PSI_MEM_SOME, 1000001, 1000000,
					 0),
			 -EINVAL);
	ck_assert_int_eq(psi_trigger_add(&g, 0, PSI_MEM_SOME, 1, 1000000, 0),
			 -EINVAL);
	for (unsigned int i = 1; i <= PSI_GROUP_TRIGGERS; i++)
		ck_assert_int_eq(psi_trigger_add(&g, i, PSI_MEM_FULL, 500000,
						 i == 1 ? 500000 : 10000000, 0),
				 0);
	ck_assert_int_eq(psi_trigger_add(&g, 99, PSI_MEM_SOME, 1, 1000000, 0),
			 -ENOSPC);
	ck_assert_uint_eq(g.poll_period, 50 * MS);
	ck_assert(psi_trigger_del(&g, 1));
	ck_assert(!psi_trigger_del(&g, 1));
	ck_assert_uint_eq(g.poll_period, 1 * SEC);
	ck_assert_uint_eq(psi_trigger_list(&g, list, PSI_GROUP_TRIGGERS + 1),
			  PSI_GROUP_TRIGGERS - 1);
	ck_assert_uint_eq(list[0].id, 2);
	psi_group_destroy(&g);

	ck_assert_int_eq(psi_trigger_parse("some 150000 1000000", &s, &thr,
					   &win, err, sizeof(err)),
			 0);
	ck_assert_int_eq(s, PSI_MEM_SOME);
	ck_assert_uint_eq(thr, 150000);
	ck_assert_uint_eq(win, 1000000);
	ck_assert_int_eq(psi_trigger_parse("full 1 500000\n", &s, &thr, &win,
					   err, sizeof(err)),
			 0);
	ck_assert_int_eq(s, PSI_MEM_FULL);
	ck_assert_int_eq(psi_trigger_parse("cpu 1 500000", &s, &thr, &win, err,
					   sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(psi_trigger_parse("some 150000", &s, &thr, &win, err,
					   sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(
		err, "'some 150000': the window in microseconds is missing");
	ck_assert_int_eq(psi_trigger_parse("some 15ms 1000000", &s, &thr, &win,
					   err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(psi_trigger_parse("some 1 1000000 x", &s, &thr, &win,
					   err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(psi_trigger_parse("someone 1 1000000", &s, &thr, &win,
					   err, sizeof(err)),
			 -EINVAL);
}
END_TEST

#define STASH 256

/*
 * The slow path's direct reclaim, direct compaction and OOM kill are
 * memstall sections of the allocating thread's current tasks, on the
 * node the allocation is for: each fake op takes 10 ms of the fake
 * clock, waking kswapd none.
 */
START_TEST(test_slowpath_sections)
{
	struct fake_clock clk = fake_clock();
	struct psi_group guest, node;
	struct psi_task task, *cur[] = { &task };
	struct fake_ops fo = { 0 };
	pfn_t stash[STASH];
	struct psi_stats st;
	struct mm_pool *pool = test_pool(16, 1, 0);
	unsigned int stalls = 0;
	uint64_t t0;

	psi_group_init(&guest, 0);
	psi_group_init(&node, 0);
	psi_task_init(&task, &clk.c, &guest);
	psi_task_set_node(&task, 0, &node);
	psi_task_start(&task, 1);

	fo.nstash = test_fill(pool, GFP_VMM, 0, 0, stash, STASH);
	fo.stash = stash;
	test_fill(pool, GFP_VMM, 0, 0, NULL, ~0UL);
	fo.clock_ns = &clk.ns;
	fo.step_ns = 10 * MS;
	fo.reclaim_frees = 32;
	fake_ops_install(pool, &fo);

	/* Not this thread's task: reclaim takes time, nobody stalls. */
	ck_assert_uint_ne(__alloc_pages(pool, GFP_VMM, 0, 0, NULL), PFN_NONE);
	ck_assert_uint_gt(clk.ns, 0);
	psi_group_read(&guest, clk.ns, &st);
	ck_assert_uint_eq(st.total_us[PSI_MEM_SOME], 0);

	/* Its task: reclaim fails, the OOM killer frees the rest. */
	test_fill(pool, (GFP_VMM & ~__GFP_DIRECT_RECLAIM) | __GFP_NOWARN, 0, 0,
		  NULL, ~0UL);
	fo.reclaim_frees = 0;
	fo.oom_frees = true;
	fo.steps[0] = 0;
	fo.nsteps = 0;
	t0 = clk.ns;
	psi_set_current(cur, 1);
	ck_assert_uint_ne(__alloc_pages(pool, GFP_VMM, 0, 0, NULL), PFN_NONE);
	psi_set_current(NULL, 0);
	for (const char *p = fake_steps(&fo); *p; p++)
		stalls += *p != STEP_KSWAPD;
	ck_assert_ptr_nonnull(strchr(fake_steps(&fo), STEP_RECLAIM));
	ck_assert_ptr_nonnull(strchr(fake_steps(&fo), STEP_OOM));
	ck_assert_uint_eq(clk.ns - t0, stalls * 10 * MS);
	ck_totals(&guest, clk.ns, &st, stalls * 10000, stalls * 10000);
	psi_group_read(&node, clk.ns, &st);
	ck_assert_uint_eq(st.total_us[PSI_MEM_SOME], stalls * 10000);
	ck_assert_uint_eq(task.memstall, 0);
	ck_validate(pool);

	mm_pool_destroy(pool);
	psi_task_destroy(&task);
	psi_group_destroy(&guest);
	psi_group_destroy(&node);
}
END_TEST

Suite *psi_suite(void)
{
	Suite *s = suite_create("psi");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_totals_and_first_average);
	tcase_add_test(tc, test_late_reader);
	tcase_add_test(tc, test_tick);
	tcase_add_test(tc, test_show_format);
	tcase_add_test(tc, test_tasks_full_only_without_productive);
	tcase_add_test(tc, test_node_attribution);
	tcase_add_test(tc, test_trigger_fires_once_per_window);
	tcase_add_test(tc, test_trigger_below_threshold);
	tcase_add_test(tc, test_trigger_rules);
	tcase_add_test(tc, test_slowpath_sections);
	suite_add_tcase(s, tc);
	return s;
}
