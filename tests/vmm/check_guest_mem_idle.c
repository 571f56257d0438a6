// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/guest_mem/idle.c without KVM: the test thread is the guest (it
 * touches RAM through the same mappings a vCPU's accesses refault) and
 * the passes run between its touches.  Real guests:
 * tests/vmm/check_cold_kvm.c.
 */
#include <stdio.h>

#include "tests/mm/mm_test.h"
#include "vmm/guest_mem/guest_mem.h"

#define OWNER 7
#define MiB (1UL << 20)
#define UNIT (UNIT_PAGES * PAGE_SIZE)

static struct guest_mem *validated_mem;

static bool rmap(void *priv, uint16_t owner, gpa_t g, pfn_t pfn)
{
	(void)priv;
	return owner == OWNER && guest_mem_maps(validated_mem, g.val, pfn);
}

/* A guest of mib MiB, 4 KiB frames unless huge; [pinned, +1 MiB)
 * pinned if pinned is not 0. */
static struct guest_mem *guest(struct mm_pool *pool, uint64_t mib, bool huge,
			       uint64_t pinned)
{
	struct guest_mem_config cfg = {
		.owner = OWNER,
		.size = mib * MiB,
		.nr_nodes = 1,
		.node = { { 0, mib * MiB } },
		.pool = pool,
		.vm_fd = -1,
		.no_huge = !huge,
		.pinned_start = pinned,
		.pinned_size = pinned ? MiB : 0,
	};
	struct mm_ops ops = { .rmap_check = rmap };
	struct guest_mem *mem;

	ck_assert_int_eq(guest_mem_create(&cfg, &mem), 0);
	validated_mem = mem;
	mm_set_ops(pool, &ops);
	return mem;
}

/* Write a word naming gpa and gen into every page of [gpa, gpa + len). */
static void touch(struct guest_mem *mem, uint64_t gpa, uint64_t len,
		  uint64_t gen)
{
	for (uint64_t g = gpa; g < gpa + len; g += PAGE_SIZE)
		*(volatile uint64_t *)guest_mem_hva_of(mem, g, 8) = g ^ gen;
}

/* Read one page of each unit of [gpa, gpa + len), as a guest's read. */
static void read_units(struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	for (uint64_t g = gpa; g < gpa + len; g += UNIT)
		(void)*(volatile uint64_t *)guest_mem_hva_of(mem, g, 8);
}

static void check_words(struct guest_mem *mem, uint64_t gpa, uint64_t len,
			uint64_t gen)
{
	for (uint64_t g = gpa; g < gpa + len; g += PAGE_SIZE)
		ck_assert_uint_eq(*(volatile uint64_t *)guest_mem_hva_of(mem, g,
									 8),
				  g ^ gen);
}

static void scan(struct guest_mem *mem)
{
	ck_assert_int_ge(guest_mem_idle_scan(mem, ~0UL), 0);
}

/*
 * 8 MiB touched, then 1 MiB of it read (one word per unit) and 1 MiB
 * written between passes: after three more passes those units are age
 * 0, the other 6 MiB age 3, reported cold at 3 (all of them, oldest
 * first), not at 4; nothing the drops did changed a word.
 */
START_TEST(test_ages)
{
	struct mm_pool *pool = test_pool(32, 1, 0);
	struct guest_mem *mem = guest(pool, 8, false, 0);
	uint64_t *gpa = malloc(8 * MiB / PAGE_SIZE * sizeof(*gpa));
	struct guest_mem_stats st;
	long n;

	ck_assert_ptr_nonnull(gpa);
	/* Never scanned: nothing is known cold. */
	ck_assert_int_eq(guest_mem_cold_pages(mem, 1, gpa, 2048), 0);
	touch(mem, 0, 8 * MiB, 1);
	scan(mem);
	for (int pass = 0; pass < 3; pass++) {
		read_units(mem, 0, MiB);
		touch(mem, 4 * MiB, MiB, 2 + pass);
		scan(mem);
	}
	for (uint64_t g = 0; g < 8 * MiB; g += UNIT) {
		bool hot = g < MiB || (g >= 4 * MiB && g < 5 * MiB);

		ck_assert_msg(guest_mem_idle_age(mem, g) == (hot ? 0 : 3),
			      "gpa 0x%lx: age %d", (unsigned long)g,
			      guest_mem_idle_age(mem, g));
	}
	n = guest_mem_cold_pages(mem, 3, gpa, 8 * MiB / PAGE_SIZE);
	ck_assert_int_eq(n, 6 * MiB / PAGE_SIZE);
	for (long i = 0; i < n; i++)
		ck_assert(gpa[i] >= MiB &&
			  (gpa[i] < 4 * MiB || gpa[i] >= 5 * MiB));
	ck_assert_int_eq(guest_mem_cold_pages(mem, 4, gpa, 2048), 0);
	ck_assert_int_eq(guest_mem_cold_pages(mem, 0, gpa, 2048), -EINVAL);
	/* max bounds the answer. */
	ck_assert_int_eq(guest_mem_cold_pages(mem, 1, gpa, 100), 100);
	guest_mem_get_stats(mem, &st);
	ck_assert_uint_eq(st.idle_scanned, 4 * 8 * MiB / UNIT);
	ck_assert_uint_eq(st.idle_dropped, 4 * 8 * MiB / UNIT);
	ck_assert_uint_eq(st.idle_found, 3 * 6 * MiB / UNIT);
	check_words(mem, 0, 4 * MiB, 1);
	check_words(mem, 4 * MiB, MiB, 4);
	check_words(mem, 5 * MiB, 3 * MiB, 1);
	ck_validate(pool);
	free(gpa);
	guest_mem_destroy(mem);
	mm_pool_destroy(pool);
}
END_TEST

/* Oldest first: units idle longer come before younger ones. */
START_TEST(test_oldest_first)
{
	struct mm_pool *pool = test_pool(16, 1, 0);
	struct guest_mem *mem = guest(pool, 4, false, 0);
	uint64_t gpa[64];

	touch(mem, 0, 4 * MiB, 1);
	scan(mem);
	scan(mem); /* everything age 1 */
	read_units(mem, 0, 2 * MiB);
	scan(mem); /* [0, 2M) age 0, the rest 2 */
	scan(mem); /* [0, 2M) 1, the rest 3 */
	ck_assert_int_eq(guest_mem_cold_pages(mem, 1, gpa, 64), 64);
	for (int i = 0; i < 64; i++)
		ck_assert_uint_ge(gpa[i], 2 * MiB);
	ck_assert_int_eq(guest_mem_idle_age(mem, 0), 1);
	ck_assert_int_eq(guest_mem_idle_age(mem, 3 * MiB), 3);
	guest_mem_destroy(mem);
	mm_pool_destroy(pool);
}
END_TEST

/*
 * A region mapped as one pageblock is one unit: dropped whole (one drop
 * counted), and one page read keeps all of it young; its neighbour, not
 * read, ages as a whole.
 */
START_TEST(test_huge_region)
{
	struct mm_pool *pool = test_pool(32, 1, 0);
	struct guest_mem *mem = guest(pool, 8, true, 0);
	struct guest_mem_stats st;

	touch(mem, 2 * MiB, 4 * MiB, 1);
	guest_mem_get_stats(mem, &st);
	ck_assert_uint_eq(st.huge_maps, 2);
	scan(mem);
	guest_mem_get_stats(mem, &st);
	ck_assert_uint_eq(st.idle_dropped, 2);
	ck_assert_uint_eq(st.idle_scanned, 2);
	for (int pass = 0; pass < 2; pass++) {
		(void)*(volatile uint64_t *)guest_mem_hva_of(
			mem, 3 * MiB + 5 * PAGE_SIZE, 8);
		scan(mem);
	}
	for (uint64_t g = 2 * MiB; g < 4 * MiB; g += UNIT)
		ck_assert_int_eq(guest_mem_idle_age(mem, g), 0);
	for (uint64_t g = 4 * MiB; g < 6 * MiB; g += UNIT)
		ck_assert_int_eq(guest_mem_idle_age(mem, g), 2);
	guest_mem_get_stats(mem, &st);
	ck_assert_uint_eq(st.idle_dropped, 6);
	ck_assert_uint_eq(st.idle_found, 2);
	ck_assert_uint_eq(st.huge_maps, 2);
	check_words(mem, 2 * MiB, 4 * MiB, 1);
	ck_validate(pool);
	guest_mem_destroy(mem);
	mm_pool_destroy(pool);
}
END_TEST

/*
 * A unit dropped and then discarded (a balloon's inflation) is not
 * reported cold; faulted in again it starts young; a migrated page's
 * unit too; a pinned unit is never dropped nor aged.
 */
START_TEST(test_reset)
{
	struct mm_pool *pool = test_pool(32, 1, 0);
	struct guest_mem *mem = guest(pool, 8, false, 6 * MiB);
	uint64_t gpa[2048];
	pfn_t np;
	long n;

	touch(mem, 0, 8 * MiB, 1);
	scan(mem);
	scan(mem);
	scan(mem); /* all unpinned units age 2 */
	ck_assert_int_eq(guest_mem_idle_age(mem, 6 * MiB), 0);
	ck_assert_int_eq(guest_mem_idle_age(mem, MiB), 2);
	ck_assert_int_eq(guest_mem_discard(mem, MiB, UNIT), UNIT_PAGES);
	ck_assert_int_eq(guest_mem_idle_age(mem, MiB), 0);
	np = __alloc_pages(pool, GFP_GUEST, 0, 0, NULL);
	ck_assert_uint_ne(np, PFN_NONE);
	ck_assert_int_eq(guest_mem_migrate(mem, 2 * MiB + PAGE_SIZE, np), 0);
	ck_assert_int_eq(guest_mem_idle_age(mem, 2 * MiB), 0);
	n = guest_mem_cold_pages(mem, 1, gpa, 2048);
	ck_assert_int_eq(n, 2048 - 256 - 2 * UNIT_PAGES);
	for (long i = 0; i < n; i++) {
		ck_assert(gpa[i] - MiB >= UNIT);
		ck_assert(gpa[i] - 2 * MiB >= UNIT);
		ck_assert(gpa[i] - 6 * MiB >= MiB);
	}
	/* The discarded unit faults in again (zeroed), not touched after:
	 * the next pass only drops it, the one after finds it idle. */
	ck_assert_uint_eq(*(volatile uint64_t *)guest_mem_hva_of(mem, MiB, 8),
			  0);
	scan(mem);
	ck_assert_int_eq(guest_mem_idle_age(mem, MiB), 0);
	scan(mem);
	ck_assert_int_eq(guest_mem_idle_age(mem, MiB), 1);
	ck_assert_int_eq(guest_mem_idle_age(mem, 6 * MiB + UNIT), 0);
	check_words(mem, 3 * MiB, 5 * MiB, 1);
	ck_validate(pool);
	guest_mem_destroy(mem);
	mm_pool_destroy(pool);
}
END_TEST

/* A bounded pass goes on where the last one stopped. */
START_TEST(test_bounded)
{
	struct mm_pool *pool = test_pool(32, 1, 0);
	struct guest_mem *mem = guest(pool, 8, false, 0);
	struct guest_mem_stats st;

	touch(mem, 0, 8 * MiB, 1);
	/* 2 MiB a region: a pass stops at the region past its budget. */
	ck_assert_int_eq(guest_mem_idle_scan(mem, 32), 32);
	ck_assert_int_eq(guest_mem_idle_scan(mem, 40), 64);
	ck_assert_int_eq(guest_mem_idle_scan(mem, 1000), 128);
	ck_assert_int_eq(guest_mem_idle_age(mem, 0), 1);
	ck_assert_int_eq(guest_mem_idle_age(mem, 7 * MiB), 0);
	guest_mem_get_stats(mem, &st);
	ck_assert_uint_eq(st.idle_scanned, 224);
	ck_assert_uint_eq(st.idle_found, 96);
	guest_mem_destroy(mem);
	mm_pool_destroy(pool);
}
END_TEST

Suite *guest_mem_idle_suite(void)
{
	Suite *s = suite_create("guest_mem_idle");
	TCase *tc = tcase_create("idle");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_ages);
	tcase_add_test(tc, test_oldest_first);
	tcase_add_test(tc, test_huge_region);
	tcase_add_test(tc, test_reset);
	tcase_add_test(tc, test_bounded);
	suite_add_tcase(s, tc);
	return s;
}
