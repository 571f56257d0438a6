// SPDX-License-Identifier: GPL-2.0
/* Guest pages given back: balloon inflation, free page reporting, reaping. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mm/compaction.h"
#include "vmm/guest_mem/internal.h"
#include "vmm/guest_mem/trace.h"

/*
 * Turn the backed run [gpa, gpa + len) back into a registered placeholder
 * (its frames are freed after), with no moment where a touch finds
 * neither a frame of ours nor the userfaultfd: its pool mapping is
 * registered (MISSING | MINOR) while the frames are still mapped, a touch
 * meanwhile uses the frame that is still ours, and then its pages are
 * dropped.  From then on a touch finds the old frame in the page cache (a
 * minor fault: there is no fault-around in a VMA registered for them) or,
 * once the pool has given that pageblock back to the host, nothing (a
 * missing fault); either way the fault thread maps a fresh frame over it.
 * Never UFFDIO_CONTINUE there: that would map the old frame, another
 * guest's by then.  docs/guest_memory.md has what else was tried.
 *
 * Where the kernel has no minor faults of shmem (before Linux 5.14) the
 * run becomes an anonymous placeholder, mapped then registered: a touch
 * in between gets a page of the host's, outside the pool.
 * mem->lock held.
 */
int __guest_mem_unback_range(struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	struct uffdio_register reg = {
		.range = { (uint64_t)mem->hva + gpa, len },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	int ret;

	if (!mem->minor_capable) {
		if (mmap(mem->hva + gpa, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
				 MAP_FIXED,
			 -1, 0) == MAP_FAILED)
			return -errno;
		return ioctl(mem->uffd, UFFDIO_REGISTER, &reg) ? -errno : 0;
	}
	reg.mode |= UFFDIO_REGISTER_MODE_MINOR;
	if (!ioctl(mem->uffd, UFFDIO_REGISTER, &reg) &&
	    !madvise(mem->hva + gpa, len, MADV_DONTNEED)) {
		__guest_mem_set_placeholder(mem, gpa, len >> PAGE_SHIFT, true);
		__guest_mem_idle_forget(mem, gpa, len >> PAGE_SHIFT);
		return 0;
	}
	/* The run stays backed: off the uffd again, whatever part of it
	 * got registered (a page without its PTE there would fault to a
	 * thread that finds it backed, for ever). */
	ret = -errno;
	ioctl(mem->uffd, UFFDIO_UNREGISTER, &reg.range);
	return ret;
}

void __guest_mem_release_frame(struct guest_mem *mem, uint64_t gpa)
{
	struct mm_pool *pool = mem->cfg.pool;
	pfn_t pfn = mem->gpa_map[gpn(gpa)];

	frame_clear_owner(pool, pfn);
	WRITE_ONCE(mem->gpa_map[gpn(gpa)], PFN_NONE);
	WRITE_ONCE(mem->backed_2m[gpa / HUGE_SIZE],
		   mem->backed_2m[gpa / HUGE_SIZE] - 1);
	__guest_mem_set_huge(mem, ALIGN_DOWN(gpa, HUGE_SIZE), false);
	__atomic_sub_fetch(&mem->pages_node[pfn_to_nid(pool, pfn)], 1,
			   __ATOMIC_RELAXED);
	__free_pages(pool, pfn, 0);
}

long guest_mem_discard(struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	return guest_mem_discard_nodes(mem, gpa, len, NULL);
}

long guest_mem_discard_nodes(struct guest_mem *mem, uint64_t gpa, uint64_t len,
			     unsigned long *node_freed)
{
	struct mm_pool *pool = mem->cfg.pool;
	uint64_t end = gpa + len, run = 0;
	long freed = 0;
	int ret = 0;

	if ((gpa | len) & (PAGE_SIZE - 1) || !guest_mem_hva_of(mem, gpa, len) ||
	    mem->cfg.backing != GUEST_BACKING_POOL)
		return -EINVAL;
	pthread_mutex_lock(&mem->lock);
	for (uint64_t p = gpa; p <= end; p += PAGE_SIZE) {
		bool backed = p < end && mem->gpa_map[gpn(p)] != PFN_NONE;

		/* A page swapped out holds no frame: its copy goes. */
		if (p < end && !backed && __guest_mem_swap_handle(mem, p))
			__guest_mem_swap_drop(mem, p);
		if (backed) {
			if (!run)
				run = p + 1; /* +1: a run may start at 0 */
			continue;
		}
		if (!run)
			continue;
		/* [run - 1, p) is backed: unmap it, then free its frames. */
		ret = __guest_mem_unback_range(mem, run - 1, p - (run - 1));
		if (ret)
			break;
		for (uint64_t q = run - 1; q < p; q += PAGE_SIZE) {
			if (node_freed)
				node_freed[pfn_to_nid(pool,
						      mem->gpa_map[gpn(q)])]++;
			__guest_mem_release_frame(mem, q);
			freed++;
		}
		run = 0;
	}
	mem->stats.pages -= freed;
	pthread_mutex_unlock(&mem->lock);
	return ret ? ret : freed;
}

void guest_mem_reap(struct guest_mem *mem)
{
	pthread_mutex_lock(&mem->lock);
	WRITE_ONCE(mem->dead, true);
	pthread_mutex_unlock(&mem->lock);
	if (mem->cfg.backing == GUEST_BACKING_POOL)
		guest_mem_discard(mem, 0, mem->cfg.size);
}
