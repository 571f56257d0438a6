// SPDX-License-Identifier: GPL-2.0
/*
 * swap/swapfile.c on file systems of the test's own: one without O_DIRECT,
 * one that fills up under the file (at open, and under a sparse file),
 * and a real device error (ext4 on a loop device, shut down under the
 * open file).  Mounts are in a mount namespace of the test's own.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "swap/swap_map.h"
#include "tests/swap/swapfile_test.h"

/* tmpfs (O_DIRECT since Linux 6.6, as a no-op) and ramfs (none): either
 * way the pages come back. */
START_TEST(test_no_direct)
{
	char shm[64], mnt[128], path[160];
	struct swap_file *f;
	struct swap_file_stats st;

	strcpy(shm, "/dev/shm/check_swapfile.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(shm));
	path_in(path, sizeof(path), shm, "swap");
	f = open_file(path, 4 * MIB, 1, false);
	swap_file_get_stats(f, &st);
	printf("swapfile: tmpfs: direct_io %d, preallocated %d\n", st.direct_io,
	       st.preallocated);
	round_trip(f, 700, 33, 7);
	swap_file_close(f);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(shm), 0);

	if (!mount_fs("ramfs", "", mnt, sizeof(mnt)))
		return;
	path_in(path, sizeof(path), mnt, "swap");
	f = open_file(path, 4 * MIB, 1, false);
	swap_file_get_stats(f, &st);
	ck_assert(!st.direct_io);
	round_trip(f, 700, 33, 7);
	swap_file_close(f);
	umount_fs(mnt);
}
END_TEST

/*
 * A file system that fills under the file: a 3 MiB tmpfs.  A file it
 * cannot hold is refused at open (and not left behind); a sparse one
 * fails writes once the file system is full: those slots are bad, the
 * caller keeps those pages, and what was written reads back.
 */
START_TEST(test_fs_full)
{
	enum { N = 1023 };
	char mnt[128], path[160], *buf, *back;
	struct swap_file_config cfg = { .size = 4 * MIB, .nr_streams = 1 };
	const void *src[N];
	void *dst[N];
	unsigned long slots[N];
	unsigned int done = 0, failed;
	struct swap_file *f;
	struct swap_file_stats st;
	char err[256];
	int ret = 0;

	if (!mount_fs("tmpfs", "size=3m", mnt, sizeof(mnt)))
		return;
	path_in(path, sizeof(path), mnt, "swap");
	cfg.path = path;
	ck_assert_int_eq(swap_file_open(&cfg, &f, err, sizeof(err)), -ENOSPC);
	printf("swapfile: %s\n", err);
	ck_assert_ptr_nonnull(strstr(err, path));
	ck_assert_int_eq(access(path, F_OK), -1);

	f = open_file(path, 4 * MIB, 1, true);
	pages_setup(N, &buf, &back, src, dst);
	while (done < N) {
		ret = swap_file_write(f, 0, src + done, 64, slots + done);
		if (ret < 0)
			break;
		done += ret;
		if (ret < 64)
			break;
	}
	swap_file_get_stats(f, &st);
	printf("swapfile: a full tmpfs: %u pages written, then %d; %lu bad\n",
	       done, ret, st.bad);
	ck_assert_uint_lt(done, N - 64);
	ck_assert_uint_gt(done, 512);
	ck_assert_uint_ge(st.write_errors, 1);
	ck_assert_uint_eq(st.bad, 0); /* the slots are sound */
	ck_assert_int_eq(swap_file_write(f, 0, src + done, 1, slots + done),
			 -ENOSPC);
	ck_assert_int_eq(swap_file_read(f, slots, dst, done, &failed), 0);
	ck_assert(!memcmp(buf, back, (size_t)done * PAGE_SIZE));
	ck_swap_file_validate(f);
	/* A cluster freed and punched out: room again. */
	for (unsigned int i = 0; i < SWAPFILE_CLUSTER; i++)
		swap_file_free(f, slots[i]);
	ck_assert_int_eq(swap_file_write(f, 0, src, 64, slots), 64);
	ck_assert_int_eq(swap_file_read(f, slots, dst, 64, &failed), 0);
	ck_assert(!memcmp(buf, back, 64 * PAGE_SIZE));
	ck_swap_file_validate(f);
	swap_file_close(f);
	pages_free(buf);
	pages_free(back);
	umount_fs(mnt);
}
END_TEST

/*
 * A preallocated file whose punched cluster's blocks others took: the
 * writes into it fail with ENOSPC, the caller keeps its pages, no slot
 * turns bad, and once there is room the same cluster is written.
 */
START_TEST(test_fs_stolen)
{
	enum { N = SWAPFILE_CLUSTER };
	char mnt[128], path[160], hog[160], *buf, *back;
	const void *src[N];
	void *dst[N];
	unsigned long slots[N];
	unsigned int failed;
	struct swap_file *f;
	struct swap_file_stats st;
	FILE *fp;

	if (!mount_fs("tmpfs", "size=6m", mnt, sizeof(mnt)))
		return;
	path_in(path, sizeof(path), mnt, "swap");
	path_in(hog, sizeof(hog), mnt, "hog");
	f = open_file(path, 4 * MIB, 1, false);
	pages_setup(N, &buf, &back, src, dst);
	for (unsigned int i = 0; i < N; i += 64)
		ck_assert_int_eq(swap_file_write(f, 0, src + i, 64, slots + i),
				 64);
	for (unsigned int i = 0; i < N; i++)
		swap_file_free(f, slots[i]);
	swap_file_get_stats(f, &st);
	ck_assert_uint_eq(st.punched, 1);
	fp = fopen(hog, "w");
	ck_assert_ptr_nonnull(fp);
	while (fwrite(buf, PAGE_SIZE, 1, fp) == 1)
		;
	fclose(fp);

	ck_assert_int_eq(swap_file_write(f, 0, src, 64, slots), -ENOSPC);
	swap_file_get_stats(f, &st);
	ck_assert_uint_eq(st.bad, 0);
	ck_assert_uint_eq(st.free, st.total);
	ck_assert_uint_ge(st.write_errors, 1);
	ck_swap_file_validate(f);
	ck_assert_int_eq(unlink(hog), 0);
	ck_assert_int_eq(swap_file_write(f, 0, src, 64, slots), 64);
	ck_assert_uint_eq(slots[0] / SWAPFILE_CLUSTER, 1);
	ck_assert_int_eq(swap_file_read(f, slots, dst, 64, &failed), 0);
	ck_assert(!memcmp(buf, back, 64 * PAGE_SIZE));
	ck_swap_file_validate(f);
	swap_file_close(f);
	pages_free(buf);
	pages_free(back);
	umount_fs(mnt);
}
END_TEST

/*
 * A real device error: ext4 on a loop device of its own, shut down under
 * the open file (EXT4_IOC_SHUTDOWN, what xfstests use to make a file
 * system fail): every write and read then fails with EIO.  The failed
 * writes leave bad slots and the caller's pages; the read names its page.
 */
#define EXT4_IOC_SHUTDOWN _IOR('X', 125, uint32_t)
#define EXT4_GOING_FLAGS_NOLOGFLUSH 0x2

START_TEST(test_shutdown)
{
	enum { N = 8 };
	char img[128], mnt[128], path[160], cmd[1024], *buf, *back;
	const void *src[N];
	void *dst[N];
	unsigned long slots[N], more[N];
	uint32_t how = EXT4_GOING_FLAGS_NOLOGFLUSH;
	unsigned int failed = 99;
	struct swap_file *f;
	struct swap_file_stats st;
	int root;

	path_in(img, sizeof(img), swapfile_dir, "ext4.img");
	path_in(mnt, sizeof(mnt), swapfile_dir, "ext4");
	ck_assert_int_eq(mkdir(mnt, 0700), 0);
	private_mounts();
	snprintf(cmd, sizeof(cmd),
		 "truncate -s 32M %s && mkfs.ext4 -q %s && mount -o loop %s %s",
		 img, img, img, mnt);
	if (system(cmd)) {
		printf("SKIP swapfile on a failing ext4: cannot make one here "
		       "(mkfs.ext4, a loop device, mount)\n");
		return;
	}
	path_in(path, sizeof(path), mnt, "swap");
	f = open_file(path, 8 * MIB, 1, false);
	pages_setup(N, &buf, &back, src, dst);
	ck_assert_int_eq(swap_file_write(f, 0, src, N, slots), N);
	root = open(mnt, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(root, 0);
	if (ioctl(root, EXT4_IOC_SHUTDOWN, &how)) {
		printf("SKIP swapfile on a failing ext4: shutdown: %s\n",
		       strerror(errno));
		close(root);
		goto out;
	}
	close(root);
	ck_assert_int_eq(swap_file_write(f, 0, src, N, more), -EIO);
	ck_assert_int_eq(swap_file_read(f, slots, dst, N, &failed), -EIO);
	ck_assert_uint_eq(failed, 0);
	swap_file_get_stats(f, &st);
	printf("swapfile: ext4 shut down: %llu write errors, %llu read errors, %lu bad\n",
	       (unsigned long long)st.write_errors,
	       (unsigned long long)st.read_errors, st.bad);
	ck_assert_uint_eq(st.bad, N);
	ck_assert_uint_eq(st.write_errors, N);
	ck_assert_uint_eq(st.read_errors, N);
	ck_assert_uint_eq(st.free, st.total - N); /* bad ones not in total */
	ck_pages_kept(src, N);
	/* The map stands; the file's header can no longer be read. */
	{
		char err[256];

		ck_assert_int_eq(swap_file_validate(f, err, sizeof(err)),
				 -EUCLEAN);
		printf("swapfile: %s\n", err);
	}
out:
	swap_file_close(f);
	pages_free(buf);
	pages_free(back);
	ck_assert_int_eq(umount(mnt), 0);
}
END_TEST

Suite *swapfile_fs_suite(void)
{
	Suite *s = suite_create("swapfile_fs");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, swapfile_setup, swapfile_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_no_direct);
	tcase_add_test(tc, test_fs_full);
	tcase_add_test(tc, test_fs_stolen);
	tcase_add_test(tc, test_shutdown);
	suite_add_tcase(s, tc);
	return s;
}
