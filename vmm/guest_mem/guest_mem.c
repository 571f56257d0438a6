// SPDX-License-Identifier: GPL-2.0
/* Guest RAM faulted in from the pool through userfaultfd. */
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

int guest_mem_node_of(const struct guest_mem *mem, uint64_t gpa)
{
	for (unsigned int n = 0; n < mem->cfg.nr_nodes; n++)
		if (gpa - mem->cfg.node[n].start < mem->cfg.node[n].size)
			return n;
	return -1;
}

#define LONG_BITS (8 * sizeof(unsigned long))

static bool test_pool_placeholder(const struct guest_mem *mem, uint64_t page)
{
	return mem->pool_placeholder[page / LONG_BITS] &
	       (1UL << (page % LONG_BITS));
}

/* Mark the placeholders of npages pages from gpa as the pool mapping's
 * (or not), a word at a time.  mem->lock held. */
static void set_pool_placeholder(struct guest_mem *mem, uint64_t gpa,
				 unsigned long npages, bool on)
{
	uint64_t p = gpn(gpa), end = p + npages;

	while (p < end) {
		unsigned int shift = p % LONG_BITS;
		uint64_t n = end - p < LONG_BITS - shift ? end - p :
							   LONG_BITS - shift;
		unsigned long bits = (n == LONG_BITS ? ~0UL : (1UL << n) - 1)
				     << shift;

		if (on)
			mem->pool_placeholder[p / LONG_BITS] |= bits;
		else
			mem->pool_placeholder[p / LONG_BITS] &= ~bits;
		p += n;
	}
}

int __guest_mem_map(struct guest_mem *mem, uint64_t gpa, pfn_t pfn,
		    unsigned long npages)
{
	struct mm_pool *pool = mem->cfg.pool;
	void *addr = mem->hva + gpa;

	if (mmap(addr, npages << PAGE_SHIFT, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, pool->memfd,
		 pfn_to_offset(pfn)) == MAP_FAILED)
		return __guest_mem_map_error(errno);
	/* shmem_enabled=advise wants the guest's VMA advised too, for a
	 * PMD mapping (and so KVM's 2 MiB entry). */
	if (npages == pageblock_nr_pages && pool->hugepages)
		madvise(addr, HUGE_SIZE, MADV_HUGEPAGE);
	/*
	 * Not registered for migration entries here: a migration registers
	 * just its runs.  Registering every mapping up front, so that a
	 * migration never splits a VMA to register it, measured slower in
	 * bench_migrate (remaps of a churning guest about 60-85 us a run
	 * instead of 30, scattered pages 35-45 MiB/s instead of 52-62).
	 */
	return 0;
}

void __guest_mem_set_huge(struct guest_mem *mem, uint64_t gpa_2m, bool huge)
{
	uint64_t r = gpa_2m / HUGE_SIZE;

	if (huge == mem->huge_2m[r])
		return;
	mem->huge_2m[r] = huge;
	if (huge)
		mem->stats.huge_maps++;
	else
		mem->stats.huge_maps--;
}

/* Map npages frames from pfn at gpa and record them; mem->lock held. */
static int map_frames(struct guest_mem *mem, uint64_t gpa, pfn_t pfn,
		      unsigned long npages, bool pinned)
{
	struct mm_pool *pool = mem->cfg.pool;
	int err = __guest_mem_inject(&mem->fail_map);
	int ret = err ? __guest_mem_map_error(err) :
			__guest_mem_map(mem, gpa, pfn, npages);

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
	}
	WRITE_ONCE(mem->backed_2m[gpa / HUGE_SIZE],
		   mem->backed_2m[gpa / HUGE_SIZE] + npages);
	if (npages == pageblock_nr_pages)
		__guest_mem_set_huge(mem, gpa, true);
	set_pool_placeholder(mem, gpa, npages, false);
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
	       !READ_ONCE(mem->backed_2m[gpa2m / HUGE_SIZE]);
}

/*
 * Back the page at gpa: the whole aligned 2 MiB region with one order-9
 * block if it is untouched, else a run of up to FAULT_AROUND consecutive
 * frames from gpa on.  Frames are allocated without mem->lock: the slow
 * path may reclaim from, or OOM-kill, this very guest, and both need the
 * lock.  They are mapped under it, after checking that nobody mapped or
 * killed meanwhile.  The GPA range mapped comes back in start and len.
 */
static int populate(struct guest_mem *mem, uint64_t gpa, uint64_t *start,
		    uint64_t *len)
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
			ret = map_frames(mem, gpa2m, pfn, pageblock_nr_pages,
					 false);
			pthread_mutex_unlock(&mem->lock);
			if (ret) {
				free_frames(pool, pfn, pageblock_nr_pages);
				return ret;
			}
			count_vm_event(pool, THP_FAULT_ALLOC);
			*start = gpa2m;
			*len = HUGE_SIZE;
			return 0;
		}
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
		/* Map as much of the run as is still unbacked. */
		while (used < n &&
		       mem->gpa_map[gpn(gpa + (used << PAGE_SHIFT))] ==
			       PFN_NONE)
			used++;
		ret = used ? map_frames(mem, gpa, pfn, used, pinned) : 0;
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
		ret = populate(mem, p, &start, &n);
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
	} else if (!test_pool_placeholder(mem, gpn(gpa))) {
		ioctl(mem->uffd, UFFDIO_ZEROPAGE, &zp);
	} else if (mmap(addr, PAGE_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
			-1, 0) != MAP_FAILED) {
		set_pool_placeholder(mem, gpa, 1, false);
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

static void serve_fault(struct guest_mem *mem, uint64_t addr)
{
	uint64_t t0 = trace_clock_ns(), gpa, start = 0, len = 0;
	struct uffdio_range wake;
	int ret = 0;

	gpa = ALIGN_DOWN(addr - (uint64_t)mem->hva, PAGE_SIZE);
	if (gpa >= mem->cfg.size)
		return;
	__atomic_add_fetch(&mem->stats.faults, 1, __ATOMIC_RELAXED);
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
	} else if (READ_ONCE(mem->dead)) {
		ret = -ENOENT;
	} else {
		ret = populate(mem, gpa, &start, &len);
		/* No room for another mapping: make some, then again. */
		if (ret == -ENOSPC && guest_mem_merge_mappings(mem) > 0)
			ret = populate(mem, gpa, &start, &len);
	}
	if (ret) {
		stop_vm(mem, gpa, ret);
		let_go(mem, gpa);
		return;
	}
	/* Wake whoever waits on this page (and the window we mapped). */
	if (!len) {
		start = gpa;
		len = PAGE_SIZE;
	}
	wake.start = (uint64_t)mem->hva + start;
	wake.len = len;
	ioctl(mem->uffd, UFFDIO_WAKE, &wake);
	t0 = trace_clock_ns() - t0;
	hist_add(&mem->fault_ns, t0);
	trace_event(&mem->cfg.pool->trace, TR_FAULT, mem->cfg.id, gpa,
		    len == HUGE_SIZE ? pageblock_order : 0, t0);
}

/*
 * A write to a page under a migration entry (migrate.c).  The
 * migration wakes its writers itself when it is done; it holds mem->lock
 * throughout, so once we have the lock it is over, and a wake here only
 * makes sure that no writer waits for one that went astray.
 */
static void serve_wp_fault(struct guest_mem *mem, uint64_t addr)
{
	struct uffdio_range wake = { ALIGN_DOWN(addr, PAGE_SIZE), PAGE_SIZE };

	__atomic_add_fetch(&mem->stats.wp_faults, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&mem->lock);
	pthread_mutex_unlock(&mem->lock);
	ioctl(mem->uffd, UFFDIO_WAKE, &wake);
}

static __thread const struct guest_mem *current_mem;

const char *guest_mem_current_name(void)
{
	return current_mem && current_mem->cfg.name ? current_mem->cfg.name :
						      NULL;
}

static void *fault_thread(void *arg)
{
	struct guest_mem *mem = arg;
	struct uffd_msg msg[64];
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
		for (ssize_t i = 0; i < n / (ssize_t)sizeof(msg[0]); i++) {
			if (msg[i].event != UFFD_EVENT_PAGEFAULT)
				continue;
			if (msg[i].arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP)
				serve_wp_fault(mem,
					       msg[i].arg.pagefault.address);
			else
				serve_fault(mem, msg[i].arg.pagefault.address);
		}
	}
	return NULL;
}

/* The userfaultfd features this kernel has (a throwaway uffd asked with
 * none: UFFDIO_API reports what it supports). */
static uint64_t uffd_features(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	int fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	uint64_t f = 0;

	if (fd < 0)
		return 0;
	if (!ioctl(fd, UFFDIO_API, &api))
		f = api.features;
	close(fd);
	return f;
}

static int setup_uffd(struct guest_mem *mem)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { (uint64_t)mem->hva, mem->cfg.size },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	uint64_t features = uffd_features();

	/* Migration entries need write-protection of shmem (Linux 5.19). */
	if (features & UFFD_FEATURE_WP_HUGETLBFS_SHMEM) {
		api.features |= UFFD_FEATURE_WP_HUGETLBFS_SHMEM;
		mem->wp_capable = true;
		mem->wp = !mem->cfg.migrate_by_pause;
	}
	/* Discards without a window need minor faults of shmem (5.14). */
	if (features & UFFD_FEATURE_MINOR_SHMEM) {
		api.features |= UFFD_FEATURE_MINOR_SHMEM;
		mem->minor_capable = true;
	}
	mem->uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (mem->uffd < 0)
		return -errno;
	if (ioctl(mem->uffd, UFFDIO_API, &api) ||
	    ioctl(mem->uffd, UFFDIO_REGISTER, &reg))
		return -errno;
	mem->stop_efd = eventfd(0, EFD_CLOEXEC);
	if (mem->stop_efd < 0)
		return -errno;
	return 0;
}

static int set_memslots(struct guest_mem *mem)
{
	for (unsigned int n = 0; n < mem->cfg.nr_nodes; n++) {
		struct kvm_userspace_memory_region r = {
			.slot = n,
			.guest_phys_addr = mem->cfg.node[n].start,
			.memory_size = mem->cfg.node[n].size,
			.userspace_addr =
				(uint64_t)mem->hva + mem->cfg.node[n].start,
		};

		if (ioctl(mem->cfg.vm_fd, KVM_SET_USER_MEMORY_REGION, &r))
			return -errno;
	}
	return 0;
}

static int check_config(const struct guest_mem_config *cfg)
{
	uint64_t next = 0;

	if (!cfg->size || cfg->size % HUGE_SIZE || cfg->size > GUEST_RAM_MAX ||
	    !cfg->nr_nodes || cfg->nr_nodes > GUEST_MAX_NODES ||
	    (cfg->backing == GUEST_BACKING_POOL && !cfg->pool))
		return -EINVAL;
	for (unsigned int n = 0; n < cfg->nr_nodes; n++) {
		if (cfg->node[n].start != next || !cfg->node[n].size ||
		    cfg->node[n].size % HUGE_SIZE)
			return -EINVAL;
		if (cfg->pool && (cfg->pnode[n] < 0 ||
				  cfg->pnode[n] >= (int)cfg->pool->nr_nodes))
			return -EINVAL;
		next += cfg->node[n].size;
	}
	if (next != cfg->size ||
	    cfg->pinned_start + cfg->pinned_size > cfg->size)
		return -EINVAL;
	return 0;
}

int guest_mem_create(const struct guest_mem_config *cfg, struct guest_mem **out)
{
	struct guest_mem *mem;
	uint8_t *raw;
	int ret;

	*out = NULL;
	ret = check_config(cfg);
	if (ret)
		return ret;
	mem = calloc(1, sizeof(*mem));
	if (!mem)
		return -ENOMEM;
	mem->cfg = *cfg;
	mem->uffd = -1;
	mem->stop_efd = -1;
	mem->npages = cfg->size >> PAGE_SHIFT;
	pthread_mutex_init(&mem->lock, NULL);

	/* 2 MiB-aligned so that a 2 MiB GPA region can be a host PMD. */
	raw = mmap(NULL, cfg->size + HUGE_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED) {
		ret = -errno;
		goto err_free;
	}
	mem->hva = (uint8_t *)ALIGN_UP((uintptr_t)raw, HUGE_SIZE);
	if (mem->hva > raw)
		munmap(raw, mem->hva - raw);
	munmap(mem->hva + cfg->size, raw + HUGE_SIZE - mem->hva);
	/* Anonymous RAM gets what a stock VMM asks for: THP, unless the
	 * caller wants 4 KiB pages. */
	if (cfg->backing == GUEST_BACKING_ANON && !cfg->no_huge)
		madvise(mem->hva, cfg->size, MADV_HUGEPAGE);

	if (cfg->backing == GUEST_BACKING_POOL) {
		ret = -ENOMEM;
		mem->gpa_map = malloc(mem->npages * sizeof(*mem->gpa_map));
		mem->backed_2m =
			calloc(cfg->size / HUGE_SIZE, sizeof(*mem->backed_2m));
		mem->huge_2m =
			calloc(cfg->size / HUGE_SIZE, sizeof(*mem->huge_2m));
		mem->pool_placeholder =
			calloc((mem->npages + LONG_BITS - 1) / LONG_BITS,
			       sizeof(*mem->pool_placeholder));
		if (!mem->gpa_map || !mem->backed_2m || !mem->huge_2m ||
		    !mem->pool_placeholder)
			goto err_unmap;
		memset(mem->gpa_map, 0xff, mem->npages * sizeof(*mem->gpa_map));
		ret = setup_uffd(mem);
		if (ret)
			goto err_unmap;
		guest_mem_hold_map_reserve();
		ret = -pthread_create(&mem->fault_thread, NULL, fault_thread,
				      mem);
		if (ret)
			goto err_unmap;
		mem->thread_started = true;
	}
	if (cfg->vm_fd >= 0) {
		ret = set_memslots(mem);
		if (ret)
			goto err_unmap;
	}
	*out = mem;
	return 0;

err_unmap:
	guest_mem_destroy(mem);
	return ret;
err_free:
	pthread_mutex_destroy(&mem->lock);
	free(mem);
	return ret;
}

void guest_mem_destroy(struct guest_mem *mem)
{
	struct mm_pool *pool = mem ? mem->cfg.pool : NULL;
	uint64_t one = 1;

	if (!mem)
		return;
	if (mem->thread_started) {
		if (write(mem->stop_efd, &one, sizeof(one)) != sizeof(one))
			pthread_cancel(mem->fault_thread);
		pthread_join(mem->fault_thread, NULL);
	}
	if (mem->uffd >= 0)
		close(mem->uffd);
	if (mem->stop_efd >= 0)
		close(mem->stop_efd);
	munmap(mem->hva, mem->cfg.size);
	/* Every frame goes back: owner first, as in map_frames() reversed. */
	if (mem->gpa_map) {
		for (uint64_t i = 0; i < mem->npages; i++) {
			pfn_t pfn = mem->gpa_map[i];

			if (pfn == PFN_NONE)
				continue;
			frame_clear_owner(pool, pfn);
			WRITE_ONCE(mem->gpa_map[i], PFN_NONE);
			__free_pages(pool, pfn, 0);
		}
	}
	free(mem->gpa_map);
	free(mem->backed_2m);
	free(mem->huge_2m);
	free(mem->pool_placeholder);
	pthread_mutex_destroy(&mem->lock);
	free(mem);
}

void *guest_mem_hva_of(struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	if (gpa >= mem->cfg.size || len > mem->cfg.size - gpa)
		return NULL;
	return mem->hva + gpa;
}

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
static int unback_range(struct guest_mem *mem, uint64_t gpa, uint64_t len)
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
		set_pool_placeholder(mem, gpa, len >> PAGE_SHIFT, true);
		return 0;
	}
	/* The run stays backed: off the uffd again, whatever part of it
	 * got registered (a page without its PTE there would fault to a
	 * thread that finds it backed, for ever). */
	ret = -errno;
	ioctl(mem->uffd, UFFDIO_UNREGISTER, &reg.range);
	return ret;
}

long guest_mem_discard(struct guest_mem *mem, uint64_t gpa, uint64_t len)
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

		if (backed) {
			if (!run)
				run = p + 1; /* +1: a run may start at 0 */
			continue;
		}
		if (!run)
			continue;
		/* [run - 1, p) is backed: unmap it, then free its frames. */
		ret = unback_range(mem, run - 1, p - (run - 1));
		if (ret)
			break;
		for (uint64_t q = run - 1; q < p; q += PAGE_SIZE) {
			pfn_t pfn = mem->gpa_map[gpn(q)];

			frame_clear_owner(pool, pfn);
			WRITE_ONCE(mem->gpa_map[gpn(q)], PFN_NONE);
			WRITE_ONCE(mem->backed_2m[q / HUGE_SIZE],
				   mem->backed_2m[q / HUGE_SIZE] - 1);
			__guest_mem_set_huge(mem, ALIGN_DOWN(q, HUGE_SIZE),
					     false);
			__atomic_sub_fetch(
				&mem->pages_node[pfn_to_nid(pool, pfn)], 1,
				__ATOMIC_RELAXED);
			__free_pages(pool, pfn, 0);
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

bool guest_mem_maps(struct guest_mem *mem, uint64_t gpa, pfn_t pfn)
{
	return gpa < mem->cfg.size && READ_ONCE(mem->gpa_map[gpn(gpa)]) == pfn;
}

void guest_mem_get_stats(struct guest_mem *mem, struct guest_mem_stats *st)
{
	pthread_mutex_lock(&mem->lock);
	st->pages = mem->stats.pages;
	st->peak_pages = mem->stats.peak_pages;
	st->huge_maps = mem->stats.huge_maps;
	st->migrated = mem->stats.migrated;
	st->migrate_failed = mem->stats.migrate_failed;
	st->migrate_batches = mem->stats.migrate_batches;
	st->collapsed = mem->stats.collapsed;
	pthread_mutex_unlock(&mem->lock);
	/* Counted outside the lock by the fault thread. */
	st->faults = __atomic_load_n(&mem->stats.faults, __ATOMIC_RELAXED);
	st->spurious = __atomic_load_n(&mem->stats.spurious, __ATOMIC_RELAXED);
	st->huge_fallbacks =
		__atomic_load_n(&mem->stats.huge_fallbacks, __ATOMIC_RELAXED);
	st->alloc_failures =
		__atomic_load_n(&mem->stats.alloc_failures, __ATOMIC_RELAXED);
	st->map_failures =
		__atomic_load_n(&mem->stats.map_failures, __ATOMIC_RELAXED);
	st->wp_faults =
		__atomic_load_n(&mem->stats.wp_faults, __ATOMIC_RELAXED);
}
