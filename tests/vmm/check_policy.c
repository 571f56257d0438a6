// SPDX-License-Identifier: GPL-2.0
/* balloon/policy.c with fake guests: fairness, floors, stats, deflation. */
#include <check.h>

#include "balloon/policy.h"

static const struct reclaim_policy pol = {
	.floor_pages = 1000,
	.reserve_pages = 100,
	.min_step = 64,
	.max_deflate_step = 4096,
};

static struct reclaim_guest guest(unsigned long frames, long free)
{
	/* All its RAM backed, all of it homed on the node. */
	return (struct reclaim_guest){ .frames = frames,
				       .total_frames = frames,
				       .ram_pages = frames,
				       .home_pages = frames,
				       .guest_free = free,
				       .responsive = true };
}

/* Everyone gives the same fraction of what it can give. */
START_TEST(test_fair_shares)
{
	struct reclaim_guest g[3] = { guest(10000, 5100), guest(20000, 10100),
				      guest(5000, -1) };
	unsigned long add[3], total;

	/* slack: 5000, 10000, 4000 (floor) */
	total = reclaim_policy_inflate(&pol, 3800, g, 3, add);
	ck_assert_uint_ge(total, 3800);
	ck_assert_uint_le(total, 3800 + 3 * pol.min_step);
	ck_assert_uint_eq(add[0], 1000);
	ck_assert_uint_eq(add[1], 2000);
	ck_assert_uint_eq(add[2], 800);
}
END_TEST

/* Floors, reported free memory and unresponsive guests bound it. */
START_TEST(test_bounds)
{
	struct reclaim_guest g[3] = { guest(1500, -1), guest(8000, 300),
				      guest(9000, 9000) };
	unsigned long add[3];

	g[2].responsive = false;
	ck_assert_uint_eq(reclaim_policy_slack(&pol, &g[0]), 500);
	ck_assert_uint_eq(reclaim_policy_slack(&pol, &g[1]), 200);
	ck_assert_uint_eq(reclaim_policy_slack(&pol, &g[2]), 0);
	/* More than they can give: everything they can, nothing more. */
	ck_assert_uint_eq(reclaim_policy_inflate(&pol, 100000, g, 3, add), 700);
	ck_assert_uint_eq(add[0], 500);
	ck_assert_uint_eq(add[1], 200);
	ck_assert_uint_eq(add[2], 0);
	/* Below the floor: nothing. */
	g[0].total_frames = g[0].frames = 900;
	ck_assert_uint_eq(reclaim_policy_slack(&pol, &g[0]), 0);
}
END_TEST

/* A guest holding nothing on the node gives nothing for it. */
/* A guest's own floor (floor=) replaces the policy's, up or down. */
START_TEST(test_guest_floor)
{
	struct reclaim_guest g[3] = { guest(10000, -1), guest(10000, -1),
				      guest(10000, -1) };
	unsigned long add[3];

	g[0].has_floor = true;
	g[0].floor_pages = 8000; /* protected: gives 2000 at most */
	g[1].has_floor = true;
	g[1].floor_pages = 0; /* gives everything it holds */
	/* g[2]: the policy's 1000 */
	ck_assert_uint_eq(reclaim_policy_slack(&pol, &g[0]), 2000);
	ck_assert_uint_eq(reclaim_policy_slack(&pol, &g[1]), 10000);
	ck_assert_uint_eq(reclaim_policy_slack(&pol, &g[2]), 9000);
	/* All the need there is: each down to its own floor. */
	ck_assert_uint_eq(reclaim_policy_inflate(&pol, 100000, g, 3, add),
			  21000);
	ck_assert_uint_eq(add[0], 2000);
	ck_assert_uint_eq(add[1], 10000);
	ck_assert_uint_eq(add[2], 9000);
	/* A floor above what it holds: nothing. */
	g[0].floor_pages = 20000;
	ck_assert_uint_eq(reclaim_policy_slack(&pol, &g[0]), 0);
}
END_TEST

START_TEST(test_node_local)
{
	struct reclaim_guest g[2] = { guest(0, 5000), guest(6000, 5000) };
	unsigned long add[2];

	g[0].total_frames = 20000;
	reclaim_policy_inflate(&pol, 1000, g, 2, add);
	ck_assert_uint_eq(add[0], 0);
	ck_assert_uint_ge(add[1], 1000);
}
END_TEST

/* Small needs go to one guest rather than minimal requests to all. */
START_TEST(test_min_step)
{
	struct reclaim_guest g[4] = { guest(10000, 9000), guest(10000, 9000),
				      guest(10000, 9000), guest(50000, 40000) };
	unsigned long add[4], total;
	int asked = 0;

	total = reclaim_policy_inflate(&pol, 100, g, 4, add);
	for (int i = 0; i < 4; i++)
		asked += add[i] != 0;
	ck_assert_uint_ge(total, 100);
	ck_assert_int_le(asked, 2);
	ck_assert_uint_gt(add[3], 0);
}
END_TEST

START_TEST(test_deflate)
{
	struct reclaim_guest g[3] = { guest(1000, 0), guest(1000, 0),
				      guest(1000, 0) };
	unsigned long sub[3];

	g[0].balloon = 3000;
	g[1].balloon = 1000;
	g[2].balloon = 0;
	ck_assert_uint_eq(reclaim_policy_deflate(&pol, 2000, g, 3, sub), 2000);
	ck_assert_uint_eq(sub[0], 1500);
	ck_assert_uint_eq(sub[1], 500);
	ck_assert_uint_eq(sub[2], 0);
	/* Capped per round, and by what is in the balloons. */
	ck_assert_uint_eq(reclaim_policy_deflate(&pol, 100000, g, 3, sub),
			  4000);
	ck_assert_uint_eq(sub[0] + sub[1], 4000);
	g[0].balloon = 10;
	g[1].balloon = 5;
	ck_assert_uint_eq(reclaim_policy_deflate(&pol, 100000, g, 3, sub), 15);
	ck_assert_uint_eq(reclaim_policy_deflate(&pol, 0, g, 3, sub), 0);
}
END_TEST

/*
 * A node deflates a guest only in proportion to the guest's RAM homed on
 * it: what comes out of the balloon faults back in there.
 */
START_TEST(test_deflate_home_node)
{
	struct reclaim_guest g[4] = { guest(1000, 0), guest(1000, 0),
				      guest(1000, 0), guest(1000, 0) };
	unsigned long sub[4];

	for (int i = 0; i < 4; i++)
		g[i].balloon = 2000;
	g[1].home_pages = 0; /* homed on another node (strict or not) */
	g[2].home_pages = 250; /* a quarter of it homed here */
	g[3].ram_pages = 0; /* nothing known of it */
	ck_assert_uint_eq(reclaim_policy_deflatable(&g[0]), 2000);
	ck_assert_uint_eq(reclaim_policy_deflatable(&g[1]), 0);
	ck_assert_uint_eq(reclaim_policy_deflatable(&g[2]), 500);
	ck_assert_uint_eq(reclaim_policy_deflatable(&g[3]), 0);
	/* Plenty: each gives back its share homed here, no more. */
	ck_assert_uint_eq(reclaim_policy_deflate(&pol, 100000, g, 4, sub),
			  2500);
	ck_assert_uint_eq(sub[0], 2000);
	ck_assert_uint_eq(sub[1], 0);
	ck_assert_uint_eq(sub[2], 500);
	ck_assert_uint_eq(sub[3], 0);
	/* Less: in proportion to those shares. */
	ck_assert_uint_eq(reclaim_policy_deflate(&pol, 1000, g, 4, sub), 1000);
	ck_assert_uint_eq(sub[0], 800);
	ck_assert_uint_eq(sub[1], 0);
	ck_assert_uint_eq(sub[2], 200);
	/* A node that is home to none of the balloons gives nothing back. */
	ck_assert_uint_eq(reclaim_policy_deflate(&pol, 100000, &g[1], 1, sub),
			  0);
	ck_assert_uint_eq(sub[0], 0);
	/* More home than RAM (a stale snapshot) is all of it, not more. */
	g[2].home_pages = 5000;
	ck_assert_uint_eq(reclaim_policy_deflatable(&g[2]), 2000);
}
END_TEST

/* A target set by hand is kept: only what is beyond it deflates. */
START_TEST(test_deflate_keeps_user_target)
{
	struct reclaim_guest g[3] = { guest(1000, 0), guest(1000, 0),
				      guest(1000, 0) };
	unsigned long sub[3];

	g[0].balloon = 3000;
	g[0].kept = 2000; /* set by hand, then inflated beyond it */
	g[1].balloon = 500;
	g[1].kept = 500; /* exactly at the hand-set target */
	g[2].balloon = 1000;
	g[2].kept = 0; /* the policy's */
	ck_assert_uint_eq(reclaim_policy_deflatable(&g[0]), 1000);
	ck_assert_uint_eq(reclaim_policy_deflatable(&g[1]), 0);
	ck_assert_uint_eq(reclaim_policy_deflatable(&g[2]), 1000);
	ck_assert_uint_eq(reclaim_policy_deflate(&pol, 100000, g, 3, sub),
			  2000);
	ck_assert_uint_eq(sub[0], 1000);
	ck_assert_uint_eq(sub[1], 0);
	ck_assert_uint_eq(sub[2], 1000);
	/* Homed in part here: the share of what is beyond the target. */
	g[0].home_pages = 500;
	ck_assert_uint_eq(reclaim_policy_deflatable(&g[0]), 500);
	/* A balloon below what is kept (a snapshot taken as the user
	 * changed the target): nothing, and no underflow. */
	g[1].balloon = 100;
	ck_assert_uint_eq(reclaim_policy_deflatable(&g[1]), 0);
}
END_TEST

Suite *policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_fair_shares);
	tcase_add_test(tc, test_bounds);
	tcase_add_test(tc, test_guest_floor);
	tcase_add_test(tc, test_node_local);
	tcase_add_test(tc, test_min_step);
	tcase_add_test(tc, test_deflate);
	tcase_add_test(tc, test_deflate_home_node);
	tcase_add_test(tc, test_deflate_keeps_user_target);
	suite_add_tcase(s, tc);
	return s;
}
