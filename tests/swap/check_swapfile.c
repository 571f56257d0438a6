// SPDX-License-Identifier: GPL-2.0
/*
 * swap/swapfile.c on real files: round trips compared byte for byte
 * (aligned and unaligned pages, batches across clusters), a full file,
 * reuse of our own file and refusal of anybody else's or of a symbolic
 * link, a file system without O_DIRECT, a file system that fills up
 * under the file, injected device errors, threads writing and reading
 * at once, and clusters punched out when emptied.  Files go to a
 * directory of their own under /var/tmp (a disk file system, where
 * O_DIRECT works), small tmpfs and ramfs mounts where a test needs one.
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
#include "tests/swap/swap_test.h"

#define MIB (1024 * 1024ULL)
#define CLUSTER_MIB 2

static char dir[64];

static void setup(void)
{
	strcpy(dir, "/var/tmp/check_swapfile.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void path_in(char *buf, size_t len, const char *d, const char *name)
{
	snprintf(buf, len, "%s/%s", d, name);
}

#define ck_swap_file_validate(f)                                          \
	do {                                                              \
		char _err[256];                                           \
		int _ret = swap_file_validate(f, _err, sizeof(_err));     \
		ck_assert_msg(_ret == 0, "swap_file_validate: %s", _err); \
	} while (0)

static struct swap_file *open_file(const char *path, uint64_t size,
				   unsigned int streams, bool sparse)
{
	struct swap_file_config cfg = { .path = path,
					.size = size,
					.nr_streams = streams,
					.sparse = sparse };
	struct swap_file *f;
	char err[256] = "";
	int ret = swap_file_open(&cfg, &f, err, sizeof(err));

	ck_assert_msg(ret == 0, "swap_file_open: %d %s", ret, err);
	ck_swap_file_validate(f);
	return f;
}

/* A page of words no other (tag, i) pair has. */
static void fill(void *p, uint64_t tag)
{
	uint64_t *w = p, s = tag * 0x9e3779b97f4a7c15ULL + 1;

	for (unsigned int i = 0; i < PAGE_SIZE / 8; i++)
		w[i] = test_rand(&s) ^ tag;
}

/* Pages that start where the kernel would not take them for O_DIRECT
 * when misaligned: each 8 bytes into a page-aligned buffer. */
static char *pages_alloc(unsigned int n, bool misaligned)
{
	char *p = aligned_alloc(PAGE_SIZE, (n + 1) * PAGE_SIZE);

	ck_assert_ptr_nonnull(p);
	return p + (misaligned ? 8 : 0);
}

static void pages_free(char *p)
{
	free((char *)((uintptr_t)p & ~(PAGE_SIZE - 1)));
}

/* n pages tagged 0 .. n - 1 in buf (src[] points to them) and as many
 * to read them back into (dst[], in back). */
static void pages_setup(unsigned int n, char **buf, char **back,
			const void **src, void **dst)
{
	*buf = pages_alloc(n, false);
	*back = pages_alloc(n, false);
	for (unsigned int i = 0; i < n; i++) {
		src[i] = *buf + i * PAGE_SIZE;
		dst[i] = *back + i * PAGE_SIZE;
		fill(*buf + i * PAGE_SIZE, i);
	}
}

/* The caller still has its n pages as pages_setup() made them. */
static void ck_pages_kept(const void *const *src, unsigned int n)
{
	char want[PAGE_SIZE];

	for (unsigned int i = 0; i < n; i++) {
		fill(want, i);
		ck_assert_msg(!memcmp(want, src[i], PAGE_SIZE),
			      "the caller's page %u changed", i);
	}
}

/* Write n pages tagged tag0.. in batches of batch (each aligned or
 * not), read them back the same way and compare every byte. */
static void round_trip(struct swap_file *f, unsigned int n, unsigned int batch,
		       uint64_t tag0)
{
	char *a = pages_alloc(n, false), *u = pages_alloc(n, true);
	char *back = pages_alloc(n, false), *uback = pages_alloc(n, true);
	const void **src = calloc(n, sizeof(*src));
	void **dst = calloc(n, sizeof(*dst));
	unsigned long *slots = calloc(n, sizeof(*slots));
	unsigned int crossed = 0, failed;

	for (unsigned int i = 0; i < n; i++) {
		char *base = (i / batch) % 2 ? u : a;

		src[i] = base + (size_t)i * PAGE_SIZE;
		fill((void *)src[i], tag0 + i);
		dst[i] = ((i / 16) % 2 ? uback : back) + (size_t)i * PAGE_SIZE;
	}
	for (unsigned int i = 0; i < n; i += batch) {
		unsigned int nr = n - i < batch ? n - i : batch;

		ck_assert_int_eq(swap_file_write(f, 0, src + i, nr, slots + i),
				 (int)nr);
		for (unsigned int j = 1; j < nr; j++) {
			ck_assert_uint_ne(slots[i + j], 0);
			if (slots[i + j] / SWAPFILE_CLUSTER !=
			    slots[i + j - 1] / SWAPFILE_CLUSTER)
				crossed++;
		}
	}
	for (unsigned int i = 0; i < n; i += 16) {
		unsigned int nr = n - i < 16 ? n - i : 16;

		ck_assert_int_eq(
			swap_file_read(f, slots + i, dst + i, nr, &failed), 0);
	}
	for (unsigned int i = 0; i < n; i++)
		ck_assert_msg(!memcmp(src[i], dst[i], PAGE_SIZE),
			      "page %u (slot %lu) came back different", i,
			      slots[i]);
	if (n > SWAPFILE_CLUSTER)
		ck_assert_uint_gt(crossed, 0);
	for (unsigned int i = 0; i < n; i++)
		swap_file_free(f, slots[i]);
	ck_swap_file_validate(f);
	free(slots);
	free(dst);
	free(src);
	pages_free(a);
	pages_free(u);
	pages_free(back);
	pages_free(uback);
}

START_TEST(test_round_trip)
{
	char path[128];
	struct swap_file *f;
	struct swap_file_stats st;

	path_in(path, sizeof(path), dir, "swap");
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
	path_in(path, sizeof(path), dir, "swap");
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

	path_in(path, sizeof(path), dir, "swap");
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

	path_in(path, sizeof(path), dir, "swap");
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

	path_in(foreign, sizeof(foreign), dir, "foreign");
	path_in(empty, sizeof(empty), dir, "empty");
	path_in(link, sizeof(link), dir, "link");
	path_in(dangling, sizeof(dangling), dir, "dangling");
	path_in(ours, sizeof(ours), dir, "ours");
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
	expect_refused(dir, -EISDIR);
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

/*
 * The test's mounts in a mount namespace of its own (the test runs in a
 * child Check forks): they go with it, even when it fails before its
 * umount.  Where unshare is not allowed they are the host's, and the
 * tests umount what they mount.
 */
static void private_mounts(void)
{
	if (!unshare(CLONE_NEWNS))
		mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
}

/* A mount of its own for a test, or false (a SKIP said why). */
static bool mount_fs(const char *what, const char *opts, char *mnt, size_t len)
{
	snprintf(mnt, len, "%s/%s", dir, what);
	ck_assert_int_eq(mkdir(mnt, 0700), 0);
	private_mounts();
	if (!mount(what, mnt, what, 0, opts))
		return true;
	printf("SKIP swapfile on %s: cannot mount one here: %s\n", what,
	       strerror(errno));
	return false;
}

static void umount_fs(const char *mnt)
{
	ck_assert_int_eq(umount(mnt), 0);
}

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

	path_in(img, sizeof(img), dir, "ext4.img");
	path_in(mnt, sizeof(mnt), dir, "ext4");
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

	path_in(path, sizeof(path), dir, "swap");
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

	path_in(path, sizeof(path), dir, "swap");
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

static long long blocks(const char *path)
{
	struct stat sb;

	ck_assert_int_eq(stat(path, &sb), 0);
	return (long long)sb.st_blocks * 512;
}

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
	path_in(path, sizeof(path), dir, "swap");
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

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_bad_args);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_reopen);
	tcase_add_test(tc, test_refuse);
	tcase_add_test(tc, test_no_direct);
	tcase_add_test(tc, test_fs_full);
	tcase_add_test(tc, test_fs_stolen);
	tcase_add_test(tc, test_io_error);
	tcase_add_test(tc, test_shutdown);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_punch);
	suite_add_tcase(s, tc);
	return s;
}
