// SPDX-License-Identifier: GPL-2.0
/* mm/pool.c: bad configurations, host footprint, giving memory back. */
#include <sys/sysinfo.h>

#include "tests/mm/mm_test.h"

static int try_create(struct mm_config *cfg, char *err, size_t len)
{
	struct mm_pool *pool = NULL;
	int ret;

	cfg->quiet = true;
	ret = mm_pool_create(cfg, &pool, err, len);
	mm_pool_destroy(pool);
	return ret;
}

START_TEST(test_bad_config)
{
	struct mm_config cfg = { .pool_bytes = 0, .nr_nodes = 1 };
	struct sysinfo si;
	char err[256];

	ck_assert_int_eq(try_create(&cfg, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "too small"));

	cfg.pool_bytes = 64 << 20;
	cfg.nr_nodes = 0;
	ck_assert_int_eq(try_create(&cfg, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "1 to 8 nodes"));
	cfg.nr_nodes = 9;
	ck_assert_int_eq(try_create(&cfg, err, sizeof(err)), -EINVAL);

	cfg.nr_nodes = 8; /* 8 MiB per node is fine, 4 MiB not */
	ck_assert_int_eq(try_create(&cfg, err, sizeof(err)), 0);
	cfg.pool_bytes = 16 << 20;
	ck_assert_int_eq(try_create(&cfg, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "too small"));

	cfg.nr_nodes = 1;
	cfg.movable_bytes = 16 << 20;
	ck_assert_int_eq(try_create(&cfg, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "ZONE_MOVABLE"));

	ck_assert_int_eq(sysinfo(&si), 0);
	cfg.movable_bytes = 0;
	cfg.pool_bytes = (uint64_t)si.totalram * si.mem_unit * 2;
	ck_assert_int_eq(try_create(&cfg, err, sizeof(err)), -ENOMEM);
	ck_assert_ptr_nonnull(strstr(err, "more than the host"));
}
END_TEST

/* Odd sizes are cut to whole MAX_ORDER blocks per node. */
START_TEST(test_rounding)
{
	struct mm_config cfg = { .pool_bytes = (64 << 20) + 12345,
				 .nr_nodes = 3 };
	struct mm_pool *pool = test_pool_cfg(&cfg);

	ck_assert_uint_eq(pool->size, 3 * 20 << 20);
	for (unsigned int n = 0; n < 3; n++)
		ck_assert_uint_eq(pool->node_data[n].node_spanned_pages,
				  20 << 8);
	ck_validate(pool);
	mm_pool_destroy(pool);
}
END_TEST

/* The host's own numbers (st_blocks) go up on touch, down on return. */
START_TEST(test_footprint_and_return)
{
	struct mm_pool *pool = test_pool(64, 1, 0);
	unsigned long n = pool->nr_frames;
	pfn_t *pfns = calloc(n, sizeof(*pfns));
	struct pool_footprint fp;
	unsigned long got;
	unsigned long refaults;
	long returned;
	uint8_t *v;

	ck_assert_int_eq(pool_footprint(pool, &fp), 0);
	ck_assert_uint_eq(fp.resident_bytes, 0);
	/* A fresh pool: the host holds nothing, all of it counts returned. */
	ck_assert_uint_eq(fp.returned_bytes, pool->size);
	got = test_fill(pool, GFP_VMM | __GFP_MEMALLOC, 0, 0, pfns, n);
	ck_assert_uint_eq(got, n);
	for (unsigned long i = 0; i < got; i++)
		memset(pfn_to_virt(pool, pfns[i]), 0x77, PAGE_SIZE);
	ck_assert_int_eq(pool_footprint(pool, &fp), 0);
	ck_assert_uint_eq(fp.resident_bytes, pool->size);

	/* Free all but one frame per pageblock of the first half: only
	 * the second half's whole pageblocks can go back. */
	for (unsigned long i = 0; i < got; i++)
		if (pfns[i] >= n / 2 || pfns[i] % pageblock_nr_pages)
			__free_pages(pool, pfns[i], 0);
	drain_local_pages(pool);
	/*
	 * A release in flight (as `vmm run` has one across an io_uring
	 * round trip): its blocks are off the lists, and the invariant
	 * checker, which may run at any time, accounts for them.
	 */
	{
		struct pool_release r[4];
		int nr = pool_release_begin(pool, r, 4);

		ck_assert_int_gt(nr, 0);
		ck_validate(pool);
		pool_release_end(pool, r, nr);
		ck_validate(pool);
	}
	returned = pool_return_free_pageblocks(pool);
	ck_assert_int_eq(returned, n / 2 / pageblock_nr_pages);
	ck_assert_int_eq(pool_footprint(pool, &fp), 0);
	ck_assert_uint_eq(fp.returned_bytes, pool->size / 2);
	ck_assert_uint_eq(fp.resident_bytes, pool->size / 2);
	ck_assert_uint_eq(vm_event_sum(pool, POOL_PAGEBLOCK_RETURNED),
			  returned);
	ck_validate(pool);
	/* Nothing more to return: idempotent. */
	ck_assert_int_eq(pool_return_free_pageblocks(pool), 0);

	/* Allocating from a returned block faults it in, zeroed. */
	refaults = vm_event_sum(pool, POOL_PAGEBLOCK_REFAULT);
	pfns[0] = __alloc_pages(pool, GFP_GUEST | __GFP_MEMALLOC,
				pageblock_order, 0, NULL);
	ck_assert_uint_ne(pfns[0], PFN_NONE);
	ck_assert_uint_ge(pfns[0], n / 2);
	v = pfn_to_virt(pool, pfns[0]);
	for (unsigned long i = 0; i < pageblock_nr_pages * PAGE_SIZE; i++)
		if (v[i])
			ck_abort_msg("returned memory not zero at %lu", i);
	ck_assert_uint_eq(vm_event_sum(pool, POOL_PAGEBLOCK_REFAULT),
			  refaults + 1);
	ck_assert_int_eq(pool_footprint(pool, &fp), 0);
	ck_assert_uint_eq(fp.returned_bytes,
			  pool->size / 2 - (pageblock_nr_pages << PAGE_SHIFT));
	ck_validate(pool);
	free(pfns);
	mm_pool_destroy(pool);
}
END_TEST

/* MADV_HUGEPAGE pools are backed by host PMDs where the host allows. */
START_TEST(test_hugepages_reported)
{
	struct mm_config cfg = { .pool_bytes = 16 << 20,
				 .nr_nodes = 1,
				 .hugepages = true };
	struct mm_pool *pool = test_pool_cfg(&cfg);
	struct pool_footprint fp;
	pfn_t p = __alloc_pages(pool, GFP_VMM, pageblock_order, 0, NULL);

	ck_assert_uint_ne(p, PFN_NONE);
	memset(pfn_to_virt(pool, p), 1, pageblock_nr_pages * PAGE_SIZE);
	ck_assert_int_eq(pool_footprint(pool, &fp), 0);
	if (pool->hugepages)
		ck_assert_uint_ge(fp.hugepage_bytes,
				  pageblock_nr_pages * PAGE_SIZE);
	else
		ck_assert_uint_eq(fp.hugepage_bytes, 0);
	mm_pool_destroy(pool);
}
END_TEST

Suite *pool_suite(void)
{
	Suite *s = suite_create("pool");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_bad_config);
	tcase_add_test(tc, test_rounding);
	tcase_add_test(tc, test_footprint_and_return);
	tcase_add_test(tc, test_hugepages_reported);
	suite_add_tcase(s, tc);
	return s;
}
