// SPDX-License-Identifier: GPL-2.0
/*
 * swap/tier.c over a real pool with pages of fake guests: handles come
 * back byte for byte and are reused, each node's store takes its own
 * frames, the owners' counts and the LRUs balance (the walker), the
 * refault distance counts the node's evictions since (its own too), the room shrinks
 * to 0 as a store fills and a full store refuses, and whatever is left
 * goes with the tier.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "guest/fill.h"
#include "swap/swapfile.h"
#include "swap/tier.h"
#include "tests/swap/swap_test.h"

static struct swap_tier *make_with(struct mm_pool *mm, uint64_t max_bytes,
				   struct swap_file *file)
{
	struct swap_tier_config cfg = {
		.mm = mm,
		.max_bytes = max_bytes,
		.compressor = ZCOMP_LZ4,
		.file = file,
	};
	struct swap_tier *t;

	ck_assert_int_eq(swap_tier_create(&cfg, &t), 0);
	return t;
}

static struct swap_tier *make(struct mm_pool *mm, uint64_t max_bytes)
{
	return make_with(mm, max_bytes, NULL);
}

static char file_path[64];

/* A swap file of size bytes in a directory of its own on /var/tmp (a
 * disk: O_DIRECT), one stream per node. */
static struct swap_file *open_file(uint64_t size, unsigned int nodes)
{
	struct swap_file_config fc = {
		.path = file_path,
		.size = size,
		.nr_streams = nodes,
	};
	struct swap_file *f;
	char err[256];

	strcpy(file_path, "/var/tmp/check_tier.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(file_path));
	strcat(file_path, "/swap");
	ck_assert_msg(swap_file_open(&fc, &f, err, sizeof(err)) == 0, "%s",
		      err);
	return f;
}

static void close_file(struct swap_file *f)
{
	swap_file_close(f);
	unlink(file_path);
	*strrchr(file_path, '/') = 0;
	rmdir(file_path);
}

#define ck_tier_validate(t)                                               \
	do {                                                              \
		char _err[256];                                           \
		int _ret = swap_tier_validate(t, _err, sizeof(_err));     \
		ck_assert_msg(_ret == 0, "swap_tier_validate: %s", _err); \
	} while (0)

static uint64_t page[512], back[512];

START_TEST(test_bad_config)
{
	struct mm_pool *mm = test_pool(16, 1, 0);
	struct swap_tier_config cfg = { .mm = mm };
	struct swap_tier *t;

	ck_assert_int_eq(swap_tier_create(&cfg, &t), -EINVAL);
	cfg.max_bytes = 1 << 20;
	cfg.mm = NULL;
	ck_assert_int_eq(swap_tier_create(&cfg, &t), -EINVAL);
	mm_pool_destroy(mm);
}
END_TEST

/*
 * Each owner's share of the tier against the tier's own counts: its
 * entries, its compressed bytes (fewer than its pages' bytes: they
 * compress), its pages in the file; the owners' sums are the stores'
 * compressed bytes and the file's entries.
 */
static void check_owners(struct swap_tier *t, unsigned int nr_owners)
{
	struct swap_tier_owner_stats o;
	struct swap_tier_stats st;
	uint64_t bytes = 0, in_file = 0;

	swap_tier_get_stats(t, &st);
	for (unsigned int k = 1; k <= nr_owners; k++) {
		swap_tier_get_owner_stats(t, k, &o);
		ck_assert_uint_eq(o.pages, swap_tier_owned(t, k));
		ck_assert_uint_le(o.stored_bytes + o.in_file * 4096,
				  o.pages * 4096);
		if (o.pages > o.in_file)
			ck_assert_uint_gt(o.stored_bytes, 0);
		bytes += o.stored_bytes;
		in_file += o.in_file;
	}
	ck_assert_uint_eq(bytes, st.compressed_bytes);
	ck_assert_uint_eq(in_file, st.in_file);
}

/* Two guests' pages on two nodes: round trips, owners, LRUs, reuse. */
START_TEST(test_round_trip_two_nodes)
{
	struct mm_pool *mm = test_pool(32, 2, 0);
	struct swap_tier *t = make(mm, 8 << 20);
	long h[400];
	struct swap_tier_stats st;

	for (unsigned int i = 0; i < 400; i++) {
		fill_page(page, (2ULL << 20) + i * 4096ULL, 1, 3);
		h[i] = swap_tier_store(t, page, i % 2, 1 + i % 3, i * 4096ULL);
		ck_assert_int_gt(h[i], 0);
	}
	ck_tier_validate(t);
	ck_assert_uint_eq(swap_tier_owned(t, 1) + swap_tier_owned(t, 2) +
				  swap_tier_owned(t, 3),
			  400);
	ck_assert_uint_eq(swap_tier_owned(t, 1), 134);
	check_owners(t, 3);
	for (unsigned int i = 0; i < 400; i += 2) {
		uint16_t owner;
		uint64_t gpa;

		fill_page(page, (2ULL << 20) + i * 4096ULL, 1, 3);
		ck_assert_int_eq(swap_tier_load(t, h[i], back), 0);
		ck_assert(!memcmp(page, back, sizeof(page)));
		swap_tier_owner(t, h[i], &owner, &gpa);
		ck_assert_uint_eq(owner, 1 + i % 3);
		ck_assert_uint_eq(gpa, i * 4096ULL);
		swap_tier_free(t, h[i], true);
	}
	ck_tier_validate(t);
	check_owners(t, 3);
	/* Freed handles are reused before new ones. */
	fill_page(page, 2ULL << 20, 7, 3);
	ck_assert_int_le(swap_tier_store(t, page, 0, 9, 0), 400);
	swap_tier_get_stats(t, &st);
	ck_assert_uint_eq(st.stored, 201);
	ck_assert_uint_eq(st.zswpout, 401);
	ck_assert_uint_eq(st.zswpin, 200);
	ck_assert_uint_gt(st.pool_pages, 0);
	ck_assert_uint_eq(store_frames(mm), st.pool_pages);
	/* Entries left go with the tier, their frames to the pool. */
	swap_tier_destroy(t);
	ck_assert_uint_eq(store_frames(mm), 0);
	mm_pool_destroy(mm);
}
END_TEST

/* The distance of a refault: the node's evictions since, the other
 * node's not. */
START_TEST(test_refault_distance)
{
	struct mm_pool *mm = test_pool(32, 2, 0);
	struct swap_tier *t = make(mm, 8 << 20);
	long first, other;
	int nid;

	fill_page(page, 2ULL << 20, 1, 3);
	first = swap_tier_store(t, page, 1, 1, 0);
	for (unsigned int i = 0; i < 10; i++)
		ck_assert_int_gt(swap_tier_store(t, page, 1, 1, 4096), 0);
	for (unsigned int i = 0; i < 5; i++)
		ck_assert_int_gt(swap_tier_store(t, page, 0, 1, 4096), 0);
	other = swap_tier_store(t, page, 0, 2, 0);
	/* Its own eviction and the ten after it on node 1, as Linux counts
	 * (the age read, then advanced, at each eviction). */
	ck_assert_uint_eq(swap_tier_refault_distance(t, first, &nid), 11);
	ck_assert_int_eq(nid, 1);
	ck_assert_uint_eq(swap_tier_refault_distance(t, other, &nid), 1);
	ck_assert_int_eq(nid, 0);
	swap_tier_destroy(t);
	mm_pool_destroy(mm);
}
END_TEST

/* A store of 256 KiB per node fills: its room falls to 0 and it
 * refuses with -ENOSPC; freeing makes room again. */
START_TEST(test_full_store)
{
	struct mm_pool *mm = test_pool(32, 1, 0);
	struct swap_tier *t = make(mm, 256 << 10);
	unsigned long room = swap_tier_room(t, 0);
	long h[1024], ret = 0;
	unsigned int n;

	ck_assert_uint_eq(room, 64);
	for (n = 0; n < 1024; n++) {
		fill_page(page, (2ULL << 20) + n * 4096ULL, 1, 2 + n % 2);
		ret = h[n] = swap_tier_store(t, page, 0, 1, n * 4096ULL);
		if (ret < 0)
			break;
	}
	printf("tier: a 256 KiB store took %u pages\n", n);
	ck_assert_int_eq(ret, -ENOSPC);
	ck_assert_uint_gt(n, 64);
	ck_assert_uint_lt(swap_tier_room(t, 0), room);
	for (unsigned int i = 0; i < n; i++)
		swap_tier_free(t, h[i], false);
	ck_assert_uint_eq(swap_tier_room(t, 0), 64);
	ck_tier_validate(t);
	swap_tier_destroy(t);
	mm_pool_destroy(mm);
}
END_TEST

/*
 * A 256 KiB store in front of an 8 MiB file: the store fills, writes
 * its coldest back, and every page comes back byte for byte, those in
 * the file in one read each run; pages that do not compress go to the
 * file as they are; freeing gives the slots back.
 */
START_TEST(test_writeback)
{
	struct mm_pool *mm = test_pool(32, 1, 0);
	struct swap_file *f = open_file(8 << 20, 1);
	struct swap_tier *t = make_with(mm, 256 << 10, f);
	static uint64_t pages[8][512];
	struct swap_tier_stats st;
	long h[1200];
	unsigned int done;

	for (unsigned int i = 0; i < 1200; i++) {
		/* Every tenth page does not compress at all. */
		fill_page(page, (2ULL << 20) + i * 4096ULL, 1, i % 10 ? 3 : 1);
		h[i] = swap_tier_store(t, page, 0, 1, i * 4096ULL);
		ck_assert_msg(h[i] > 0, "page %u: %ld", i, h[i]);
	}
	ck_tier_validate(t);
	swap_tier_get_stats(t, &st);
	printf("tier: 1200 pages into a 256 KiB store and a file: %llu in the file, %llu written back\n",
	       (unsigned long long)st.in_file, (unsigned long long)st.zswpwb);
	ck_assert_uint_gt(st.zswpwb, 0);
	ck_assert_uint_ge(st.pswpout, 120);
	ck_assert_uint_eq(st.in_file + st.stored, 1200);
	check_owners(t, 1);
	ck_assert_uint_eq(vm_event_sum(mm, ZSWPWB), st.zswpwb);
	ck_assert_uint_eq(vm_event_sum(mm, PSWPOUT), st.pswpout);
	/* Back in runs of 8, as the fault path's read-ahead asks. */
	for (unsigned int i = 0; i < 1200; i += 8) {
		uint32_t hh[8];
		void *dst[8];

		for (unsigned int k = 0; k < 8; k++) {
			hh[k] = h[i + k];
			dst[k] = pages[k];
		}
		ck_assert_int_eq(swap_tier_load_many(t, hh, dst, 8, &done), 0);
		ck_assert_uint_eq(done, 8);
		for (unsigned int k = 0; k < 8; k++) {
			fill_page(page, (2ULL << 20) + (i + k) * 4096ULL, 1,
				  (i + k) % 10 ? 3 : 1);
			ck_assert_msg(!memcmp(page, pages[k], sizeof(page)),
				      "page %u", i + k);
			swap_tier_free(t, hh[k], true);
		}
	}
	swap_tier_get_stats(t, &st);
	ck_assert_uint_eq(st.in_file + st.stored, 0);
	check_owners(t, 1);
	ck_assert_uint_eq(st.swap_free, st.swap_total);
	ck_assert_uint_eq(vm_event_sum(mm, PSWPIN) + vm_event_sum(mm, ZSWPIN),
			  1200);
	ck_tier_validate(t);
	swap_tier_destroy(t);
	close_file(f);
	mm_pool_destroy(mm);
}
END_TEST

/* A file whose writes fail (an injected device error): the batch stays
 * in the store, which refuses the page that wanted the room, and says so
 * once; the next store writes back again.  A full file says so too;
 * nothing is lost either way. */
START_TEST(test_writeback_errors)
{
	struct mm_pool *mm = test_pool(32, 1, 0);
	struct swap_file *f = open_file(4 << 20, 1);
	struct swap_tier *t = make_with(mm, 256 << 10, f);
	static long h[4000];
	struct swap_tier_stats st;
	unsigned int n = 0, full_at = 0;
	char msg[256];
	long ret;

	swap_file_inject_error(f, SWAP_FILE_WRITE, 0, -EIO);
	for (;; n++) {
		fill_page(page, (2ULL << 20) + n * 4096ULL, 1, 3);
		ret = h[n] = swap_tier_store(t, page, 0, 1, n * 4096ULL);
		if (ret < 0)
			break;
	}
	ck_assert_int_eq(ret, -ENOSPC);
	ck_assert_int_eq(swap_tier_error(t, msg, sizeof(msg)), -EIO);
	printf("tier: after %u pages: %s\n", n, msg);
	ck_assert_int_eq(swap_tier_error(t, msg, sizeof(msg)), 0);
	swap_tier_get_stats(t, &st);
	ck_assert_uint_eq(st.writeback_failed, SWAP_FILE_BATCH);
	full_at = n;
	/* Again: writeback works, until the file (4 MiB) is full. */
	for (;; n++) {
		ck_assert_uint_lt(n, 4000);
		fill_page(page, (2ULL << 20) + n * 4096ULL, 1, 3);
		ret = h[n] = swap_tier_store(t, page, 0, 1, n * 4096ULL);
		if (ret < 0)
			break;
	}
	swap_tier_get_stats(t, &st);
	printf("tier: then %u more; %llu in the file of %llu slots\n",
	       n - full_at, (unsigned long long)st.in_file,
	       (unsigned long long)st.swap_total);
	ck_assert_int_eq(ret, -ENOSPC);
	ck_assert_int_eq(swap_tier_error(t, msg, sizeof(msg)), -ENOSPC);
	ck_assert_uint_gt(st.in_file, 0);
	ck_assert_uint_eq(st.in_file + st.stored, n);
	for (unsigned int i = 0; i < n; i++) {
		fill_page(page, (2ULL << 20) + i * 4096ULL, 1, 3);
		ck_assert_int_eq(swap_tier_load(t, h[i], back), 0);
		ck_assert_msg(!memcmp(page, back, sizeof(page)), "page %u", i);
		swap_tier_free(t, h[i], true);
	}
	ck_tier_validate(t);
	swap_tier_destroy(t);
	close_file(f);
	mm_pool_destroy(mm);
}
END_TEST

Suite *tier_suite(void)
{
	Suite *s = suite_create("tier");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_bad_config);
	tcase_add_test(tc, test_round_trip_two_nodes);
	tcase_add_test(tc, test_refault_distance);
	tcase_add_test(tc, test_full_store);
	tcase_add_test(tc, test_writeback);
	tcase_add_test(tc, test_writeback_errors);
	suite_add_tcase(s, tc);
	return s;
}
