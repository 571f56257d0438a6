// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "tests/mm/fake_guest.h"

#define ADD(field, v) __atomic_add_fetch(&(field), (v), __ATOMIC_RELAXED)

/* The words of a guest page: its owner and gpa, mixed per word. */
static uint64_t signature(uint16_t owner, unsigned long page, unsigned int i)
{
	uint64_t x = ((uint64_t)owner << 48) ^ ((uint64_t)page << 12) ^ i;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static void write_signature(struct mm_pool *pool, pfn_t pfn, uint16_t owner,
			    unsigned long page)
{
	uint64_t *w = pfn_to_virt(pool, pfn);

	for (unsigned int i = 0; i < PAGE_SIZE / 8; i++)
		w[i] = signature(owner, page, i);
}

static bool check_signature(struct mm_pool *pool, pfn_t pfn, uint16_t owner,
			    unsigned long page)
{
	const uint64_t *w = pfn_to_virt(pool, pfn);

	for (unsigned int i = 0; i < PAGE_SIZE / 8; i++)
		if (w[i] != signature(owner, page, i))
			return false;
	return true;
}

static void violation(struct fake_guests *fg, const char *fmt, ...)
{
	va_list ap;

	if (ADD(fg->violations, 1) != 1)
		return;
	va_start(ap, fmt);
	vsnprintf(fg->why, sizeof(fg->why), fmt, ap);
	va_end(ap);
}

static struct fake_guest *guest_of(struct fake_guests *fg, uint16_t owner)
{
	return owner >= 1 && owner <= fg->n ? &fg->g[owner - 1] : NULL;
}

/* Does compaction hand over what the contract says? */
static bool check_request(struct fake_guests *fg, const struct migrate_req *r)
{
	struct mm_pool *pool = fg->pool;
	struct frame *nf;

	if (!pfn_valid(pool, r->old_pfn) || !pfn_valid(pool, r->new_pfn)) {
		violation(fg, "pfns 0x%x -> 0x%x out of the pool", r->old_pfn,
			  r->new_pfn);
		return false;
	}
	nf = pfn_to_frame(pool, r->new_pfn);
	if (frame_state(nf) != FRAME_INUSE || READ_ONCE(nf->order) ||
	    READ_ONCE(nf->owner) != FRAME_OWNER_NONE) {
		violation(fg, "target 0x%x is state %u order %u owner %u",
			  r->new_pfn, frame_state(nf), READ_ONCE(nf->order),
			  READ_ONCE(nf->owner));
		return false;
	}
	if (page_zone(pool, r->new_pfn) != page_zone(pool, r->old_pfn))
		violation(fg, "0x%x -> 0x%x leaves the zone", r->old_pfn,
			  r->new_pfn);
	if (get_pageblock_migratetype(pool, r->new_pfn) != MIGRATE_MOVABLE)
		violation(fg, "target 0x%x is in a %s pageblock", r->new_pfn,
			  migratetype_name(
				  get_pageblock_migratetype(pool, r->new_pfn)));
	if (get_pageblock_migratetype(pool, r->old_pfn) != MIGRATE_MOVABLE)
		violation(fg, "source 0x%x is in a %s pageblock", r->old_pfn,
			  migratetype_name(
				  get_pageblock_migratetype(pool, r->old_pfn)));
	if ((r->new_pfn >> pageblock_order) <= (r->old_pfn >> pageblock_order))
		ADD(fg->down_moves, 1);
	return true;
}

/* One request, under the owner's lock, as guest_mem_migrate() does. */
static int migrate_one(struct fake_guests *fg, struct migrate_req *r)
{
	struct mm_pool *pool = fg->pool;
	struct fake_guest *g = guest_of(fg, r->owner);
	unsigned long page = r->gpa.val >> PAGE_SHIFT;
	int ret = 0;

	if (!check_request(fg, r))
		return -EINVAL;
	if (!g || page >= g->npages || (r->gpa.val & (PAGE_SIZE - 1)))
		return -EAGAIN;
	pthread_mutex_lock(&g->lock);
	if (READ_ONCE(g->map[page]) != r->old_pfn) {
		ret = -EAGAIN; /* freed or moved since the scanner looked */
		goto out;
	}
	if (frame_flags(pfn_to_frame(pool, r->old_pfn)) & FF_PINNED) {
		violation(fg, "pinned 0x%x (guest %u page %lu) asked to move",
			  r->old_pfn, r->owner, page);
		ret = -EBUSY;
		goto out;
	}
	if (fg->fail_every && ADD(fg->reqs, 0) % fg->fail_every == 0) {
		ret = -EAGAIN;
		if (fg->free_on_fail) {
			/* The owner discards the page just now. */
			frame_clear_owner(pool, r->old_pfn);
			WRITE_ONCE(g->map[page], PFN_NONE);
			__free_pages(pool, r->old_pfn, 0);
		}
		goto out;
	}
	memcpy(pfn_to_virt(pool, r->new_pfn), pfn_to_virt(pool, r->old_pfn),
	       PAGE_SIZE);
	/* Old owner off, map over, new owner on (guest_mem_migrate()). */
	frame_clear_owner(pool, r->old_pfn);
	WRITE_ONCE(g->map[page], r->new_pfn);
	frame_set_owner(pool, r->new_pfn, g->id, r->gpa);
	__free_pages(pool, r->old_pfn, 0);
	count_vm_event(pool, PGMIGRATE_SUCCESS);
out:
	pthread_mutex_unlock(&g->lock);
	if (ret == -EAGAIN)
		ADD(fg->eagain, 1);
	if (ret == -EBUSY)
		ADD(fg->ebusy, 1);
	if (ret)
		count_vm_event(pool, PGMIGRATE_FAIL);
	return ret;
}

static unsigned int fake_migrate_pages(void *priv, struct migrate_req *req,
				       unsigned int nr)
{
	struct fake_guests *fg = priv;
	unsigned long max = __atomic_load_n(&fg->max_batch, __ATOMIC_RELAXED);
	unsigned int done = 0;

	ADD(fg->calls, 1);
	if (fg->delay_us)
		usleep(fg->delay_us);
	if (fg->validate) {
		struct zone *zone = page_zone(fg->pool, req[0].new_pfn);
		unsigned long isolated;
		char err[256];

		/* The targets are in use, maybe more are isolated: the
		 * invariants hold all the same. */
		if (mm_validate(fg->pool, err, sizeof(err)))
			violation(fg, "mm_validate in the op: %s", err);
		pthread_mutex_lock(&zone->lock);
		isolated = zone->nr_isolated_pages;
		pthread_mutex_unlock(&zone->lock);
		if (isolated)
			ADD(fg->saw_isolated, 1);
	}
	while (nr > max &&
	       !__atomic_compare_exchange_n(&fg->max_batch, &max, nr, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	for (unsigned int i = 0; i < nr; i++) {
		ADD(fg->reqs, 1);
		req[i].result = migrate_one(fg, &req[i]);
		if (!req[i].result) {
			done++;
			ADD(fg->moved, 1);
		}
	}
	return done;
}

/* Lockless, as mm_validate() holds every mm lock meanwhile. */
static bool fake_rmap_check(void *priv, uint16_t owner, gpa_t gpa, pfn_t pfn)
{
	struct fake_guest *g = guest_of(priv, owner);
	unsigned long page = gpa.val >> PAGE_SHIFT;

	return g && page < g->npages && READ_ONCE(g->map[page]) == pfn;
}

void fake_guests_init(struct fake_guests *fg, struct mm_pool *pool,
		      unsigned int n, unsigned long npages)
{
	struct mm_ops ops = {
		.priv = fg,
		.migrate_pages = fake_migrate_pages,
		.rmap_check = fake_rmap_check,
	};

	ck_assert_uint_le(n, FAKE_GUESTS_MAX);
	memset(fg, 0, sizeof(*fg));
	fg->pool = pool;
	fg->n = n;
	for (unsigned int i = 0; i < n; i++) {
		struct fake_guest *g = &fg->g[i];

		g->id = i + 1;
		g->npages = npages;
		g->map = malloc(npages * sizeof(*g->map));
		g->pinned = calloc(npages, sizeof(*g->pinned));
		ck_assert(g->map && g->pinned);
		for (unsigned long p = 0; p < npages; p++)
			g->map[p] = PFN_NONE;
		pthread_mutex_init(&g->lock, NULL);
	}
	mm_set_ops(pool, &ops);
}

void fake_guests_destroy(struct fake_guests *fg)
{
	for (unsigned int i = 0; i < fg->n; i++) {
		struct fake_guest *g = &fg->g[i];

		for (unsigned long p = 0; p < g->npages; p++)
			fake_guest_discard(fg, i, p);
		free(g->map);
		free(g->pinned);
		pthread_mutex_destroy(&g->lock);
	}
	fg->n = 0;
}

pfn_t fake_guest_fault(struct fake_guests *fg, unsigned int gi,
		       unsigned long page, gfp_t gfp, bool pinned)
{
	struct fake_guest *g = &fg->g[gi];
	pfn_t pfn;

	if (READ_ONCE(g->map[page]) != PFN_NONE)
		return PFN_NONE;
	pfn = __alloc_pages(fg->pool, gfp | __GFP_NOWARN, 0, 0, NULL);
	if (pfn == PFN_NONE)
		return PFN_NONE;
	/* Contents and pin before the mapping publishes the page. */
	write_signature(fg->pool, pfn, g->id, page);
	if (pinned)
		frame_set_pinned(fg->pool, pfn);
	pthread_mutex_lock(&g->lock);
	if (g->map[page] != PFN_NONE) {
		pthread_mutex_unlock(&g->lock);
		__free_pages(fg->pool, pfn, 0);
		return PFN_NONE;
	}
	WRITE_ONCE(g->map[page], pfn);
	g->pinned[page] = pinned;
	frame_set_owner(fg->pool, pfn, g->id,
			gpa((uint64_t)page << PAGE_SHIFT));
	pthread_mutex_unlock(&g->lock);
	return pfn;
}

bool fake_guest_discard(struct fake_guests *fg, unsigned int gi,
			unsigned long page)
{
	struct fake_guest *g = &fg->g[gi];
	pfn_t pfn;

	pthread_mutex_lock(&g->lock);
	pfn = g->map[page];
	if (pfn != PFN_NONE) {
		frame_clear_owner(fg->pool, pfn);
		WRITE_ONCE(g->map[page], PFN_NONE);
		g->pinned[page] = false;
		__free_pages(fg->pool, pfn, 0);
	}
	pthread_mutex_unlock(&g->lock);
	return pfn != PFN_NONE;
}

unsigned long fake_guests_verify(struct fake_guests *fg)
{
	unsigned long bad = 0;

	for (unsigned int i = 0; i < fg->n; i++) {
		struct fake_guest *g = &fg->g[i];

		pthread_mutex_lock(&g->lock);
		for (unsigned long p = 0; p < g->npages; p++)
			if (g->map[p] != PFN_NONE &&
			    !check_signature(fg->pool, g->map[p], g->id, p))
				bad++;
		pthread_mutex_unlock(&g->lock);
	}
	return bad;
}

unsigned long fake_guests_pages(struct fake_guests *fg)
{
	unsigned long n = 0;

	for (unsigned int i = 0; i < fg->n; i++) {
		struct fake_guest *g = &fg->g[i];

		pthread_mutex_lock(&g->lock);
		for (unsigned long p = 0; p < g->npages; p++)
			n += g->map[p] != PFN_NONE;
		pthread_mutex_unlock(&g->lock);
	}
	return n;
}

bool fake_guests_find(struct fake_guests *fg, pfn_t pfn, unsigned int *gi,
		      unsigned long *page)
{
	struct frame *f = pfn_to_frame(fg->pool, pfn);
	struct fake_guest *g;
	unsigned long p;

	if (frame_state(f) != FRAME_INUSE)
		return false;
	g = guest_of(fg, READ_ONCE(f->owner));
	if (!g)
		return false;
	p = READ_ONCE(f->gpa) >> PAGE_SHIFT;
	if (p >= g->npages || READ_ONCE(g->map[p]) != pfn)
		return false;
	*gi = g->id - 1;
	*page = p;
	return true;
}
