// SPDX-License-Identifier: GPL-2.0
/* The swap file's suites' helpers (swapfile_test.h). */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "swap/swap_map.h"
#include "tests/swap/swapfile_test.h"

char swapfile_dir[64];

void swapfile_setup(void)
{
	strcpy(swapfile_dir, "/var/tmp/check_swapfile.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(swapfile_dir));
}

void swapfile_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", swapfile_dir);
	ck_assert_int_eq(system(cmd), 0);
}

void path_in(char *buf, size_t len, const char *d, const char *name)
{
	snprintf(buf, len, "%s/%s", d, name);
}

struct swap_file *open_file(const char *path, uint64_t size,
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
void fill(void *p, uint64_t tag)
{
	uint64_t *w = p, s = tag * 0x9e3779b97f4a7c15ULL + 1;

	for (unsigned int i = 0; i < PAGE_SIZE / 8; i++)
		w[i] = test_rand(&s) ^ tag;
}

/* Pages that start where the kernel would not take them for O_DIRECT
 * when misaligned: each 8 bytes into a page-aligned buffer. */
char *pages_alloc(unsigned int n, bool misaligned)
{
	char *p = aligned_alloc(PAGE_SIZE, (n + 1) * PAGE_SIZE);

	ck_assert_ptr_nonnull(p);
	return p + (misaligned ? 8 : 0);
}

void pages_free(char *p)
{
	free((char *)((uintptr_t)p & ~(PAGE_SIZE - 1)));
}

/* n pages tagged 0 .. n - 1 in buf (src[] points to them) and as many
 * to read them back into (dst[], in back). */
void pages_setup(unsigned int n, char **buf, char **back, const void **src,
		 void **dst)
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
void ck_pages_kept(const void *const *src, unsigned int n)
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
void round_trip(struct swap_file *f, unsigned int n, unsigned int batch,
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

/*
 * The test's mounts in a mount namespace of its own (the test runs in a
 * child Check forks): they go with it, even when it fails before its
 * umount.  Where unshare is not allowed they are the host's, and the
 * tests umount what they mount.
 */
void private_mounts(void)
{
	if (!unshare(CLONE_NEWNS))
		mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
}

/* A mount of its own for a test, or false (a SKIP said why). */
bool mount_fs(const char *what, const char *opts, char *mnt, size_t len)
{
	snprintf(mnt, len, "%s/%s", swapfile_dir, what);
	ck_assert_int_eq(mkdir(mnt, 0700), 0);
	private_mounts();
	if (!mount(what, mnt, what, 0, opts))
		return true;
	printf("SKIP swapfile on %s: cannot mount one here: %s\n", what,
	       strerror(errno));
	return false;
}

void umount_fs(const char *mnt)
{
	ck_assert_int_eq(umount(mnt), 0);
}

long long blocks(const char *path)
{
	struct stat sb;

	ck_assert_int_eq(stat(path, &sb), 0);
	return (long long)sb.st_blocks * 512;
}
