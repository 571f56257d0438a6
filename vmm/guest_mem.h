/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest RAM: one host VA range per VM, one KVM memslot per guest NUMA node
 * range, populated on first touch from the pool.
 *
 * Unbacked RAM is an anonymous placeholder registered with userfaultfd
 * (MISSING).  A fault thread per VM takes each first touch, allocates from
 * mm/ (order 9 with a light gfp for an unbacked aligned 2 MiB region, else
 * order 0 for a small fault-around window), maps the frames over the
 * placeholder with mmap(MAP_FIXED | MAP_SHARED) of the pool memfd, and
 * wakes the vCPU.  The GPA -> pfn map here and the frames' owner fields in
 * mm/ are the two directions of the reverse map; both change together
 * under mem->lock.
 */
#ifndef VMM_GUEST_MEM_H
#define VMM_GUEST_MEM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "guest/abi.h"
#include "mm/mm.h"
#include "vmm/histogram.h"

enum guest_backing {
	GUEST_BACKING_POOL, /* userfaultfd + pool frames (the product) */
	GUEST_BACKING_ANON, /* plain anonymous memory: the kernel's own path */
};

struct guest_mem_config {
	uint16_t owner; /* VM id in the frames' reverse map */
	uint64_t size; /* bytes, 2 MiB multiple */
	unsigned int nr_nodes;
	struct guest_node_range node[GUEST_MAX_NODES];
	int pnode[GUEST_MAX_NODES]; /* pool node behind each guest node */
	bool strict; /* bind: never take frames from another pool node */
	uint64_t pinned_start, pinned_size; /* unmovable guest range */
	enum guest_backing backing;
	bool no_huge; /* order 0 only; anonymous: no MADV_HUGEPAGE */
	struct mm_pool *pool;
	int vm_fd; /* KVM VM for the memslots, -1: none (tests) */
	/* The pool cannot back gpa: the VM must stop.  Fault thread. */
	void (*oom)(void *arg, uint64_t gpa);
	void *arg;
};

struct guest_mem_stats {
	uint64_t faults; /* uffd events served */
	uint64_t spurious; /* of which for a page already backed */
	uint64_t pages; /* 4 KiB pages backed now */
	uint64_t peak_pages;
	uint64_t huge_maps; /* 2 MiB regions backed by one order-9 block */
	uint64_t huge_fallbacks;
	uint64_t alloc_failures;
};

struct guest_mem {
	struct guest_mem_config cfg;
	uint8_t *hva; /* guest RAM, 2 MiB aligned */
	uint64_t npages;
	int uffd;
	int stop_efd;
	pthread_t fault_thread;
	bool thread_started;

	pthread_mutex_t lock;
	/* Guarded by lock (lockless readers: rmap checks, stats). */
	pfn_t *gpa_map; /* per 4 KiB guest page: pfn or PFN_NONE */
	uint16_t *backed_2m; /* pages backed per 2 MiB region */
	struct guest_mem_stats stats;
	bool oom_reported;
	bool dead; /* reaped: faults get the zero page, never a frame */

	struct histogram fault_ns; /* uffd event to wake, per event */
	/* Frames backing this guest on each pool node (lockless reads). */
	unsigned long pages_node[MAX_NUMNODES];
};

int guest_mem_create(const struct guest_mem_config *cfg,
		     struct guest_mem **out) __must_check;
void guest_mem_destroy(struct guest_mem *mem);
/* The host view of [gpa, gpa + len), NULL unless all of it is RAM. */
void *guest_mem_hva_of(struct guest_mem *mem, uint64_t gpa, uint64_t len);
/* Back [gpa, gpa + len) now, from the calling thread (boot data). */
int guest_mem_back(struct guest_mem *mem, uint64_t gpa, uint64_t len);
/*
 * Give the frames behind [gpa, gpa + len) back to the pool (balloon
 * inflation, free page reporting): the range becomes an unbacked
 * placeholder again and faults in fresh, zeroed frames if touched.
 * Returns the number of frames freed, or -errno (nothing changed).
 */
long guest_mem_discard(struct guest_mem *mem, uint64_t gpa, uint64_t len);
/*
 * Move the guest page at gpa to new_pfn (an order-0 frame the caller
 * allocated): copy it through the pool mapping, map new_pfn over gpa,
 * move the reverse map, free the old frame.  The VM must be paused (its
 * vCPUs out of KVM_RUN) so the page does not change under the copy.
 * -ENOENT: gpa is not backed; -EBUSY: it is pinned; on any error the old
 * frame stays mapped and new_pfn stays the caller's.
 */
int guest_mem_migrate(struct guest_mem *mem, uint64_t gpa, pfn_t new_pfn);
/*
 * The VM is dead (OOM kill): give every frame back now.  Its vCPUs must be
 * out of KVM_RUN; faults from then on get the zero page, never a frame.
 */
void guest_mem_reap(struct guest_mem *mem);
/* Does the map say gpa is backed by pfn? (mm_validate's rmap check) */
bool guest_mem_maps(struct guest_mem *mem, uint64_t gpa, pfn_t pfn);
void guest_mem_get_stats(struct guest_mem *mem, struct guest_mem_stats *st);
/* Which guest node holds gpa. */
int guest_mem_node_of(const struct guest_mem *mem, uint64_t gpa);

#endif /* VMM_GUEST_MEM_H */
