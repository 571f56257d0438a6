// SPDX-License-Identifier: GPL-2.0
/* lz4 and zstd behind one interface; zstd's contexts in an idle list. */
#include <errno.h>
#include <lz4.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "mm/types.h"
#include "swap/zcomp.h"

/* One user's zstd contexts, on zc->idle while nobody uses them. */
struct zcomp_strm {
	ZSTD_CCtx *cctx;
	ZSTD_DCtx *dctx;
	struct zcomp_strm *next;
};

struct zcomp {
	enum zcomp_alg alg;
	int level;
	pthread_mutex_t lock; /* guards idle */
	struct zcomp_strm *idle;
};

static const char *const names[NR_ZCOMP_ALGS] = {
	[ZCOMP_LZ4] = "lz4",
	[ZCOMP_ZSTD] = "zstd",
};

const char *zcomp_name(enum zcomp_alg alg)
{
	return (unsigned int)alg < NR_ZCOMP_ALGS ? names[alg] : "?";
}

int zcomp_lookup(const char *name)
{
	for (int i = 0; i < NR_ZCOMP_ALGS; i++)
		if (!strcmp(name, names[i]))
			return i;
	return -EINVAL;
}

int zcomp_create(enum zcomp_alg alg, int level, struct zcomp **out)
{
	struct zcomp *zc;

	if ((unsigned int)alg >= NR_ZCOMP_ALGS ||
	    (alg == ZCOMP_ZSTD &&
	     (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel())))
		return -EINVAL;
	zc = calloc(1, sizeof(*zc));
	if (!zc)
		return -ENOMEM;
	zc->alg = alg;
	zc->level = level;
	pthread_mutex_init(&zc->lock, NULL);
	*out = zc;
	return 0;
}

static void strm_free(struct zcomp_strm *s)
{
	ZSTD_freeCCtx(s->cctx);
	ZSTD_freeDCtx(s->dctx);
	free(s);
}

void zcomp_destroy(struct zcomp *zc)
{
	while (zc->idle) {
		struct zcomp_strm *s = zc->idle;

		zc->idle = s->next;
		strm_free(s);
	}
	pthread_mutex_destroy(&zc->lock);
	free(zc);
}

/* An idle stream, or a new one: NULL only when memory runs out. */
static struct zcomp_strm *strm_get(struct zcomp *zc)
{
	struct zcomp_strm *s;

	pthread_mutex_lock(&zc->lock);
	s = zc->idle;
	if (s)
		zc->idle = s->next;
	pthread_mutex_unlock(&zc->lock);
	if (s)
		return s;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->cctx = ZSTD_createCCtx();
	s->dctx = ZSTD_createDCtx();
	if (!s->cctx || !s->dctx ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(
		    s->cctx, ZSTD_c_compressionLevel, zc->level))) {
		strm_free(s);
		return NULL;
	}
	return s;
}

static void strm_put(struct zcomp *zc, struct zcomp_strm *s)
{
	pthread_mutex_lock(&zc->lock);
	s->next = zc->idle;
	zc->idle = s;
	pthread_mutex_unlock(&zc->lock);
}

int zcomp_compress(struct zcomp *zc, const void *src, void *dst, size_t dst_len)
{
	struct zcomp_strm *s;
	size_t n;

	if (zc->alg == ZCOMP_LZ4) {
		/* 0: the output would pass dst_len. */
		int ret = LZ4_compress_default(src, dst, PAGE_SIZE, dst_len);

		return ret > 0 ? ret : -E2BIG;
	}
	s = strm_get(zc);
	if (!s)
		return -ENOMEM;
	n = ZSTD_compress2(s->cctx, dst, dst_len, src, PAGE_SIZE);
	strm_put(zc, s);
	if (!ZSTD_isError(n))
		return n;
	return ZSTD_getErrorCode(n) == ZSTD_error_dstSize_tooSmall ? -E2BIG :
								     -EIO;
}

int zcomp_decompress(struct zcomp *zc, const void *src, size_t len, void *dst)
{
	struct zcomp_strm *s;
	size_t n;

	if (zc->alg == ZCOMP_LZ4)
		return LZ4_decompress_safe(src, dst, len, PAGE_SIZE) ==
				       PAGE_SIZE ?
			       0 :
			       -EIO;
	s = strm_get(zc);
	if (!s)
		return -ENOMEM;
	n = ZSTD_decompressDCtx(s->dctx, dst, PAGE_SIZE, src, len);
	strm_put(zc, s);
	return n == PAGE_SIZE ? 0 : -EIO;
}
