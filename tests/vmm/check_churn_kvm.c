// SPDX-License-Identifier: GPL-2.0
/*
 * What a guest's churn re-touches (guest/workload.c, docs/guest.md), on
 * /dev/kvm: a guest touches 64 MiB and churns with ws=8M, then holds.
 *
 *   pick=ws    only its 8 MiB of lowest GPA moved, every page of them
 *   pick=all   (the default) pages all over the 64 MiB moved
 *
 * Which pages moved is read from the pages themselves, through the
 * pool's mapping while the guest holds: a page whose signature is still
 * the first a `touch` writes (guest/sig.h) was not re-touched, one of a
 * later generation was.  The churn's rate keeps generations well short
 * of wrapping back to the first (255 re-touches).
 */
#include <stdio.h>

#include "guest/fill.h"
#include "tests/mm/mm_test.h"
#include "tests/vmm/host_test.h"
#include "vmm/guest_mem/guest_mem.h"

#define MiB (1ULL << 20)
#define GUEST_MIB 96
#define OWNED_PAGES (64 * MiB / PAGE_SIZE)
#define WS_PAGES (8 * MiB / PAGE_SIZE)

/* The first word of a sparse page of generation gen, as guest/sig.h's
 * sig_word() makes it (that header is the guest's, not for the host's
 * builds). */
static uint64_t first_word(uint64_t gpa, unsigned int gen)
{
	uint64_t v =
		fill_mix(gpa ^ ((uint64_t)gen << 52) ^ 0x766d6d2d73696721ULL);

	return v ? v : 1;
}

/* The generation of the workload's page at gpa, 0 if it holds none. */
static unsigned int page_gen(struct vmm_host *h, struct guest_mem *mem,
			     uint64_t gpa)
{
	pfn_t pfn = READ_ONCE(mem->gpa_map[gpa >> PAGE_SHIFT]);
	uint64_t w;

	if (pfn == PFN_NONE)
		return 0;
	w = *(volatile uint64_t *)pfn_to_virt(h->pool, pfn);
	for (unsigned int gen = 1; gen <= 255; gen++)
		if (w == first_word(gpa, gen))
			return gen;
	return 0;
}

START_TEST(test_pick)
{
	bool ws_only = _i;
	struct vmm_config cfg = { .pool_bytes = 256 * MiB,
				  .nr_nodes = 1,
				  .hugepages = true,
				  .balloon_off = true,
				  .compaction_off = true,
				  .cold_scan_off = true };
	struct vmm_host *h = test_host_cfg(&cfg);
	unsigned int id = test_launch(
		h, "churn", GUEST_MIB, 1, 1,
		ws_only ? "touch 64M; churn ws=8M rate=200000 time=1s pick=ws; "
			  "hold 2s; verify" :
			  "touch 64M; churn ws=8M rate=200000 time=1s; "
			  "hold 2s; verify",
		0);
	uint64_t owned = 0, moved = 0, moved_in_ws = 0, top_gen = 0;
	struct guest_mem *mem;

	test_wait_phases(h, id, 2);
	mem = host_vm(h, id)->mem;
	for (uint64_t g = GUEST_RAM_START; g < GUEST_MIB * MiB;
	     g += PAGE_SIZE) {
		unsigned int gen = page_gen(h, mem, g);

		if (!gen)
			continue;
		/* In ascending GPA: the first WS_PAGES owned are the set. */
		moved += gen > 1;
		moved_in_ws += gen > 1 && owned < WS_PAGES;
		top_gen = gen > top_gen ? gen : top_gen;
		owned++;
	}
	printf("churn_kvm: pick=%s: %lu pages owned, %lu re-touched, %lu of them in the first %lu, generations up to %lu\n",
	       ws_only ? "ws" : "all", (unsigned long)owned,
	       (unsigned long)moved, (unsigned long)moved_in_ws,
	       (unsigned long)WS_PAGES, (unsigned long)top_gen);
	ck_assert_uint_eq(owned, OWNED_PAGES);
	ck_assert_uint_lt(top_gen, 255);
	if (ws_only) {
		/* Every page of the set, and nothing else. */
		ck_assert_uint_eq(moved_in_ws, WS_PAGES);
		ck_assert_uint_eq(moved, WS_PAGES);
	} else {
		ck_assert_uint_gt(moved - moved_in_ws, OWNED_PAGES / 2);
	}
	test_assert_clean(h, id);
	test_host_done(h);
}
END_TEST

Suite *churn_kvm_suite(void)
{
	Suite *s = suite_create("churn_kvm");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_pick, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
