// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/guest_mem/guest_mem.c without KVM: the test thread touches guest RAM itself,
 * which takes the same userfaultfd path a vCPU does.
 */
#include <stdio.h>
#include <sys/mman.h>

#include "tests/mm/mm_test.h"
#include "tests/mm/printk_capture.h"
#include "vmm/guest_mem/guest_mem.h"
#include "util/sysctl.h"

struct oom_seen {
	int calls;
	uint64_t gpa;
	int limit_calls, limit_err; /* host_limit */
	uint64_t limit_gpa;
};

static void record_oom(void *arg, uint64_t gpa)
{
	struct oom_seen *o = arg;

	WRITE_ONCE(o->gpa, gpa);
	__atomic_add_fetch(&o->calls, 1, __ATOMIC_RELEASE);
}

static void record_host_limit(void *arg, uint64_t gpa, int err)
{
	struct oom_seen *o = arg;

	WRITE_ONCE(o->limit_gpa, gpa);
	WRITE_ONCE(o->limit_err, err);
	__atomic_add_fetch(&o->limit_calls, 1, __ATOMIC_RELEASE);
}

static struct guest_mem *mem_of(struct mm_pool *pool, uint64_t mib,
				unsigned int nodes, bool strict,
				struct oom_seen *oom)
{
	struct guest_mem_config cfg = {
		.owner = 7,
		.size = mib << 20,
		.nr_nodes = nodes,
		.strict = strict,
		.pool = pool,
		.vm_fd = -1,
		.oom = record_oom,
		.host_limit = record_host_limit,
		.arg = oom,
	};
	struct guest_mem *mem;

	for (unsigned int n = 0; n < nodes; n++) {
		cfg.node[n].start = n * (cfg.size / nodes);
		cfg.node[n].size = cfg.size / nodes;
		cfg.pnode[n] = nodes - 1 - n; /* crossed on purpose */
	}
	ck_assert_int_eq(guest_mem_create(&cfg, &mem), 0);
	return mem;
}

static struct guest_mem *validated_mem;

static bool rmap(void *priv, uint16_t owner, gpa_t g, pfn_t pfn)
{
	(void)priv;
	return owner == 7 && guest_mem_maps(validated_mem, g.val, pfn);
}

static void install_rmap(struct mm_pool *pool, struct guest_mem *mem)
{
	struct mm_ops ops = { .rmap_check = rmap };

	validated_mem = mem;
	mm_set_ops(pool, &ops);
}

/* The guest goes, every frame is back in the pool, the pool goes. */
static void destroy_all_free(struct mm_pool *pool, struct guest_mem *mem)
{
	guest_mem_destroy(mem);
	drain_all_pages(pool);
	ck_assert_uint_eq(mm_nr_free_pages(pool), pool->nr_frames);
	mm_pool_destroy(pool);
}

/* First touch of an aligned 2 MiB region takes one order-9 block. */
START_TEST(test_huge_first_touch)
{
	struct mm_pool *pool = test_pool(64, 1, 0);
	struct guest_mem *mem = mem_of(pool, 16, 1, false, NULL);
	struct guest_mem_stats st;
	uint64_t *p = guest_mem_hva_of(mem, 4 << 20, 8);
	pfn_t first;

	install_rmap(pool, mem);
	*p = 0x1234;
	guest_mem_get_stats(mem, &st);
	ck_assert_uint_eq(st.huge_maps, 1);
	ck_assert_uint_eq(st.pages, 512);
	first = READ_ONCE(mem->gpa_map[(4 << 20) >> PAGE_SHIFT]);
	ck_assert_uint_eq(first % pageblock_nr_pages, 0);
	for (int i = 0; i < 512; i++)
		ck_assert_uint_eq(
			READ_ONCE(mem->gpa_map[((4 << 20) >> PAGE_SHIFT) + i]),
			first + i);
	/* The data really lives in the pool frame. */
	ck_assert_uint_eq(*(uint64_t *)pfn_to_virt(pool, first), 0x1234);
	ck_assert_uint_eq(pfn_to_frame(pool, first + 3)->owner, 7);
	ck_assert_uint_eq(pfn_to_frame(pool, first + 3)->gpa,
			  (4 << 20) + 3 * 4096);
	ck_validate(pool);
	guest_mem_destroy(mem);
	ck_assert_uint_eq(mm_nr_free_pages(pool) +
				  pcp_count_frames(pool, pool->zones[0]),
			  pool->nr_frames);
	mm_pool_destroy(pool);
}
END_TEST

/* Order 0 only: a fault maps a window of consecutive frames. */
START_TEST(test_order0_fault_around)
{
	struct mm_pool *pool = test_pool(64, 1, 0);
	struct guest_mem_config cfg = {
		.owner = 7,
		.size = 8 << 20,
		.nr_nodes = 1,
		.node = { { 0, 8 << 20 } },
		.pool = pool,
		.vm_fd = -1,
		.no_huge = true,
	};
	struct guest_mem *mem;
	struct guest_mem_stats st;
	uint8_t *base;

	ck_assert_int_eq(guest_mem_create(&cfg, &mem), 0);
	install_rmap(pool, mem);
	base = guest_mem_hva_of(mem, 0, 8 << 20);
	for (uint64_t off = 0; off < (8 << 20); off += 4096)
		base[off] = (uint8_t)(off >> 12);
	for (uint64_t off = 0; off < (8 << 20); off += 4096)
		ck_assert_uint_eq(base[off], (uint8_t)(off >> 12));
	guest_mem_get_stats(mem, &st);
	ck_assert_uint_eq(st.huge_maps, 0);
	ck_assert_uint_eq(st.pages, 2048);
	ck_assert_uint_le(st.faults, 2048 / 64 + 2); /* FAULT_AROUND */
	ck_validate(pool);
	guest_mem_destroy(mem);
	ck_validate(pool);
	mm_pool_destroy(pool);
}
END_TEST

/* A guest node's memory comes from the pool node behind it. */
START_TEST(test_vnuma_placement)
{
	struct mm_pool *pool = test_pool(64, 2, 0);
	struct guest_mem *mem = mem_of(pool, 16, 2, true, NULL);
	uint8_t *base = guest_mem_hva_of(mem, 0, 16 << 20);

	install_rmap(pool, mem);
	for (uint64_t off = 0; off < (16 << 20); off += 4096 * 7)
		base[off] = 1;
	for (uint64_t g = 0; g < (16 << 20); g += 4096) {
		pfn_t pfn = READ_ONCE(mem->gpa_map[g >> PAGE_SHIFT]);

		if (pfn == PFN_NONE)
			continue;
		/* Guest node 0 -> pool node 1 and the other way round. */
		ck_assert_int_eq(pfn_to_nid(pool, pfn), g < (8 << 20) ? 1 : 0);
	}
	ck_validate(pool);
	guest_mem_destroy(mem);
	mm_pool_destroy(pool);
}
END_TEST

/* Strict binding never falls back: the node runs out, the VM is told. */
START_TEST(test_strict_binding_oom)
{
	struct mm_pool *pool = test_pool(32, 2, 0);
	struct oom_seen oom = { 0 };
	struct guest_mem *mem = mem_of(pool, 32, 1, true, &oom);
	uint8_t *base = guest_mem_hva_of(mem, 0, 32 << 20);
	struct printk_capture c = { 0 };
	uint64_t off;

	/* Pool node 0 has 16 MiB: a 32 MiB guest bound to it must fail,
	 * while pool node 1 stays untouched. */
	printk_capture_start(&c, pool);
	for (off = 0; off < (32 << 20) && !READ_ONCE(oom.calls); off += 4096)
		base[off] = 1;
	printk_capture_expect(&c, "page allocation failure: order:0");
	ck_assert_int_eq(READ_ONCE(oom.calls), 1);
	ck_assert_uint_lt(READ_ONCE(oom.gpa), 16 << 20);
	ck_assert_uint_eq(node_nr_free_pages(pool, 1),
			  pool->node_data[1].node_spanned_pages);
	guest_mem_destroy(mem);
	drain_local_pages(pool);
	ck_assert_uint_eq(mm_nr_free_pages(pool), pool->nr_frames);
	mm_pool_destroy(pool);
}
END_TEST

/* The pinned range is unmovable memory and never part of a huge map. */
START_TEST(test_pinned_region)
{
	struct mm_pool *pool = test_pool(64, 1, 16);
	struct guest_mem_config cfg = {
		.owner = 7,
		.size = 8 << 20,
		.nr_nodes = 1,
		.node = { { 0, 8 << 20 } },
		.pool = pool,
		.vm_fd = -1,
		.pinned_start = 2 << 20,
		.pinned_size = 1 << 20,
	};
	struct guest_mem *mem;
	uint8_t *base;
	pfn_t pfn;

	ck_assert_int_eq(guest_mem_create(&cfg, &mem), 0);
	base = guest_mem_hva_of(mem, 0, 8 << 20);
	base[(2 << 20) + 4096] = 1;
	base[4 << 20] = 1;
	pfn = READ_ONCE(mem->gpa_map[((2 << 20) + 4096) >> PAGE_SHIFT]);
	ck_assert(pfn_to_frame(pool, pfn)->flags & FF_PINNED);
	ck_assert_int_eq(page_zone(pool, pfn)->idx, ZONE_NORMAL);
	ck_assert_int_eq(get_pageblock_migratetype(pool, pfn),
			 MIGRATE_UNMOVABLE);
	pfn = READ_ONCE(mem->gpa_map[(4 << 20) >> PAGE_SHIFT]);
	ck_assert(!(pfn_to_frame(pool, pfn)->flags & FF_PINNED));
	ck_assert_int_eq(page_zone(pool, pfn)->idx, ZONE_MOVABLE);
	guest_mem_destroy(mem);
	mm_pool_destroy(pool);
}
END_TEST

/* A frame a guest gets never holds an earlier guest's data. */
START_TEST(test_no_data_crosses_guests)
{
	struct mm_pool *pool = test_pool(16, 1, 0);
	struct guest_mem *a = mem_of(pool, 8, 1, false, NULL), *b;
	uint64_t *pa = guest_mem_hva_of(a, 0, 8 << 20), *pb;
	const uint64_t n = (8 << 20) / 8;

	for (uint64_t i = 0; i < n; i++)
		pa[i] = 0xdeadbeefcafef00dULL ^ i;
	guest_mem_destroy(a);
	b = mem_of(pool, 8, 1, false, NULL);
	pb = guest_mem_hva_of(b, 0, 8 << 20);
	for (uint64_t i = 0; i < n; i++)
		if (pb[i])
			ck_abort_msg("guest b reads 0x%lx at %lu", pb[i], i);
	guest_mem_destroy(b);
	mm_pool_destroy(pool);
}
END_TEST

/* Discarded pages go back to the pool and fault in again as zeroes. */
START_TEST(test_discard)
{
	struct mm_pool *pool = test_pool(64, 1, 0);
	struct guest_mem *mem = mem_of(pool, 8, 1, false, NULL);
	uint64_t *base = guest_mem_hva_of(mem, 0, 8 << 20);
	struct guest_mem_stats st;
	long free0;

	install_rmap(pool, mem);
	for (uint64_t i = 0; i < (8 << 20) / 8; i += 512)
		base[i] = i + 1;
	drain_local_pages(pool);
	free0 = mm_nr_free_pages(pool);
	/* Every other 4 KiB page of the first 2 MiB, and a whole 2 MiB. */
	for (uint64_t g = 0; g < (2 << 20); g += 8192)
		ck_assert_int_eq(guest_mem_discard(mem, g, 4096), 1);
	ck_assert_int_eq(guest_mem_discard(mem, 4 << 20, 2 << 20), 512);
	ck_assert_int_eq(guest_mem_discard(mem, 4 << 20, 2 << 20), 0);
	guest_mem_get_stats(mem, &st);
	ck_assert_uint_eq(st.pages, 4 * 512 - 256 - 512);
	drain_local_pages(pool);
	ck_assert_int_eq(mm_nr_free_pages(pool), free0 + 256 + 512);
	ck_validate(pool);
	/* What stayed keeps its data; what went comes back zeroed. */
	for (uint64_t i = 0; i < (8 << 20) / 8; i += 512) {
		uint64_t g = i * 8;
		bool gone = (g < (2 << 20) && !(g & 4096)) ||
			    (g >= (4 << 20) && g < (6 << 20));

		ck_assert_uint_eq(base[i], gone ? 0 : i + 1);
	}
	ck_validate(pool);
	ck_assert_int_eq(guest_mem_discard(mem, 4095, 4096), -EINVAL);
	ck_assert_int_eq(guest_mem_discard(mem, 8 << 20, 4096), -EINVAL);
	guest_mem_destroy(mem);
	mm_pool_destroy(pool);
}
END_TEST

/* Migration moves the data and the reverse map; pinned pages stay. */
START_TEST(test_migrate)
{
	struct mm_pool *pool = test_pool(64, 2, 0);
	struct guest_mem_config cfg = {
		.owner = 7,
		.size = 8 << 20,
		.nr_nodes = 1,
		.node = { { 0, 8 << 20 } },
		.pool = pool,
		.vm_fd = -1,
		.pinned_start = 6 << 20,
		.pinned_size = 1 << 20,
	};
	struct guest_mem *mem;
	uint64_t *base;
	pfn_t np;

	ck_assert_int_eq(guest_mem_create(&cfg, &mem), 0);
	install_rmap(pool, mem);
	base = guest_mem_hva_of(mem, 0, 8 << 20);
	for (uint64_t i = 0; i < (8 << 20) / 8; i += 8)
		base[i] = i ^ 0x5555;
	/* Move 64 pages of the first 2 MiB to frames on the other node. */
	for (uint64_t g = 0; g < 64 * PAGE_SIZE; g += PAGE_SIZE) {
		pfn_t old = READ_ONCE(mem->gpa_map[g >> PAGE_SHIFT]);

		np = __alloc_pages(pool, GFP_GUEST, 0, 1, NULL);
		ck_assert_uint_ne(np, PFN_NONE);
		ck_assert_int_eq(guest_mem_migrate(mem, g, np), 0);
		ck_assert_uint_eq(READ_ONCE(mem->gpa_map[g >> PAGE_SHIFT]), np);
		ck_assert_uint_eq(pfn_to_frame(pool, np)->owner, 7);
		ck_assert_uint_eq(pfn_to_frame(pool, old)->owner, 0);
	}
	ck_assert_uint_eq(mem->pages_node[1], 64);
	for (uint64_t i = 0; i < (8 << 20) / 8; i += 8)
		ck_assert_uint_eq(base[i], i ^ 0x5555);
	ck_assert_uint_eq(vm_event_sum(pool, PGMIGRATE_SUCCESS), 64);
	ck_validate(pool);
	/* Pinned: refused, nothing changes; unbacked: nothing to move. */
	np = __alloc_pages(pool, GFP_GUEST, 0, 0, NULL);
	ck_assert_int_eq(guest_mem_migrate(mem, 6 << 20, np), -EBUSY);
	ck_assert_int_eq(guest_mem_migrate(mem, 4095, np), -EINVAL);
	__free_pages(pool, np, 0);
	ck_validate(pool);
	destroy_all_free(pool, mem);
}
END_TEST

/* Region gpa_2m's pages moved to single frames in reverse order: 512
 * mappings, collapsible. */
static void scatter(struct mm_pool *pool, struct guest_mem *mem,
		    uint64_t gpa_2m)
{
	pfn_t np[512];

	for (int i = 0; i < 512; i++) {
		np[i] = __alloc_pages(pool, GFP_GUEST, 0, 0, NULL);
		ck_assert_uint_ne(np[i], PFN_NONE);
	}
	for (int i = 0; i < 512; i++)
		ck_assert_int_eq(guest_mem_migrate(mem, gpa_2m + i * PAGE_SIZE,
						   np[511 - i]),
				 0);
	ck_assert(guest_mem_collapsible(mem, gpa_2m));
}

/*
 * The pool has the frames, the host will not map them (mmap's ENOMEM:
 * vm.max_map_count, injected): that is no out-of-memory.  The guest's
 * scattered regions are collapsed to make room, and the fault goes
 * through; when nothing helps, the VM is told it hit a host limit, and
 * the faulting thread moves on with nothing of the pool.
 */
START_TEST(test_map_limit)
{
	struct mm_pool *pool = test_pool(64, 1, 0);
	struct oom_seen seen = { 0 };
	struct guest_mem *mem = mem_of(pool, 16, 1, false, &seen);
	struct guest_mem_fail_remap once = { .times = 1 },
				    always = { .times = 1000000 };
	volatile uint64_t *p = guest_mem_hva_of(mem, 0, 16 << 20);
	struct guest_mem_stats st;

	install_rmap(pool, mem);
	for (uint64_t i = 0; i < (4 << 20) / 8; i += 512)
		p[i] = i + 1;
	scatter(pool, mem, 0);
	ck_assert_int_eq(guest_mem_discard(mem, 2 << 20, PAGE_SIZE), 1);

	if (mem->wp) {
		/* No room for one mapping: region 0 collapses, and then
		 * the fault maps. */
		guest_mem_set_fail_map(mem, &once);
		p[(8 << 20) / 8] = 42;
		ck_assert_uint_eq(p[(8 << 20) / 8], 42);
		guest_mem_get_stats(mem, &st);
		ck_assert_uint_eq(st.collapsed, 1);
		ck_assert(!guest_mem_collapsible(mem, 0));
		ck_assert_uint_eq(st.map_failures, 0);
	} else {
		printf("SKIP: merging mappings: no userfaultfd write-protection of shared memory here\n");
	}
	ck_assert_int_eq(READ_ONCE(seen.limit_calls), 0);

	/* No room, for good: a host limit, said once; no OOM. */
	guest_mem_set_fail_map(mem, &always);
	ck_assert_uint_eq(p[(10 << 20) / 8], 0); /* anonymous placeholder */
	ck_assert_uint_eq(p[(2 << 20) / 8], 0); /* discarded: pool mapping */
	ck_assert_int_eq(READ_ONCE(seen.limit_calls), 1);
	ck_assert_uint_eq(READ_ONCE(seen.limit_gpa), 10 << 20);
	ck_assert_int_eq(READ_ONCE(seen.limit_err), -ENOSPC);
	ck_assert_int_eq(READ_ONCE(seen.calls), 0);
	guest_mem_get_stats(mem, &st);
	ck_assert_uint_eq(st.map_failures, 2);
	ck_assert_uint_eq(st.alloc_failures, 0);
	for (uint64_t i = 0; i < (4 << 20) / 8; i += 512)
		if (i != (2 << 20) / 8)
			ck_assert_uint_eq(p[i], i + 1);
	ck_validate(pool);
	destroy_all_free(pool, mem);
}
END_TEST

static uint64_t collapsed(struct guest_mem *mem)
{
	struct guest_mem_stats st;

	guest_mem_get_stats(mem, &st);
	return st.collapsed;
}

/* Mappings used up on purpose: a PROT_NONE range split page by page. */
struct burn {
	uint8_t *p;
	uint64_t pages, next;
};

/* Use mappings up until the process has exactly vm.max_map_count. */
static void use_up_mappings(struct burn *b)
{
	uint64_t have = host_nr_mappings(), max = host_max_map_count();

	if (!b->p) {
		b->pages = 2 * max + 16;
		b->p = mmap(NULL, b->pages * PAGE_SIZE, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		ck_assert(b->p != MAP_FAILED);
		b->next = 1;
		have++;
	}
	/* A page in the middle of the range: two more; the last page of
	 * the range: one more. */
	while (have + 2 <= max && b->next + 2 < b->pages - 1) {
		ck_assert_int_eq(mprotect(b->p + b->next * PAGE_SIZE, PAGE_SIZE,
					  PROT_READ),
				 0);
		b->next += 2;
		have += 2;
	}
	if (have < max) {
		ck_assert_int_eq(mprotect(b->p + (b->pages - 1) * PAGE_SIZE,
					  PAGE_SIZE, PROT_READ),
				 0);
		have++;
	}
	ck_assert_uint_eq(host_nr_mappings(), max);
}

/*
 * The same at the real limit, no injection: this process uses up its
 * mappings (vm.max_map_count is the host's; nothing is changed there),
 * and a fault's mmap fails as Linux has it fail.  Scattered memory is
 * collapsed and the fault goes through; when there is none, a host
 * limit.  Linux lets a process go a little over the limit (a mapping
 * that only splits one checks the count before), and once over it no
 * mmap at all succeeds, not even one that would merge mappings: that is
 * why guest_mem holds a few in reserve.
 */
START_TEST(test_map_limit_real)
{
	struct mm_pool *pool = test_pool(64, 1, 0);
	struct oom_seen seen = { 0 };
	struct guest_mem *mem = mem_of(pool, 32, 1, false, &seen);
	volatile uint64_t *p = guest_mem_hva_of(mem, 0, 32 << 20);
	struct burn burn = { 0 };
	struct guest_mem_stats st;
	uint64_t g;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	printf("SKIP: the real vm.max_map_count: a sanitizer maps memory of its own as it goes\n");
	goto out;
#endif
	if (host_max_map_count() > (2 << 20)) {
		printf("SKIP: the real vm.max_map_count: %llu mappings would take too long to use up\n",
		       (unsigned long long)host_max_map_count());
		goto out;
	}
	if (!mem->wp) {
		printf("SKIP: merging mappings: no userfaultfd write-protection of shared memory here\n");
		goto out;
	}
	install_rmap(pool, mem);
	p[0] = 1;
	scatter(pool, mem, 0);
	/* At the limit; then touches until one finds the process over it
	 * (a 2 MiB mapping inside the placeholder: two more each). */
	use_up_mappings(&burn);
	for (g = 4 << 20; !collapsed(mem); g += 2 << 20) {
		ck_assert_uint_lt(g, 16 << 20);
		p[g / 8] = g;
	}
	ck_assert_uint_eq(p[g / 8 - (2 << 20) / 8], g - (2 << 20));
	ck_assert_uint_eq(p[0], 1);
	ck_assert_int_eq(READ_ONCE(seen.limit_calls), 0);
	/* Again, with nothing left to collapse: a host limit. */
	use_up_mappings(&burn);
	for (; !READ_ONCE(seen.limit_calls); g += 2 << 20) {
		ck_assert_uint_lt(g, 32 << 20);
		p[g / 8] = g;
	}
	ck_assert_int_eq(READ_ONCE(seen.limit_err), -ENOSPC);
	ck_assert_uint_eq(READ_ONCE(seen.limit_gpa), g - (2 << 20));
	ck_assert_int_eq(READ_ONCE(seen.calls), 0);
	guest_mem_get_stats(mem, &st);
	ck_assert_uint_eq(st.collapsed, 1);
	ck_assert_uint_eq(st.map_failures, 1);
	munmap(burn.p, burn.pages * PAGE_SIZE);
	ck_validate(pool);
out:
	destroy_all_free(pool, mem);
}
END_TEST

START_TEST(test_bad_config)
{
	struct mm_pool *pool = test_pool(16, 1, 0);
	struct guest_mem_config cfg = {
		.size = 3 << 20,
		.nr_nodes = 1,
		.node = { { 0, 3 << 20 } },
		.pool = pool,
		.vm_fd = -1,
	};
	struct guest_mem *mem;

	ck_assert_int_eq(guest_mem_create(&cfg, &mem), -EINVAL);
	cfg.size = cfg.node[0].size = 4 << 20;
	cfg.pnode[0] = 3;
	ck_assert_int_eq(guest_mem_create(&cfg, &mem), -EINVAL);
	cfg.pnode[0] = 0;
	cfg.pinned_size = 8 << 20;
	ck_assert_int_eq(guest_mem_create(&cfg, &mem), -EINVAL);
	cfg.pinned_size = 0;
	ck_assert_int_eq(guest_mem_create(&cfg, &mem), 0);
	ck_assert_ptr_null(guest_mem_hva_of(mem, 4 << 20, 1));
	ck_assert_ptr_null(guest_mem_hva_of(mem, 4095, (4 << 20) - 4000));
	ck_assert_ptr_nonnull(guest_mem_hva_of(mem, 0, 4 << 20));
	guest_mem_destroy(mem);
	mm_pool_destroy(pool);
}
END_TEST

Suite *guest_mem_suite(void)
{
	Suite *s = suite_create("guest_mem");
	TCase *tc = tcase_create("uffd");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_huge_first_touch);
	tcase_add_test(tc, test_order0_fault_around);
	tcase_add_test(tc, test_vnuma_placement);
	tcase_add_test(tc, test_strict_binding_oom);
	tcase_add_test(tc, test_pinned_region);
	tcase_add_test(tc, test_no_data_crosses_guests);
	tcase_add_test(tc, test_discard);
	tcase_add_test(tc, test_migrate);
	tcase_add_test(tc, test_map_limit);
	tcase_add_test(tc, test_map_limit_real);
	tcase_add_test(tc, test_bad_config);
	suite_add_tcase(s, tc);
	return s;
}
