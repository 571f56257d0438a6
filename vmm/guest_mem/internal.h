/* SPDX-License-Identifier: GPL-2.0 */
/* What vmm/guest_mem/guest_mem.c and vmm/guest_mem/migrate.c share, privately. */
#ifndef VMM_GUEST_MEM_INTERNAL_H
#define VMM_GUEST_MEM_INTERNAL_H

#include <errno.h>

#include "vmm/guest_mem/guest_mem.h"

#define HUGE_SIZE (pageblock_nr_pages << PAGE_SHIFT)

static inline uint64_t gpn(uint64_t gpa)
{
	return gpa >> PAGE_SHIFT;
}

static inline bool in_pinned(const struct guest_mem *mem, uint64_t gpa)
{
	return gpa - mem->cfg.pinned_start < mem->cfg.pinned_size;
}

/* The aligned 2 MiB region at gpa2m lies in one guest node. */
static inline bool region_in_one_node(const struct guest_mem *mem,
				      uint64_t gpa2m)
{
	int n = guest_mem_node_of(mem, gpa2m);

	return n >= 0 && guest_mem_node_of(mem, gpa2m + HUGE_SIZE - 1) == n;
}

/* ... and may be one huge mapping: not pinned, in one node. */
static inline bool region_may_be_huge(const struct guest_mem *mem,
				      uint64_t gpa2m)
{
	return !in_pinned(mem, gpa2m) &&
	       !in_pinned(mem, gpa2m + HUGE_SIZE - 1) &&
	       region_in_one_node(mem, gpa2m);
}

/*
 * The region at gpa_2m is mapped as one whole pageblock now (an order-9
 * fault, a collapse), or no longer (a page of it discarded or moved):
 * stats.huge_maps follows.  mem->lock held.
 */
void __guest_mem_set_huge(struct guest_mem *mem, uint64_t gpa_2m, bool huge);

/*
 * Map npages consecutive pool frames from pfn over gpa with one mmap
 * (what was there goes; its frames stay intact in the pool), advised for
 * a host PMD when it is a whole pageblock.  0, or -errno as
 * __guest_mem_map_error() says.  mem->lock held.
 */
int __guest_mem_map(struct guest_mem *mem, uint64_t gpa, pfn_t pfn,
		    unsigned long npages);

/*
 * What a failed mmap of pool frames returns: ENOMEM there is the process
 * at vm.max_map_count nearly always (the frames exist, and a MAP_FIXED
 * mapping adds no address space), which must not read as the pool being
 * out of memory: -ENOSPC.
 */
static inline int __guest_mem_map_error(int err)
{
	return err == ENOMEM ? -ENOSPC : -err;
}

/* An injected failure (f: mem->fail_remap or fail_map) for this mmap?
 * 0, or the errno mmap is to have said.  mem->lock held. */
static inline int __guest_mem_inject(struct guest_mem_fail_remap *f)
{
	if (f->times <= 0)
		return 0;
	if (f->after > 0) {
		f->after--;
		return 0;
	}
	f->times--;
	return f->err ? f->err : ENOMEM;
}

/* One batch of migration: when it began for the guest, and how it
 * moves pages (decided once, at its start). */
struct migrate_batch {
	bool prefer_pause; /* set by the caller: entries would cost more */
	bool no_pause; /* set by the caller: entries or nothing */
	uint64_t t0;
	bool wp;
	bool paused; /* the guest is held for the whole batch */
	bool holds_vcpus; /* ... and vCPUs were running */
	uint64_t window_ns; /* wp: the longest a run was protected */
};

/*
 * Migration's core (vmm/guest_mem/migrate.c), for collapse too.  The
 * work of one batch: check each request again, then run by run either
 * (migration entries) protect, copy, remap, wake, or (the guest paused)
 * copy, remap.  req is sorted by GPA; sets every result; returns the
 * requests migrated.  Between __guest_mem_batch_begin() and _end(),
 * mem->lock held.
 *
 * The moved pages' GPA map entries, frame owners and old frames are done
 * by __guest_mem_commit() after __guest_mem_batch_end(), mem->lock still
 * held: nothing the guest waits for (the pause, the writers) lasts for
 * them.  Until then the old frames are still the guest's, and only
 * lockless readers look (they see a consistent, older map).
 */
unsigned int __guest_mem_migrate(struct guest_mem *mem, struct migrate_batch *b,
				 struct migrate_req **req, unsigned int nr);
void __guest_mem_commit(struct guest_mem *mem, struct migrate_req **req,
			unsigned int nr);
/* One batch is over (after _batch_end()): its histogram, counters and
 * trace event. */
void __guest_mem_account_batch(struct guest_mem *mem,
			       const struct migrate_batch *b,
			       struct migrate_req **req, unsigned int nr);

/*
 * Around the work of one batch: with migration entries nothing to do
 * (the guest runs on); else pause the guest.  A guest whose vCPUs are
 * all parked is paused even where entries are used: that stops nobody,
 * and every remap of a running guest costs a TLB flush that waits for
 * its vCPUs to leave guest mode (docs/compaction.md); so is one the
 * caller knows entries would cost more for (b->prefer_pause).  A caller
 * that must not pause (b->no_pause) gets entries, or -EBUSY where there
 * are none.  b->t0: when the batch began for the guest.
 */
static inline int __guest_mem_batch_begin(struct guest_mem *mem,
					  struct migrate_batch *b)
{
	bool idle = !b->no_pause && mem->cfg.idle &&
		    mem->cfg.idle(mem->cfg.arg);

	b->t0 = trace_clock_ns();
	b->wp = READ_ONCE(mem->wp) &&
		(b->no_pause || !(mem->cfg.pause && (b->prefer_pause || idle)));
	if (b->no_pause && !b->wp)
		return -EBUSY;
	b->paused = !b->wp && mem->cfg.pause;
	b->holds_vcpus = b->paused && !idle;
	b->window_ns = 0;
	if (b->wp || !mem->cfg.pause)
		return 0;
	return mem->cfg.pause(mem->cfg.arg, &b->t0);
}

static inline void __guest_mem_batch_end(struct guest_mem *mem,
					 const struct migrate_batch *b)
{
	if (!b->wp && mem->cfg.resume)
		mem->cfg.resume(mem->cfg.arg);
}

/* Which placeholders are the pool mapping's, registered for minor and
 * missing faults (discard.c), rather than anonymous ones (never backed);
 * per page, set a run at a time.  mem->lock held to set. */
bool __guest_mem_test_placeholder(const struct guest_mem *mem, uint64_t page);
void __guest_mem_set_placeholder(struct guest_mem *mem, uint64_t gpa,
				 unsigned long npages, bool on);
/*
 * Make the backed run [gpa, gpa + len) a registered placeholder with no
 * window where a touch escapes the pool (discard.c): afterwards no vCPU
 * reaches its frames, which are still the guest's (the caller releases
 * them, or keeps one: a touch then faults as minor, and the fault thread
 * maps the same frame again).  mem->lock held.
 */
int __guest_mem_unback_range(struct guest_mem *mem, uint64_t gpa, uint64_t len);
/* The frame behind the page at gpa, unmapped by the above, back to the
 * pool: the GPA map, the frame's owner and the counts follow (the
 * caller subtracts from stats.pages).  mem->lock held. */
void __guest_mem_release_frame(struct guest_mem *mem, uint64_t gpa);

/* The tier's handle of the page at gpa, 0: not swapped.  mem->lock
 * held, or a lockless hint. */
static inline uint32_t __guest_mem_swap_handle(const struct guest_mem *mem,
					       uint64_t gpa)
{
	return mem->swap_map ? READ_ONCE(mem->swap_map[gpn(gpa)]) : 0;
}

/* Drop the page at gpa from the tier unread (a discard, a reap): it was
 * swapped out, it holds nothing now.  mem->lock held. */
void __guest_mem_swap_drop(struct guest_mem *mem, uint64_t gpa);

/*
 * Serve a fault on the swapped page at gpa (swap.c): a frame allocated,
 * the page loaded into it, with the swapped pages after it (or before
 * it: a guest going down) up to SWAP_READAHEAD, mapped (a mapping per
 * run of consecutive frames).  The range mapped in start and len, how
 * many of its pages were read from the swap file in *file.  0,
 * -ENOMEM (no frame), -EIO (the tier lost the page: the guest must
 * stop), -ENOSPC (no mapping), -ENOENT (dead).  Context: the fault
 * thread, no lock held.
 */
int __guest_mem_swap_in(struct guest_mem *mem, uint64_t gpa, uint64_t *start,
			uint64_t *len, unsigned int *file);
/*
 * After the fault's wake: the rest of the read-ahead window, which is
 * SWAP_READAHEAD pages, doubled up to SWAP_READAHEAD_MAX while each
 * fault comes next to the last one's run, after it or below it (a
 * stream), as Linux reads ahead asynchronously: the vCPU goes on with
 * what it faulted for while its next pages come.  Frames only as the
 * pool has them without reclaim; errors are left to the pages' own
 * faults.  Context: the fault thread, no lock held.
 */
void __guest_mem_swap_readahead(struct guest_mem *mem);
#define SWAP_READAHEAD 8
#define SWAP_READAHEAD_MAX 64

/*
 * Map npages frames from pfn at gpa and record them (fault.c), the
 * frames pinned with pinned.  0 or -errno as __guest_mem_map().
 * mem->lock held.
 */
int __guest_mem_map_frames(struct guest_mem *mem, uint64_t gpa, pfn_t pfn,
			   unsigned long npages, bool pinned);

/* The fault thread of a guest (fault.c), started by guest_mem_create(). */
void *__guest_mem_fault_thread(void *arg);

#endif /* VMM_GUEST_MEM_INTERNAL_H */
