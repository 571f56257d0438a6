/* SPDX-License-Identifier: GPL-2.0 */
/* What vmm/guest_mem.c and vmm/guest_mem_migrate.c share, privately. */
#ifndef VMM_GUEST_MEM_INTERNAL_H
#define VMM_GUEST_MEM_INTERNAL_H

#include "vmm/guest_mem.h"

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
	return !in_pinned(mem, gpa2m) && !in_pinned(mem, gpa2m + HUGE_SIZE - 1) &&
	       region_in_one_node(mem, gpa2m);
}

/*
 * Migration's core (vmm/guest_mem_migrate.c), for collapse too.  The
 * work of one pause: check each request again, copy, remap run by run,
 * commit.  req is sorted by GPA; sets every result; returns the requests
 * migrated.  The guest is paused; mem->lock held.
 */
unsigned int __guest_mem_migrate(struct guest_mem *mem,
				 struct migrate_req **req, unsigned int nr);
/* One pause is over: its histogram, counters and trace event. */
void __guest_mem_account_batch(struct guest_mem *mem, uint64_t pause_ns,
			       struct migrate_req **req, unsigned int nr);

static inline int __guest_mem_pause(struct guest_mem *mem)
{
	return mem->cfg.pause ? mem->cfg.pause(mem->cfg.arg) : 0;
}

static inline void __guest_mem_resume(struct guest_mem *mem)
{
	if (mem->cfg.resume)
		mem->cfg.resume(mem->cfg.arg);
}

#endif /* VMM_GUEST_MEM_INTERNAL_H */
