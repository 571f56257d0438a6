// SPDX-License-Identifier: GPL-2.0
/*
 * swap/swapfile.c on real files: round trips compared byte for byte
 * (aligned and unaligned pages, batches across clusters), a full file,
 * reuse of our own file and refusal of anybody else's or of a symbolic
 * link, injected device errors, threads writing and reading at once,
 * and clusters punched out when emptied (the file systems of the test's
 * own are check_swapfile_fs.c).  Files go to a directory of their own
 * under /var/tmp (a disk file system, where O_DIRECT works).
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "swap/swap_map.h"
#include "swap/swapfile.h"
#include "tests/swap/swapfile_test.h"

START_TEST(test_round_trip)
{
	char path[128];
	struct swap_file *f;
	struct swap_file_stats st;

	path_in(path, sizeof(path), swapfile_dir, "swap");
	f = open_file(path, 8 * MIB, 1, false);
	swap_file_get_stats(f, &st);
	ck_assert_uint_eq(st.total, 4 * SWAPFILE_CLUSTER - 1);
	ck_assert_uint_eq(st.free, st.total);
	printf("swapfile: %s: direct_io %d, preallocated %d\n", path,
	       st.direct_io, st.preallocated);
	/* 37: batches that straddle clusters, never on their edge. */
	round_trip(f, 1800, 37, 1);
	round_trip(f, 1800, SWAP_FILE_BATCH * 3 + 5, 100000);
	swap_file_get_stats(f, &st);
	ck_assert_uint_eq(st.writes, 3600);
	ck_assert_uint_eq(st.reads, 3600);
	ck_assert_uint_eq(st.free, st.total);
	ck_assert_uint_eq(st.write_errors + st.read_errors + st.bad, 0);
	swap_file_close(f);
}
END_TEST

START_TEST(test_bad_args)
{
	struct swap_file_config cfg = { .path = "",
					.size = 8 * MIB,
					.nr_streams = 1 };
	struct swap_file *f;
	char path[128], err[256];
	unsigned long slot;
	unsigned int failed;
	void *page = pages_alloc(1, false);

	ck_assert_int_eq(swap_file_open(&cfg, &f, err, sizeof(err)), -EINVAL);
	path_in(path, sizeof(path), swapfile_dir, "swap");
	cfg.path = path;
	cfg.size = CLUSTER_MIB * MIB - 1;
	ck_assert_int_eq(swap_file_open(&cfg, &f, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, path));
	cfg.size = 8 * MIB;
	cfg.nr_streams = 0;
	ck_assert_int_eq(swap_file_open(&cfg, &f, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(access(path, F_OK), -1); /* nothing left behind */
	f = open_file(path, 8 * MIB + 5, 2, false); /* rounded down */
	ck_assert_int_eq(swap_file_write(f, 2, (const void **)&page, 1, &slot),
			 -EINVAL);
	slot = 0;
	ck_assert_int_eq(swap_file_read(f, &slot, &page, 1, &failed), -EINVAL);
	slot = 4 * SWAPFILE_CLUSTER;
	ck_assert_int_eq(swap_file_read(f, &slot, &page, 1, &failed), -EINVAL);
	ck_assert_uint_eq(failed, 0);
	swap_file_close(f);
	pages_free(page);
}
END_TEST

/* A full file: -ENOSPC, and what was written stays readable. */
START_TEST(test_full)
{
	enum { N = 600 };
	char path[128], *buf, *back;
	const void *src[N];
	void *dst[N];
	unsigned long slots[N];
	unsigned int done = 0, failed;
	struct swap_file *f;
	struct swap_file_stats st;
	int ret;

	path_in(path, sizeof(path), swapfile_dir, "swap");
	f = open_file(path, CLUSTER_MIB * MIB, 1, false);
	pages_setup(N, &buf, &back, src, dst);
	while ((ret = swap_file_write(f, 0, src + done, 64, slots + done)) > 0)
		done += ret;
	ck_assert_int_eq(ret, -ENOSPC);
	ck_assert_uint_eq(done, SWAPFILE_CLUSTER - 1);
	swap_file_get_stats(f, &st);
	ck_assert_uint_eq(st.free, 0);
	ck_pages_kept(src, N); /* written or not */
	ck_assert_int_eq(swap_file_read(f, slots, dst, done, &failed), 0);
	ck_assert(!memcmp(buf, back, (size_t)done * PAGE_SIZE));
	/* Room again: freed slots are written. */
	for (unsigned int i = 0; i < 10; i++)
		swap_file_free(f, slots[i]);
	ck_assert_int_eq(swap_file_write(f, 0, src + done, 64, slots), 10);
	ck_assert_int_eq(swap_file_read(f, slots, dst, 10, &failed), 0);
	ck_assert(!memcmp(src[done], dst[0], 10 * PAGE_SIZE));
	ck_swap_file_validate(f);
	swap_file_close(f);
	pages_free(buf);
	pages_free(back);
}
END_TEST

/* Our own file is reused, at another size, with an empty map; it stays
 * after close. */
START_TEST(test_reopen)
{
	char path[128], *buf = pages_alloc(8, false);
	const void *src[8];
	unsigned long slots[8];
	struct swap_file *f;
	struct swap_file_stats st;
	struct stat sb;

	path_in(path, sizeof(path), swapfile_dir, "swap");
	f = open_file(path, 4 * MIB, 1, false);
	for (unsigned int i = 0; i < 8; i++) {
		src[i] = buf + i * PAGE_SIZE;
		fill(buf + i * PAGE_SIZE, i);
	}
	ck_assert_int_eq(swap_file_write(f, 0, src, 8, slots), 8);
	swap_file_close(f);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_size, 4 * MIB);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);

	f = open_file(path, 6 * MIB, 2, false);
	swap_file_get_stats(f, &st);
	ck_assert_uint_eq(st.total, 3 * SWAPFILE_CLUSTER - 1);
	ck_assert_uint_eq(st.free, st.total);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_size, 6 * MIB);
	swap_file_close(f);
	f = open_file(path, 2 * MIB, 1, false); /* smaller */
	swap_file_get_stats(f, &st);
	ck_assert_uint_eq(st.total, SWAPFILE_CLUSTER - 1);
	swap_file_close(f);
	pages_free(buf);
}
END_TEST

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
}

static void expect_refused(const char *path, int want)
{
	struct swap_file_config cfg = { .path = path,
					.size = 4 * MIB,
					.nr_streams = 1 };
	struct swap_file *f;
	char err[256] = "";
	int ret = swap_file_open(&cfg, &f, err, sizeof(err));

	ck_assert_msg(ret == want, "%s: %d, not %d (%s)", path, ret, want, err);
	ck_assert_msg(strstr(err, path), "the message names no path: %s", err);
	printf("swapfile: refused: %s\n", err);
}

/* Nobody else's file is overwritten; no symbolic link is followed; a
 * file in use by another opener is refused. */
START_TEST(test_refuse)
{
	char foreign[128], empty[128], link[128], dangling[128], ours[128];
	char data[3 * PAGE_SIZE], check[sizeof(data)];
	struct swap_file *f;
	FILE *fp;

	path_in(foreign, sizeof(foreign), swapfile_dir, "foreign");
	path_in(empty, sizeof(empty), swapfile_dir, "empty");
	path_in(link, sizeof(link), swapfile_dir, "link");
	path_in(dangling, sizeof(dangling), swapfile_dir, "dangling");
	path_in(ours, sizeof(ours), swapfile_dir, "ours");
	for (unsigned int i = 0; i < sizeof(data); i++)
		data[i] = "precious data "[i % 14];
	write_file(foreign, data, sizeof(data));
	write_file(empty, "", 0);
	f = open_file(ours, 4 * MIB, 1, false);
	ck_assert_int_eq(symlink(ours, link), 0);
	ck_assert_int_eq(symlink("/nonexistent/swap", dangling), 0);

	expect_refused(foreign, -EEXIST);
	expect_refused(empty, -EEXIST);
	expect_refused(link, -ELOOP);
	expect_refused(dangling, -ELOOP);
	expect_refused(ours, -EBUSY); /* open, above */
	expect_refused(swapfile_dir, -EISDIR);
	swap_file_close(f);
	/* Untouched. */
	fp = fopen(foreign, "r");
	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fread(check, 1, sizeof(check), fp), sizeof(check));
	ck_assert_int_eq(fgetc(fp), EOF);
	fclose(fp);
	ck_assert(!memcmp(data, check, sizeof(data)));
	ck_assert_int_eq(access("/nonexistent/swap", F_OK), -1);
}
END_TEST

/* Device errors (injected): a failed write leaves a bad slot and the
 * caller's page; a failed read names its page. */
START_TEST(test_io_error)
{
	enum { N = 16 };
	char path[128], *buf, *back;
	const void *src[N];
	void *dst[N];
	unsigned long slots[N], more[N], bad;
	unsigned int failed = 99;
	struct swap_file *f;
	struct swap_file_stats st;

	path_in(path, sizeof(path), swapfile_dir, "swap");
	f = open_file(path, 4 * MIB, 1, false);
	pages_setup(N, &buf, &back, src, dst);
	swap_file_inject_error(f, SWAP_FILE_WRITE, 5, -EIO);
	ck_assert_int_eq(swap_file_write(f, 0, src, N, slots), 5);
	swap_file_get_stats(f, &st);
	ck_assert_uint_eq(st.bad, 1);
	ck_assert_uint_eq(st.write_errors, 1);
	ck_assert_uint_eq(st.writes, 5);
	ck_assert_uint_eq(st.free, st.total - 5);
	ck_swap_file_validate(f);
	/* The rest goes to new slots, never the bad one (a stream fills
	 * its cluster in order: the one after the last written). */
	bad = slots[4] + 1;
	ck_assert_int_eq(swap_file_write(f, 0, src + 5, N - 5, slots + 5),
			 N - 5);
	for (unsigned int i = 0; i < N; i++)
		ck_assert_uint_ne(slots[i], bad);
	swap_file_inject_error(f, SWAP_FILE_WRITE, 0, -EIO);
	ck_assert_int_eq(swap_file_write(f, 0, src, 4, more), -EIO);

	swap_file_inject_error(f, SWAP_FILE_READ, 3, -EIO);
	ck_assert_int_eq(swap_file_read(f, slots, dst, N, &failed), -EIO);
	ck_assert_uint_eq(failed, 3);
	for (unsigned int i = 0; i < N; i++)
		if (i != 3)
			ck_assert(!memcmp(src[i], dst[i], PAGE_SIZE));
	ck_assert_int_eq(swap_file_read(f, slots, dst, N, &failed), 0);
	ck_assert(!memcmp(buf, back, N * PAGE_SIZE));
	swap_file_get_stats(f, &st);
	ck_assert_uint_eq(st.read_errors, 1);
	ck_assert_uint_eq(st.reads, 2 * N - 1);
	ck_assert_uint_eq(st.bad, 2);
	ck_swap_file_validate(f);
	swap_file_close(f);
	pages_free(buf);
	pages_free(back);
}
END_TEST

struct worker {
	struct swap_file *f;
	unsigned int stream;
	unsigned long pages;
};

/* Write batches of its own pages, read random ones back, free some. */
static void *worker(void *arg)
{
	enum { HELD = 512, ROUNDS = 60 };
	struct worker *w = arg;
	uint64_t seed = w->stream + 1, tags[HELD];
	unsigned long slots[HELD];
	unsigned int nheld = 0, failed;
	char *buf = pages_alloc(64, w->stream & 1);
	char *back = pages_alloc(16, false);
	const void *src[64];
	void *dst[16];
	char want[PAGE_SIZE];

	for (unsigned int i = 0; i < 64; i++)
		src[i] = buf + i * PAGE_SIZE;
	for (unsigned int i = 0; i < 16; i++)
		dst[i] = back + i * PAGE_SIZE;
	for (unsigned int r = 0; r < ROUNDS; r++) {
		unsigned int nr = 1 + test_rand(&seed) % 64, k, n;
		int got;

		if (nr > HELD - nheld)
			nr = HELD - nheld;
		for (unsigned int i = 0; i < nr; i++) {
			tags[nheld + i] = (uint64_t)w->stream << 32 |
					  (r * 64 + i);
			fill((void *)src[i], tags[nheld + i]);
		}
		got = nr ? swap_file_write(w->f, w->stream, src, nr,
					   slots + nheld) :
			   0;
		if (got == -ENOSPC) /* the others hold the rest */
			got = 0;
		ck_assert_int_ge(got, 0);
		nheld += got;
		if (!nheld)
			continue;
		w->pages += got;
		/* Read-ahead style: up to 16 consecutive of ours. */
		k = test_rand(&seed) % nheld;
		n = nheld - k < 16 ? nheld - k : 16;
		ck_assert_int_eq(
			swap_file_read(w->f, slots + k, dst, n, &failed), 0);
		for (unsigned int i = 0; i < n; i++) {
			fill(want, tags[k + i]);
			ck_assert_msg(!memcmp(want, dst[i], PAGE_SIZE),
				      "stream %u slot %lu: wrong data",
				      w->stream, slots[k + i]);
		}
		for (unsigned int i = test_rand(&seed) % 48; i && nheld; i--) {
			k = test_rand(&seed) % nheld;
			swap_file_free(w->f, slots[k]);
			slots[k] = slots[--nheld];
			tags[k] = tags[nheld];
		}
	}
	for (unsigned int i = 0; i < nheld; i++)
		swap_file_free(w->f, slots[i]);
	pages_free(buf);
	pages_free(back);
	return NULL;
}

START_TEST(test_threads)
{
	enum { T = 4 };
	char path[128];
	struct swap_file *f;
	struct swap_file_stats st;
	struct worker w[T];
	pthread_t t[T];
	unsigned long pages = 0;

	path_in(path, sizeof(path), swapfile_dir, "swap");
	/* Room for less than all hold at once: streams share clusters. */
	f = open_file(path, 4 * MIB, T, false);
	for (unsigned int i = 0; i < T; i++) {
		w[i] = (struct worker){ f, i, 0 };
		ck_assert_int_eq(pthread_create(&t[i], NULL, worker, &w[i]), 0);
	}
	for (unsigned int i = 0; i < T; i++) {
		pthread_join(t[i], NULL);
		pages += w[i].pages;
	}
	swap_file_get_stats(f, &st);
	printf("swapfile: %u threads wrote %lu pages, read %llu; %llu clusters punched\n",
	       T, pages, (unsigned long long)st.reads,
	       (unsigned long long)st.punched);
	ck_assert_uint_eq(st.writes, pages);
	ck_assert_uint_eq(st.free, st.total);
	ck_assert_uint_eq(st.bad, 0);
	ck_swap_file_validate(f);
	swap_file_close(f);
}
END_TEST

/* Emptied clusters give their blocks back; the header's stays. */
START_TEST(test_punch)
{
	enum { N = 2 * SWAPFILE_CLUSTER };
	char path[128], *buf = pages_alloc(64, false);
	const void *src[64];
	unsigned long slots[N], more[64];
	struct swap_file *f;
	struct swap_file_stats st;
	long long before, full, after;

	for (unsigned int i = 0; i < 64; i++) {
		src[i] = buf + i * PAGE_SIZE;
		fill(buf + i * PAGE_SIZE, i);
	}
	path_in(path, sizeof(path), swapfile_dir, "swap");
	f = open_file(path, 8 * MIB, 1, true);
	before = blocks(path);
	for (unsigned int i = 0; i < N; i += 64)
		ck_assert_int_eq(swap_file_write(f, 0, src, 64, slots + i), 64);
	full = blocks(path);
	ck_assert_int_ge(full - before, (long long)N * PAGE_SIZE);
	for (unsigned int i = 0; i < N; i++)
		swap_file_free(f, slots[i]);
	after = blocks(path);
	swap_file_get_stats(f, &st);
	printf("swapfile: sparse file: %lld KiB, %lld written, %lld freed; %llu clusters punched\n",
	       before >> 10, full >> 10, after >> 10,
	       (unsigned long long)st.punched);
	ck_assert(st.punch);
	ck_assert_uint_eq(st.punched, 2);
	ck_assert_int_le(after, before);
	ck_swap_file_validate(f);
	swap_file_close(f);

	/* Preallocated: all reserved at open, punched once used and empty. */
	f = open_file(path, 8 * MIB, 1, false);
	before = blocks(path);
	ck_assert_int_ge(before, 8 * MIB);
	for (unsigned int i = 0; i < N; i += 64)
		ck_assert_int_eq(swap_file_write(f, 0, src, 64, slots + i), 64);
	for (unsigned int i = 0; i < N; i++)
		swap_file_free(f, slots[i]);
	after = blocks(path);
	/* Give or take a block of the file system's own (ext4's extent
	 * tree grows as the file's extents split). */
	ck_assert_int_le(after,
			 before - 2 * CLUSTER_MIB * (long long)MIB + 65536);
	/* A punched cluster taken again is reserved again, whole, at its
	 * first write (after the cluster never used, which the stream
	 * takes first). */
	for (unsigned int i = 0; i < SWAPFILE_CLUSTER; i += 64)
		ck_assert_int_eq(swap_file_write(f, 0, src, 64, more), 64);
	ck_assert_int_le(blocks(path), after + 65536);
	ck_assert_int_eq(swap_file_write(f, 0, src, 1, more), 1);
	ck_assert_int_ge(blocks(path),
			 before - CLUSTER_MIB * (long long)MIB - 65536);
	ck_swap_file_validate(f);
	swap_file_close(f);
	pages_free(buf);
}
END_TEST

Suite *swapfile_suite(void)
{
	Suite *s = suite_create("swapfile");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, swapfile_setup, swapfile_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_bad_args);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_reopen);
	tcase_add_test(tc, test_refuse);
	tcase_add_test(tc, test_io_error);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_punch);
	suite_add_tcase(s, tc);
	return s;
}
