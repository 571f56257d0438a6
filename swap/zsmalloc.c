// SPDX-License-Identifier: GPL-2.0
/*
 * Size classes, zspages of pool frames, fullness groups and handles
 * (zsmalloc.h says what and why).  A zspage's metadata (its frames, its
 * map of objects in use) lives in host memory, not in its frames, so the
 * frames hold objects only and a frame's bytes are all the store's.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "swap/zsmalloc.h"
#include "util/errf.h"

/*
 * Fullness groups: ZS_EMPTY is never on a list (the zspage is freed),
 * ZS_FULL has no free object; in between, by the quarter of objects in
 * use.  Allocation takes from the fullest group first.
 */
enum fullness_group {
	ZS_EMPTY,
	ZS_INUSE_25, /* in use: up to a quarter of the objects */
	ZS_INUSE_50,
	ZS_INUSE_75,
	ZS_INUSE_99, /* more than three quarters, not all */
	ZS_FULL,
	NR_FULLNESS_GROUPS,
};

#define MAP_WORDS(objs) (((objs) + 63) / 64)
/* The most objects a zspage holds: four frames of the smallest class. */
#define ZS_MAX_OBJS (ZS_MAX_PAGES_PER_ZSPAGE * PAGE_SIZE / ZS_MIN_ALLOC_SIZE)

struct size_class;

struct zspage {
	struct size_class *class;
	struct zspage *prev, *next; /* on class->fullness_list[fullness] */
	unsigned int inuse;
	unsigned int fullness;
	pfn_t pfn[ZS_MAX_PAGES_PER_ZSPAGE];
	uint64_t used[]; /* a bit per object: allocated */
};

struct size_class {
	pthread_mutex_t lock;
	unsigned int size; /* of each object */
	unsigned int pages_per_zspage;
	unsigned int objs_per_zspage;
	/* Guarded by lock: */
	struct zspage *fullness_list[NR_FULLNESS_GROUPS];
	unsigned long zspages;
	unsigned long objs;
	uint64_t obj_bytes; /* the sizes asked for */
};

/* What a handle points to: where its object is (host memory). */
struct zs_handle {
	struct zspage *zspage;
	uint16_t obj; /* index in the zspage */
	uint16_t size; /* as asked, 1 .. PAGE_SIZE */
};

struct zs_pool {
	struct zs_config cfg;
	unsigned long pages_allocated; /* frames held or being allocated */
	/* By size index; merged classes share one (distinct[] owns them). */
	struct size_class *class_of[ZS_NR_CLASSES];
	struct size_class *distinct[ZS_NR_CLASSES];
	unsigned int nr_distinct;
};

BUILD_BUG_ON(ZS_MAX_ALLOC_SIZE > UINT16_MAX);
BUILD_BUG_ON(ZS_MAX_OBJS > UINT16_MAX);

static unsigned int class_index(size_t size)
{
	if (size <= ZS_MIN_ALLOC_SIZE)
		return 0;
	return (size - ZS_MIN_ALLOC_SIZE + ZS_SIZE_CLASS_DELTA - 1) /
	       ZS_SIZE_CLASS_DELTA;
}

/* The frames per zspage that waste the least (the fewest on a tie), as
 * zsmalloc's get_pages_per_zspage(). */
static unsigned int pages_per_zspage(unsigned int size)
{
	unsigned int best = 1;
	uint64_t best_used = 0;

	for (unsigned int n = 1; n <= ZS_MAX_PAGES_PER_ZSPAGE; n++) {
		uint64_t bytes = n * PAGE_SIZE;
		/* Used share in 1/1000s: n * PAGE_SIZE is at most 16 KiB. */
		uint64_t used = bytes / size * size * 1000 / bytes;

		if (used > best_used) {
			best = n;
			best_used = used;
		}
	}
	return best;
}

static enum fullness_group fullness_of(const struct size_class *c,
				       unsigned int inuse)
{
	if (!inuse)
		return ZS_EMPTY;
	if (inuse == c->objs_per_zspage)
		return ZS_FULL;
	/* 1 .. objs - 1 in use: the quarters 1..4. */
	return ZS_INUSE_25 + (inuse - 1) * 4 / c->objs_per_zspage;
}

/* Context (these three): class->lock held. */
static void list_del_zspage(struct size_class *c, struct zspage *z)
{
	if (z->prev)
		z->prev->next = z->next;
	else
		c->fullness_list[z->fullness] = z->next;
	if (z->next)
		z->next->prev = z->prev;
	z->prev = z->next = NULL;
}

static void list_add_zspage(struct size_class *c, struct zspage *z)
{
	struct zspage **head = &c->fullness_list[z->fullness];

	z->prev = NULL;
	z->next = *head;
	if (*head)
		(*head)->prev = z;
	*head = z;
}

/* Move z to the group its object count says, if that changed. */
static void fix_fullness(struct size_class *c, struct zspage *z)
{
	enum fullness_group g = fullness_of(c, z->inuse);

	if (g == z->fullness)
		return;
	list_del_zspage(c, z);
	z->fullness = g;
	if (g != ZS_EMPTY)
		list_add_zspage(c, z);
}

static struct size_class *class_create(unsigned int size)
{
	struct size_class *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	c->size = size;
	c->pages_per_zspage = pages_per_zspage(size);
	c->objs_per_zspage = c->pages_per_zspage * PAGE_SIZE / size;
	return c;
}

int zs_create_pool(const struct zs_config *cfg, struct zs_pool **out)
{
	struct zs_pool *pool;

	if (!cfg->mm || cfg->nid < 0 ||
	    (unsigned int)cfg->nid >= cfg->mm->nr_nodes)
		return -EINVAL;
	pool = calloc(1, sizeof(*pool));
	if (!pool)
		return -ENOMEM;
	pool->cfg = *cfg;
	/* From the largest class down, so that a class with the geometry of
	 * the one above it merges into that one (zsmalloc's can_merge()). */
	for (unsigned int i = ZS_NR_CLASSES; i-- > 0;) {
		unsigned int size = ZS_MIN_ALLOC_SIZE + i * ZS_SIZE_CLASS_DELTA;
		struct size_class *above =
			i + 1 < ZS_NR_CLASSES ? pool->class_of[i + 1] : NULL;
		unsigned int pages = pages_per_zspage(size);

		if (above && above->pages_per_zspage == pages &&
		    above->objs_per_zspage == pages * PAGE_SIZE / size) {
			pool->class_of[i] = above;
			continue;
		}
		pool->class_of[i] = class_create(size);
		if (!pool->class_of[i]) {
			zs_destroy_pool(pool);
			return -ENOMEM;
		}
		pool->distinct[pool->nr_distinct++] = pool->class_of[i];
	}
	*out = pool;
	return 0;
}

/* Take n frames from the bound, or say the pool would pass it. */
static bool reserve_pages(struct zs_pool *pool, unsigned int n)
{
	unsigned long cur =
		__atomic_load_n(&pool->pages_allocated, __ATOMIC_RELAXED);

	if (!pool->cfg.max_pages) {
		__atomic_add_fetch(&pool->pages_allocated, n, __ATOMIC_RELAXED);
		return true;
	}
	do {
		if (cur + n > pool->cfg.max_pages)
			return false;
	} while (!__atomic_compare_exchange_n(&pool->pages_allocated, &cur,
					      cur + n, false, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return true;
}

static void free_frames(struct zs_pool *pool, const pfn_t *pfn, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		frame_clear_owner(pool->cfg.mm, pfn[i]);
		__free_pages(pool->cfg.mm, pfn[i], 0);
	}
	__atomic_sub_fetch(&pool->pages_allocated, n, __ATOMIC_RELAXED);
}

/* A new zspage of class c, on no list yet.  Context: no lock held. */
static int alloc_zspage(struct zs_pool *pool, struct size_class *c,
			struct zspage **out)
{
	unsigned int n = c->pages_per_zspage;
	struct zspage *z;

	if (!reserve_pages(pool, n))
		return -ENOSPC;
	z = calloc(1, sizeof(*z) + MAP_WORDS(c->objs_per_zspage) * 8);
	if (!z) {
		__atomic_sub_fetch(&pool->pages_allocated, n, __ATOMIC_RELAXED);
		return -ENOMEM;
	}
	z->class = c;
	for (unsigned int i = 0; i < n; i++) {
		pfn_t pfn = alloc_pages_node(pool->cfg.mm, pool->cfg.nid,
					     pool->cfg.gfp, 0);

		if (pfn == PFN_NONE) {
			/* The i taken go back, the n - i not taken too. */
			free_frames(pool, z->pfn, i);
			__atomic_sub_fetch(&pool->pages_allocated, n - i,
					   __ATOMIC_RELAXED);
			free(z);
			return -ENOMEM;
		}
		/* Pinned before the owner is published (mm.h). */
		frame_set_pinned(pool->cfg.mm, pfn);
		frame_set_owner(pool->cfg.mm, pfn, FRAME_OWNER_ZSWAP, gpa(0));
		z->pfn[i] = pfn;
	}
	*out = z;
	return 0;
}

/* Give h a free object of z.  Context: class->lock held. */
static void obj_take(struct size_class *c, struct zspage *z,
		     struct zs_handle *h)
{
	for (unsigned int w = 0;; w++) {
		uint64_t free_bits = ~z->used[w];
		unsigned int obj;

		if (!free_bits)
			continue;
		obj = w * 64 + __builtin_ctzll(free_bits);
		/* A zspage off the full group has a free object below
		 * objs_per_zspage: the bits above it are never set. */
		z->used[w] |= 1ULL << (obj % 64);
		h->zspage = z;
		h->obj = obj;
		break;
	}
	z->inuse++;
	c->objs++;
	c->obj_bytes += h->size;
	fix_fullness(c, z);
}

/* The fullest zspage with a free object.  Context: class->lock held. */
static struct zspage *find_get_zspage(struct size_class *c)
{
	for (int g = ZS_INUSE_99; g >= ZS_INUSE_25; g--)
		if (c->fullness_list[g])
			return c->fullness_list[g];
	return NULL;
}

int zs_malloc(struct zs_pool *pool, size_t size, unsigned long *handle)
{
	struct size_class *c;
	struct zs_handle *h;
	struct zspage *z;
	int ret;

	if (!size || size > ZS_MAX_ALLOC_SIZE)
		return -EINVAL;
	c = pool->class_of[class_index(size)];
	h = malloc(sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->size = size;
	pthread_mutex_lock(&c->lock);
	z = find_get_zspage(c);
	if (z) {
		obj_take(c, z, h);
		pthread_mutex_unlock(&c->lock);
		*handle = (unsigned long)h;
		return 0;
	}
	pthread_mutex_unlock(&c->lock);

	/* A new zspage, its frames taken without the class lock; another
	 * thread may have made one meanwhile, as in zsmalloc: both stay. */
	ret = alloc_zspage(pool, c, &z);
	if (ret) {
		free(h);
		return ret;
	}
	pthread_mutex_lock(&c->lock);
	z->fullness = ZS_EMPTY;
	c->zspages++;
	obj_take(c, z, h);
	pthread_mutex_unlock(&c->lock);
	*handle = (unsigned long)h;
	return 0;
}

void zs_free(struct zs_pool *pool, unsigned long handle)
{
	struct zs_handle *h = (struct zs_handle *)handle;
	struct zspage *z = h->zspage;
	struct size_class *c = z->class;
	bool empty;

	pthread_mutex_lock(&c->lock);
	z->used[h->obj / 64] &= ~(1ULL << (h->obj % 64));
	z->inuse--;
	c->objs--;
	c->obj_bytes -= h->size;
	fix_fullness(c, z);
	empty = !z->inuse;
	if (empty)
		c->zspages--;
	pthread_mutex_unlock(&c->lock);
	/* Off every list: nobody else can find it any more. */
	if (empty) {
		free_frames(pool, z->pfn, c->pages_per_zspage);
		free(z);
	}
	free(h);
}

size_t zs_obj_size(unsigned long handle)
{
	return ((struct zs_handle *)handle)->size;
}

/*
 * The object's bytes [0, len) in at most two pieces: where they are in
 * the zspage's frames.  An object straddles two frames when it begins
 * too close to the end of one.
 */
struct obj_piece {
	uint8_t *p;
	size_t len;
};

static unsigned int obj_pieces(struct zs_pool *pool, unsigned long handle,
			       size_t len, struct obj_piece piece[2])
{
	const struct zs_handle *h = (const struct zs_handle *)handle;
	const struct zspage *z = h->zspage;
	size_t off = (size_t)h->obj * z->class->size;
	size_t page = off / PAGE_SIZE, in = off % PAGE_SIZE;

	if (len > h->size)
		len = h->size;
	piece[0].p = (uint8_t *)pfn_to_virt(pool->cfg.mm, z->pfn[page]) + in;
	piece[0].len = len < PAGE_SIZE - in ? len : PAGE_SIZE - in;
	if (piece[0].len == len)
		return 1;
	piece[1].p = pfn_to_virt(pool->cfg.mm, z->pfn[page + 1]);
	piece[1].len = len - piece[0].len;
	return 2;
}

void zs_obj_read(struct zs_pool *pool, unsigned long handle, void *dst,
		 size_t len)
{
	struct obj_piece piece[2];
	unsigned int n = obj_pieces(pool, handle, len, piece);

	memcpy(dst, piece[0].p, piece[0].len);
	if (n == 2)
		memcpy((uint8_t *)dst + piece[0].len, piece[1].p, piece[1].len);
}

void zs_obj_write(struct zs_pool *pool, unsigned long handle, const void *src,
		  size_t len)
{
	struct obj_piece piece[2];
	unsigned int n = obj_pieces(pool, handle, len, piece);

	memcpy(piece[0].p, src, piece[0].len);
	if (n == 2)
		memcpy(piece[1].p, (const uint8_t *)src + piece[0].len,
		       piece[1].len);
}

unsigned long zs_get_total_pages(struct zs_pool *pool)
{
	return __atomic_load_n(&pool->pages_allocated, __ATOMIC_RELAXED);
}

void zs_class_geometry(struct zs_pool *pool, size_t size, unsigned int *obj,
		       unsigned int *pages, unsigned int *objs)
{
	const struct size_class *c = pool->class_of[class_index(size)];

	*obj = c->size;
	*pages = c->pages_per_zspage;
	*objs = c->objs_per_zspage;
}

void zs_pool_stats(struct zs_pool *pool, struct zs_pool_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->pages = zs_get_total_pages(pool);
	for (unsigned int i = 0; i < pool->nr_distinct; i++) {
		struct size_class *c = pool->distinct[i];

		pthread_mutex_lock(&c->lock);
		st->zspages += c->zspages;
		st->objs += c->objs;
		st->obj_bytes += c->obj_bytes;
		st->class_bytes += (uint64_t)c->objs * c->size;
		pthread_mutex_unlock(&c->lock);
	}
}

/* A frame of the store as the pool sees it. */
static bool frame_is_store(struct zs_pool *pool, pfn_t pfn)
{
	const struct frame *f = pfn_to_frame(pool->cfg.mm, pfn);

	return READ_ONCE(f->state) == FRAME_INUSE && !READ_ONCE(f->order) &&
	       (READ_ONCE(f->flags) & FF_PINNED) &&
	       __atomic_load_n(&f->owner, __ATOMIC_ACQUIRE) ==
		       FRAME_OWNER_ZSWAP;
}

static int validate_class(struct zs_pool *pool, struct size_class *c,
			  unsigned long *pages, char *err, size_t errlen)
{
	unsigned long zspages = 0, objs = 0;

	for (int g = ZS_EMPTY; g < NR_FULLNESS_GROUPS; g++) {
		const struct zspage *prev = NULL;

		for (struct zspage *z = c->fullness_list[g]; z; z = z->next) {
			unsigned int bits = 0;

			for (unsigned int w = 0;
			     w < MAP_WORDS(c->objs_per_zspage); w++)
				bits += __builtin_popcountll(z->used[w]);
			if (z->class != c || z->prev != prev)
				return errf(
					err, errlen, -EUCLEAN,
					"class %u: a zspage of group %d is linked wrong",
					c->size, g);
			if (bits != z->inuse ||
			    z->fullness != (unsigned int)g ||
			    fullness_of(c, z->inuse) != (unsigned int)g)
				return errf(
					err, errlen, -EUCLEAN,
					"class %u: a zspage of group %d has %u objects in use, %u in its map",
					c->size, g, z->inuse, bits);
			for (unsigned int i = 0; i < c->pages_per_zspage; i++)
				if (!frame_is_store(pool, z->pfn[i]))
					return errf(
						err, errlen, -EUCLEAN,
						"class %u: pfn 0x%x is not the store's in the pool",
						c->size, z->pfn[i]);
			zspages++;
			objs += z->inuse;
			prev = z;
		}
	}
	if (zspages != c->zspages || objs != c->objs)
		return errf(
			err, errlen, -EUCLEAN,
			"class %u: %lu zspages and %lu objects on its lists, counted %lu and %lu",
			c->size, zspages, objs, c->zspages, c->objs);
	*pages += zspages * c->pages_per_zspage;
	return 0;
}

int zs_validate(struct zs_pool *pool, char *err, size_t errlen)
{
	unsigned long pages = 0;
	int ret = 0;

	for (unsigned int i = 0; i < pool->nr_distinct && !ret; i++) {
		struct size_class *c = pool->distinct[i];

		pthread_mutex_lock(&c->lock);
		ret = validate_class(pool, c, &pages, err, errlen);
		pthread_mutex_unlock(&c->lock);
	}
	if (!ret && pages != zs_get_total_pages(pool))
		ret = errf(err, errlen, -EUCLEAN,
			   "%lu frames in zspages, %lu counted", pages,
			   zs_get_total_pages(pool));
	return ret;
}

void zs_destroy_pool(struct zs_pool *pool)
{
	for (unsigned int i = 0; i < pool->nr_distinct; i++) {
		struct size_class *c = pool->distinct[i];

		for (int g = 0; g < NR_FULLNESS_GROUPS; g++) {
			struct zspage *z = c->fullness_list[g], *next;

			for (; z; z = next) {
				next = z->next;
				free_frames(pool, z->pfn, c->pages_per_zspage);
				free(z);
			}
		}
		pthread_mutex_destroy(&c->lock);
		free(c);
	}
	free(pool);
}
