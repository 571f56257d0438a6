// SPDX-License-Identifier: GPL-2.0
/*
 * Idle page sampling (vmm/guest_mem/idle.c, vmm/host/cold.c) with real
 * guests on /dev/kvm: the test runs the scanner's passes itself
 * (host_cold_scan_all()), the background scanner off.
 *
 *   shares      a guest touches 64 MiB, frees 56 MiB of it and churns the
 *               other 8 MiB: the units it left are cold, the churned ones
 *               not; in 4 KiB frames, and in 2 MiB pageblock mappings
 *               (each aged as one unit)
 *   migration   passes while the same guest's pages move (migration
 *               entries, as compaction moves them): nothing lost
 *   balloon     units aged, then taken by the balloon: never cold
 *   scanner     the host's own thread finds them, and without it none
 *
 * Which pages the guest left is read from the pages themselves (through
 * the pool's mapping, which the passes never look at): a page whose
 * signature is still the first a `touch` writes (guest/sig.h) was not
 * re-touched; one of a later generation was.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "guest/fill.h"
#include "tests/mm/mm_test.h"
#include "tests/vmm/host_test.h"
#include "vmm/guest_mem/guest_mem.h"
#include "vmm/host/balloon.h"
#include "vmm/host/host.h"

#define MiB (1ULL << 20)
#define UNIT (UNIT_PAGES * PAGE_SIZE)
#define PASSES 5

static struct vmm_host *cold_host(bool balloon)
{
	struct vmm_config cfg = { .pool_bytes = 256 * MiB,
				  .nr_nodes = 1,
				  .hugepages = true,
				  .balloon_off = !balloon,
				  .deflate_off = true,
				  .compaction_off = true,
				  .cold_scan_off = true };
	struct vmm_host *h = test_host_cfg(&cfg);

	/* Cold after 3 passes. */
	h->cold.min_age = 3;
	return h;
}

static unsigned int launch(struct vmm_host *h, unsigned int mib, bool huge,
			   const char *script)
{
	struct vm_resources res = *test_res(h);
	struct guest_spec spec = {
		.mem_bytes = (uint64_t)mib << 20,
		.nr_vcpus = 1,
		.nr_vnodes = 1,
		.vnode_to_pnode = { -1 },
		.script = (char *)script,
		.name = "cold",
	};
	unsigned int id;
	char err[256];

	res.no_huge = !huge;
	ck_assert_msg(host_launch(h, &spec, &res, &id, err, sizeof(err)) == 0,
		      "%s", err);
	return id;
}

static void validate(struct vmm_host *h)
{
	char err[256];

	ck_assert_msg(host_validate(h, err, sizeof(err)) == 0, "%s", err);
}

static void passes(struct vmm_host *h, int n, unsigned int ms)
{
	for (int i = 0; i < n; i++) {
		ck_assert_int_gt(host_cold_scan_all(h, COLD_SCAN_UNITS), 0);
		usleep(ms * 1000);
	}
}

enum truth { T_OTHER, T_LEFT, T_RETOUCHED };

/* The first word of a sparse page of generation gen, as guest/sig.h's
 * sig_word() makes it (that header is the guest's, not for the host's
 * builds). */
static uint64_t first_word(uint64_t pfn, unsigned int gen)
{
	uint64_t v = fill_mix((pfn << 12) ^ ((uint64_t)gen << 52) ^
			      0x766d6d2d73696721ULL);

	return v ? v : 1;
}

/* What the guest did to the unit at gpa, from its pages' signatures:
 * left since its touch, re-touched, or neither (not its workload's). */
static enum truth unit_truth(struct vmm_host *h, struct guest_mem *mem,
			     uint64_t gpa)
{
	bool left = false, other = false;

	for (uint64_t g = gpa; g < gpa + UNIT; g += PAGE_SIZE) {
		pfn_t pfn = READ_ONCE(mem->gpa_map[g >> PAGE_SHIFT]);
		uint64_t w;
		unsigned int gen;

		if (pfn == PFN_NONE)
			continue;
		w = *(volatile uint64_t *)pfn_to_virt(h->pool, pfn);
		for (gen = 1; gen <= 255; gen++)
			if (w == first_word(g >> PAGE_SHIFT, gen))
				break;
		if (gen > 1 && gen <= 255)
			return T_RETOUCHED;
		if (gen == 1)
			left = true;
		else
			other = true;
	}
	return left && !other ? T_LEFT : T_OTHER;
}

/*
 * The guest left 56 MiB and churns 8 MiB: after PASSES passes at least
 * 95% of the units it left are cold (3 passes), at most 5% of those it
 * churns; in a pageblock mapping all units of a region have one age.
 * Its churn checks every page it rewrites (each was dropped before every
 * pass), its verify every page it holds.
 */
START_TEST(test_shares)
{
	bool huge = _i;
	struct vmm_host *h = cold_host(false);
	unsigned int id = launch(
		h, 96, huge,
		"touch 64M; free 56M; churn ws=8M rate=0 time=5s; verify");
	unsigned long left = 0, left_cold = 0, hot = 0, hot_cold = 0;
	static enum truth truth[96 * MiB / UNIT];
	bool mixed[48] = { false };
	struct guest_mem_stats st;
	struct guest_mem *mem;

	test_wait_phases(h, id, 2);
	mem = host_vm(h, id)->mem;
	passes(h, PASSES, 300);
	for (uint64_t g = GUEST_RAM_START; g < 96 * MiB; g += UNIT) {
		truth[g / UNIT] = unit_truth(h, mem, g);
		if (truth[g / UNIT] == T_RETOUCHED)
			mixed[g / (2 * MiB)] = huge;
	}
	for (uint64_t g = GUEST_RAM_START; g < 96 * MiB; g += UNIT) {
		/* What was left in a region mapped whole with re-touched
		 * pages is not cold: the region is one unit. */
		enum truth t = truth[g / UNIT] == T_LEFT &&
					       mixed[g / (2 * MiB)] ?
				       T_OTHER :
				       truth[g / UNIT];
		bool cold = guest_mem_idle_age(mem, g) >= 3;

		left += t == T_LEFT;
		left_cold += t == T_LEFT && cold;
		hot += t == T_RETOUCHED;
		hot_cold += t == T_RETOUCHED && cold;
		if (huge && mem->huge_2m[g / (2 * MiB)])
			ck_assert_int_eq(guest_mem_idle_age(mem, g),
					 guest_mem_idle_age(
						 mem, ALIGN_DOWN(g, 2 * MiB)));
	}
	guest_mem_get_stats(mem, &st);
	printf("cold_kvm: %s: %lu of %lu units left cold, %lu of %lu churned; %lu scanned, %lu idle, %lu dropped, %lu huge maps\n",
	       huge ? "pageblocks" : "4 KiB", left_cold, left, hot_cold, hot,
	       (unsigned long)st.idle_scanned, (unsigned long)st.idle_found,
	       (unsigned long)st.idle_dropped, (unsigned long)st.huge_maps);
	/* Most of the 56 MiB is still backed (no balloon here). */
	ck_assert_uint_ge(left, 40 * MiB / UNIT);
	ck_assert_uint_ge(hot, 6 * MiB / UNIT);
	ck_assert_uint_ge(left_cold * 100, left * 95);
	ck_assert_uint_le(hot_cold * 100, hot * 5);
	if (huge) {
		ck_assert_uint_gt(st.huge_maps, 20);
		/* A pageblock mapping is dropped whole: one unit a pass. */
		ck_assert_uint_lt(st.idle_dropped, PASSES * 48 * MiB / UNIT);
	}
	test_assert_clean(h, id);
	validate(h);
	test_host_done(h);
}
END_TEST

struct scanner {
	struct vmm_host *h;
	bool stop;
	long passes;
};

static void *scan_fn(void *arg)
{
	struct scanner *s = arg;

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		host_cold_scan_all(s->h, COLD_SCAN_UNITS);
		s->passes++;
		usleep(5000);
	}
	return NULL;
}

/* A run of 32 of the guest's consecutive pages from a random GPA moved
 * to new frames through the op compaction uses; the moves done. */
static unsigned int move_run(struct vmm_host *h, unsigned int id,
			     uint64_t *seed)
{
	struct vm *vm = host_vm(h, id);
	struct guest_mem *mem = vm->mem;
	struct migrate_req req[32], *rp[32];
	unsigned int n = 0, moved;
	uint64_t g0;

	*seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
	g0 = GUEST_RAM_START +
	     (*seed >> 33) % (40 * MiB / PAGE_SIZE) * PAGE_SIZE;
	for (unsigned int i = 0; i < 32; i++) {
		uint64_t g = g0 + i * PAGE_SIZE;
		pfn_t old = READ_ONCE(mem->gpa_map[g >> PAGE_SHIFT]);
		pfn_t np = __alloc_pages(h->pool, __GFP_MOVABLE | __GFP_NOWARN,
					 0, 0, NULL);

		if (np == PFN_NONE)
			break;
		if (old == PFN_NONE) {
			__free_pages(h->pool, np, 0);
			continue;
		}
		req[n] = (struct migrate_req){ .old_pfn = old,
					       .new_pfn = np,
					       .gpa = { g },
					       .owner = vm->slot,
					       .result = 1 };
		rp[n] = &req[n];
		n++;
	}
	if (!n)
		return 0;
	moved = guest_mem_migrate_pages(mem, rp, n);
	for (unsigned int i = 0; i < n; i++)
		if (req[i].result)
			__free_pages(h->pool, req[i].new_pfn, 0);
	return moved;
}

/*
 * Passes every 5 ms while the same guest's pages move (with migration
 * entries where the kernel has them) and it rewrites and verifies them
 * as fast as it can: its checks pass, the pool's invariants hold.
 */
START_TEST(test_during_migration)
{
	struct vmm_host *h = cold_host(false);
	unsigned int id = launch(
		h, 64, false, "touch 48M; churn ws=48M rate=0 time=2s; verify");
	struct scanner s = { .h = h };
	struct guest_mem_stats st;
	unsigned long moved = 0;
	uint64_t seed = 42;
	struct vm_summary sum;
	pthread_t t;

	test_wait_phases(h, id, 1);
	ck_assert_int_eq(pthread_create(&t, NULL, scan_fn, &s), 0);
	do {
		moved += move_run(h, id, &seed);
		vm_get_summary(host_vm(h, id), &sum);
	} while (sum.nr_phases < 2 && !sum.exited);
	__atomic_store_n(&s.stop, true, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	guest_mem_get_stats(host_vm(h, id)->mem, &st);
	printf("cold_kvm: %lu pages moved during %ld passes (%lu units dropped)\n",
	       moved, s.passes, (unsigned long)st.idle_dropped);
	ck_assert_uint_gt(moved, 500);
	ck_assert_int_gt(s.passes, 20);
	validate(h);
	test_assert_clean(h, id);
	validate(h);
	test_host_done(h);
}
END_TEST

/*
 * Units aged, then the balloon takes what the guest freed (discards
 * them): none of those is reported cold, nor aged, and every page
 * reported is backed.
 */
START_TEST(test_balloon_discard)
{
	struct vmm_host *h = cold_host(true);
	unsigned int id =
		launch(h, 96, false, "touch 64M; free 48M; hold 4s; verify");
	static uint64_t gpa[96 * MiB / PAGE_SIZE];
	struct balloon_info info;
	struct guest_mem *mem;
	unsigned long gone = 0;
	long n;

	test_wait_phases(h, id, 2);
	mem = host_vm(h, id)->mem;
	passes(h, 4, 50);
	ck_assert_int_gt(host_cold_pages(h, id, gpa, 96 * MiB / PAGE_SIZE),
			 40 * MiB / PAGE_SIZE);
	balloon_set_target(&host_vm_balloon(h, id)->vb,
			   (40 * MiB) >> PAGE_SHIFT);
	for (int i = 0; i < 500; i++) {
		balloon_get_info(&host_vm_balloon(h, id)->vb, &info);
		if (info.actual == info.target)
			break;
		usleep(10000);
	}
	ck_assert_uint_eq(info.actual, info.target);
	n = host_cold_pages(h, id, gpa, 96 * MiB / PAGE_SIZE);
	ck_assert_int_gt(n, 0);
	for (long i = 0; i < n; i++)
		ck_assert_uint_ne(READ_ONCE(mem->gpa_map[gpa[i] >> PAGE_SHIFT]),
				  PFN_NONE);
	for (uint64_t g = GUEST_RAM_START; g < 96 * MiB; g += UNIT) {
		bool none = true;

		for (uint64_t p = g; p < g + UNIT; p += PAGE_SIZE)
			none &= READ_ONCE(mem->gpa_map[p >> PAGE_SHIFT]) ==
				PFN_NONE;
		if (!none)
			continue;
		gone++;
		ck_assert_int_eq(guest_mem_idle_age(mem, g), 0);
	}
	printf("cold_kvm: %lu units ballooned, %ld pages still cold\n", gone,
	       n);
	ck_assert_uint_ge(gone, 30 * MiB / UNIT);
	validate(h);
	test_assert_clean(h, id);
	test_host_done(h);
}
END_TEST

/*
 * The host's own scanner (--cold-scan-interval 100ms, --cold-age 300ms:
 * cold after 3 passes): a guest that touched its memory and holds it has
 * cold pages within a second; with scanning off it never has.
 */
START_TEST(test_scanner_thread)
{
	bool off = _i;
	struct vmm_config cfg = { .pool_bytes = 256 * MiB,
				  .nr_nodes = 1,
				  .compaction_off = true,
				  .cold_scan_off = off,
				  .cold_scan_interval_ms = 100,
				  .cold_age_ms = 300 };
	struct vmm_host *h = test_host_cfg(&cfg);
	unsigned int id = launch(h, 64, false, "touch 32M; hold 2s; verify");
	static uint64_t gpa[64 * MiB / PAGE_SIZE];
	long n = 0;

	test_wait_phases(h, id, 1);
	for (int i = 0; i < 150 && n < (long)(24 * MiB / PAGE_SIZE); i++) {
		usleep(10000);
		n = host_cold_pages(h, id, gpa, 64 * MiB / PAGE_SIZE);
	}
	if (off) {
		ck_assert_int_eq(n, 0);
		ck_assert_uint_eq(
			__atomic_load_n(&h->cold.passes, __ATOMIC_RELAXED), 0);
	} else {
		ck_assert_uint_eq(h->cold.min_age, 3);
		ck_assert_int_ge(n, 24 * MiB / PAGE_SIZE);
		ck_assert_uint_ge(
			__atomic_load_n(&h->cold.passes, __ATOMIC_RELAXED), 3);
	}
	test_assert_clean(h, id);
	validate(h);
	test_host_done(h);
}
END_TEST

Suite *cold_kvm_suite(void)
{
	Suite *s = suite_create("cold_kvm");
	TCase *tc = tcase_create("sampling");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_shares, 0, 2);
	tcase_add_test(tc, test_during_migration);
	tcase_add_test(tc, test_balloon_discard);
	tcase_add_loop_test(tc, test_scanner_thread, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
