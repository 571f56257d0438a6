// SPDX-License-Identifier: GPL-2.0
/*
 * Guest pages in the cold tier (swap/tier.h): swap-out, swap-in on a
 * fault, and dropping swapped pages a discard gives up.
 *
 * A page is swapped out as a ballooned page is discarded, with one step
 * between: once its run is a registered placeholder
 * (__guest_mem_unback_range()) no vCPU can read or write it, so its
 * frame is compressed as it is, and only then freed.  A vCPU that
 * touches the page meanwhile waits in the fault thread for mem->lock,
 * held throughout, and then finds it swapped (and swaps it in) or, when
 * the tier refused it, still backed (and gets the same frame mapped
 * again).  Nothing is lost on any path: a frame is freed only once the
 * tier holds its copy.
 */
#include <errno.h>
#include <linux/userfaultfd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "swap/tier.h"
#include "util/errf.h"
#include "vmm/guest_mem/internal.h"
#include "vmm/guest_mem/trace.h"

bool guest_mem_swapped(struct guest_mem *mem, uint64_t gpa)
{
	return gpa < mem->cfg.size && __guest_mem_swap_handle(mem, gpa);
}

/* A swapped page's entry: no frame, this guest's at this GPA.  0 or
 * -EUCLEAN.  mem->lock held. */
static int check_swapped(struct guest_mem *mem, uint64_t p, char *err,
			 size_t errlen)
{
	uint32_t h = mem->swap_map[p];
	uint16_t owner;
	uint64_t gpa;

	if (mem->gpa_map[p] != PFN_NONE)
		return errf(
			err, errlen, -EUCLEAN,
			"guest %u: gpa 0x%llx is swapped (entry %u) and backed by pfn %llu",
			mem->cfg.owner, (unsigned long long)(p << PAGE_SHIFT),
			h, (unsigned long long)mem->gpa_map[p]);
	swap_tier_owner(mem->cfg.tier, h, &owner, &gpa);
	if (owner != mem->cfg.owner || gpa != p << PAGE_SHIFT)
		return errf(
			err, errlen, -EUCLEAN,
			"guest %u: gpa 0x%llx's swap entry %u is of guest %u at gpa 0x%llx",
			mem->cfg.owner, (unsigned long long)(p << PAGE_SHIFT),
			h, owner, (unsigned long long)gpa);
	return 0;
}

/* A 2 MiB region's count of pages of a kind against what it has. */
static int region_count(struct guest_mem *mem, uint64_t r, const char *kind,
			uint64_t have, unsigned int counted, char *err,
			size_t errlen)
{
	if (have == counted)
		return 0;
	return errf(err, errlen, -EUCLEAN,
		    "guest %u: region 0x%llx has %llu %s pages, counted %u",
		    mem->cfg.owner, (unsigned long long)(r * HUGE_SIZE),
		    (unsigned long long)have, kind, counted);
}

int guest_mem_validate_swap(struct guest_mem *mem, char *err, size_t errlen)
{
	const uint64_t per_2m = HUGE_SIZE >> PAGE_SHIFT;
	uint64_t n = 0, region = 0, backed = 0;
	unsigned long owned;
	int ret = 0;

	if (!mem->swap_map)
		return 0;
	pthread_mutex_lock(&mem->lock);
	if (mem->dead) /* its entries go with its reap */
		goto out;
	for (uint64_t p = 0; p < mem->npages && !ret; p++) {
		if (mem->swap_map[p]) {
			ret = check_swapped(mem, p, err, errlen);
			n++;
			region++;
		}
		backed += mem->gpa_map[p] != PFN_NONE;
		if ((p + 1) % per_2m)
			continue;
		/* An order-9 fault trusts a region counted empty. */
		if (!ret)
			ret = region_count(mem, p / per_2m, "backed", backed,
					   mem->backed_2m[p / per_2m], err,
					   errlen);
		if (!ret)
			ret = region_count(mem, p / per_2m, "swapped", region,
					   mem->swapped_2m[p / per_2m], err,
					   errlen);
		backed = region = 0;
	}
	owned = swap_tier_owned(mem->cfg.tier, mem->cfg.owner);
	if (!ret && n != mem->stats.swapped)
		ret = errf(err, errlen, -EUCLEAN,
			   "guest %u: %llu pages swapped, counted %llu",
			   mem->cfg.owner, (unsigned long long)n,
			   (unsigned long long)mem->stats.swapped);
	else if (!ret && n > owned)
		ret = errf(
			err, errlen, -EUCLEAN,
			"guest %u: %llu pages swapped, the tier holds %lu of its",
			mem->cfg.owner, (unsigned long long)n, owned);
out:
	pthread_mutex_unlock(&mem->lock);
	return ret;
}

static int cmp_gpa(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Does the VMM read or write the page itself (guest_mem_host_hva())? */
static bool host_touched(struct guest_mem *mem, uint64_t gpa)
{
	unsigned long bits = 8 * sizeof(*mem->host_touched);

	return __atomic_load_n(&mem->host_touched[gpn(gpa) / bits],
			       __ATOMIC_RELAXED) &
	       (1UL << (gpn(gpa) % bits));
}

/* Is gpa's frame on node nid (-1: any)?  A lockless hint. */
static bool frame_on(struct guest_mem *mem, uint64_t gpa, int nid)
{
	pfn_t pfn = READ_ONCE(mem->gpa_map[gpn(gpa)]);

	return pfn != PFN_NONE &&
	       (nid < 0 || pfn_to_nid(mem->cfg.pool, pfn) == nid);
}

/* Up to max more backed, unpinned pages on nid from the clock hand on. */
static unsigned int clock_pages(struct guest_mem *mem, int nid, uint64_t *gpa,
				unsigned int max)
{
	uint64_t hand = __atomic_load_n(&mem->swap_hand, __ATOMIC_RELAXED);
	uint64_t p = hand < mem->npages ? hand : 0;
	unsigned int n = 0;

	for (uint64_t seen = 0; seen < mem->npages && n < max; seen++) {
		if (frame_on(mem, p << PAGE_SHIFT, nid) &&
		    !in_pinned(mem, p << PAGE_SHIFT) &&
		    !host_touched(mem, p << PAGE_SHIFT))
			gpa[n++] = p << PAGE_SHIFT;
		if (++p == mem->npages)
			p = 0;
	}
	__atomic_store_n(&mem->swap_hand, p, __ATOMIC_RELAXED);
	return n;
}

unsigned int guest_mem_swap_candidates(struct guest_mem *mem, int nid,
				       uint64_t *gpa, unsigned int max)
{
	unsigned int n = 0, k = 0;
	long cold;

	if (!mem->swap_map || !max) /* no tier, or anonymous memory */
		return 0;
	/* The pages idle longest first (any seen idle for a pass), those
	 * of other nodes left out. */
	cold = guest_mem_cold_pages(mem, 1, gpa, max);
	for (long i = 0; i < cold; i++)
		if (frame_on(mem, gpa[i], nid))
			gpa[n++] = gpa[i];
	if (n < max)
		n += clock_pages(mem, nid, gpa + n, max - n);
	/* In GPA order for runs, each once (the hand may pass a cold one). */
	qsort(gpa, n, sizeof(*gpa), cmp_gpa);
	for (unsigned int i = 0; i < n; i++)
		if (!k || gpa[i] != gpa[k - 1])
			gpa[k++] = gpa[i];
	return k;
}

static void set_swapped(struct guest_mem *mem, uint64_t gpa, uint32_t h)
{
	uint16_t *r = &mem->swapped_2m[gpa / HUGE_SIZE];

	WRITE_ONCE(mem->swap_map[gpn(gpa)], h);
	WRITE_ONCE(*r, h ? *r + 1 : *r - 1);
	/* Written under mem->lock, read without it by reclaim's look at
	 * the guests and the OOM killer. */
	if (h)
		__atomic_add_fetch(&mem->stats.swapped, 1, __ATOMIC_RELAXED);
	else
		__atomic_sub_fetch(&mem->stats.swapped, 1, __ATOMIC_RELAXED);
}

void __guest_mem_swap_drop(struct guest_mem *mem, uint64_t gpa)
{
	swap_tier_free(mem->cfg.tier, mem->swap_map[gpn(gpa)], false);
	set_swapped(mem, gpa, 0);
	mem->stats.swap_dropped++;
}

/* May the page at gpa be swapped out now?  mem->lock held. */
static bool swappable(struct guest_mem *mem, uint64_t gpa)
{
	return gpa < mem->cfg.size && !(gpa & (PAGE_SIZE - 1)) &&
	       mem->gpa_map[gpn(gpa)] != PFN_NONE && !in_pinned(mem, gpa) &&
	       !host_touched(mem, gpa) &&
	       mem->stats.swapped < mem->cfg.swap_max;
}

/*
 * The run [gpa, gpa + n pages), unmapped: each page into the tier, its
 * frame freed; a refused page stays backed.  The frames freed, and in
 * *err the tier's first error.  mem->lock held.
 */
static long swap_out_run(struct guest_mem *mem, uint64_t gpa, unsigned long n,
			 int *err)
{
	struct mm_pool *pool = mem->cfg.pool;
	long freed = 0;

	for (unsigned long i = 0; i < n; i++) {
		uint64_t p = gpa + (i << PAGE_SHIFT);
		pfn_t pfn = mem->gpa_map[gpn(p)];
		long h = *err == -ENOSPC ?
				 -ENOSPC :
				 swap_tier_store(mem->cfg.tier,
						 pfn_to_virt(pool, pfn),
						 pfn_to_nid(pool, pfn),
						 mem->cfg.owner, p);

		if (h < 0) {
			/* Backed after all: a touch maps it again. */
			__guest_mem_set_placeholder(mem, p, 1, false);
			mem->stats.swap_refused++;
			if (!*err || h == -ENOSPC)
				*err = h;
			continue;
		}
		__guest_mem_release_frame(mem, p);
		set_swapped(mem, p, h);
		freed++;
	}
	mem->stats.pages -= freed;
	mem->stats.swap_out += freed;
	return freed;
}

long guest_mem_swap_out(struct guest_mem *mem, const uint64_t *gpa,
			unsigned int nr)
{
	uint64_t t0 = trace_clock_ns();
	uint64_t refused;
	unsigned int i = 0;
	long freed = 0;
	int err = 0, ret;

	if (!mem->cfg.tier || mem->cfg.backing != GUEST_BACKING_POOL)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&mem->lock);
	refused = mem->stats.swap_refused;
	ret = mem->dead ? -ENOENT : 0;
	while (!ret && i < nr && err != -ENOSPC) {
		unsigned int n = 1;

		if (!swappable(mem, gpa[i])) {
			i++;
			continue;
		}
		/* A run of consecutive swappable pages: one unmap. */
		while (i + n < nr && gpa[i + n] == gpa[i] + n * PAGE_SIZE &&
		       swappable(mem, gpa[i + n]) &&
		       mem->stats.swapped + n < mem->cfg.swap_max)
			n++;
		ret = __guest_mem_unback_range(mem, gpa[i],
					       (uint64_t)n << PAGE_SHIFT);
		if (!ret)
			freed += swap_out_run(mem, gpa[i], n, &err);
		i += n;
	}
	refused = mem->stats.swap_refused - refused;
	pthread_mutex_unlock(&mem->lock);
	if (freed || refused)
		trace_event(&mem->cfg.pool->trace, TR_SWAP_OUT, mem->cfg.id,
			    freed, refused, trace_clock_ns() - t0);
	if (freed)
		return freed;
	return ret ? ret : err;
}

/*
 * The read-ahead window for a fault at gpa, and its direction (*dir: 1
 * up, -1 down): doubled (up to SWAP_READAHEAD_MAX) when the fault comes
 * within 2 MiB after where the last swap-in's run ended, as a guest
 * reading its memory in order does, or within 2 MiB below where it
 * began (a guest going down, as one freeing its pages highest first);
 * else SWAP_READAHEAD again, upwards.  Linux's swap_vma_readahead()
 * sizes and points its window by such hits.  Few pages for a random
 * toucher, whose read-ahead would mostly be wasted; a stream gets its
 * pages many a fault at a time (a userfault round trip costs 50-100
 * times a page's decompression here).  The fault thread's state.
 */
static unsigned int readahead_window(struct guest_mem *mem, uint64_t gpa,
				     int *dir)
{
	unsigned int w = mem->swap_ra_window;
	bool up = gpa >= mem->swap_ra_end && gpa - mem->swap_ra_end < HUGE_SIZE;
	bool down = gpa < mem->swap_ra_start &&
		    mem->swap_ra_start - gpa <= HUGE_SIZE;

	*dir = down ? -1 : 1;
	if (w && (up || down))
		w = w * 2 < SWAP_READAHEAD_MAX ? w * 2 : SWAP_READAHEAD_MAX;
	else
		w = SWAP_READAHEAD;
	mem->swap_ra_window = w;
	return w;
}

/* The page i steps from gpa in direction dir. */
static uint64_t step(uint64_t gpa, int dir, unsigned long i)
{
	return dir > 0 ? gpa + (i << PAGE_SHIFT) : gpa - (i << PAGE_SHIFT);
}

/*
 * The pages to bring back from gpa: gpa and those swapped after it in
 * direction dir (a lockless look, checked again under the lock), on its
 * node, max at most.
 */
static unsigned long readahead_run(struct guest_mem *mem, uint64_t gpa, int dir,
				   unsigned int max)
{
	int node = guest_mem_node_of(mem, gpa);
	unsigned long n;

	for (n = 1; n < max; n++) {
		uint64_t p = step(gpa, dir, n);

		if ((dir > 0 ? p >= mem->cfg.size : (n << PAGE_SHIFT) > gpa) ||
		    !__guest_mem_swap_handle(mem, p) ||
		    guest_mem_node_of(mem, p) != node)
			break;
	}
	return n;
}

/*
 * Up to n frames for the pages from gpa on its node: the first with gfp
 * (a fault's may reclaim), the rest while the pool has them without
 * reclaim, wherever they come from (each run of consecutive ones is a
 * mapping).  The count, 0 when there is none.
 */
static unsigned long alloc_frames(struct mm_pool *pool, struct guest_mem *mem,
				  uint64_t gpa, pfn_t *pfn, unsigned long n,
				  gfp_t gfp)
{
	int pnid = mem->cfg.pnode[guest_mem_node_of(mem, gpa)];
	nodemask_t bind = nodemask_of_node(pnid);
	const nodemask_t *mask = mem->cfg.strict ? &bind : NULL;
	unsigned long k;

	pfn[0] = __alloc_pages(pool, gfp, 0, pnid, mask);
	if (pfn[0] == PFN_NONE)
		return 0;
	for (k = 1; k < n; k++) {
		pfn[k] = __alloc_pages(pool,
				       (GFP_GUEST & ~__GFP_DIRECT_RECLAIM) |
					       __GFP_NOWARN,
				       0, pnid, mask);
		if (pfn[k] == PFN_NONE)
			break;
	}
	return k;
}

/*
 * Map the n loaded pages from gpa, a mapping per run of consecutive
 * frames.  The pages mapped (those from the first failure on are not),
 * the error in *err.  mem->lock held.
 */
static unsigned long map_loaded(struct guest_mem *mem, uint64_t gpa,
				const pfn_t *pfn, unsigned long n, int *err)
{
	unsigned long i = 0, k;

	*err = 0;
	while (i < n) {
		for (k = 1; i + k < n && pfn[i + k] == pfn[i] + k; k++)
			;
		*err = __guest_mem_map_frames(mem, gpa + (i << PAGE_SHIFT),
					      pfn[i], k, false);
		if (*err)
			break;
		i += k;
	}
	return i;
}

/*
 * A swapped page faulted back: a refault (workingset_refault_anon), and
 * one of the working set (workingset_activate_anon) when its node
 * evicted fewer pages since than it holds in use, as
 * workingset_refault() judges: with that much more memory it would have
 * stayed.  The tier then evicts too much, or picks badly.
 */
static void count_refault(struct guest_mem *mem, uint32_t h)
{
	struct mm_pool *pool = mem->cfg.pool;
	int nid;
	unsigned long distance =
		swap_tier_refault_distance(mem->cfg.tier, h, &nid);
	unsigned long in_use = pool->node_data[nid].node_spanned_pages -
			       node_nr_free_pages(pool, nid);

	count_vm_event(pool, WORKINGSET_REFAULT_ANON);
	if (distance <= in_use)
		count_vm_event(pool, WORKINGSET_ACTIVATE_ANON);
}

/*
 * The run is the k pages from gpa in direction dir; its frames go to its
 * pages in GPA order (frame[0] to the lowest), so that frames the pool
 * gives in order make one mapping either way.  The frame of the page i
 * steps from gpa.
 */
static pfn_t *frame_of(pfn_t *frame, unsigned long k, int dir, unsigned long i)
{
	return &frame[dir > 0 ? i : k - 1 - i];
}

/*
 * Bring back the swapped run from gpa in direction dir, max pages at
 * most, the first frame allocated with gfp: __guest_mem_swap_in()'s
 * contract, for the fault and for the read-ahead after it.
 */
static int swap_in_run(struct guest_mem *mem, uint64_t gpa, int dir,
		       unsigned int max, gfp_t gfp, uint64_t *start,
		       uint64_t *len, unsigned int *file)
{
	struct mm_pool *pool = mem->cfg.pool;
	unsigned long k, used = 0, want, mapped = 0, first = 0;
	uint32_t h[SWAP_READAHEAD_MAX];
	void *dst[SWAP_READAHEAD_MAX];
	pfn_t frame[SWAP_READAHEAD_MAX];
	uint64_t lo;
	int ret = 0;

	*start = gpa;
	*len = 0;
	*file = 0;
	k = readahead_run(mem, gpa, dir, max);
	k = alloc_frames(pool, mem, gpa, frame, k, gfp);
	if (!k)
		return -ENOMEM;
	pthread_mutex_lock(&mem->lock);
	if (mem->dead) {
		ret = -ENOENT;
		goto out;
	}
	/* Load what is still swapped, from gpa on (neighbours in the swap
	 * file in one read); the page at gpa must be. */
	for (want = 0; want < k; want++) {
		uint64_t p = step(gpa, dir, want);

		h[want] = __guest_mem_swap_handle(mem, p);
		if (!h[want] || mem->gpa_map[gpn(p)] != PFN_NONE)
			break;
		dst[want] = pfn_to_virt(pool, *frame_of(frame, k, dir, want));
	}
	if (want) {
		unsigned int done;

		ret = swap_tier_load_many(mem->cfg.tier, h, dst, want, &done);
		used = done;
	}
	/* A page the tier cannot give back is lost: the guest must stop
	 * rather than see anything in its place; its neighbours wait. */
	if (!used) {
		/* Not swapped any more (a discard dropped it): the touch
		 * faults again and finds it as it is now. */
		ret = ret ? -EIO : 0;
		goto out;
	}
	*file = swap_tier_count_in_file(mem->cfg.tier, h, used);
	/* Mapped from the lowest page up; what could not be mapped stays
	 * swapped, for a later fault. */
	lo = dir > 0 ? gpa : step(gpa, dir, used - 1);
	first = dir > 0 ? 0 : k - used;
	mapped = map_loaded(mem, lo, frame + first, used, &ret);
	if (!mapped)
		goto out;
	ret = 0;
	for (unsigned long i = 0; i < mapped; i++) {
		uint64_t p = lo + (i << PAGE_SHIFT);

		count_refault(mem, mem->swap_map[gpn(p)]);
		swap_tier_free(mem->cfg.tier, mem->swap_map[gpn(p)], true);
		set_swapped(mem, p, 0);
	}
	mem->stats.swap_in += mapped;
	*start = lo;
	*len = mapped << PAGE_SHIFT;
out:
	pthread_mutex_unlock(&mem->lock);
	for (unsigned long i = 0; i < k; i++)
		if (i < first || i >= first + mapped)
			__free_pages(pool, frame[i], 0);
	return ret;
}

int __guest_mem_swap_in(struct guest_mem *mem, uint64_t gpa, uint64_t *start,
			uint64_t *len, unsigned int *file)
{
	int dir;
	unsigned int w = readahead_window(mem, gpa, &dir);
	unsigned int now = w < SWAP_READAHEAD ? w : SWAP_READAHEAD;
	int ret = swap_in_run(mem, gpa, dir, now, GFP_GUEST, start, len, file);

	mem->swap_ra_start = *start;
	mem->swap_ra_end = *start + *len;
	mem->swap_ra_dir = dir;
	mem->swap_ra_more =
		!ret && *len == (uint64_t)now << PAGE_SHIFT ? w - now : 0;
	return ret;
}

void __guest_mem_swap_readahead(struct guest_mem *mem)
{
	int dir = mem->swap_ra_dir;
	uint64_t gpa = dir > 0 ? mem->swap_ra_end :
				 mem->swap_ra_start - PAGE_SIZE;
	unsigned int more = mem->swap_ra_more;
	struct uffdio_range wake;
	uint64_t start, len;
	unsigned int file;

	mem->swap_ra_more = 0;
	if (!more || (dir < 0 && !mem->swap_ra_start) || gpa >= mem->cfg.size ||
	    !__guest_mem_swap_handle(mem, gpa))
		return;
	/* Frames the pool has at hand, no reclaim for pages not asked
	 * for yet; a page the tier cannot give back stays, for its own
	 * fault to say so. */
	if (swap_in_run(mem, gpa, dir, more,
			(GFP_GUEST & ~__GFP_DIRECT_RECLAIM) | __GFP_NOWARN,
			&start, &len, &file) ||
	    !len)
		return;
	if (dir > 0)
		mem->swap_ra_end = start + len;
	else
		mem->swap_ra_start = start;
	/* A vCPU may have reached them meanwhile: on it goes. */
	wake = (struct uffdio_range){ (uint64_t)mem->hva + start, len };
	ioctl(mem->uffd, UFFDIO_WAKE, &wake);
}
