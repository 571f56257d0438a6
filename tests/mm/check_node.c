// SPDX-License-Identifier: GPL-2.0
/* mm/node.c: zonelists by distance, THISNODE, nodemasks, ZONE_MOVABLE. */
#include "tests/mm/mm_test.h"

static void zonelist_nodes(struct zonelist *zl, int *out, int *n)
{
	*n = 0;
	for (struct zoneref *z = zl->_zonerefs; z->zone; z++)
		out[(*n)++] = z->zone->node * 10 + z->zone_idx;
}

/* Local zones first (Movable before Normal), then nodes by distance. */
START_TEST(test_zonelist_order)
{
	static const unsigned int nodes[] = { 1, 2, 4 };
	unsigned int nr = nodes[_i];
	struct mm_pool *pool = test_pool(16 * nr, nr, 4);
	int order[2 * MAX_NUMNODES], n;

	for (unsigned int nid = 0; nid < nr; nid++) {
		zonelist_nodes(
			&pool->node_data[nid].node_zonelists[ZONELIST_FALLBACK],
			order, &n);
		ck_assert_int_eq(n, 2 * nr);
		ck_assert_int_eq(order[0], nid * 10 + ZONE_MOVABLE);
		ck_assert_int_eq(order[1], nid * 10 + ZONE_NORMAL);
		/* Equal distances: the others follow round-robin. */
		for (unsigned int k = 1; k < nr; k++)
			ck_assert_int_eq(order[2 * k] / 10, (nid + k) % nr);
		zonelist_nodes(&pool->node_data[nid]
					.node_zonelists[ZONELIST_NOFALLBACK],
			       order, &n);
		ck_assert_int_eq(n, 2);
		ck_assert_int_eq(order[0] / 10, nid);
		ck_assert_int_eq(order[1] / 10, nid);
	}
	mm_pool_destroy(pool);
}
END_TEST

START_TEST(test_zonelist_distances)
{
	struct mm_config cfg = {
		.pool_bytes = 64 << 20,
		.nr_nodes = 4,
		.distance = { { 10, 40, 20, 30 },
			      { 40, 10, 30, 20 },
			      { 20, 30, 10, 40 },
			      { 30, 20, 40, 10 } },
	};
	struct mm_pool *pool = test_pool_cfg(&cfg);
	int order[8], n;

	zonelist_nodes(&pool->node_data[0].node_zonelists[ZONELIST_FALLBACK],
		       order, &n);
	ck_assert_int_eq(n, 4); /* no movable zones */
	ck_assert_int_eq(order[0] / 10, 0);
	ck_assert_int_eq(order[1] / 10, 2);
	ck_assert_int_eq(order[2] / 10, 3);
	ck_assert_int_eq(order[3] / 10, 1);
	zonelist_nodes(&pool->node_data[1].node_zonelists[ZONELIST_FALLBACK],
		       order, &n);
	ck_assert_int_eq(order[1] / 10, 3);
	ck_assert_int_eq(order[2] / 10, 2);
	ck_assert_int_eq(order[3] / 10, 0);
	mm_pool_destroy(pool);
}
END_TEST

START_TEST(test_bad_distances)
{
	struct mm_config cfg = {
		.pool_bytes = 32 << 20,
		.nr_nodes = 2,
		.distance = { { 10, 20 }, { 20, 12 } },
		.quiet = true,
	};
	struct mm_pool *pool;
	char err[256];

	ck_assert_int_eq(mm_pool_create(&cfg, &pool, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "itself must be 10"));
	cfg.distance[1][1] = 10;
	cfg.distance[0][1] = 10;
	ck_assert_int_eq(mm_pool_create(&cfg, &pool, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "11..254"));
}
END_TEST

/* __GFP_THISNODE never leaves the node; without it we fall back. */
START_TEST(test_thisnode_strict)
{
	static const unsigned int nodes[] = { 1, 2, 4 };
	unsigned int nr = nodes[_i];
	struct mm_pool *pool = test_pool(16 * nr, nr, 0);
	struct fake_ops fo = { 0 };
	unsigned long n = 0;
	int last = nr - 1;
	pfn_t p;

	fake_ops_install(pool, &fo);
	while ((p = __alloc_pages(pool, GFP_VMM | __GFP_THISNODE | __GFP_NOWARN,
				  0, last, NULL)) != PFN_NONE) {
		ck_assert_int_eq(pfn_to_nid(pool, p), last);
		n++;
	}
	ck_assert_uint_gt(n, 3000);
	/* The OOM killer cannot promise memory on one node. */
	ck_assert_ptr_null(strchr(fake_steps(&fo), STEP_OOM));
	if (nr > 1) {
		p = __alloc_pages(pool, GFP_VMM, 0, last, NULL);
		ck_assert_uint_ne(p, PFN_NONE);
		ck_assert_int_eq(pfn_to_nid(pool, p), 0);
	}
	ck_validate(pool);
	mm_pool_destroy(pool);
}
END_TEST

START_TEST(test_nodemask)
{
	struct mm_pool *pool = test_pool(64, 4, 0);
	nodemask_t mask = { 0 };
	struct fake_ops fo = { 0 };

	node_set(1, &mask);
	node_set(3, &mask);
	for (int i = 0; i < 6000; i++) {
		pfn_t p = __alloc_pages(pool, GFP_VMM, 0, 0, &mask);
		int nid;

		ck_assert_uint_ne(p, PFN_NONE);
		nid = pfn_to_nid(pool, p);
		ck_assert(nid == 1 || nid == 3);
	}
	/* Exhaust both: the OOM killer is told the constraint. */
	fake_ops_install(pool, &fo);
	while (__alloc_pages(pool, GFP_VMM | __GFP_NOWARN, 0, 0, &mask) !=
	       PFN_NONE)
		;
	fake_ops_install(pool, &fo);
	ck_assert_uint_eq(__alloc_pages(pool, GFP_VMM | __GFP_NOWARN, 0, 0,
					&mask),
			  PFN_NONE);
	ck_assert_ptr_nonnull(strchr(fake_steps(&fo), STEP_OOM));
	ck_assert(fo.oom_nodemask_set);
	ck_assert_uint_eq(fo.oom_nodemask.bits, mask.bits);
	/* Nodes 0 and 2 were not touched. */
	ck_assert_uint_eq(node_nr_free_pages(pool, 0),
			  pool->node_data[0].node_spanned_pages);
	ck_assert_uint_eq(node_nr_free_pages(pool, 2),
			  pool->node_data[2].node_spanned_pages);
	ck_validate(pool);
	mm_pool_destroy(pool);
}
END_TEST

/* Movable requests use ZONE_MOVABLE first; others never touch it. */
START_TEST(test_movable_zone)
{
	struct mm_pool *pool = test_pool(32, 1, 8);
	struct zone *movable = &pool->node_data[0].node_zones[ZONE_MOVABLE];
	pfn_t p;

	p = __alloc_pages(pool, GFP_GUEST, 0, 0, NULL);
	ck_assert_ptr_eq(page_zone(pool, p), movable);
	test_fill(pool, GFP_VMM, 0, 0, NULL, ~0UL);
	ck_assert_int_eq(movable->nr_free_pages +
				 pcp_count_frames(pool, movable),
			 (long)movable->spanned_pages - 1);
	ck_validate(pool);
	mm_pool_destroy(pool);
}
END_TEST

Suite *node_suite(void)
{
	Suite *s = suite_create("node");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_zonelist_order, 0, 3);
	tcase_add_test(tc, test_zonelist_distances);
	tcase_add_test(tc, test_bad_distances);
	tcase_add_loop_test(tc, test_thisnode_strict, 0, 3);
	tcase_add_test(tc, test_nodemask);
	tcase_add_test(tc, test_movable_zone);
	suite_add_tcase(s, tc);
	return s;
}
