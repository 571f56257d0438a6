// SPDX-License-Identifier: GPL-2.0
/*
 * Collapse, the khugepaged of this design: a 2 MiB guest region that is
 * fully backed by scattered order-0 frames moves, in GPA order, into one
 * free pageblock, so that the host can map it with a PMD and KVM with a
 * 2 MiB entry again.  Compaction makes the free pageblocks; this is what
 * the guests get back from it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "vmm/guest_mem/internal.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/*
 * A region whose frames come in more runs than this (about as many host
 * VMAs) is collapsed with the guest paused rather than under migration
 * entries: write-protecting it flushes the TLB once per VMA, and with the
 * guest running each flush waits for its vCPUs to leave guest mode.
 * Measured on a churning guest, 512 runs: write-protection alone 2.1 ms.
 */
#define COLLAPSE_WP_MAX_RUNS 16

/* Runs of consecutive frames behind the region (lockless: a hint). */
static unsigned int frame_runs(struct guest_mem *mem, uint64_t gpa_2m)
{
	unsigned int runs = 1;

	for (unsigned long i = 1; i < pageblock_nr_pages; i++)
		runs += READ_ONCE(mem->gpa_map[gpn(gpa_2m) + i]) !=
			READ_ONCE(mem->gpa_map[gpn(gpa_2m) + i - 1]) + 1;
	return runs;
}

/* Is the region backed by one pageblock, in GPA order?  Lockless. */
static bool one_pageblock(struct guest_mem *mem, uint64_t gpa_2m)
{
	pfn_t first = READ_ONCE(mem->gpa_map[gpn(gpa_2m)]);

	if (first == PFN_NONE || first % pageblock_nr_pages)
		return false;
	for (unsigned long i = 1; i < pageblock_nr_pages; i++)
		if (READ_ONCE(mem->gpa_map[gpn(gpa_2m) + i]) != first + i)
			return false;
	return true;
}

bool guest_mem_collapsible(struct guest_mem *mem, uint64_t gpa_2m)
{
	return mem->cfg.backing == GUEST_BACKING_POOL &&
	       !(gpa_2m % HUGE_SIZE) && gpa_2m < mem->cfg.size &&
	       !READ_ONCE(mem->dead) && region_may_be_huge(mem, gpa_2m) &&
	       READ_ONCE(mem->backed_2m[gpa_2m / HUGE_SIZE]) ==
		       pageblock_nr_pages &&
	       !one_pageblock(mem, gpa_2m);
}

/*
 * Make the block's pageblock one host hugepage before anything is copied
 * into it, with the guest still running: punch out whatever 4 KiB pages
 * the memfd holds there (the block is ours and its contents are about to
 * be overwritten), then fault it in through the pool mapping, which is
 * MADV_HUGEPAGE: shmem allocates one PMD-sized folio for an empty,
 * aligned 2 MiB range.  Without host hugepages there is nothing to do:
 * the copy faults the frames in.
 */
static void prepare_block(struct mm_pool *pool, pfn_t block)
{
	void *va = pfn_to_virt(pool, block);

	if (!pool->hugepages)
		return;
	fallocate(pool->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		  pfn_to_offset(block), HUGE_SIZE);
	if (madvise(va, HUGE_SIZE, MADV_POPULATE_WRITE))
		*(volatile uint8_t *)va = 0; /* older kernels: one touch */
}

/* The block for gpa_2m: order 9, as a THP fault would take it. */
static pfn_t alloc_block(struct guest_mem *mem, uint64_t gpa_2m)
{
	int pnid = mem->cfg.pnode[guest_mem_node_of(mem, gpa_2m)];
	nodemask_t bind = nodemask_of_node(pnid);
	/* Every page is overwritten by the copy: no zeroing. */
	gfp_t gfp = (GFP_GUEST_HUGE_LIGHT & ~__GFP_ZERO) |
		    (mem->cfg.strict ? __GFP_THISNODE : 0);

	return __alloc_pages(mem->cfg.pool, gfp, pageblock_order, pnid,
			     mem->cfg.strict ? &bind : NULL);
}

/* Requests for the whole region into block, or -EAGAIN if some page is
 * not backed any more.  mem->lock held. */
static int build_reqs(struct guest_mem *mem, uint64_t gpa_2m, pfn_t block,
		      struct migrate_req *r, struct migrate_req **rp)
{
	if (mem->dead)
		return -EAGAIN;
	for (unsigned long i = 0; i < pageblock_nr_pages; i++) {
		pfn_t cur = mem->gpa_map[gpn(gpa_2m) + i];

		if (cur == PFN_NONE)
			return -EAGAIN;
		r[i] = (struct migrate_req){
			.old_pfn = cur,
			.new_pfn = block + i,
			.gpa = { gpa_2m + (i << PAGE_SHIFT) },
			.owner = mem->cfg.owner,
		};
		rp[i] = &r[i];
	}
	return 0;
}

/* guest_mem_collapse(), by migration entries alone if no_pause. */
static int collapse(struct guest_mem *mem, uint64_t gpa_2m, bool no_pause)
{
	struct mm_pool *pool = mem->cfg.pool;
	struct migrate_req *r, **rp;
	unsigned int moved = 0, nreq = 0;
	struct migrate_batch b = { .no_pause = no_pause };
	pfn_t block;
	int ret;

	if (mem->cfg.backing != GUEST_BACKING_POOL || gpa_2m % HUGE_SIZE ||
	    gpa_2m >= mem->cfg.size)
		return -EINVAL;
	if (!region_may_be_huge(mem, gpa_2m))
		return -EBUSY;
	if (one_pageblock(mem, gpa_2m))
		return -EEXIST;
	if (READ_ONCE(mem->dead) ||
	    READ_ONCE(mem->backed_2m[gpa_2m / HUGE_SIZE]) != pageblock_nr_pages)
		return -EAGAIN;
	r = malloc(pageblock_nr_pages * sizeof(*r));
	rp = malloc(pageblock_nr_pages * sizeof(*rp));
	if (!r || !rp) {
		ret = -ENOMEM;
		goto out_free;
	}
	block = alloc_block(mem, gpa_2m);
	if (block == PFN_NONE) {
		ret = -ENOMEM;
		goto out_free;
	}
	split_page(pool, block, pageblock_order);
	prepare_block(pool, block);

	b.prefer_pause = frame_runs(mem, gpa_2m) > COLLAPSE_WP_MAX_RUNS;
	ret = __guest_mem_batch_begin(mem, &b);
	if (ret) {
		ret = no_pause ? ret : -EAGAIN;
		goto out_block;
	}
	pthread_mutex_lock(&mem->lock);
	/*
	 * All or nothing: the region as it is now, checked under the lock
	 * (so every request passes the core's own check), is one run of
	 * consecutive GPAs into consecutive frames, one remap.
	 */
	ret = build_reqs(mem, gpa_2m, block, r, rp);
	if (!ret) {
		nreq = pageblock_nr_pages;
		moved = __guest_mem_migrate(mem, &b, rp, pageblock_nr_pages);
		if (moved == pageblock_nr_pages)
			mem->stats.collapsed++;
		else
			ret = rp[0]->result ? rp[0]->result : -EAGAIN;
	}
	__guest_mem_batch_end(mem, &b);
	__guest_mem_commit(mem, rp, nreq);
	if (moved == pageblock_nr_pages)
		__guest_mem_set_huge(mem, gpa_2m, true);
	pthread_mutex_unlock(&mem->lock);
	__guest_mem_account_batch(mem, &b, rp, nreq);
	if (moved) {
		/* Frames of requests that did not move (none, as above)
		 * are still ours. */
		for (unsigned long i = 0; i < pageblock_nr_pages; i++)
			if (rp[i]->result)
				__free_pages(pool, block + i, 0);
		goto out_free;
	}
out_block:
	for (unsigned long i = 0; i < pageblock_nr_pages; i++)
		__free_pages(pool, block + i, 0);
out_free:
	free(r);
	free(rp);
	return ret;
}

int guest_mem_collapse(struct guest_mem *mem, uint64_t gpa_2m)
{
	return collapse(mem, gpa_2m, false);
}

/*
 * Mappings held back for when the process runs into vm.max_map_count.
 * Over the limit even an mmap that would leave fewer mappings than it
 * found fails (Linux checks the count before it unmaps anything), so a
 * collapse needs room first: this is it, one small PROT_NONE range split
 * into about MAP_RESERVE VMAs, unmapped to make the room and set up
 * again after.  Process-wide, as the limit is.
 */
#define MAP_RESERVE 64

static pthread_mutex_t reserve_lock = PTHREAD_MUTEX_INITIALIZER;
static void *reserve; /* NULL: not held; under reserve_lock */

static void __hold_reserve(void)
{
	uint8_t *p;

	if (reserve)
		return;
	p = mmap(NULL, MAP_RESERVE * PAGE_SIZE, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return;
	/* Every other page readable: a VMA each (as many as the limit
	 * allows). */
	for (unsigned int i = 1; i + 1 < MAP_RESERVE; i += 2)
		if (mprotect(p + i * PAGE_SIZE, PAGE_SIZE, PROT_READ))
			break;
	reserve = p;
}

void guest_mem_hold_map_reserve(void)
{
	pthread_mutex_lock(&reserve_lock);
	__hold_reserve();
	pthread_mutex_unlock(&reserve_lock);
}

long guest_mem_merge_mappings(struct guest_mem *mem)
{
	uint64_t nr_regions = mem->cfg.size / HUGE_SIZE;
	long done = 0;

	if (!READ_ONCE(mem->wp))
		return 0;
	pthread_mutex_lock(&reserve_lock);
	if (reserve) {
		munmap(reserve, MAP_RESERVE * PAGE_SIZE);
		reserve = NULL;
	}
	for (uint64_t r = 0; r < nr_regions && done < MERGE_MAX_COLLAPSE; r++) {
		int ret;

		if (!guest_mem_collapsible(mem, r * HUGE_SIZE))
			continue;
		ret = collapse(mem, r * HUGE_SIZE, true);
		if (ret == -ENOMEM)
			break; /* no free pageblock left */
		done += !ret;
	}
	__hold_reserve();
	pthread_mutex_unlock(&reserve_lock);
	/* The frames the collapses freed sit in this thread's page cache:
	 * back to the buddy lists, where they merge. */
	if (done)
		drain_local_pages(mem->cfg.pool);
	return done;
}
