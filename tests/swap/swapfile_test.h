/* SPDX-License-Identifier: GPL-2.0 */
/* What the swap file's suites share (check_swapfile.c, check_swapfile_fs.c). */
#ifndef TESTS_SWAP_SWAPFILE_TEST_H
#define TESTS_SWAP_SWAPFILE_TEST_H

#include <stdbool.h>
#include <stdint.h>

#include "swap/swapfile.h"
#include "tests/swap/swap_test.h"

#define MIB (1024 * 1024ULL)
#define CLUSTER_MIB 2

#define ck_swap_file_validate(f)                                          \
	do {                                                              \
		char _err[256];                                           \
		int _ret = swap_file_validate(f, _err, sizeof(_err));     \
		ck_assert_msg(_ret == 0, "swap_file_validate: %s", _err); \
	} while (0)

/* Each test's directory under /var/tmp (a disk: O_DIRECT works). */
extern char swapfile_dir[64];
void swapfile_setup(void);
void swapfile_teardown(void);
void path_in(char *buf, size_t len, const char *d, const char *name);
struct swap_file *open_file(const char *path, uint64_t size,
			    unsigned int streams, bool sparse);
/* A page of words no other (tag, i) pair has. */
void fill(void *p, uint64_t tag);
char *pages_alloc(unsigned int n, bool misaligned);
void pages_free(char *p);
void pages_setup(unsigned int n, char **buf, char **back, const void **src,
		 void **dst);
void ck_pages_kept(const void *const *src, unsigned int n);
/* Write n pages tagged tag0.. in batches of batch, read them back and
 * compare every byte. */
void round_trip(struct swap_file *f, unsigned int n, unsigned int batch,
		uint64_t tag0);
/* A mount of its own for a test (in a mount namespace of its own), or
 * false (a SKIP said why). */
void private_mounts(void);
bool mount_fs(const char *what, const char *opts, char *mnt, size_t len);
void umount_fs(const char *mnt);
/* The bytes of disk a file takes. */
long long blocks(const char *path);

#endif /* TESTS_SWAP_SWAPFILE_TEST_H */
