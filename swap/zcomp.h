/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page compressors, as zram's zcomp: lz4 (the fault path's: a page in
 * about a microsecond each way) and zstd at a level (denser, several
 * times slower; docs/PERFORMANCE.md).  lz4 needs no state; zstd needs a
 * context per concurrent user, which zcomp keeps in an idle list (zcomp's
 * old multi-stream way): a caller takes one, uses it, gives it back, and
 * a new one is made when all are busy.  No thread-local state, so any
 * thread may compress, and the store outlives no thread's exit.
 */
#ifndef SWAP_ZCOMP_H
#define SWAP_ZCOMP_H

#include <stddef.h>

enum zcomp_alg {
	ZCOMP_LZ4,
	ZCOMP_ZSTD,
	NR_ZCOMP_ALGS,
};

struct zcomp;

/* level: zstd's compression level (1 is zswap's usual); lz4 ignores it. */
int zcomp_create(enum zcomp_alg alg, int level, struct zcomp **out);
/* Context: nobody uses zc any more. */
void zcomp_destroy(struct zcomp *zc);
const char *zcomp_name(enum zcomp_alg alg);
/* "lz4", "zstd": the algorithm, or -EINVAL. */
int zcomp_lookup(const char *name);

/*
 * Compress the page at src into dst, at most dst_len bytes: the length,
 * or -E2BIG when it does not fit (the page compresses worse than that),
 * -ENOMEM (no context), -EIO (the library failed).  Context: any thread,
 * concurrently.
 */
int zcomp_compress(struct zcomp *zc, const void *src, void *dst,
		   size_t dst_len);
/* Decompress len bytes at src into the page at dst: 0, or -EIO when src
 * is not a page's compressed form (corrupt), -ENOMEM. */
int zcomp_decompress(struct zcomp *zc, const void *src, size_t len, void *dst);

#endif /* SWAP_ZCOMP_H */
