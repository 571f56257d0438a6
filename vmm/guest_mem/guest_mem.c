// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM over the pool (guest_mem.h): creating and destroying it, the
 * userfaultfd and memslots, mapping frames; the faults are fault.c, the
 * discard discard.c.
 */
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
#include "swap/tier.h"
#include "vmm/guest_mem/internal.h"
#include "vmm/guest_mem/trace.h"

int guest_mem_node_of(const struct guest_mem *mem, uint64_t gpa)
{
	for (unsigned int n = 0; n < mem->cfg.nr_nodes; n++)
		if (gpa - mem->cfg.node[n].start < mem->cfg.node[n].size)
			return n;
	return -1;
}

#define LONG_BITS (8 * sizeof(unsigned long))

bool __guest_mem_test_placeholder(const struct guest_mem *mem, uint64_t page)
{
	return mem->pool_placeholder[page / LONG_BITS] &
	       (1UL << (page % LONG_BITS));
}

/* Mark the placeholders of npages pages from gpa as the pool mapping's
 * (or not), a word at a time.  mem->lock held. */
void __guest_mem_set_placeholder(struct guest_mem *mem, uint64_t gpa,
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
	/* Not yet touched through this mapping: not known idle either. */
	__guest_mem_idle_forget(mem, gpa, npages);
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
	/* Which thread faulted: a vCPU's stall is its own (4.14). */
	if (features & UFFD_FEATURE_THREAD_ID)
		api.features |= UFFD_FEATURE_THREAD_ID;
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
		mem->host_touched =
			calloc((mem->npages + LONG_BITS - 1) / LONG_BITS,
			       sizeof(*mem->host_touched));
		/* The cold tier's tables before the fault thread starts:
		 * it reads them without the lock (4 bytes a page). */
		if (cfg->tier) {
			mem->swap_map =
				calloc(mem->npages, sizeof(*mem->swap_map));
			mem->swapped_2m = calloc(cfg->size / HUGE_SIZE,
						 sizeof(*mem->swapped_2m));
		}
		if (!mem->gpa_map || !mem->backed_2m || !mem->huge_2m ||
		    !mem->pool_placeholder || !mem->host_touched ||
		    (cfg->tier && (!mem->swap_map || !mem->swapped_2m)))
			goto err_unmap;
		memset(mem->gpa_map, 0xff, mem->npages * sizeof(*mem->gpa_map));
		ret = setup_uffd(mem);
		if (ret)
			goto err_unmap;
		guest_mem_hold_map_reserve();
		ret = -pthread_create(&mem->fault_thread, NULL,
				      __guest_mem_fault_thread, mem);
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
	/* ... and every copy in the tier. */
	for (uint64_t i = 0; mem->swap_map && i < mem->npages; i++)
		if (mem->swap_map[i])
			swap_tier_free(mem->cfg.tier, mem->swap_map[i], false);
	free(mem->swap_map);
	free(mem->swapped_2m);
	free(mem->gpa_map);
	free(mem->backed_2m);
	free(mem->huge_2m);
	free(mem->pool_placeholder);
	free(mem->host_touched);
	guest_mem_idle_free(mem);
	pthread_mutex_destroy(&mem->lock);
	free(mem);
}

void *guest_mem_hva_of(struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	if (gpa >= mem->cfg.size || len > mem->cfg.size - gpa)
		return NULL;
	return mem->hva + gpa;
}

void *guest_mem_host_hva(struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	void *hva = guest_mem_hva_of(mem, gpa, len);

	if (!hva || !mem->host_touched || !len)
		return hva;
	for (uint64_t p = gpn(gpa); p <= gpn(gpa + len - 1); p++) {
		unsigned long bit = 1UL << (p % LONG_BITS);

		/* Read first: the bits are set once, read on every access. */
		if (!(__atomic_load_n(&mem->host_touched[p / LONG_BITS],
				      __ATOMIC_RELAXED) &
		      bit))
			__atomic_fetch_or(&mem->host_touched[p / LONG_BITS],
					  bit, __ATOMIC_RELAXED);
	}
	return hva;
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
	st->swapped = mem->stats.swapped;
	st->swap_out = mem->stats.swap_out;
	st->swap_in = mem->stats.swap_in;
	st->swap_dropped = mem->stats.swap_dropped;
	st->swap_refused = mem->stats.swap_refused;
	st->idle_scanned = mem->stats.idle_scanned;
	st->idle_found = mem->stats.idle_found;
	st->idle_dropped = mem->stats.idle_dropped;
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
