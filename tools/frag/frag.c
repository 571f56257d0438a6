// SPDX-License-Identifier: GPL-2.0
/* Fragmentation made by real guests (frag.h). */
#include <errno.h>
#include <unistd.h>

#include "tools/frag/frag.h"

/* What one frame is, for the layout: free, a guest's, or anything else
 * in use (the VMM's own, a compaction target). */
enum frame_use { USE_FREE, USE_GUEST, USE_OTHER };

struct block_walk {
	unsigned int guest, other, free;
	uint16_t owner; /* the first guest seen, FRAME_OWNER_NONE: none */
	bool shared; /* a second guest */
	bool alternating; /* so far, no two neighbours alike */
	enum frame_use prev;
};

static void block_add(struct block_walk *b, unsigned int i, enum frame_use u,
		      uint16_t owner)
{
	if (u == USE_GUEST) {
		b->guest++;
		if (b->owner == FRAME_OWNER_NONE)
			b->owner = owner;
		else if (owner != b->owner)
			b->shared = true;
	}
	b->other += u == USE_OTHER;
	b->free += u == USE_FREE;
	/* Alternating: free, guest, free, guest ... (either way round). */
	if (u == USE_OTHER || (i && (u == b->prev)))
		b->alternating = false;
	b->prev = u;
}

static void block_end(struct frag_layout *l, const struct block_walk *b)
{
	l->blocks++;
	l->free_blocks += b->free == pageblock_nr_pages;
	if (!b->guest)
		return;
	l->guest_blocks++;
	l->shared += b->shared;
	l->alternating += b->alternating;
}

void frag_layout(struct mm_pool *pool, struct frag_layout *l)
{
	struct block_walk b = { .alternating = true };
	unsigned long left = 0; /* frames of the block at hand still to go */
	enum frame_use use = USE_FREE;
	uint16_t owner = FRAME_OWNER_NONE;

	*l = (struct frag_layout){ 0 };
	drain_all_pages(pool);
	for (pfn_t pfn = 0; pfn < pool->nr_frames; pfn++) {
		const struct frame *f = pfn_to_frame(pool, pfn);
		unsigned int i = pfn % pageblock_nr_pages;

		if (!left) {
			uint8_t state = READ_ONCE(f->state);
			uint8_t order = READ_ONCE(f->order);

			owner = READ_ONCE(f->owner);
			left = 1;
			if (state == FRAME_BUDDY) {
				use = USE_FREE;
				left = 1UL << order;
			} else if (state == FRAME_PCP) {
				use = USE_FREE;
			} else if (state == FRAME_INUSE) {
				use = owner != FRAME_OWNER_NONE ? USE_GUEST :
								  USE_OTHER;
				left = 1UL << order;
			} else {
				/* An isolated target, or a tail read in
				 * passing: not free for anybody else. */
				use = USE_OTHER;
			}
		}
		left--;
		block_add(&b, i, use, owner);
		if (use == USE_GUEST)
			l->guest_frames++;
		else if (use == USE_FREE)
			l->free_frames++;
		if (i == pageblock_nr_pages - 1) {
			block_end(l, &b);
			b = (struct block_walk){ .alternating = true };
		}
	}
}

int frag_balloon_to(struct vmm_host *h, unsigned int id, uint64_t target,
		    unsigned int timeout_ms)
{
	struct balloon_info info;
	int ret = host_balloon_set_target(h, id, target);

	if (ret)
		return ret;
	for (unsigned int ms = 0;; ms++) {
		ret = host_balloon_info(h, id, &info);
		if (ret)
			return ret;
		if (info.actual == target)
			return 0;
		if (ms >= timeout_ms)
			return -ETIMEDOUT;
		/* Not a tight loop: the guest's vCPU takes the device lock
		 * for every request it answers. */
		usleep(1000);
	}
}

uint64_t frag_balloon_pages(struct vmm_host *h, unsigned int id)
{
	struct balloon_info info;

	if (host_balloon_info(h, id, &info))
		return 0;
	return info.actual;
}

uint64_t frag_phase_bytes(struct vmm_host *h, unsigned int id, unsigned int n)
{
	struct vm_summary s;

	if (host_guest_summary(h, id, &s))
		return 0;
	return n < s.nr_phases && n < VM_MAX_PHASES ? s.phase[n].bytes : 0;
}

int frag_kvm_pages(struct vmm_host *h, struct kvm_page_stats *sum)
{
	unsigned int ids[VMM_MAX_GUESTS],
		n = host_guest_ids(h, ids, VMM_MAX_GUESTS);
	struct host_guest_info gi;

	*sum = (struct kvm_page_stats){ 0 };
	for (unsigned int i = 0; i < n; i++) {
		struct kvm_page_stats ps;
		int ret;

		if (host_guest_info(h, ids[i], &gi) || gi.state != VM_RUNNING)
			continue;
		ret = host_guest_kvm_pages(h, ids[i], &ps);
		if (ret)
			return ret;
		sum->pages_4k += ps.pages_4k;
		sum->pages_2m += ps.pages_2m;
		sum->pages_1g += ps.pages_1g;
	}
	return 0;
}
