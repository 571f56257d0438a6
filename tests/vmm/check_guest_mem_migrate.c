// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/guest_mem/migrate.c and vmm/guest_mem/collapse.c without KVM: the
 * test thread is the guest (it touches RAM through the same userfaultfd
 * path a vCPU takes) and keeps its hands off while pages move, as a
 * paused guest would.  Real guests: tests/vmm/check_host_migrate.c.
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>

#include "tests/mm/mm_test.h"
#include "vmm/guest_mem/guest_mem.h"

#define OWNER 7
#define MiB (1UL << 20)

static struct guest_mem *validated_mem;

static bool rmap(void *priv, uint16_t owner, gpa_t g, pfn_t pfn)
{
	(void)priv;
	return owner == OWNER && guest_mem_maps(validated_mem, g.val, pfn);
}

struct pause_count {
	int pauses, resumes, fail;
};

static int count_pause(void *arg, uint64_t *t0)
{
	struct pause_count *pc = arg;

	*t0 = trace_clock_ns();
	if (pc->fail)
		return -EDEADLK;
	pc->pauses++;
	return 0;
}

static void count_resume(void *arg)
{
	((struct pause_count *)arg)->resumes++;
}

/* A guest of mib MiB (pinned: [6, 7) MiB), rmap checks installed;
 * migration by pause rather than migration entries if by_pause. */
static struct guest_mem *guest_mode(struct mm_pool *pool, uint64_t mib,
				    bool pinned, struct pause_count *pc,
				    bool by_pause)
{
	struct guest_mem_config cfg = {
		.owner = OWNER,
		.size = mib * MiB,
		.nr_nodes = 1,
		.node = { { 0, mib * MiB } },
		.pool = pool,
		.vm_fd = -1,
		.pinned_start = pinned ? 6 * MiB : 0,
		.pinned_size = pinned ? MiB : 0,
		.pause = pc ? count_pause : NULL,
		.resume = pc ? count_resume : NULL,
		.arg = pc,
		.migrate_by_pause = by_pause,
	};
	struct mm_ops ops = { .rmap_check = rmap };
	struct guest_mem *mem;

	ck_assert_int_eq(guest_mem_create(&cfg, &mem), 0);
	validated_mem = mem;
	mm_set_ops(pool, &ops);
	return mem;
}

/* The loop tests run once per mode: _i = 0 migration entries (where the
 * kernel has them), 1 pause. */
#define guest(pool, mib, pinned, pc) guest_mode(pool, mib, pinned, pc, _i)

static void say_mode(struct guest_mem *mem, int by_pause)
{
	if (!by_pause && !mem->wp)
		printf("SKIP: migration entries: no userfaultfd write-protection of shared memory here (pause mode tested)\n");
}

/* Every word of every page of [0, len) says where it is and when. */
static uint64_t word(uint64_t gpa, unsigned int i, unsigned int gen)
{
	return (gpa + i * 8) * 0x9e3779b97f4a7c15ULL ^ gen;
}

static void fill(struct guest_mem *mem, uint64_t len, unsigned int gen)
{
	uint64_t *p = guest_mem_hva_of(mem, 0, len);

	for (uint64_t g = 0; g < len; g += PAGE_SIZE)
		for (unsigned int i = 0; i < PAGE_SIZE / 8; i++)
			p[(g / 8) + i] = word(g, i, gen);
}

/* Pages backed now read what fill() wrote; returns the pages checked. */
static uint64_t check_fill(struct guest_mem *mem, uint64_t len,
			   unsigned int gen)
{
	uint64_t *p = guest_mem_hva_of(mem, 0, len), n = 0;

	for (uint64_t g = 0; g < len; g += PAGE_SIZE) {
		if (READ_ONCE(mem->gpa_map[g >> PAGE_SHIFT]) == PFN_NONE)
			continue;
		for (unsigned int i = 0; i < PAGE_SIZE / 8; i++)
			if (p[(g / 8) + i] != word(g, i, gen))
				ck_abort_msg("gpa 0x%lx word %u: 0x%lx", g, i,
					     p[(g / 8) + i]);
		n++;
	}
	return n;
}

static pfn_t backing(struct guest_mem *mem, uint64_t gpa)
{
	return READ_ONCE(mem->gpa_map[gpa >> PAGE_SHIFT]);
}

static struct migrate_req req_for(struct guest_mem *mem, uint64_t gpa,
				  pfn_t new_pfn)
{
	return (struct migrate_req){ .old_pfn = backing(mem, gpa),
				     .new_pfn = new_pfn,
				     .gpa = { gpa },
				     .owner = OWNER,
				     .result = 1 };
}

static pfn_t frame(struct mm_pool *pool)
{
	pfn_t p = __alloc_pages(pool, GFP_GUEST, 0, 0, NULL);

	ck_assert_uint_ne(p, PFN_NONE);
	return p;
}

/* Everything back in the pool once the guest is gone. */
static void destroy_and_balance(struct mm_pool *pool, struct guest_mem *mem)
{
	ck_validate(pool);
	guest_mem_destroy(mem);
	drain_all_pages(pool);
	ck_assert_uint_eq(mm_nr_free_pages(pool), pool->nr_frames);
	ck_validate(pool);
	mm_pool_destroy(pool);
}

/*
 * A contiguous GPA run into contiguous frames is one remap: with the
 * second remap made to fail, the whole 16-page run (the first) moved and
 * only the first scattered page stayed, mapped and intact.
 */
START_TEST(test_runs_merge_and_fail_whole)
{
	struct mm_pool *pool = test_pool(64, 1, 0);
	struct guest_mem *mem = guest(pool, 8, false, NULL);
	struct guest_mem_fail_remap inject = { .after = 1,
					       .times = 1,
					       .err = EIO };
	struct migrate_req r[24], *rp[24];
	struct guest_mem_stats st;
	pfn_t block, old_failed;
	uint64_t *p;

	fill(mem, 8 * MiB, 1);
	block = __alloc_pages(pool, GFP_GUEST, 4, 0, NULL);
	ck_assert_uint_ne(block, PFN_NONE);
	split_page(pool, block, 4);
	for (int i = 0; i < 16; i++)
		r[i] = req_for(mem, (uint64_t)i * PAGE_SIZE, block + i);
	for (int i = 16; i < 24; i++)
		r[i] = req_for(mem, 2 * MiB + (i - 16) * 3 * PAGE_SIZE,
			       frame(pool));
	/* Out of order on purpose: the batch sorts by GPA. */
	for (int i = 0; i < 24; i++)
		rp[i] = &r[(i * 7) % 24];
	old_failed = r[16].old_pfn;
	guest_mem_set_fail_remap(mem, &inject);
	ck_assert_uint_eq(guest_mem_migrate_pages(mem, rp, 24), 23);
	for (int i = 0; i < 24; i++) {
		if (i == 16) {
			ck_assert_int_eq(r[i].result, -EIO);
			ck_assert_uint_eq(backing(mem, r[i].gpa.val),
					  old_failed);
			ck_assert_uint_eq(
				pfn_to_frame(pool, r[i].new_pfn)->owner,
				FRAME_OWNER_NONE);
			__free_pages(pool, r[i].new_pfn, 0);
			continue;
		}
		ck_assert_int_eq(r[i].result, 0);
		ck_assert_uint_eq(backing(mem, r[i].gpa.val), r[i].new_pfn);
		ck_assert_uint_eq(pfn_to_frame(pool, r[i].new_pfn)->owner,
				  OWNER);
		ck_assert_uint_eq(pfn_to_frame(pool, r[i].new_pfn)->gpa,
				  r[i].gpa.val);
	}
	ck_assert_uint_eq(check_fill(mem, 8 * MiB, 1), 4 * 512);
	/* The page that stayed is still mapped to its old frame. */
	p = guest_mem_hva_of(mem, r[16].gpa.val, 8);
	*p = 0x51;
	ck_assert_uint_eq(*(uint64_t *)pfn_to_virt(pool, old_failed), 0x51);
	/* ... and a moved one to its new frame. */
	p = guest_mem_hva_of(mem, r[3].gpa.val, 8);
	*p = 0x52;
	ck_assert_uint_eq(*(uint64_t *)pfn_to_virt(pool, r[3].new_pfn), 0x52);
	guest_mem_get_stats(mem, &st);
	ck_assert_uint_eq(st.migrated, 23);
	ck_assert_uint_eq(st.migrate_failed, 1);
	ck_assert_uint_eq(st.migrate_batches, 1);
	ck_assert_uint_eq(vm_event_sum(pool, PGMIGRATE_SUCCESS), 23);
	ck_assert_uint_eq(vm_event_sum(pool, PGMIGRATE_FAIL), 1);
	destroy_and_balance(pool, mem);
}
END_TEST

/*
 * Each request is checked again under the guest's lock: a page that
 * changed hands is -EAGAIN (so is a gpa that is no page of the guest:
 * what the scanner reads from a frame freed under it), pinned is -EBUSY,
 * another owner is -EINVAL, and none of them is touched.
 */
START_TEST(test_recheck)
{
	struct mm_pool *pool = test_pool(64, 1, 16);
	struct guest_mem *mem = guest(pool, 8, true, NULL);
	enum {
		OK,
		STALE,
		DISCARDED,
		PINNED,
		UNALIGNED,
		OUTSIDE,
		DUP,
		OWNER_BAD,
		NR
	};
	struct migrate_req r[NR], *rp[NR];
	pfn_t before[NR];

	fill(mem, 8 * MiB, 2);
	r[OK] = req_for(mem, 0x10000, frame(pool));
	r[STALE] = req_for(mem, 0x20000, frame(pool));
	r[STALE].old_pfn = backing(mem, 0x21000);
	r[DISCARDED] = req_for(mem, 0x30000, frame(pool));
	ck_assert_int_eq(guest_mem_discard(mem, 0x30000, PAGE_SIZE), 1);
	r[PINNED] = req_for(mem, 6 * MiB + 0x5000, frame(pool));
	r[UNALIGNED] = req_for(mem, 0x40000, frame(pool));
	r[UNALIGNED].gpa.val += 8;
	r[OUTSIDE] = req_for(mem, 0x60000, frame(pool));
	r[DUP] = req_for(mem, 0x10000, frame(pool));
	r[OWNER_BAD] = req_for(mem, 0x50000, frame(pool));
	r[OWNER_BAD].owner = OWNER + 1;
	for (int i = 0; i < NR; i++) {
		rp[i] = &r[i];
		before[i] = backing(mem, ALIGN_DOWN(r[i].gpa.val, PAGE_SIZE));
	}
	/* What a free frame's list links look like, read as a gpa. */
	r[OUTSIDE].gpa.val = 0xffffffff;
	ck_assert_uint_eq(guest_mem_migrate_pages(mem, rp, NR), 1);
	ck_assert_int_eq(r[OK].result, 0);
	ck_assert_int_eq(r[STALE].result, -EAGAIN);
	ck_assert_int_eq(r[DISCARDED].result, -EAGAIN);
	ck_assert_int_eq(r[PINNED].result, -EBUSY);
	ck_assert_int_eq(r[UNALIGNED].result, -EAGAIN);
	ck_assert_int_eq(r[OUTSIDE].result, -EAGAIN);
	ck_assert_int_eq(r[DUP].result, -EAGAIN);
	ck_assert_int_eq(r[OWNER_BAD].result, -EINVAL);
	for (int i = 0; i < NR; i++) {
		if (i == OK)
			continue;
		/* DUP's page is OK's: it moved, once. */
		ck_assert_uint_eq(backing(mem, i == OUTSIDE ?
						       0x60000 :
						       ALIGN_DOWN(r[i].gpa.val,
								  PAGE_SIZE)),
				  i == DUP ? r[OK].new_pfn : before[i]);
		__free_pages(pool, r[i].new_pfn, 0);
	}
	/* The discarded page reads zero now; the rest is intact. */
	ck_assert_uint_eq(*(uint64_t *)guest_mem_hva_of(mem, 0x30000, 8), 0);
	ck_assert_uint_eq(check_fill(mem, 0x30000, 2), 0x30000 / PAGE_SIZE);
	ck_validate(pool);
	ck_assert_uint_eq(vm_event_sum(pool, PGMIGRATE_FAIL), 2);

	/* A reaped guest: everything changed hands. */
	guest_mem_reap(mem);
	r[OK] = (struct migrate_req){ .old_pfn = r[OK].new_pfn,
				      .new_pfn = frame(pool),
				      .gpa = { 0x10000 },
				      .owner = OWNER };
	rp[0] = &r[OK];
	ck_assert_uint_eq(guest_mem_migrate_pages(mem, rp, 1), 0);
	ck_assert_int_eq(r[OK].result, -EAGAIN);
	__free_pages(pool, r[OK].new_pfn, 0);
	destroy_and_balance(pool, mem);
}
END_TEST

/*
 * A request that may not move does not take the rest of its run with
 * it: the next page, whose GPA and new frame follow on, either moves
 * (its data in the new frame, which the guest maps) or stays; it is
 * never reported moved while the guest still maps the old frame.
 */
START_TEST(test_failed_head_of_run)
{
	struct mm_pool *pool = test_pool(64, 1, 0);
	struct guest_mem *mem = guest(pool, 8, false, NULL);
	struct migrate_req r[2], *rp[2] = { &r[0], &r[1] };
	pfn_t pair = __alloc_pages(pool, GFP_GUEST, 1, 0, NULL);
	unsigned int moved;

	say_mode(mem, _i);
	ck_assert_uint_ne(pair, PFN_NONE);
	split_page(pool, pair, 1);
	fill(mem, 8 * MiB, 5);
	r[0] = req_for(mem, 0x10000, pair);
	r[0].old_pfn = backing(mem, 0x20000); /* stale: changed hands */
	r[1] = req_for(mem, 0x11000, pair + 1);
	moved = guest_mem_migrate_pages(mem, rp, 2);
	ck_assert_int_eq(r[0].result, -EAGAIN);
	ck_assert_uint_eq(moved, !r[1].result);
	if (!r[1].result) {
		ck_assert_uint_eq(backing(mem, 0x11000), pair + 1);
		ck_assert_int_eq(
			memcmp(pfn_to_virt(pool, pair + 1),
			       guest_mem_hva_of(mem, 0x11000, PAGE_SIZE),
			       PAGE_SIZE),
			0);
	} else {
		__free_pages(pool, pair + 1, 0);
	}
	__free_pages(pool, pair, 0);
	ck_assert_uint_eq(check_fill(mem, 8 * MiB, 5), 8 * MiB / PAGE_SIZE);
	ck_validate(pool);
	destroy_and_balance(pool, mem);
}
END_TEST

/* A long batch is cut into pieces of at most MIGRATE_BATCH_RUNS runs,
 * or MIGRATE_PAUSE_RUNS when each one pauses running vCPUs; a guest that
 * cannot be paused has nothing moved. */
START_TEST(test_batch_cut_into_pauses)
{
	struct mm_pool *pool = test_pool(64, 1, 0);
	struct pause_count pc = { 0 };
	struct guest_mem *mem = guest(pool, 8, false, &pc);
	const unsigned int n = 2 * MIGRATE_BATCH_RUNS + 8;
	struct migrate_req r[2 * MIGRATE_BATCH_RUNS + 8], *rp[n];
	struct guest_mem_stats st;
	unsigned int pieces;

	fill(mem, 8 * MiB, 3);
	for (unsigned int i = 0; i < n; i++) {
		r[i] = req_for(mem, (uint64_t)i * 2 * PAGE_SIZE, frame(pool));
		rp[i] = &r[i];
	}
	say_mode(mem, _i);
	ck_assert_uint_eq(guest_mem_migrate_pages(mem, rp, n), n);
	/* Migration entries pause nobody. */
	pieces = mem->wp ? 3 :
			   (n + MIGRATE_PAUSE_RUNS - 1) / MIGRATE_PAUSE_RUNS;
	ck_assert_int_eq(pc.pauses, mem->wp ? 0 : pieces);
	ck_assert_int_eq(pc.resumes, pc.pauses);
	guest_mem_get_stats(mem, &st);
	ck_assert_uint_eq(st.migrate_batches, pieces);
	ck_assert_uint_eq(mem->migrate_pause_ns.n, pieces);
	ck_assert_uint_eq(check_fill(mem, 8 * MiB, 3), 4 * 512);

	if (!mem->wp) {
		/* A guest that cannot be paused has nothing moved. */
		pc.fail = 1;
		for (unsigned int i = 0; i < 4; i++)
			r[i] = req_for(mem, (uint64_t)i * 2 * PAGE_SIZE,
				       frame(pool));
		ck_assert_uint_eq(guest_mem_migrate_pages(mem, rp, 4), 0);
		for (unsigned int i = 0; i < 4; i++) {
			ck_assert_int_eq(r[i].result, -EAGAIN);
			ck_assert_uint_eq(backing(mem, r[i].gpa.val),
					  r[i].old_pfn);
			__free_pages(pool, r[i].new_pfn, 0);
		}
		ck_assert_int_eq(pc.resumes, pieces);
	}
	destroy_and_balance(pool, mem);
}
END_TEST

/* Scatter the 512 pages of [gpa_2m, +2 MiB) over single frames, the
 * last GPA on the first frame. */
static void scatter(struct mm_pool *pool, struct guest_mem *mem,
		    uint64_t gpa_2m)
{
	for (int i = 511; i >= 0; i--) {
		pfn_t np = frame(pool);

		ck_assert_int_eq(
			guest_mem_migrate(mem, gpa_2m + i * PAGE_SIZE, np), 0);
	}
	ck_assert(guest_mem_collapsible(mem, gpa_2m));
}

START_TEST(test_collapse)
{
	struct mm_pool *pool = test_pool(64, 1, 16);
	struct pause_count pc = { 0 };
	struct guest_mem *mem = guest(pool, 8, true, &pc);
	struct guest_mem_stats st;
	pfn_t first;

	fill(mem, 8 * MiB, 4);
	ck_assert(!guest_mem_collapsible(mem, 2 * MiB)); /* one block */
	ck_assert_int_eq(guest_mem_collapse(mem, 2 * MiB), -EEXIST);
	scatter(pool, mem, 2 * MiB);
	ck_assert_int_eq(guest_mem_collapse(mem, 2 * MiB), 0);
	first = backing(mem, 2 * MiB);
	ck_assert_uint_eq(first % pageblock_nr_pages, 0);
	for (unsigned long i = 0; i < pageblock_nr_pages; i++) {
		ck_assert_uint_eq(backing(mem, 2 * MiB + i * PAGE_SIZE),
				  first + i);
		ck_assert_uint_eq(pfn_to_frame(pool, first + i)->owner, OWNER);
	}
	ck_assert_uint_eq(check_fill(mem, 8 * MiB, 4), 4 * 512);
	ck_assert(!guest_mem_collapsible(mem, 2 * MiB));
	ck_assert_int_eq(guest_mem_collapse(mem, 2 * MiB), -EEXIST);
	guest_mem_get_stats(mem, &st);
	ck_assert_uint_eq(st.collapsed, 1);
	ck_assert_int_eq(pc.pauses, mem->wp ? 0 : 1);
	ck_assert_int_eq(pc.resumes, pc.pauses);
	ck_validate(pool);

	/* Not fully backed; pinned; not a region. */
	scatter(pool, mem, 0);
	ck_assert_int_eq(guest_mem_discard(mem, 0x7000, PAGE_SIZE), 1);
	ck_assert(!guest_mem_collapsible(mem, 0));
	ck_assert_int_eq(guest_mem_collapse(mem, 0), -EAGAIN);
	ck_assert_int_eq(guest_mem_collapse(mem, 6 * MiB), -EBUSY);
	ck_assert_int_eq(guest_mem_collapse(mem, 3 * MiB), -EINVAL);
	ck_assert_int_eq(guest_mem_collapse(mem, 8 * MiB), -EINVAL);
	ck_assert_int_eq(pc.pauses, mem->wp ? 0 : 1);
	destroy_and_balance(pool, mem);
}
END_TEST

/* 2 MiB regions backed now by one pageblock in GPA order, counted from
 * the GPA map. */
static uint64_t one_block_regions(struct guest_mem *mem)
{
	uint64_t n = 0;

	for (uint64_t g = 0; g < mem->cfg.size; g += 2 * MiB) {
		pfn_t first = backing(mem, g);
		unsigned long i = 0;

		while (first != PFN_NONE && !(first % pageblock_nr_pages) &&
		       i < pageblock_nr_pages &&
		       backing(mem, g + i * PAGE_SIZE) == first + i)
			i++;
		n += i == pageblock_nr_pages;
	}
	return n;
}

/* huge_maps, never more than the regions that are one pageblock. */
static uint64_t huge_maps(struct guest_mem *mem)
{
	struct guest_mem_stats st;

	guest_mem_get_stats(mem, &st);
	ck_assert_uint_le(st.huge_maps, one_block_regions(mem));
	return st.huge_maps;
}

/*
 * huge_maps is the regions mapped as one pageblock now: a region leaves
 * it when a page of it is discarded or moves, or when the guest is
 * reaped, and comes back when it is collapsed or faulted in whole.
 */
START_TEST(test_huge_maps_now)
{
	struct mm_pool *pool = test_pool(64, 1, 16);
	struct pause_count pc = { 0 };
	struct guest_mem *mem = guest(pool, 16, false, &pc);

	fill(mem, 16 * MiB, 1);
	ck_assert_uint_eq(huge_maps(mem), 8);
	/* One page of region 0 given back: the region is out. */
	ck_assert_int_eq(guest_mem_discard(mem, 5 * PAGE_SIZE, PAGE_SIZE), 1);
	ck_assert_uint_eq(huge_maps(mem), 7);
	/* Region 1 given back whole. */
	ck_assert_int_eq(guest_mem_discard(mem, 2 * MiB, 2 * MiB), 512);
	ck_assert_uint_eq(huge_maps(mem), 6);
	/* One page of region 2 moved to a frame of its own. */
	ck_assert_int_eq(guest_mem_migrate(mem, 4 * MiB + 7 * PAGE_SIZE,
					   frame(pool)),
			 0);
	ck_assert_uint_eq(huge_maps(mem), 5);
	/* ... and collapsed back into a pageblock. */
	ck_assert_int_eq(guest_mem_collapse(mem, 4 * MiB), 0);
	ck_assert_uint_eq(huge_maps(mem), 6);
	/* Touched again: region 1 takes an order-9 block, region 0 gets
	 * its page back with an order-0 fault (mapped alone). */
	fill(mem, 4 * MiB, 2);
	ck_assert_uint_eq(huge_maps(mem), 7);
	guest_mem_reap(mem);
	ck_assert_uint_eq(huge_maps(mem), 0);
	destroy_and_balance(pool, mem);
}
END_TEST

/* No free pageblock, or a failing remap: nothing moves, nothing leaks. */
START_TEST(test_collapse_fails_cleanly)
{
	struct mm_pool *pool = test_pool(32, 1, 0);
	struct guest_mem *mem = guest(pool, 4, false, NULL);
	struct guest_mem_fail_remap inject = { .times = 1, .err = ENOMEM };
	pfn_t before[512], blocks[32];
	unsigned long nblocks;

	fill(mem, 4 * MiB, 5);
	scatter(pool, mem, 2 * MiB);
	for (int i = 0; i < 512; i++)
		before[i] = backing(mem, 2 * MiB + i * PAGE_SIZE);

	/* No free pageblock left for the light order-9 allocation. */
	nblocks = test_fill(pool, GFP_GUEST_HUGE_LIGHT, pageblock_order, 0,
			    blocks, 32);
	ck_assert_uint_lt(nblocks, 32);
	ck_assert_int_eq(guest_mem_collapse(mem, 2 * MiB), -ENOMEM);
	for (unsigned long i = 0; i < nblocks; i++)
		__free_pages(pool, blocks[i], pageblock_order);

	/* mmap's ENOMEM: no room for a mapping, not for memory. */
	guest_mem_set_fail_remap(mem, &inject);
	ck_assert_int_eq(guest_mem_collapse(mem, 2 * MiB), -ENOSPC);
	for (int i = 0; i < 512; i++)
		ck_assert_uint_eq(backing(mem, 2 * MiB + i * PAGE_SIZE),
				  before[i]);
	ck_assert_uint_eq(check_fill(mem, 4 * MiB, 5), 2 * 512);
	ck_assert(guest_mem_collapsible(mem, 2 * MiB));
	ck_assert_int_eq(guest_mem_collapse(mem, 2 * MiB), 0);
	ck_assert_uint_eq(check_fill(mem, 4 * MiB, 5), 2 * 512);
	destroy_and_balance(pool, mem);
}
END_TEST

struct writer {
	volatile uint64_t *p; /* word 0 of the page being moved */
	uint64_t last;
	int stop, bad;
};

static void *write_loop(void *arg)
{
	struct writer *w = arg;

	while (!__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE)) {
		uint64_t v = w->last + 1;

		w->p[0] = v;
		w->p[511] = v;
		if (w->p[0] != v || w->p[511] != v)
			__atomic_add_fetch(&w->bad, 1, __ATOMIC_RELAXED);
		w->last = v;
	}
	return NULL;
}

/*
 * Migration entries alone keep a page intact under a writer that never
 * stops (no pause at all): a thread rewrites one page as fast as it can
 * while it moves a thousand times; not one write is lost.
 */
START_TEST(test_entries_under_writer)
{
	struct mm_pool *pool = test_pool(64, 1, 0);
	struct guest_mem *mem = guest_mode(pool, 4, false, NULL, false);
	const uint64_t g = 3 * MiB + 5 * PAGE_SIZE;
	struct writer w = { .p = guest_mem_hva_of(mem, g, PAGE_SIZE) };
	struct guest_mem_stats st;
	pthread_t t;

	if (!mem->wp) {
		printf("SKIP: migration entries under a writer: no userfaultfd write-protection of shared memory here\n");
		destroy_and_balance(pool, mem);
		return;
	}
	fill(mem, 4 * MiB, 6);
	ck_assert_int_eq(pthread_create(&t, NULL, write_loop, &w), 0);
	for (int i = 0; i < 1000; i++) {
		struct migrate_req r = req_for(mem, g, frame(pool)), *rp = &r;

		ck_assert_uint_eq(guest_mem_migrate_pages(mem, &rp, 1), 1);
	}
	__atomic_store_n(&w.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	ck_assert_int_eq(w.bad, 0);
	ck_assert_uint_gt(w.last, 0);
	ck_assert_uint_eq(w.p[0], w.last);
	ck_assert_uint_eq(*(uint64_t *)pfn_to_virt(pool, backing(mem, g)),
			  w.last);
	guest_mem_get_stats(mem, &st);
	printf("guest_mem_migrate: 1000 moves under a writer: %lu writes, %lu waited for a move\n",
	       (unsigned long)w.last, (unsigned long)st.wp_faults);
	/* The rest of the guest was not touched. */
	w.p[0] = word(g, 0, 6);
	w.p[511] = word(g, 511, 6);
	ck_assert_uint_eq(check_fill(mem, 4 * MiB, 6), 2 * 512);
	destroy_and_balance(pool, mem);
}
END_TEST

Suite *guest_mem_migrate_suite(void)
{
	Suite *s = suite_create("guest_mem_migrate");
	TCase *tc = tcase_create("batch");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_runs_merge_and_fail_whole, 0, 2);
	tcase_add_loop_test(tc, test_recheck, 0, 2);
	tcase_add_loop_test(tc, test_failed_head_of_run, 0, 2);
	tcase_add_loop_test(tc, test_batch_cut_into_pauses, 0, 2);
	tcase_add_loop_test(tc, test_collapse, 0, 2);
	tcase_add_loop_test(tc, test_collapse_fails_cleanly, 0, 2);
	tcase_add_loop_test(tc, test_huge_maps_now, 0, 2);
	tcase_add_test(tc, test_entries_under_writer);
	suite_add_tcase(s, tc);
	return s;
}
