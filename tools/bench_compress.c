// SPDX-License-Identifier: GPL-2.0
/*
 * bench_compress: what the cold tier pays per page, on the pages the
 * guest makes (guest/fill.h) at ratios 2, 3 and 4 and on zero pages,
 * with the copy of a page as the baseline, in one run.
 *
 *   baseline.memcpy_page_ns          copy one 4 KiB page to another
 *   fill.rR.page_ns, .check_ns       the guest's generator and check
 *   lz4.rR.compress_ns, .decompress_ns, .ratio
 *   zstd1.rR.compress_ns, .decompress_ns, .ratio   (zstd level 1)
 *   lz4.zero.compress_ns, .ratio     a zero page through the compressor
 *   zswap.lz4.rR.store_ns, .load_ns, .invalidate_ns, .frames_ratio
 *   zswap.zstd1.r3.store_ns, .load_ns, .frames_ratio
 *   zswap.zero.store_ns, .load_ns    the same-filled path: no compressor
 *
 * Each time is per page, in the thread's CPU time: the median of BATCHES
 * passes over PAGES distinct pages (16 MiB, more than the caches hold),
 * after one unmeasured pass.  ratio: bytes in over bytes out; frames_ratio: pages
 * stored per pool frame the store holds for them (Zswapped / Zswap,
 * fragmentation included).
 */
#include <lz4.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zstd.h>

#include "guest/fill.h"
#include "mm/mm.h"
#include "swap/zswap.h"

#define PAGES 4096
#define BATCHES 21

static uint8_t *pages, *copy, *out;
static int out_len[PAGES];

/* The thread's CPU time: the work is all CPU, and the machine is shared,
 * so time spent preempted is left out. */
static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static uint8_t *page(uint8_t *base, unsigned int i)
{
	return base + (size_t)i * PAGE_SIZE;
}

/* A compressed page's slot: room for any page's worst case. */
#define OUT_SLOT LZ4_COMPRESSBOUND(PAGE_SIZE)

static uint8_t *slot(unsigned int i)
{
	return out + (size_t)i * OUT_SLOT;
}

static uint64_t page_gpa(unsigned int i)
{
	return (2ULL << 20) + (uint64_t)i * 4096;
}

static void make_pages(unsigned int r)
{
	for (unsigned int i = 0; i < PAGES; i++) {
		if (r)
			fill_page((uint64_t *)page(pages, i), page_gpa(i),
				  1 + i % 255, r);
		else
			memset(page(pages, i), 0, PAGE_SIZE);
	}
}

/* One pass of an operation over every page; returns ns per page. */
typedef int (*pass_fn)(unsigned int i, void *arg);

static double timed(pass_fn fn, void *arg, pass_fn undo)
{
	double v[BATCHES];

	for (int b = -1; b < BATCHES; b++) {
		uint64_t t0 = now_ns();

		for (unsigned int i = 0; i < PAGES; i++)
			if (fn(i, arg)) {
				fprintf(stderr,
					"bench_compress: page %u failed\n", i);
				exit(1);
			}
		if (b >= 0)
			v[b] = (double)(now_ns() - t0) / PAGES;
		if (undo)
			for (unsigned int i = 0; i < PAGES; i++)
				undo(i, arg);
	}
	qsort(v, BATCHES, sizeof(v[0]), cmp_double);
	return v[BATCHES / 2];
}

static int do_memcpy(unsigned int i, void *arg)
{
	(void)arg;
	memcpy(page(copy, i), page(pages, i), PAGE_SIZE);
	return 0;
}

static int do_fill(unsigned int i, void *arg)
{
	fill_page((uint64_t *)page(copy, i), page_gpa(i), 1 + i % 255,
		  *(unsigned int *)arg);
	return 0;
}

static int do_check(unsigned int i, void *arg)
{
	return fill_check((uint64_t *)page(pages, i), page_gpa(i), 1 + i % 255,
			  *(unsigned int *)arg) != -1;
}

static int lz4_c(unsigned int i, void *arg)
{
	(void)arg;
	out_len[i] = LZ4_compress_default((const char *)page(pages, i),
					  (char *)slot(i), PAGE_SIZE, OUT_SLOT);
	return out_len[i] <= 0;
}

static int lz4_d(unsigned int i, void *arg)
{
	(void)arg;
	return LZ4_decompress_safe((const char *)slot(i), (char *)page(copy, i),
				   out_len[i], PAGE_SIZE) != PAGE_SIZE;
}

static int zstd_c(unsigned int i, void *arg)
{
	size_t n = ZSTD_compressCCtx(arg, slot(i), OUT_SLOT, page(pages, i),
				     PAGE_SIZE, 1);

	out_len[i] = n;
	return ZSTD_isError(n);
}

static int zstd_d(unsigned int i, void *arg)
{
	return ZSTD_decompressDCtx(arg, page(copy, i), PAGE_SIZE, slot(i),
				   out_len[i]) != PAGE_SIZE;
}

static double out_ratio(void)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < PAGES; i++)
		n += out_len[i];
	return (double)PAGES * PAGE_SIZE / n;
}

static void same_as_copy(const char *what)
{
	if (memcmp(pages, copy, (size_t)PAGES * PAGE_SIZE)) {
		fprintf(stderr, "bench_compress: %s gave other pages back\n",
			what);
		exit(1);
	}
}

static void codecs(const char *name, unsigned int r)
{
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	ZSTD_DCtx *dctx = ZSTD_createDCtx();
	double c, d;

	if (!cctx || !dctx) {
		fprintf(stderr, "bench_compress: no zstd context\n");
		exit(1);
	}
	make_pages(r);
	c = timed(lz4_c, NULL, NULL);
	d = timed(lz4_d, NULL, NULL);
	same_as_copy("lz4");
	printf("lz4.%s.compress_ns %.0f ns\n", name, c);
	printf("lz4.%s.decompress_ns %.0f ns\n", name, d);
	printf("lz4.%s.ratio %.2f ratio\n", name, out_ratio());
	if (r) {
		c = timed(zstd_c, cctx, NULL);
		d = timed(zstd_d, dctx, NULL);
		same_as_copy("zstd");
		printf("zstd1.%s.compress_ns %.0f ns\n", name, c);
		printf("zstd1.%s.decompress_ns %.0f ns\n", name, d);
		printf("zstd1.%s.ratio %.2f ratio\n", name, out_ratio());
	}
	ZSTD_freeCCtx(cctx);
	ZSTD_freeDCtx(dctx);
}

/* The store: put every page, get every page, drop every page. */
static struct zswap_entry entry[PAGES];

static int z_store(unsigned int i, void *z)
{
	entry[i] = (struct zswap_entry){ 0 };
	return zswap_store(z, page(pages, i), &entry[i]);
}

static int z_load(unsigned int i, void *z)
{
	return zswap_load(z, &entry[i], page(copy, i));
}

static int z_invalidate(unsigned int i, void *z)
{
	zswap_invalidate(z, &entry[i]);
	return 0;
}

static void store(struct mm_pool *mm, const char *name, enum zcomp_alg alg,
		  unsigned int r)
{
	struct zswap_config cfg = {
		.mm = mm,
		.max_bytes = (uint64_t)PAGES * PAGE_SIZE,
		.compressor = alg,
		.level = 1,
	};
	struct zswap_stats st;
	double put, get, inval;
	struct zswap *z;
	int ret = zswap_create(&cfg, &z);

	if (ret) {
		fprintf(stderr, "bench_compress: zswap_create: %s\n",
			strerror(-ret));
		exit(1);
	}
	make_pages(r);
	/* A put's pass is undone by invalidating, a get's by nothing. */
	put = timed(z_store, z, z_invalidate);
	for (unsigned int i = 0; i < PAGES; i++)
		if (z_store(i, z))
			exit(1);
	zswap_get_stats(z, &st);
	get = timed(z_load, z, NULL);
	same_as_copy("the store");
	inval = timed(z_invalidate, z, z_store);
	for (unsigned int i = 0; i < PAGES; i++)
		z_invalidate(i, z);
	printf("zswap.%s.store_ns %.0f ns\n", name, put);
	printf("zswap.%s.load_ns %.0f ns\n", name, get);
	printf("zswap.%s.invalidate_ns %.0f ns\n", name, inval);
	if (st.pool_pages)
		printf("zswap.%s.frames_ratio %.2f ratio\n", name,
		       (double)st.stored_pages / st.pool_pages);
	zswap_destroy(z);
}

int main(int argc, char **argv)
{
	static const unsigned int ratios[] = { 2, 3, 4 };
	struct mm_config mc = {
		.pool_bytes = 64ULL << 20,
		.nr_nodes = 1,
		.quiet = true,
	};
	struct mm_pool *mm;
	char err[256], name[16];

	if (argc > 1) {
		fprintf(stderr, "usage: %s (no arguments)\n", argv[0]);
		return 2;
	}
	pages = aligned_alloc(PAGE_SIZE, (size_t)PAGES * PAGE_SIZE);
	copy = aligned_alloc(PAGE_SIZE, (size_t)PAGES * PAGE_SIZE);
	out = malloc((size_t)PAGES * OUT_SLOT);
	if (!pages || !copy || !out ||
	    mm_pool_create(&mc, &mm, err, sizeof(err))) {
		fprintf(stderr, "bench_compress: set-up failed: %s\n", err);
		return 1;
	}
	make_pages(3);
	printf("baseline.memcpy_page_ns %.0f ns\n",
	       timed(do_memcpy, NULL, NULL));
	for (unsigned int i = 0; i < 3; i++) {
		unsigned int r = ratios[i];

		make_pages(r);
		snprintf(name, sizeof(name), "r%u", r);
		printf("fill.%s.page_ns %.0f ns\n", name,
		       timed(do_fill, &r, NULL));
		printf("fill.%s.check_ns %.0f ns\n", name,
		       timed(do_check, &r, NULL));
		codecs(name, r);
	}
	codecs("zero", 0);
	for (unsigned int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "lz4.r%u", ratios[i]);
		store(mm, name, ZCOMP_LZ4, ratios[i]);
	}
	store(mm, "zstd1.r3", ZCOMP_ZSTD, 3);
	store(mm, "zero", ZCOMP_LZ4, 0);
	mm_pool_destroy(mm);
	free(pages);
	free(copy);
	free(out);
	return 0;
}
