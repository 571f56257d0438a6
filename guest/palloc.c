// SPDX-License-Identifier: GPL-2.0
#include "guest/palloc.h"
#include "guest/console.h"
#include "guest/io.h"
#include "guest/kernel.h"
#include "guest/lib.h"

#define MAP_WORDS (CHUNK_PAGES / 64)

struct pchunk {
	uint64_t map[MAP_WORDS]; /* bit set = page free */
	uint32_t nr_free;
	uint32_t flags;
};

#define CHUNK_PINNED 1 /* overlaps the pinned range: never ballooned */
#define CHUNK_REPORTED 2 /* whole, free, and the host knows it */

struct pnode {
	uint64_t start_pfn; /* 2 MiB aligned */
	uint32_t nr_chunks;
	uint32_t first_free; /* no free page in chunks below this */
	uint32_t nr_partial; /* chunks with 0 < nr_free < CHUNK_PAGES */
	uint64_t nr_free;
	uint64_t nr_whole;
	struct pchunk *chunk;
};

static struct pnode nodes[GUEST_MAX_NODES];
static unsigned int nr_nodes;
static uint64_t first_pfn;
static struct spinlock lock;

static bool is_partial(uint32_t nr_free)
{
	return nr_free && nr_free < CHUNK_PAGES;
}

/* Account a chunk's change of free count (lock held). */
static void __chunk_update(struct pnode *n, struct pchunk *c, uint32_t new)
{
	n->nr_partial += (int)is_partial(new) - (int)is_partial(c->nr_free);
	n->nr_whole +=
		(int)(new == CHUNK_PAGES) - (int)(c->nr_free == CHUNK_PAGES);
	n->nr_free += (int64_t) new - (int64_t)c->nr_free;
	/* Any allocation from it: its contents are no longer discardable. */
	if (new < c->nr_free)
		c->flags &= ~CHUNK_REPORTED;
	c->nr_free = new;
}

int palloc_init(uint64_t extra, void **extra_out)
{
	const struct guest_bootinfo *bi = kernel.bi;
	uint64_t meta = 0, carve, end;
	char *p;

	nr_nodes = bi->nr_nodes;
	for (unsigned int i = 0; i < nr_nodes; i++)
		meta += bi->node[i].size / CHUNK_SIZE * sizeof(struct pchunk);
	carve = ALIGN_UP((uint64_t)(uintptr_t)__kernel_end, PAGE_SIZE);
	carve = MAX(carve, GUEST_RAM_START);
	end = ALIGN_UP(carve + meta + extra, PAGE_SIZE);
	if (end > bi->node[0].start + bi->node[0].size) {
		panic_report("no room for allocator metadata");
		return -1;
	}
	p = (char *)(uintptr_t)carve;
	memset(p, 0, end - carve);
	*extra_out = p + meta;
	first_pfn = end >> PAGE_SHIFT;

	for (unsigned int i = 0; i < nr_nodes; i++) {
		struct pnode *n = &nodes[i];
		uint64_t pin_lo = bi->pinned_start >> PAGE_SHIFT;
		uint64_t pin_hi = pin_lo + (bi->pinned_size >> PAGE_SHIFT);

		n->start_pfn = bi->node[i].start >> PAGE_SHIFT;
		n->nr_chunks = bi->node[i].size / CHUNK_SIZE;
		n->chunk = (struct pchunk *)p;
		p += n->nr_chunks * sizeof(struct pchunk);
		for (uint32_t c = 0; c < n->nr_chunks; c++) {
			struct pchunk *ch = &n->chunk[c];
			uint64_t base =
				n->start_pfn + (uint64_t)c * CHUNK_PAGES;
			uint32_t nr = 0;

			for (uint32_t b = 0; b < CHUNK_PAGES; b++) {
				if (base + b < first_pfn)
					continue;
				ch->map[b / 64] |= 1ULL << (b % 64);
				nr++;
			}
			if (base < pin_hi && base + CHUNK_PAGES > pin_lo)
				ch->flags |= CHUNK_PINNED;
			__chunk_update(n, ch, nr);
		}
	}
	return 0;
}

/* Take the first run of free pages in c, at most max (lock held). */
static uint32_t __take_run(struct pchunk *c, uint32_t max, uint32_t *first)
{
	uint32_t b = 0, n = 0;

	for (unsigned int w = 0; w < MAP_WORDS; w++) {
		if (c->map[w]) {
			b = w * 64 + __builtin_ctzll(c->map[w]);
			break;
		}
	}
	*first = b;
	while (b < CHUNK_PAGES && n < max &&
	       (c->map[b / 64] & (1ULL << (b % 64)))) {
		c->map[b / 64] &= ~(1ULL << (b % 64));
		b++;
		n++;
	}
	return n;
}

/* Up to max free pages from one chunk of node without any of the skip
 * flags: partly used chunks first. */
static uint32_t alloc_run(unsigned int node, uint32_t max, uint32_t skip,
			  uint64_t *pfn)
{
	struct pnode *n = &nodes[node];
	uint32_t got = 0, first;

	if (node >= nr_nodes || !max)
		return 0;
	spin_lock(&lock);
	for (uint32_t i = n->first_free; i < n->nr_chunks; i++) {
		struct pchunk *c = &n->chunk[i];

		/* Partly used chunks first: keep whole chunks whole. */
		if (!c->nr_free || (c->flags & skip) ||
		    (n->nr_partial && !is_partial(c->nr_free)))
			continue;
		got = __take_run(c, MIN(max, (uint32_t)CHUNK_PAGES), &first);
		__chunk_update(n, c, c->nr_free - got);
		*pfn = n->start_pfn + (uint64_t)i * CHUNK_PAGES + first;
		break;
	}
	if (!got && n->nr_free) {
		/* nr_partial said "partial first" but none was above the
		 * hint (or all were skipped): take any chunk. */
		for (uint32_t i = n->first_free; i < n->nr_chunks; i++) {
			struct pchunk *c = &n->chunk[i];

			if (!c->nr_free || (c->flags & skip))
				continue;
			got = __take_run(c, MIN(max, (uint32_t)CHUNK_PAGES),
					 &first);
			__chunk_update(n, c, c->nr_free - got);
			*pfn = n->start_pfn + (uint64_t)i * CHUNK_PAGES + first;
			break;
		}
	}
	while (n->first_free < n->nr_chunks && !n->chunk[n->first_free].nr_free)
		n->first_free++;
	spin_unlock(&lock);
	return got;
}

uint32_t palloc_alloc_run(unsigned int node, uint32_t max, uint64_t *pfn)
{
	return alloc_run(node, max, 0, pfn);
}

uint32_t palloc_alloc_run_unpinned(unsigned int node, uint32_t max,
				   uint64_t *pfn)
{
	return alloc_run(node, max, CHUNK_PINNED, pfn);
}

/* A whole free chunk of node without any of the skip flags. */
static bool take_chunk(unsigned int node, uint32_t skip, uint64_t *pfn)
{
	struct pnode *n = &nodes[node];
	bool ok = false;

	if (node >= nr_nodes)
		return false;
	spin_lock(&lock);
	for (uint32_t i = n->nr_whole ? n->first_free : n->nr_chunks;
	     i < n->nr_chunks; i++) {
		struct pchunk *c = &n->chunk[i];

		if (c->nr_free != CHUNK_PAGES || (c->flags & skip))
			continue;
		memset(c->map, 0, sizeof(c->map));
		__chunk_update(n, c, 0);
		*pfn = n->start_pfn + (uint64_t)i * CHUNK_PAGES;
		ok = true;
		break;
	}
	while (n->first_free < n->nr_chunks && !n->chunk[n->first_free].nr_free)
		n->first_free++;
	spin_unlock(&lock);
	return ok;
}

bool palloc_alloc_chunk(unsigned int node, bool skip_pinned, uint64_t *pfn)
{
	return take_chunk(node, skip_pinned ? CHUNK_PINNED : 0, pfn);
}

bool palloc_take(uint64_t pfn)
{
	int node = palloc_node_of(pfn);
	struct pnode *n;
	struct pchunk *c;
	uint64_t off;
	uint32_t b;
	bool ok = false;

	if (node < 0 || pfn < first_pfn)
		return false;
	n = &nodes[node];
	off = pfn - n->start_pfn;
	c = &n->chunk[off / CHUNK_PAGES];
	b = off % CHUNK_PAGES;
	spin_lock(&lock);
	if (!(c->flags & CHUNK_PINNED) &&
	    (c->map[b / 64] & (1ULL << (b % 64)))) {
		c->map[b / 64] &= ~(1ULL << (b % 64));
		__chunk_update(n, c, c->nr_free - 1);
		ok = true;
	}
	spin_unlock(&lock);
	return ok;
}

bool palloc_take_unreported_chunk(unsigned int node, uint64_t *pfn)
{
	return take_chunk(node, CHUNK_PINNED | CHUNK_REPORTED, pfn);
}

void palloc_return_reported_chunk(uint64_t pfn)
{
	int node = palloc_node_of(pfn);
	struct pchunk *c;

	palloc_free(pfn, CHUNK_PAGES);
	if (node < 0)
		return;
	spin_lock(&lock);
	c = &nodes[node].chunk[(pfn - nodes[node].start_pfn) / CHUNK_PAGES];
	if (c->nr_free == CHUNK_PAGES)
		c->flags |= CHUNK_REPORTED;
	spin_unlock(&lock);
}

int palloc_node_of(uint64_t pfn)
{
	for (unsigned int i = 0; i < nr_nodes; i++)
		if (pfn >= nodes[i].start_pfn &&
		    pfn < nodes[i].start_pfn +
				    (uint64_t)nodes[i].nr_chunks * CHUNK_PAGES)
			return i;
	return -1;
}

void palloc_free(uint64_t pfn, uint32_t nr)
{
	spin_lock(&lock);
	for (uint32_t k = 0; k < nr; k++, pfn++) {
		int node = palloc_node_of(pfn);
		struct pnode *n;
		struct pchunk *c;
		uint64_t off;
		uint32_t ci, b;

		if (node < 0 || pfn < first_pfn)
			continue; /* not ours: ignore rather than corrupt */
		n = &nodes[node];
		off = pfn - n->start_pfn;
		ci = off / CHUNK_PAGES;
		b = off % CHUNK_PAGES;
		c = &n->chunk[ci];
		if (c->map[b / 64] & (1ULL << (b % 64)))
			continue; /* double free */
		c->map[b / 64] |= 1ULL << (b % 64);
		__chunk_update(n, c, c->nr_free + 1);
		if (ci < n->first_free)
			n->first_free = ci;
	}
	spin_unlock(&lock);
}

uint64_t palloc_nr_free(unsigned int node)
{
	return node < nr_nodes ? READ_ONCE(nodes[node].nr_free) : 0;
}

uint64_t palloc_nr_whole_chunks(unsigned int node)
{
	return node < nr_nodes ? READ_ONCE(nodes[node].nr_whole) : 0;
}

uint64_t palloc_first_pfn(void)
{
	return first_pfn;
}

unsigned int palloc_nr_nodes(void)
{
	return nr_nodes;
}
