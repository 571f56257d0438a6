// SPDX-License-Identifier: GPL-2.0
/* mm/oom_kill.c: badness, oom_score_adj, nodemask constraint, report. */
#include "mm/oom_kill.h"
#include "tests/mm/mm_test.h"

/* Owner o takes n frames on node nid. */
static void own(struct mm_pool *pool, uint16_t o, int nid, int n)
{
	nodemask_t m = nodemask_of_node(nid);

	for (int i = 0; i < n; i++) {
		pfn_t p = __alloc_pages(pool, GFP_GUEST, 0, nid, &m);

		ck_assert_uint_ne(p, PFN_NONE);
		frame_set_owner(pool, p, o, gpa((uint64_t)i << PAGE_SHIFT));
	}
}

START_TEST(test_badness_and_adj)
{
	struct mm_pool *pool = test_pool(64, 2, 0);
	struct oom_candidate c[3] = {
		{ .owner = 1, .name = "a" },
		{ .owner = 2, .name = "b" },
		{ .owner = 3, .name = "c" },
	};
	struct oom_control oc = { .gfp_mask = GFP_GUEST };
	struct oom_victim v;

	own(pool, 1, 0, 1000);
	own(pool, 2, 0, 600);
	own(pool, 3, 1, 300);
	oom_select_victim(pool, &oc, c, 3, &v);
	ck_assert_int_eq(v.index, 0);
	ck_assert_uint_eq(c[0].frames, 1000);
	ck_assert_int_eq(v.constraint, CONSTRAINT_NONE);
	/* +100 thousandths of 16384 frames: b wins (600 + 1600). */
	c[1].oom_score_adj = 100;
	oom_select_victim(pool, &oc, c, 3, &v);
	ck_assert_int_eq(v.index, 1);
	ck_assert_int_eq(c[1].points, 600 + 100 * (16384 / 1000));
	/* -1000: never, whatever its size. */
	c[1].oom_score_adj = 0;
	c[0].oom_score_adj = OOM_SCORE_ADJ_MIN;
	oom_select_victim(pool, &oc, c, 3, &v);
	ck_assert_int_eq(v.index, 1);
	/* A strongly negative adj still leaves a candidate at 1 point. */
	c[1].oom_score_adj = -999;
	c[2].oom_score_adj = -999;
	oom_select_victim(pool, &oc, c, 3, &v);
	ck_assert_int_ge(v.index, 1);
	ck_assert_int_eq(c[v.index].points, 1);
	mm_pool_destroy(pool);
}
END_TEST

START_TEST(test_nodemask_constraint)
{
	struct mm_pool *pool = test_pool(64, 2, 0);
	struct oom_candidate c[2] = { { .owner = 1 }, { .owner = 2 } };
	nodemask_t m = nodemask_of_node(1);
	struct oom_control oc = { .gfp_mask = GFP_GUEST, .nodemask = &m };
	struct oom_victim v;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	own(pool, 1, 0, 3000); /* big, but not where memory is needed */
	own(pool, 2, 1, 10);
	oom_select_victim(pool, &oc, c, 2, &v);
	ck_assert_int_eq(v.index, 1);
	ck_assert_int_eq(v.constraint, CONSTRAINT_MEMORY_POLICY);
	ck_assert_uint_eq(c[0].frames, 0);
	ck_assert_uint_eq(c[0].total_frames, 3000);
	f = open_memstream(&buf, &len);
	oom_report(pool, &oc, c, 2, &v, f);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(
		buf,
		"oom-kill:constraint=CONSTRAINT_MEMORY_POLICY,nodemask=0x2"));
	ck_assert_ptr_nonnull(strstr(buf, "Out of memory: Killed vm 2"));
	ck_assert_ptr_nonnull(strstr(buf, "Node 1 Normal free:"));
	free(buf);
	/* A dying victim with memory there: wait rather than kill. */
	c[1].exiting = true;
	oom_select_victim(pool, &oc, c, 2, &v);
	ck_assert(v.wait);
	ck_assert_int_eq(v.index, -1);
	mm_pool_destroy(pool);
}
END_TEST

Suite *oom_kill_suite(void)
{
	Suite *s = suite_create("oom_kill");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_badness_and_adj);
	tcase_add_test(tc, test_nodemask_constraint);
	suite_add_tcase(s, tc);
	return s;
}
