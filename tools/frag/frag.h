/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fragmentation made by real guests, for the compaction tests
 * (tests/vmm/check_compact_kvm.c) and tools/bench_compact.
 *
 * Guests free every other page they own (the guest script's
 * `free SIZE every=2`), the host raises their balloon targets by as much,
 * and each guest's balloon takes exactly those pages: its driver takes
 * whole free 2 MiB chunks first and then the free pages it has used
 * (guest/balloon.c), and a guest that touched nearly all its RAM has no
 * whole chunk the host backs.  A guest whose 2 MiB regions were each
 * backed by one pageblock leaves every other frame of those pageblocks
 * free: order-9 blocks fail, nothing can go back to the host, until
 * compaction has run.  docs/compaction.md ("Fragmentation by real
 * guests").
 *
 * Context: the caller's thread; the pool should be quiet (no compaction,
 * no guest faulting) while frag_layout() walks it.
 */
#ifndef TOOLS_FRAG_FRAG_H
#define TOOLS_FRAG_FRAG_H

#include "vmm/host/api.h"
#include "vmm/kvm/kvm_stats.h"

/* The pool, pageblock by pageblock, as compaction sees it. */
struct frag_layout {
	unsigned long blocks; /* pageblocks in the pool */
	unsigned long free_blocks; /* wholly free */
	unsigned long guest_blocks; /* holding frames of some guest */
	/* ... of which every other frame is a guest's and the others are
	 * free: the every-other-page layout */
	unsigned long alternating;
	unsigned long shared; /* holding frames of two guests or more */
	unsigned long guest_frames; /* frames with an owner */
	unsigned long free_frames; /* on the free lists or in page caches */
};

/* Drain every page cache, then walk every frame once. */
void frag_layout(struct mm_pool *pool, struct frag_layout *l);

/*
 * Set guest id's balloon target to target pages and wait, at most
 * timeout_ms, until its driver says it holds that many.  0, -ENOENT (no
 * such guest or no balloon), -ETIMEDOUT.
 */
int frag_balloon_to(struct vmm_host *h, unsigned int id, uint64_t target,
		    unsigned int timeout_ms);
/* Pages in guest id's balloon now (the driver's count). */
uint64_t frag_balloon_pages(struct vmm_host *h, unsigned int id);

/* Bytes phase n of guest id reported (0 if it has not ended). */
uint64_t frag_phase_bytes(struct vmm_host *h, unsigned int id, unsigned int n);

/* KVM's mappings of every running guest, summed (its own statistics). */
int frag_kvm_pages(struct vmm_host *h, struct kvm_page_stats *sum);

#endif /* TOOLS_FRAG_FRAG_H */
