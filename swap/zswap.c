// SPDX-License-Identifier: GPL-2.0
/* The compressed store: same-filled pages, compression, the limit. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "swap/zsmalloc.h"
#include "swap/zswap.h"

struct zswap {
	struct zswap_config cfg;
	struct zs_pool *zs;
	struct zcomp *comp;
	/* Counters: single atomic adds, relaxed (one thing each). */
	uint64_t stored_pages, same_filled_pages, compressed_bytes;
	uint64_t zswpout, zswpin, pool_limit_hit, reject_compress_poor,
		reject_alloc_fail, reject_compress_fail, decompress_fail;
};

static void count(uint64_t *c, int64_t n)
{
	__atomic_add_fetch(c, (uint64_t)n, __ATOMIC_RELAXED);
}

static uint64_t get(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

int zswap_create(const struct zswap_config *cfg, struct zswap **out)
{
	struct zs_config zc = {
		.mm = cfg->mm,
		.nid = cfg->nid,
		.gfp = GFP_ZSWAP,
		.max_pages = cfg->max_bytes / PAGE_SIZE,
	};
	struct zswap *z;
	int ret;

	if (!cfg->mm || cfg->max_bytes < PAGE_SIZE ||
	    cfg->max_object > PAGE_SIZE)
		return -EINVAL;
	z = calloc(1, sizeof(*z));
	if (!z)
		return -ENOMEM;
	z->cfg = *cfg;
	if (!z->cfg.max_object)
		z->cfg.max_object = PAGE_SIZE * 3 / 4;
	ret = zs_create_pool(&zc, &z->zs);
	if (ret)
		goto err_free;
	ret = zcomp_create(cfg->compressor, cfg->level, &z->comp);
	if (ret)
		goto err_pool;
	*out = z;
	return 0;

err_pool:
	zs_destroy_pool(z->zs);
err_free:
	free(z);
	return ret;
}

void zswap_destroy(struct zswap *z)
{
	zcomp_destroy(z->comp);
	zs_destroy_pool(z->zs);
	free(z);
}

/*
 * Is the page one word repeated?  The last word first: most pages that
 * are not differ there already (zswap_is_page_same_filled()).
 */
static bool page_same_filled(const void *src, uint64_t *value)
{
	const uint64_t *p = src;
	const unsigned int n = PAGE_SIZE / sizeof(*p);

	if (p[n - 1] != p[0])
		return false;
	for (unsigned int i = 1; i < n - 1; i++)
		if (p[i] != p[0])
			return false;
	*value = p[0];
	return true;
}

static void fill_page(void *dst, uint64_t value)
{
	uint64_t *p = dst;

	for (unsigned int i = 0; i < PAGE_SIZE / sizeof(*p); i++)
		p[i] = value;
}

int zswap_store(struct zswap *z, const void *src, struct zswap_entry *e)
{
	uint8_t dst[PAGE_SIZE]; /* max_object is at most a page */
	unsigned long handle;
	uint64_t value;
	int len, ret;

	if (page_same_filled(src, &value)) {
		e->value = value;
		e->length = 0;
		count(&z->same_filled_pages, 1);
		goto stored;
	}
	len = zcomp_compress(z->comp, src, dst, z->cfg.max_object);
	if (len < 0) {
		count(len == -E2BIG  ? &z->reject_compress_poor :
		      len == -ENOMEM ? &z->reject_alloc_fail :
				       &z->reject_compress_fail,
		      1);
		return len;
	}
	ret = zs_malloc(z->zs, len, &handle);
	if (ret) {
		count(ret == -ENOSPC ? &z->pool_limit_hit :
				       &z->reject_alloc_fail,
		      1);
		return ret;
	}
	zs_obj_write(z->zs, handle, dst, len);
	e->handle = handle;
	e->length = len;
	count(&z->compressed_bytes, len);
stored:
	e->flags = ZSWAP_ENTRY_STORED;
	count(&z->stored_pages, 1);
	count(&z->zswpout, 1);
	return 0;
}

int zswap_load(struct zswap *z, const struct zswap_entry *e, void *dst)
{
	uint8_t src[PAGE_SIZE];
	int ret;

	if (!e->length) {
		fill_page(dst, e->value);
		count(&z->zswpin, 1);
		return 0;
	}
	zs_obj_read(z->zs, e->handle, src, e->length);
	ret = zcomp_decompress(z->comp, src, e->length, dst);
	if (ret) {
		if (ret == -EIO)
			count(&z->decompress_fail, 1);
		return ret;
	}
	count(&z->zswpin, 1);
	return 0;
}

void zswap_invalidate(struct zswap *z, struct zswap_entry *e)
{
	if (!(e->flags & ZSWAP_ENTRY_STORED))
		return; /* twice, or never stored: nothing to drop */
	if (!e->length) {
		count(&z->same_filled_pages, -1);
	} else {
		zs_free(z->zs, e->handle);
		count(&z->compressed_bytes, -(int64_t)e->length);
	}
	count(&z->stored_pages, -1);
	e->flags = 0;
}

void zswap_get_stats(struct zswap *z, struct zswap_stats *st)
{
	st->stored_pages = get(&z->stored_pages);
	st->same_filled_pages = get(&z->same_filled_pages);
	st->pool_pages = zs_get_total_pages(z->zs);
	st->compressed_bytes = get(&z->compressed_bytes);
	st->zswpout = get(&z->zswpout);
	st->zswpin = get(&z->zswpin);
	st->pool_limit_hit = get(&z->pool_limit_hit);
	st->reject_compress_poor = get(&z->reject_compress_poor);
	st->reject_alloc_fail = get(&z->reject_alloc_fail);
	st->reject_compress_fail = get(&z->reject_compress_fail);
	st->decompress_fail = get(&z->decompress_fail);
}

int zswap_validate(struct zswap *z, char *err, size_t errlen)
{
	return zs_validate(z->zs, err, errlen);
}
