// SPDX-License-Identifier: GPL-2.0
/* The fault thread: a guest's first touches served from the pool. */
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
 * Pages mapped per order-0 fault (256 KiB), as Linux's fault-around for
 * file pages: one uffd round trip and one mmap for a run of consecutive
 * frames.  Measured here (docs/PERFORMANCE.md): the round trip, not the
 * per-page work, dominates; 16 pages gave 0.35 GiB/s, 64 gave 0.62.
 * Larger windows map more memory the guest may never touch.
 */
#define FAULT_AROUND 64
/* Fault events read from the userfaultfd at once. */
#define FAULT_BATCH 64

int __guest_mem_map_frames(struct guest_mem *mem, uint64_t gpa, pfn_t pfn,
			   unsigned long npages, bool pinned)
{
	struct mm_pool *pool = mem->cfg.pool;
	int err = __guest_mem_inject(&mem->fail_map);
	int ret = err ? __guest_mem_map_error(err) :
			__guest_mem_map(mem, gpa, pfn, npages);
	uint64_t r;

	if (ret)
		return ret;
	for (unsigned long i = 0; i < npages; i++) {
		/* Map first, owner second: an rmap check in between sees a
		 * frame without owner, never an owner without mapping. */
		WRITE_ONCE(mem->gpa_map[gpn(gpa) + i], pfn + i);
		/* The pin before the owner: compaction reads the flags
		 * without a lock once it sees an owner. */
		if (pinned)
			frame_set_pinned(pool, pfn + i);
		frame_set_owner(pool, pfn + i, mem->cfg.owner,
				(gpa_t){ gpa + (i << PAGE_SHIFT) });
		/* Each page in its own region: a swap-in's run may cross
		 * into the next, and a region counted empty takes an
		 * order-9 fault over what it holds. */
		r = (gpa + (i << PAGE_SHIFT)) / HUGE_SIZE;
		WRITE_ONCE(mem->backed_2m[r], mem->backed_2m[r] + 1);
	}
	if (npages == pageblock_nr_pages)
		__guest_mem_set_huge(mem, gpa, true);
	__guest_mem_set_placeholder(mem, gpa, npages, false);
	/* A run of consecutive frames never crosses a node. */
	__atomic_add_fetch(&mem->pages_node[pfn_to_nid(pool, pfn)], npages,
			   __ATOMIC_RELAXED);
	mem->stats.pages += npages;
	if (mem->stats.pages > mem->stats.peak_pages)
		mem->stats.peak_pages = mem->stats.pages;
	return 0;
}

static void free_frames(struct mm_pool *pool, pfn_t pfn, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		__free_pages(pool, pfn + i, 0);
}

/* May the aligned 2 MiB region around gpa take one order-9 block? */
static bool want_huge(struct guest_mem *mem, uint64_t gpa)
{
	uint64_t gpa2m = ALIGN_DOWN(gpa, HUGE_SIZE);

	return !mem->cfg.no_huge && region_may_be_huge(mem, gpa2m) &&
	       !READ_ONCE(mem->backed_2m[gpa2m / HUGE_SIZE]) &&
	       !(mem->swapped_2m &&
		 READ_ONCE(mem->swapped_2m[gpa2m / HUGE_SIZE]));
}

/*
 * Back the page at gpa: the whole aligned 2 MiB region with one order-9
 * block if it is untouched, else a run of up to FAULT_AROUND consecutive
 * frames from gpa on.  Frames are allocated without mem->lock: the slow
 * path may reclaim from, or OOM-kill, this very guest, and both need the
 * lock.  They are mapped under it, after checking that nobody mapped or
 * killed meanwhile.  The GPA range mapped comes back in start and len.
 * fault: for a guest's fault, whose order-9 block or fallback vmstat
 * counts (thp_fault_*), not for the VMM backing memory ahead of it.
 */
static int populate(struct guest_mem *mem, uint64_t gpa, bool fault,
		    uint64_t *start, uint64_t *len)
{
	struct mm_pool *pool = mem->cfg.pool;
	int node = guest_mem_node_of(mem, gpa);
	int pnid = mem->cfg.pnode[node];
	nodemask_t bind = nodemask_of_node(pnid);
	const nodemask_t *mask = mem->cfg.strict ? &bind : NULL;
	bool pinned = in_pinned(mem, gpa);
	uint64_t gpa2m = ALIGN_DOWN(gpa, HUGE_SIZE), end, p;
	gfp_t gfp = pinned ? GFP_GUEST_PINNED : GFP_GUEST;
	unsigned long n, used;
	pfn_t pfn;
	int ret;

	*start = gpa;
	*len = 0;
	if (want_huge(mem, gpa)) {
		pfn = __alloc_pages(pool,
				    GFP_GUEST_HUGE_LIGHT |
					    (mem->cfg.strict ? __GFP_THISNODE :
							       0),
				    pageblock_order, pnid, mask);
		if (pfn != PFN_NONE) {
			split_page(pool, pfn, pageblock_order);
			pthread_mutex_lock(&mem->lock);
			if (mem->dead || mem->backed_2m[gpa2m / HUGE_SIZE]) {
				pthread_mutex_unlock(&mem->lock);
				free_frames(pool, pfn, pageblock_nr_pages);
				goto order0;
			}
			ret = __guest_mem_map_frames(mem, gpa2m, pfn,
						     pageblock_nr_pages, false);
			pthread_mutex_unlock(&mem->lock);
			if (ret) {
				free_frames(pool, pfn, pageblock_nr_pages);
				return ret;
			}
			if (fault)
				count_vm_event(pool, THP_FAULT_ALLOC);
			*start = gpa2m;
			*len = HUGE_SIZE;
			return 0;
		}
		if (fault)
			count_vm_event(pool, THP_FAULT_FALLBACK);
		__atomic_add_fetch(&mem->stats.huge_fallbacks, 1,
				   __ATOMIC_RELAXED);
		/* The light huge gfp neither reclaims nor compacts: let
		 * kcompactd make order 9 for the next fault, as THP's
		 * defrag=defer does. */
		wakeup_kcompactd(pool, pnid < 0 ? 0 : pnid, pageblock_order,
				 ZONE_MOVABLE);
	}

order0:
	/* The faulting page may reclaim; the rest of the window is
	 * opportunistic and stops at the first frame out of sequence. */
	pfn = __alloc_pages(pool, gfp, 0, pnid, mask);
	if (pfn == PFN_NONE)
		return -ENOMEM;
	end = ALIGN_DOWN(gpa, FAULT_AROUND * PAGE_SIZE) +
	      FAULT_AROUND * PAGE_SIZE;
	for (n = 1, p = gpa + PAGE_SIZE; p < end; p += PAGE_SIZE, n++) {
		pfn_t next;

		if (READ_ONCE(mem->gpa_map[gpn(p)]) != PFN_NONE ||
		    __guest_mem_swap_handle(mem, p) ||
		    guest_mem_node_of(mem, p) != node ||
		    in_pinned(mem, p) != pinned)
			break;
		next = __alloc_pages(
			pool, (gfp & ~__GFP_DIRECT_RECLAIM) | __GFP_NOWARN, 0,
			pnid, mask);
		if (next == PFN_NONE)
			break;
		if (next != pfn + n) {
			__free_pages(pool, next, 0);
			break;
		}
	}

	pthread_mutex_lock(&mem->lock);
	used = 0;
	if (!mem->dead) {
		/* Map as much of the run as is still unbacked (and not
		 * swapped out: a zeroed frame over it would lose it). */
		while (used < n &&
		       mem->gpa_map[gpn(gpa + (used << PAGE_SHIFT))] ==
			       PFN_NONE &&
		       !__guest_mem_swap_handle(mem,
						gpa + (used << PAGE_SHIFT)))
			used++;
		ret = used ? __guest_mem_map_frames(mem, gpa, pfn, used,
						    pinned) :
			     0;
		if (ret)
			used = 0;
	} else {
		ret = -ENOENT;
	}
	pthread_mutex_unlock(&mem->lock);
	free_frames(pool, pfn + used, n - used);
	*len = used << PAGE_SHIFT;
	return ret;
}

int guest_mem_back(struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	uint64_t start, n;
	int ret = 0;

	if (!guest_mem_hva_of(mem, gpa, len))
		return -EFAULT;
	if (mem->cfg.backing == GUEST_BACKING_ANON)
		return 0;
	for (uint64_t p = ALIGN_DOWN(gpa, PAGE_SIZE); p < gpa + len && !ret;
	     p += PAGE_SIZE) {
		if (READ_ONCE(mem->gpa_map[gpn(p)]) != PFN_NONE)
			continue;
		ret = populate(mem, p, false, &start, &n);
	}
	return ret;
}

/*
 * The VM is stopping (out of memory, a host limit, or killed): let the thread that
 * touched gpa move on, to notice the stop, rather than leave it blocked in
 * the kernel (a vCPU would leave on the stop's signal; a VMM thread
 * reading guest memory would not).  Nothing of the pool is involved: the
 * zero page where the placeholder is anonymous; where it is the pool
 * mapping of a discard, an anonymous page mapped over it (a zero page
 * there would be put into the pool file).  Either way the page is the
 * host's now, no longer registered: the guest does not run again.
 */
static void let_go(struct guest_mem *mem, uint64_t gpa)
{
	void *addr = mem->hva + gpa;
	struct uffdio_range wake = { (uint64_t)addr, PAGE_SIZE };
	struct uffdio_zeropage zp = { .range = wake };

	pthread_mutex_lock(&mem->lock);
	if (mem->gpa_map[gpn(gpa)] != PFN_NONE) {
		/* Mapped meanwhile. */
	} else if (!__guest_mem_test_placeholder(mem, gpn(gpa))) {
		ioctl(mem->uffd, UFFDIO_ZEROPAGE, &zp);
	} else if (mmap(addr, PAGE_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
			-1, 0) != MAP_FAILED) {
		__guest_mem_set_placeholder(mem, gpa, 1, false);
	} else {
		/* No mapping to be had (vm.max_map_count): the thread
		 * waits until the memory goes (guest_mem_destroy()). */
		fprintf(stderr,
			"vmm: guest %u: cannot let go of a fault at gpa 0x%llx: %s\n",
			mem->cfg.owner, (unsigned long long)gpa,
			strerror(errno));
	}
	pthread_mutex_unlock(&mem->lock);
	ioctl(mem->uffd, UFFDIO_WAKE, &wake);
}

/*
 * The fault at gpa failed (populate()'s -errno): the pool had no frame
 * (-ENOMEM), or it had but the frames could not be mapped (a host
 * limit), or the VM is dead (-ENOENT: nothing to say).  The VM is told
 * once.
 */
static void stop_vm(struct guest_mem *mem, uint64_t gpa, int err)
{
	bool first;

	if (err == -ENOENT)
		return;
	if (err == -ENOMEM)
		__atomic_add_fetch(&mem->stats.alloc_failures, 1,
				   __ATOMIC_RELAXED);
	else
		__atomic_add_fetch(&mem->stats.map_failures, 1,
				   __ATOMIC_RELAXED);
	first = !__atomic_exchange_n(&mem->stop_reported, true,
				     __ATOMIC_ACQ_REL);
	if (!first)
		return;
	if (err == -ENOMEM && mem->cfg.oom)
		mem->cfg.oom(mem->cfg.arg, gpa);
	else if (err != -ENOMEM && mem->cfg.host_limit)
		mem->cfg.host_limit(mem->cfg.arg, gpa, err);
}

/*
 * A minor fault on a page that is backed: a swap-out unmapped it, then
 * the tier refused it, and it stays the guest's (swap.c).  The frame is
 * the one in the page cache behind the VMA: map it again in place
 * (UFFDIO_CONTINUE), or, where the kernel will not (the VMA changed
 * since the fault was raised), with a mapping of its own.
 */
static void continue_backed(struct guest_mem *mem, uint64_t gpa,
			    struct uffdio_range *wake)
{
	struct uffdio_continue c = {
		.range = { (uint64_t)mem->hva + gpa, PAGE_SIZE },
	};
	pfn_t pfn;
	int ret;

	*wake = c.range;
	pthread_mutex_lock(&mem->lock);
	pfn = mem->gpa_map[gpn(gpa)];
	if (pfn != PFN_NONE && ioctl(mem->uffd, UFFDIO_CONTINUE, &c) &&
	    errno != EEXIST) {
		ret = __guest_mem_map(mem, gpa, pfn, 1);
		if (ret)
			fprintf(stderr,
				"vmm: guest %u: cannot map gpa 0x%llx again: %s\n",
				mem->cfg.id, (unsigned long long)gpa,
				strerror(-ret));
	}
	pthread_mutex_unlock(&mem->lock);
	ioctl(mem->uffd, UFFDIO_WAKE, wake);
}

/* Serve the fault at addr; the range whose waiters it woke into *wake. */
static void serve_fault(struct guest_mem *mem, uint64_t addr, uint64_t flags,
			struct uffdio_range *wake)
{
	bool swap_in = false;
	unsigned int file = 0;

	uint64_t t0 = trace_clock_ns(), gpa, start = 0, len = 0;
	int ret = 0;

	gpa = ALIGN_DOWN(addr - (uint64_t)mem->hva, PAGE_SIZE);
	if (gpa >= mem->cfg.size)
		return;
	__atomic_add_fetch(&mem->stats.faults, 1, __ATOMIC_RELAXED);
	count_vm_event(mem->cfg.pool, PGFAULT);
	if (READ_ONCE(mem->gpa_map[gpn(gpa)]) != PFN_NONE) {
		/*
		 * Backed: mapped since the fault was raised, or being
		 * discarded (registered, pages dropped, the GPA map not yet
		 * cleared: a wake now would only fault again, over and
		 * over).  The discard holds mem->lock throughout.
		 */
		pthread_mutex_lock(&mem->lock);
		pthread_mutex_unlock(&mem->lock);
	}
	if (READ_ONCE(mem->gpa_map[gpn(gpa)]) != PFN_NONE) {
		__atomic_add_fetch(&mem->stats.spurious, 1, __ATOMIC_RELAXED);
		if (flags & UFFD_PAGEFAULT_FLAG_MINOR) {
			continue_backed(mem, gpa, wake);
			return;
		}
	} else if (READ_ONCE(mem->dead)) {
		ret = -ENOENT;
	} else if (__guest_mem_swap_handle(mem, gpa)) {
		swap_in = true;
		ret = __guest_mem_swap_in(mem, gpa, &start, &len, &file);
		if (ret == -ENOSPC && guest_mem_merge_mappings(mem) > 0)
			ret = __guest_mem_swap_in(mem, gpa, &start, &len,
						  &file);
	} else {
		ret = populate(mem, gpa, true, &start, &len);
		/* No room for another mapping: make some, then again. */
		if (ret == -ENOSPC && guest_mem_merge_mappings(mem) > 0)
			ret = populate(mem, gpa, true, &start, &len);
	}
	if (ret) {
		stop_vm(mem, gpa, ret);
		let_go(mem, gpa);
		*wake = (struct uffdio_range){ (uint64_t)mem->hva + gpa,
					       PAGE_SIZE };
		return;
	}
	/* Wake whoever waits on this page (and the window we mapped). */
	if (!len) {
		start = gpa;
		len = PAGE_SIZE;
	}
	wake->start = (uint64_t)mem->hva + start;
	wake->len = len;
	ioctl(mem->uffd, UFFDIO_WAKE, wake);
	t0 = trace_clock_ns() - t0;
	hist_add(&mem->fault_ns, t0);
	if (swap_in) {
		hist_add(&mem->swap_in_ns, t0);
		trace_event(&mem->cfg.pool->trace, TR_SWAP_IN, mem->cfg.id,
			    len >> PAGE_SHIFT, file, t0);
	}
	trace_event(&mem->cfg.pool->trace, TR_FAULT, mem->cfg.id, gpa,
		    len == HUGE_SIZE ? pageblock_order : 0, t0);
	if (swap_in)
		__guest_mem_swap_readahead(mem);
}

/*
 * A write to a page under a migration entry (migrate.c).  The
 * migration wakes its writers itself when it is done; it holds mem->lock
 * throughout, so once we have the lock it is over, and a wake here only
 * makes sure that no writer waits for one that went astray.
 */
static void serve_wp_fault(struct guest_mem *mem, uint64_t addr,
			   struct uffdio_range *wake)
{
	*wake = (struct uffdio_range){ ALIGN_DOWN(addr, PAGE_SIZE), PAGE_SIZE };
	__atomic_add_fetch(&mem->stats.wp_faults, 1, __ATOMIC_RELAXED);
	count_vm_event(mem->cfg.pool, PGFAULT);
	pthread_mutex_lock(&mem->lock);
	pthread_mutex_unlock(&mem->lock);
	ioctl(mem->uffd, UFFDIO_WAKE, wake);
}

/* The vCPU a fault came from (its pressure task), NULL for another
 * thread. */
static struct psi_task *fault_task(struct guest_mem *mem,
				   const struct uffd_msg *msg)
{
	if (!mem->cfg.psi_task || msg->event != UFFD_EVENT_PAGEFAULT)
		return NULL;
	return mem->cfg.psi_task(mem->cfg.arg, msg->arg.pagefault.feat.ptid);
}

/*
 * Serve a batch of faults in order.  The vCPUs of the fault being served
 * and of those read with it and not yet served all wait for this
 * thread: while it waits for memory (direct reclaim, compaction, the OOM
 * killer), they are stalled (psi_set_current()).  A later fault whose
 * page a wake covered waits no more.
 */
static void serve_batch(struct guest_mem *mem, const struct uffd_msg *msg,
			unsigned int nr)
{
	struct psi_task *waiting[FAULT_BATCH];

	for (unsigned int i = 0; i < nr; i++)
		waiting[i] = fault_task(mem, &msg[i]);
	for (unsigned int i = 0; i < nr; i++) {
		uint64_t addr = msg[i].arg.pagefault.address;
		struct uffdio_range woke = { 0, 0 };

		if (msg[i].event != UFFD_EVENT_PAGEFAULT)
			continue;
		psi_set_current(&waiting[i], nr - i);
		if (msg[i].arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP)
			serve_wp_fault(mem, addr, &woke);
		else
			serve_fault(mem, addr, msg[i].arg.pagefault.flags,
				    &woke);
		for (unsigned int k = i + 1; k < nr; k++)
			if (msg[k].arg.pagefault.address - woke.start <
			    woke.len)
				waiting[k] = NULL;
	}
	psi_set_current(NULL, 0);
}

static __thread const struct guest_mem *current_mem;

const char *guest_mem_current_name(void)
{
	return current_mem && current_mem->cfg.name ? current_mem->cfg.name :
						      NULL;
}

void *__guest_mem_fault_thread(void *arg)
{
	struct guest_mem *mem = arg;
	struct uffd_msg msg[FAULT_BATCH];
	struct pollfd pfd[2] = {
		{ .fd = mem->uffd, .events = POLLIN },
		{ .fd = mem->stop_efd, .events = POLLIN },
	};

	current_mem = mem;
	mm_set_current_vm(mem->cfg.id);
	for (;;) {
		ssize_t n;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents)
			break;
		n = read(mem->uffd, msg, sizeof(msg));
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			break;
		}
		serve_batch(mem, msg, n / sizeof(msg[0]));
	}
	return NULL;
}
