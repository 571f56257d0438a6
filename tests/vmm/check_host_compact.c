// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/host/compact.c: the `compact` command's compaction, over fake
 * guests (tests/mm/fake_guest.c) whose pages compaction really moves; not
 * available without a migrate_pages op.
 */
#include <check.h>
#include <errno.h>

#include "mm/compaction.h"
#include "tests/mm/fake_guest.h"
#include "vmm/host/host.h"
#include "vmm/host/compact.h"

START_TEST(test_not_available_without_op)
{
	struct vmm_host h = { .pool = test_pool(16, 1, 0) };
	struct host_compact_request rq = { .node = -1 };
	struct host_compact_result res;

	ck_assert(!host_compaction_available(&h));
	ck_assert_int_eq(host_compact(&h, &rq, &res), -EOPNOTSUPP);
	rq.node = 1;
	ck_assert_int_eq(host_compact(&h, &rq, &res), -EINVAL);
	mm_pool_destroy(h.pool);
}
END_TEST

/* Every other frame owned: compaction moves pages, whole pageblocks come
 * free, nothing is lost. */
START_TEST(test_compacts_fragmented_pool)
{
	struct vmm_host h = { .pool = test_pool(32, 2, 0) };
	struct host_compact_request rq = { .node = 1 };
	struct host_compact_result res;
	struct fake_guests fg;
	unsigned long pages;

	fake_guests_init(&fg, h.pool, 2, h.pool->nr_frames);
	for (unsigned long i = 0;; i++)
		if (fake_guest_fault(&fg, i % 2, i / 2, GFP_GUEST, false) ==
		    PFN_NONE)
			break;
	for (unsigned int g = 0; g < 2; g++)
		for (unsigned long p = 0; p < fg.g[g].npages; p++)
			if (fg.g[g].map[p] != PFN_NONE && (fg.g[g].map[p] & 1))
				fake_guest_discard(&fg, g, p);
	drain_all_pages(h.pool);
	pages = fake_guests_pages(&fg);
	ck_assert(host_compaction_available(&h));

	/* Node 1 alone, then everything. */
	ck_assert_int_eq(host_compact(&h, &rq, &res), 0);
	ck_assert_uint_gt(res.migrated, 0);
	ck_assert_uint_gt(res.in_blocks_after, res.in_blocks_before);
	ck_assert_uint_le(res.in_blocks_after, res.free);
	rq.node = -1;
	ck_assert_int_eq(host_compact(&h, &rq, &res), 0);
	ck_assert_uint_gt(res.migrated, 0); /* node 0's turn */
	ck_assert_uint_ge(free_in_pageblocks_pct(h.pool), 70);
	ck_assert_uint_eq(fake_guests_pages(&fg), pages);
	ck_assert_uint_eq(fake_guests_verify(&fg), 0);
	ck_no_violation(&fg);
	fake_guests_destroy(&fg);
	mm_pool_destroy(h.pool);
}
END_TEST

Suite *host_compact_suite(void)
{
	Suite *s = suite_create("host_compact");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_not_available_without_op);
	tcase_add_test(tc, test_compacts_fragmented_pool);
	suite_add_tcase(s, tc);
	return s;
}
