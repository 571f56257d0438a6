// SPDX-License-Identifier: GPL-2.0
/*
 * Moving a guest's pages to other frames for compaction (collapse, in
 * collapse.c, uses the same core).
 *
 * A run of pages (consecutive GPAs into consecutive new frames) moves
 * with one mmap(MAP_FIXED) of the new frames over the GPAs, after a copy
 * through the pool mapping.  During the copy the pages must not change:
 * either they are under a migration entry (write-protected through the
 * guest's userfaultfd: a writer waits in the kernel until the run is
 * remapped and woken; everybody else goes on), or the whole guest is
 * paused.  Then the GPA map entries and the frame owners follow and the
 * old frames are freed.  Everything that can be done before is: sorting,
 * the first touch of the new frames (a frame the host does not back yet
 * faults in, a whole zeroed hugepage of it), cutting the batch into
 * pieces of bounded cost.  docs/compaction.md ("Migration in the VMM")
 * says when which, and why.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "vmm/guest_mem/internal.h"
#include "vmm/guest_mem/trace.h"

/* The old frame of a request from guest_mem_migrate(): whatever backs
 * the GPA when it is checked. */
#define OLD_PFN_ANY PFN_NONE

void guest_mem_set_fail_remap(struct guest_mem *mem,
			      const struct guest_mem_fail_remap *f)
{
	pthread_mutex_lock(&mem->lock);
	mem->fail_remap = *f;
	pthread_mutex_unlock(&mem->lock);
}

void guest_mem_set_fail_map(struct guest_mem *mem,
			    const struct guest_mem_fail_remap *f)
{
	pthread_mutex_lock(&mem->lock);
	mem->fail_map = *f;
	pthread_mutex_unlock(&mem->lock);
}

int guest_mem_set_migrate_by_pause(struct guest_mem *mem, bool by_pause)
{
	if (!by_pause && !mem->wp_capable)
		return -EOPNOTSUPP;
	/* Between batches: a batch holds the lock from start to end. */
	pthread_mutex_lock(&mem->lock);
	WRITE_ONCE(mem->wp, !by_pause);
	pthread_mutex_unlock(&mem->lock);
	return 0;
}

/*
 * Map npages consecutive frames from pfn over gpa: one mmap, which
 * replaces what was there (the old frames, which stay intact in the
 * pool).  mem->lock held.
 */
static int remap(struct guest_mem *mem, uint64_t gpa, pfn_t pfn,
		 unsigned long npages)
{
	int err = __guest_mem_inject(&mem->fail_remap);

	return err ? __guest_mem_map_error(err) :
		     __guest_mem_map(mem, gpa, pfn, npages);
}

/*
 * A remap failed: make sure [gpa, gpa + npages pages) still maps the
 * frames the GPA map says (Linux keeps the old mapping when a MAP_FIXED
 * mmap fails before it changed anything, which is where it fails in
 * practice, and since 6.12 also after; this does not rely on it).  Each
 * run of consecutive frames is one mmap.  mem->lock held.
 */
static void restore_mapping(struct guest_mem *mem, uint64_t gpa,
			    unsigned long npages)
{
	unsigned long i = 0;

	while (i < npages) {
		pfn_t first = mem->gpa_map[gpn(gpa) + i];
		unsigned long n = 1;
		int ret;

		while (i + n < npages &&
		       mem->gpa_map[gpn(gpa) + i + n] == first + n)
			n++;
		ret = __guest_mem_map(mem, gpa + (i << PAGE_SHIFT), first, n);
		if (ret)
			/* The frames and the GPA map are intact; a vCPU
			 * touching the hole gets EFAULT and the VM stops. */
			fprintf(stderr,
				"vmm: guest %u: cannot restore the mapping of gpa 0x%llx: %s\n",
				mem->cfg.owner,
				(unsigned long long)(gpa + (i << PAGE_SHIFT)),
				strerror(-ret));
		i += n;
	}
}

/* May req move?  0, or why not.  mem->lock held. */
static int check_req(struct guest_mem *mem, struct migrate_req *r)
{
	struct mm_pool *pool = mem->cfg.pool;
	uint64_t g = r->gpa.val;
	pfn_t cur;

	if (r->owner != mem->cfg.owner || !pfn_valid(pool, r->new_pfn) ||
	    READ_ONCE(pfn_to_frame(pool, r->new_pfn)->owner) !=
		    FRAME_OWNER_NONE)
		return -EINVAL;
	/*
	 * No page of ours: the scanner read the frame's owner, then the
	 * frame was freed (moved by another compaction, discarded) and it
	 * read the free list's links, which share the gpa's bytes.  This
	 * guest does not map that frame there: changed hands, as the
	 * contract with compaction says.
	 */
	if ((g & (PAGE_SIZE - 1)) || g >= mem->cfg.size)
		return -EAGAIN;
	cur = mem->gpa_map[gpn(g)];
	if (mem->dead || cur == PFN_NONE ||
	    (r->old_pfn != OLD_PFN_ANY && cur != r->old_pfn))
		return -EAGAIN;
	/* A single load: mm/ updates other bits of flags concurrently. */
	if (READ_ONCE(pfn_to_frame(pool, cur)->flags) & FF_PINNED)
		return -EBUSY;
	r->old_pfn = cur;
	return 0;
}

/* The page moved: GPA map and owners follow, the old frame goes.
 * Old owner off, map over, new owner on: a live rmap check sees either
 * frame consistent (as map_frames() and discard do).  mem->lock held. */
static void commit_req(struct guest_mem *mem, struct migrate_req *r)
{
	struct mm_pool *pool = mem->cfg.pool;
	uint64_t g = r->gpa.val;

	frame_clear_owner(pool, r->old_pfn);
	WRITE_ONCE(mem->gpa_map[gpn(g)], r->new_pfn);
	frame_set_owner(pool, r->new_pfn, mem->cfg.owner, r->gpa);
	if (pfn_to_nid(pool, r->old_pfn) != pfn_to_nid(pool, r->new_pfn)) {
		__atomic_sub_fetch(
			&mem->pages_node[pfn_to_nid(pool, r->old_pfn)], 1,
			__ATOMIC_RELAXED);
		__atomic_add_fetch(
			&mem->pages_node[pfn_to_nid(pool, r->new_pfn)], 1,
			__ATOMIC_RELAXED);
	}
	__free_pages(pool, r->old_pfn, 0);
}

/* Does req b continue req a's run: the next GPA, the next new frame? */
static bool continues(const struct migrate_req *a, const struct migrate_req *b)
{
	return b->gpa.val == a->gpa.val + PAGE_SIZE &&
	       b->new_pfn == a->new_pfn + 1;
}

/* The end of the run of requests that starts at i: consecutive GPAs
 * into consecutive frames, none failed.  A failed request is a run of
 * its own, so that the good ones after it still move (or fail) and
 * never pass for moved untouched. */
static unsigned int run_end(struct migrate_req **req, unsigned int nr,
			    unsigned int i)
{
	unsigned int j = i + 1;

	if (req[i]->result)
		return j;
	while (j < nr && !req[j]->result && continues(req[j - 1], req[j]))
		j++;
	return j;
}

static void copy_req(struct mm_pool *pool, const struct migrate_req *r)
{
	memcpy(pfn_to_virt(pool, r->new_pfn), pfn_to_virt(pool, r->old_pfn),
	       PAGE_SIZE);
}

/*
 * Make [gpa, gpa + npages pages) write-protectable through the uffd:
 * cheap when it already is; otherwise it splits the VMA, which the remap
 * would have done anyway.  Writers are not held up by this.
 */
static int register_wp(struct guest_mem *mem, uint64_t gpa,
		       unsigned long npages)
{
	struct uffdio_register reg = {
		.range = { (uint64_t)mem->hva + gpa, npages << PAGE_SHIFT },
		.mode = UFFDIO_REGISTER_MODE_WP,
	};

	return ioctl(mem->uffd, UFFDIO_REGISTER, &reg) ? -errno : 0;
}

/*
 * A migration entry for [gpa, gpa + npages pages): writes to it now wait
 * in the kernel (a vCPU inside KVM_RUN, a VMM thread on a virtqueue) for
 * the wake that ends the run; reads go on.  mem->lock held.
 */
static int protect(struct guest_mem *mem, uint64_t gpa, unsigned long npages)
{
	struct uffdio_writeprotect wp = {
		.range = { (uint64_t)mem->hva + gpa, npages << PAGE_SHIFT },
		.mode = UFFDIO_WRITEPROTECT_MODE_WP,
	};
	int ret;

	if (!ioctl(mem->uffd, UFFDIO_WRITEPROTECT, &wp))
		return 0;
	ret = -errno;
	/* It may have got part of the way: take it off again (and wake
	 * whoever already waits). */
	wp.mode = 0;
	ioctl(mem->uffd, UFFDIO_WRITEPROTECT, &wp);
	return ret;
}

static void wake_range(struct guest_mem *mem, uint64_t gpa,
		       unsigned long npages)
{
	struct uffdio_range r = { (uint64_t)mem->hva + gpa,
				  npages << PAGE_SHIFT };

	ioctl(mem->uffd, UFFDIO_WAKE, &r);
}

/* The run [i, j) stays: its old frames mapped again, its requests
 * failed with ret. */
static void fail_run(struct guest_mem *mem, struct migrate_req **req,
		     unsigned int i, unsigned int j, int ret)
{
	restore_mapping(mem, req[i]->gpa.val, j - i);
	for (unsigned int k = i; k < j; k++)
		req[k]->result = ret;
}

/*
 * With migration entries, one run at a time: register, protect, copy,
 * remap, wake its writers (the GPA map follows later, in
 * __guest_mem_commit()).  A writer of the run waits from the protect
 * to the wake, and only for its own run: b->window_ns is the longest of
 * these.  A run that cannot be protected stays as it is; one whose remap
 * fails gets its old frames mapped again (a fresh mapping, not
 * protected).  mem->lock held.
 */
static unsigned int migrate_wp(struct guest_mem *mem, struct migrate_batch *b,
			       struct migrate_req **req, unsigned int nr)
{
	struct mm_pool *pool = mem->cfg.pool;
	unsigned int moved = 0, i, j;
	int ret;

	for (i = 0; i < nr; i = j) {
		uint64_t g, t0, dt;

		j = run_end(req, nr, i);
		if (req[i]->result)
			continue;
		g = req[i]->gpa.val;
		ret = register_wp(mem, g, j - i);
		t0 = trace_clock_ns();
		if (!ret)
			ret = protect(mem, g, j - i);
		if (ret) {
			for (unsigned int k = i; k < j; k++)
				req[k]->result = ret;
			continue;
		}
		for (unsigned int k = i; k < j; k++)
			copy_req(pool, req[k]);
		ret = remap(mem, g, req[i]->new_pfn, j - i);
		if (ret)
			fail_run(mem, req, i, j, ret);
		else
			moved += j - i;
		wake_range(mem, g, j - i);
		dt = trace_clock_ns() - t0;
		if (dt > b->window_ns)
			b->window_ns = dt;
	}
	return moved;
}

/* With the guest paused: copy, remap each run (the GPA map follows
 * after the resume).  mem->lock held. */
static unsigned int migrate_paused(struct guest_mem *mem,
				   struct migrate_req **req, unsigned int nr)
{
	unsigned int moved = 0, i, j;
	int ret;

	for (i = 0; i < nr; i++)
		if (!req[i]->result)
			copy_req(mem->cfg.pool, req[i]);
	for (i = 0; i < nr; i = j) {
		j = run_end(req, nr, i);
		if (req[i]->result)
			continue;
		ret = remap(mem, req[i]->gpa.val, req[i]->new_pfn, j - i);
		if (ret)
			fail_run(mem, req, i, j, ret);
		else
			moved += j - i;
	}
	return moved;
}

void __guest_mem_commit(struct guest_mem *mem, struct migrate_req **req,
			unsigned int nr)
{
	uint64_t last = UINT64_MAX;

	for (unsigned int i = 0; i < nr; i++)
		if (!req[i]->result)
			commit_req(mem, req[i]);
	/* A region a page moved in is no longer mapped as one pageblock
	 * (a collapse says when it is again).  req is sorted by GPA. */
	for (unsigned int i = 0; i < nr; i++) {
		uint64_t r = ALIGN_DOWN(req[i]->gpa.val, HUGE_SIZE);

		if (req[i]->result || r == last)
			continue;
		__guest_mem_set_huge(mem, r, false);
		last = r;
	}
}

unsigned int __guest_mem_migrate(struct guest_mem *mem, struct migrate_batch *b,
				 struct migrate_req **req, unsigned int nr)
{
	unsigned int moved;

	for (unsigned int i = 0; i < nr; i++) {
		req[i]->result = check_req(mem, req[i]);
		/* The same GPA twice: the first one only. */
		if (!req[i]->result && i && req[i - 1]->result == 0 &&
		    req[i - 1]->gpa.val == req[i]->gpa.val)
			req[i]->result = -EAGAIN;
	}
	moved = b->wp ? migrate_wp(mem, b, req, nr) :
			migrate_paused(mem, req, nr);
	mem->stats.migrated += moved;
	mem->stats.migrate_failed += nr - moved;
	return moved;
}

static int cmp_gpa(const void *a, const void *b)
{
	const struct migrate_req *x = *(struct migrate_req *const *)a;
	const struct migrate_req *y = *(struct migrate_req *const *)b;

	return x->gpa.val < y->gpa.val ? -1 : x->gpa.val > y->gpa.val;
}

/*
 * Touch each new frame before the pause: one the host does not back yet
 * (a returned pageblock) faults in here, a whole zeroed hugepage of it on
 * a hugepage pool, rather than during the copy with the guest held.  The
 * frames are the caller's and about to be overwritten.
 */
static void prefault(struct guest_mem *mem, struct migrate_req **req,
		     unsigned int nr)
{
	struct mm_pool *pool = mem->cfg.pool;

	for (unsigned int i = 0; i < nr; i++)
		if (pfn_valid(pool, req[i]->new_pfn))
			*(volatile uint8_t *)pfn_to_virt(pool,
							 req[i]->new_pfn) = 0;
}

/* How many of req (sorted) go in the next batch b: whole runs, as many
 * as its kind allows (guest_mem.h). */
static unsigned int next_batch(const struct migrate_batch *b,
			       struct migrate_req **req, unsigned int nr)
{
	unsigned int max_runs = b->paused ? MIGRATE_PAUSE_RUNS :
					    MIGRATE_BATCH_RUNS;
	unsigned int max_pages = b->holds_vcpus ? MIGRATE_PAUSE_PAGES :
						  MIGRATE_BATCH_PAGES;
	unsigned int runs = 1, i;

	for (i = 1; i < nr && i < max_pages; i++) {
		if (!continues(req[i - 1], req[i]) && ++runs > max_runs)
			break;
	}
	return i;
}

void __guest_mem_account_batch(struct guest_mem *mem,
			       const struct migrate_batch *b,
			       struct migrate_req **req, unsigned int nr)
{
	struct mm_pool *pool = mem->cfg.pool;
	/* What a vCPU may have waited: a run's entries, or the pause. */
	uint64_t pause_ns = b->wp ? b->window_ns : trace_clock_ns() - b->t0;
	unsigned int moved = 0, failed = 0;

	/* A request that changed hands (-EAGAIN) is no migration failure,
	 * as a page Linux could not isolate is none. */
	for (unsigned int i = 0; i < nr; i++) {
		moved += !req[i]->result;
		failed += req[i]->result && req[i]->result != -EAGAIN;
	}
	hist_add(&mem->migrate_pause_ns, pause_ns);
	pthread_mutex_lock(&mem->lock);
	mem->stats.migrate_batches++;
	pthread_mutex_unlock(&mem->lock);
	if (moved)
		count_vm_events(pool, PGMIGRATE_SUCCESS, moved);
	if (failed)
		count_vm_events(pool, PGMIGRATE_FAIL, failed);
	trace_event(&pool->trace, TR_MIGRATE_BATCH, mem->cfg.id, moved,
		    pause_ns, nr - moved);
}

unsigned int guest_mem_migrate_pages(struct guest_mem *mem,
				     struct migrate_req **req, unsigned int nr)
{
	unsigned int moved = 0, i = 0;

	if (mem->cfg.backing != GUEST_BACKING_POOL) {
		for (i = 0; i < nr; i++)
			req[i]->result = -EINVAL;
		return 0;
	}
	qsort(req, nr, sizeof(*req), cmp_gpa);
	prefault(mem, req, nr);
	while (i < nr) {
		struct migrate_batch b = { .prefer_pause = false };
		int ret = __guest_mem_batch_begin(mem, &b);
		unsigned int n = next_batch(&b, req + i, nr - i), done;
		uint64_t t1;

		if (ret) {
			/* Cannot hold the guest (a vCPU thread of its own
			 * asks): nothing moves. */
			for (; i < nr; i++)
				req[i]->result = -EAGAIN;
			break;
		}
		t1 = trace_clock_ns();
		pthread_mutex_lock(&mem->lock);
		done = __guest_mem_migrate(mem, &b, req + i, n);
		hist_add(&mem->migrate_work_ns, trace_clock_ns() - t1);
		__guest_mem_batch_end(mem, &b);
		__guest_mem_commit(mem, req + i, n);
		pthread_mutex_unlock(&mem->lock);
		__guest_mem_account_batch(mem, &b, req + i, n);
		moved += done;
		i += n;
	}
	return moved;
}

int guest_mem_migrate(struct guest_mem *mem, uint64_t gpa, pfn_t new_pfn)
{
	struct migrate_req r = {
		.old_pfn = OLD_PFN_ANY,
		.new_pfn = new_pfn,
		.gpa = { gpa },
		.owner = mem->cfg.owner,
	}, *rp = &r;
	struct migrate_batch b = { 0 };
	unsigned int moved;

	if ((gpa & (PAGE_SIZE - 1)) || gpa >= mem->cfg.size ||
	    mem->cfg.backing != GUEST_BACKING_POOL ||
	    !pfn_valid(mem->cfg.pool, new_pfn))
		return -EINVAL;
	pthread_mutex_lock(&mem->lock);
	b.wp = mem->wp;
	moved = __guest_mem_migrate(mem, &b, &rp, 1);
	__guest_mem_commit(mem, &rp, 1);
	pthread_mutex_unlock(&mem->lock);
	if (moved)
		count_vm_event(mem->cfg.pool, PGMIGRATE_SUCCESS);
	else if (r.result != -EAGAIN)
		count_vm_event(mem->cfg.pool, PGMIGRATE_FAIL);
	return r.result == -EAGAIN ? -ENOENT : r.result;
}
