// SPDX-License-Identifier: GPL-2.0
/*
 * mm/memory_hotplug.c: pageblocks offline and back online, the watermarks
 * for what is left, giving back what the host holds, and offlining under
 * memory pressure through reclaim and the OOM killer.
 */
#include <pthread.h>
#include <unistd.h>

#include "tests/mm/mm_test.h"

#define PB pageblock_nr_pages

static unsigned long nr_free_blocks(struct zone *z, int order)
{
	return READ_ONCE(z->free_area[order].nr_free);
}

/* Free, returned pageblocks go first: fewer pages free and managed, and
 * the allocator cannot hand out more than what is online. */
START_TEST(test_offline_free_returned)
{
	struct mm_pool *pool = test_pool(64, 1, 0);
	struct zone *z = pool->zones[0];
	unsigned long n = pool->nr_frames, got;
	pfn_t *pfns = calloc(n, sizeof(*pfns));

	got = offline_pages(pool, 16 << (20 - PAGE_SHIFT));
	ck_assert_uint_eq(got, 4096);
	ck_assert_uint_eq(pool_nr_offline_pages(pool), 4096);
	ck_assert_int_eq(z->nr_offline_pages, 4096);
	ck_assert_int_eq(zone_page_state_free(z), (long)(n - 4096));
	ck_assert_uint_eq(zone_managed_pages(z), n - 4096);
	ck_assert_int_eq(z->nr_returned_pages, (long)(n - 4096));
	ck_validate(pool);

	/* Every online frame, and not one more. */
	got = test_fill(pool, 0, 0, 0, pfns, n);
	ck_assert_uint_le(got, n - 4096);
	ck_assert_uint_ge(got, n - 4096 - min_wmark_pages(z));
	ck_validate(pool);
	for (unsigned long i = 0; i < got; i++)
		__free_pages(pool, pfns[i], 0);
	drain_all_pages(pool);

	ck_assert_uint_eq(online_pages(pool, 16 << (20 - PAGE_SHIFT)), 4096);
	ck_assert_uint_eq(pool_nr_offline_pages(pool), 0);
	ck_assert_uint_eq(zone_managed_pages(z), n);
	ck_validate(pool);
	/* Merged whole again: 16 blocks of 4 MiB. */
	ck_assert_uint_eq(nr_free_blocks(z, MAX_ORDER - 1), 16);
	free(pfns);
	mm_pool_destroy(pool);
}
END_TEST

/* One pageblock out of a 4 MiB block: the other half stays free, and
 * coming back online merges them again. */
START_TEST(test_offline_splits_block)
{
	struct mm_pool *pool = test_pool(16, 1, 0);
	struct zone *z = pool->zones[0];

	ck_assert_uint_eq(nr_free_blocks(z, MAX_ORDER - 1), 4);
	ck_assert_uint_eq(offline_pages(pool, 1), PB);
	ck_assert_uint_eq(nr_free_blocks(z, MAX_ORDER - 1), 3);
	ck_assert_uint_eq(nr_free_blocks(z, pageblock_order), 1);
	ck_validate(pool);
	/* Online is by whole pageblocks: less than one brings none. */
	ck_assert_uint_eq(online_pages(pool, PB - 1), 0);
	ck_assert_uint_eq(online_pages(pool, PB), PB);
	ck_assert_uint_eq(nr_free_blocks(z, MAX_ORDER - 1), 4);
	ck_assert_uint_eq(nr_free_blocks(z, pageblock_order), 0);
	ck_validate(pool);
	mm_pool_destroy(pool);
}
END_TEST

/* Watermarks follow the managed pages, as after Linux's hotplug; a
 * min_free_kbytes the user set stays. */
START_TEST(test_offline_watermarks)
{
	struct mm_pool *pool = test_pool(64, 1, 0);
	struct mm_config cfg = { .pool_bytes = 64 << 20,
				 .nr_nodes = 1,
				 .min_free_kbytes = 2048 };
	struct mm_pool *set;
	struct zone *z = pool->zones[0];

	ck_assert_uint_eq(min_wmark_pages(z), 1024 / 4); /* sqrt(64Mi/Ki*16) */
	ck_assert_uint_eq(offline_pages(pool, 32 << (20 - PAGE_SHIFT)), 8192);
	ck_assert_uint_eq(pool->min_free_kbytes, 724); /* sqrt(32768 * 16) */
	ck_assert_uint_eq(min_wmark_pages(z), 724 / 4);
	ck_assert_uint_lt(high_wmark_pages(z), 1024 / 4 + 2 * 16384 / 1000);
	ck_validate(pool);
	online_pages(pool, 32 << (20 - PAGE_SHIFT));
	ck_assert_uint_eq(min_wmark_pages(z), 1024 / 4);
	mm_pool_destroy(pool);

	set = test_pool_cfg(&cfg);
	z = set->zones[0];
	ck_assert_uint_eq(offline_pages(set, 32 << (20 - PAGE_SHIFT)), 8192);
	ck_assert_uint_eq(set->min_free_kbytes, 2048);
	ck_assert_uint_eq(min_wmark_pages(z), 2048 / 4);
	mm_pool_destroy(set);
}
END_TEST

/* Free pageblocks the host still holds are given back first, then go
 * offline: the host holds less. */
START_TEST(test_offline_gives_back_resident)
{
	struct mm_pool *pool = test_pool(32, 1, 0);
	unsigned long n = pool->nr_frames, got;
	pfn_t *pfns = calloc(n, sizeof(*pfns));
	struct pool_footprint before, after;

	got = test_fill(pool, __GFP_ZERO, 0, 0, pfns, n);
	for (unsigned long i = 0; i < got; i++) {
		memset(pfn_to_virt(pool, pfns[i]), 0x5a, 64);
		__free_pages(pool, pfns[i], 0);
	}
	drain_all_pages(pool);
	ck_assert_int_eq(pool_footprint(pool, &before), 0);
	ck_assert_uint_ge(before.resident_bytes, 24 << 20);
	ck_assert_uint_eq(offline_pages(pool, 8 << (20 - PAGE_SHIFT)), 2048);
	ck_assert_int_eq(pool_footprint(pool, &after), 0);
	ck_assert_uint_eq(after.offline_bytes, 8 << 20);
	/* Everything free went back, the offline part among it. */
	ck_assert_uint_le(after.resident_bytes, 4 << 20);
	ck_validate(pool);
	/* Online again, the pageblocks are clean: zeroes, no data. */
	ck_assert_uint_eq(online_pages(pool, 8 << (20 - PAGE_SHIFT)), 2048);
	got = test_fill(pool, __GFP_ZERO, 0, 0, pfns, n);
	for (unsigned long i = 0; i < got; i++)
		ck_assert_int_eq(*(char *)pfn_to_virt(pool, pfns[i]), 0);
	ck_validate(pool);
	free(pfns);
	mm_pool_destroy(pool);
}
END_TEST

/*
 * Nothing free: offlining allocates through the slow path, whose reclaim
 * frees what the "guests" hold; when that is all gone, the OOM killer is
 * told how much the host still wants.
 */
START_TEST(test_offline_under_pressure)
{
	struct mm_config cfg = { .pool_bytes = 64 << 20,
				 .nr_nodes = 1,
				 .no_pcp = true };
	struct mm_pool *pool = test_pool_cfg(&cfg);
	unsigned long n = pool->nr_frames, blocks;
	pfn_t *stash = calloc(n, sizeof(*stash));
	struct fake_ops fo = { .reclaim_frees = 2 * PB,
			       .compact_result = COMPACT_SKIPPED,
			       .stash = stash };

	/* The "guests" hold every pageblock the allocator gives, as order-0
	 * frames, the last pageblock's on top of the stash. */
	blocks = test_fill(pool, __GFP_MOVABLE, pageblock_order, 0, stash,
			   n / PB);
	ck_assert_uint_gt(blocks, 8);
	for (unsigned long b = blocks; b-- > 0;) {
		pfn_t pb = stash[b];

		split_page(pool, pb, pageblock_order);
		for (unsigned long i = 0; i < PB; i++)
			stash[b * PB + i] = pb + i;
	}
	fake_ops_install(pool, &fo);
	fo.nstash = blocks * PB;

	/* What is left free first, then two pageblocks reclaim frees. */
	ck_assert_uint_eq(offline_pages(pool, 2 * PB), 2 * PB);
	ck_assert_ptr_nonnull(strchr(fake_steps(&fo), STEP_RECLAIM));
	ck_assert_ptr_null(strchr(fake_steps(&fo), STEP_OOM));
	ck_validate(pool);

	/* Reclaim runs dry: offlining stops short, never kills itself. */
	fo.reclaim_frees = 0;
	ck_assert_uint_lt(offline_pages(pool, 8 * PB), 8 * PB);
	ck_assert_ptr_null(strchr(fake_steps(&fo), STEP_OOM));
	ck_validate(pool);
	/* The OOM killer hears how much the host still wants. */
	fo.oom_frees = true;
	ck_assert(offline_out_of_memory(pool, 8 * PB));
	ck_assert_ptr_nonnull(strchr(fake_steps(&fo), STEP_OOM));
	ck_assert_uint_eq(fo.oom_offline_pages, 8 * PB);
	ck_assert_uint_eq(offline_pages(pool, 8 * PB), 8 * PB);
	ck_validate(pool);
	free(stash);
	mm_pool_destroy(pool);
}
END_TEST

/* Several zones and nodes: taken evenly, and given back evenly. */
START_TEST(test_offline_spreads)
{
	struct mm_pool *pool = test_pool(64, 2, 8);
	unsigned long off[4];

	ck_assert_uint_eq(offline_pages(pool, 32 << (20 - PAGE_SHIFT)), 8192);
	for (unsigned int z = 0; z < pool->nr_zones; z++) {
		off[z] = pool->zones[z]->nr_offline_pages;
		ck_assert_uint_le(off[z],
				  zone_managed_pages(pool->zones[z]) + off[z]);
	}
	/* Each node gives half (its zones by free pages). */
	ck_assert_uint_eq(off[0] + off[1], 4096);
	ck_assert_uint_eq(off[2] + off[3], 4096);
	ck_validate(pool);
	ck_assert_uint_eq(online_pages(pool, 16 << (20 - PAGE_SHIFT)), 4096);
	ck_assert_uint_eq(pool->zones[0]->nr_offline_pages +
				  pool->zones[1]->nr_offline_pages,
			  2048);
	ck_validate(pool);
	mm_pool_destroy(pool);
}
END_TEST

/*
 * Threads allocating and freeing orders 0 and 9 while another takes
 * pageblocks offline and brings them back, and the invariants checked
 * meanwhile; at the end every frame is back and free.
 */
struct hotplug_stress {
	struct mm_pool *pool;
	bool stop; /* single loads and stores */
	uint64_t seed;
	unsigned long offlined; /* by the hotplug thread */
};

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void *stress_alloc(void *arg)
{
	struct hotplug_stress *st = arg;
	uint64_t seed =
		__atomic_add_fetch(&st->seed, 0x9e3779b9, __ATOMIC_RELAXED);
	pfn_t held[64];
	unsigned int order[64], n = 0;

	while (!READ_ONCE(st->stop)) {
		unsigned int o = xorshift(&seed) % 8 ? 0 : pageblock_order;
		pfn_t p;

		if (n == 64 || (n && xorshift(&seed) % 3 == 0)) {
			n--;
			__free_pages(st->pool, held[n], order[n]);
			continue;
		}
		p = __alloc_pages(st->pool, __GFP_MOVABLE | __GFP_NOWARN, o, 0,
				  NULL);
		if (p != PFN_NONE) {
			held[n] = p;
			order[n++] = o;
		}
	}
	while (n--)
		__free_pages(st->pool, held[n], order[n]);
	drain_local_pages(st->pool);
	return NULL;
}

static void *stress_hotplug(void *arg)
{
	struct hotplug_stress *st = arg;
	uint64_t seed = 42;

	while (!READ_ONCE(st->stop)) {
		st->offlined +=
			offline_pages(st->pool, (xorshift(&seed) % 8) * PB);
		online_pages(st->pool, (xorshift(&seed) % 8) * PB);
	}
	return NULL;
}

START_TEST(test_hotplug_concurrent)
{
	struct hotplug_stress st = { .pool = test_pool(32, 2, 4), .seed = 1 };
	pthread_t t[3];

	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(
			pthread_create(&t[i], NULL,
				       i ? stress_alloc : stress_hotplug, &st),
			0);
	for (int i = 0; i < 20; i++) {
		usleep(25000);
		ck_validate(st.pool);
	}
	WRITE_ONCE(st.stop, true);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	online_pages(st.pool, st.pool->nr_frames);
	drain_all_pages(st.pool);
	ck_validate(st.pool);
	ck_assert_uint_gt(st.offlined, 0);
	ck_assert_uint_eq(pool_nr_offline_pages(st.pool), 0);
	ck_assert_uint_eq(mm_nr_free_pages(st.pool), st.pool->nr_frames);
	mm_pool_destroy(st.pool);
}
END_TEST

Suite *memory_hotplug_suite(void)
{
	Suite *s = suite_create("memory_hotplug");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_offline_free_returned);
	tcase_add_test(tc, test_offline_splits_block);
	tcase_add_test(tc, test_offline_watermarks);
	tcase_add_test(tc, test_offline_gives_back_resident);
	tcase_add_test(tc, test_offline_under_pressure);
	tcase_add_test(tc, test_offline_spreads);
	tcase_add_test(tc, test_hotplug_concurrent);
	suite_add_tcase(s, tc);
	return s;
}
