// SPDX-License-Identifier: GPL-2.0
/*
 * Compaction with real guests on /dev/kvm, through struct vmm_host: the
 * fragmentation of balloons that take every other page, made by the
 * guests themselves.
 * Two guests touch their memory at the same time (their 2 MiB regions
 * interleave in the pool, each one pageblock), free every other page
 * they own (`free all every=2`), and their balloons take exactly those
 * pages: every other frame of their pageblocks is free (tools/frag).
 *
 *   fragmentation   order 9 fails, the host gets nothing back; after
 *                   compact_memory() it succeeds, free memory sits in
 *                   whole pageblocks and the host footprint drops
 *   churn           the guests rewrite and verify their memory while a
 *                   thread compacts again and again and kcompactd runs
 *                   proactively: both ways of moving pages
 *   pinned          a pinned region keeps its frames, nothing fails
 *   collapse        regions refilled by order-0 frames after the
 *                   balloon deflates: compaction and collapse make KVM
 *                   map them with 2 MiB entries again (its own counts)
 *
 * Every scenario ends with host_validate() and each guest's own checks
 * (its verify, and its churn, which checks every page it rewrites).
 * Background compaction is stopped: the tests compact when they say so.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "mm/compaction.h"
#include "mm/vmstat.h"
#include "tests/vmm/host_test.h"
#include "tests/mm/mm_test.h"
#include "tools/frag/frag.h"
#include "vmm/guest_mem/guest_mem.h"

#define MiB (1ULL << 20)
#define INFLATE_MS 10000

/* A host whose balloons, compaction and collapse move only when the
 * test says so (no kcompactd, no collapse thread). */
static struct vmm_host *frag_host(unsigned int mib)
{
	struct vmm_config cfg = { .pool_bytes = (uint64_t)mib << 20,
				  .nr_nodes = 1,
				  .hugepages = true,
				  .deflate_off = true,
				  .compaction_off = true };

	return test_host_cfg(&cfg);
}

static unsigned int launch(struct vmm_host *h, const char *name,
			   unsigned int mib, uint64_t pinned, bool by_pause,
			   const char *script)
{
	struct vm_resources res = *test_res(h);
	struct guest_spec spec = {
		.mem_bytes = (uint64_t)mib << 20,
		.nr_vcpus = 1,
		.nr_vnodes = 1,
		.vnode_to_pnode = { -1 },
		.pinned_bytes = pinned,
		.script = (char *)script,
	};
	unsigned int id;
	char err[256];

	res.migrate_by_pause = by_pause;
	snprintf(spec.name, sizeof(spec.name), "%s", name);
	ck_assert_msg(host_launch(h, &spec, &res, &id, err, sizeof(err)) == 0,
		      "%s", err);
	return id;
}

static void validate(struct vmm_host *h)
{
	char err[256];

	ck_assert_msg(host_validate(h, err, sizeof(err)) == 0, "%s", err);
}

/*
 * After phase 1 (`free all every=2`) of each guest: its balloon takes
 * what it freed.  Returns the pages ballooned, all guests together.
 */
static uint64_t balloon_freed_pages(struct vmm_host *h, const unsigned int *id,
				    unsigned int n, uint64_t touched)
{
	uint64_t total = 0;

	for (unsigned int i = 0; i < n; i++)
		test_wait_phases(h, id[i], 2);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t freed = frag_phase_bytes(h, id[i], 1) >> PAGE_SHIFT;

		/* Every other owned page: half of what it touched. */
		ck_assert_uint_eq(freed, (touched >> PAGE_SHIFT) / 2);
		ck_assert_msg(!frag_balloon_to(h, id[i], freed, INFLATE_MS),
			      "%s: %lu pages in the balloon, %lu asked for",
			      host_vm(h, id[i])->name,
			      (unsigned long)frag_balloon_pages(h, id[i]),
			      (unsigned long)freed);
		total += freed;
	}
	return total;
}

static struct zone *normal_zone(struct vmm_host *h)
{
	return &h->pool->node_data[0].node_zones[ZONE_NORMAL];
}

/* Order 9 without reclaim or compaction: is a pageblock free? */
static pfn_t try_order9(struct vmm_host *h)
{
	return __alloc_pages(h->pool, __GFP_MOVABLE | __GFP_NOWARN,
			     pageblock_order, 0, NULL);
}

static uint64_t resident(struct vmm_host *h)
{
	struct pool_footprint fp;

	pool_return_free_pageblocks(h->pool);
	ck_assert_int_eq(pool_footprint(h->pool, &fp), 0);
	return fp.resident_bytes;
}

static void print_layout(const char *when, const struct frag_layout *l)
{
	printf("compact_kvm: %s: %lu pageblocks, %lu free, %lu with guest frames (%lu every other frame, %lu of two guests); %lu guest frames, %lu free\n",
	       when, l->blocks, l->free_blocks, l->guest_blocks, l->alternating,
	       l->shared, l->guest_frames, l->free_frames);
}

/*
 * The scenario: balloons take every other page of two guests
 * whose memory interleaves.  Before compaction no pageblock is free
 * (what was never touched is taken by the test, as other users of the
 * pool would have it): order 9 fails, for fragmentation (the index says
 * so), and releasing free memory gives the host nothing.  After
 * compact_memory() order 9 succeeds, free memory is in whole pageblocks,
 * and the host footprint drops by about what the balloons took.
 */
START_TEST(test_fragmentation)
{
	struct vmm_host *h = frag_host(160);
	const char *script = "touch 56M; free all every=2; hold 3s; verify";
	unsigned int id[2] = { launch(h, "a", 64, 0, false, script),
			       launch(h, "b", 64, 0, false, script) };
	pfn_t held[64];
	unsigned int nr_held = 0;
	struct frag_layout l;
	uint64_t ballooned, before, after, nothing;
	long moved;
	pfn_t p;

	ballooned = balloon_freed_pages(h, id, 2, 56 * MiB);
	frag_layout(h->pool, &l);
	print_layout("ballooned", &l);
	/* Each guest's regions but the first (its kernel, its metadata)
	 * and the last (partly touched) are every other frame. */
	ck_assert_uint_ge(l.alternating, 2 * 26);
	ck_assert_uint_le(l.guest_blocks - l.alternating, 2 * 4);
	/* Whole free pageblocks are what was never touched: taken. */
	while ((p = try_order9(h)) != PFN_NONE) {
		ck_assert_uint_lt(nr_held, 64);
		held[nr_held++] = p;
	}
	ck_assert_uint_eq(free_in_pageblocks_pct(h->pool), 0);
	ck_assert_int_gt(fragmentation_index(normal_zone(h), pageblock_order),
			 900);
	before = resident(h);
	nothing = resident(h);
	ck_assert_uint_eq(before, nothing);

	moved = compact_memory(h->pool);
	frag_layout(h->pool, &l);
	print_layout("compacted", &l);
	/* Half of what the guests kept moved into the other half's
	 * holes. */
	ck_assert_int_ge(moved, (long)(ballooned / 2) * 9 / 10);
	ck_assert_uint_ge(free_in_pageblocks_pct(h->pool), 90);
	p = try_order9(h);
	ck_assert_uint_ne(p, PFN_NONE);
	__free_pages(h->pool, p, pageblock_order);
	after = resident(h);
	printf("compact_kvm: %lu pages moved; host footprint %lu -> %lu MiB (ballooned %lu MiB)\n",
	       moved, (unsigned long)(before >> 20),
	       (unsigned long)(after >> 20),
	       (unsigned long)(ballooned >> (20 - PAGE_SHIFT)));
	ck_assert_uint_ge(before - after, (ballooned << PAGE_SHIFT) * 8 / 10);
	validate(h);
	for (unsigned int i = 0; i < nr_held; i++)
		__free_pages(h->pool, held[i], pageblock_order);
	test_assert_clean(h, id[0]);
	test_assert_clean(h, id[1]);
	test_host_done(h);
}
END_TEST

struct compactor {
	struct vmm_host *h;
	bool stop;
	long moved, rounds;
};

static void *compact_loop(void *arg)
{
	struct compactor *c = arg;

	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		long n = compact_node(c->h->pool, 0);

		ck_assert_int_ge(n, 0);
		c->moved += n;
		c->rounds++;
		usleep(2000);
	}
	return NULL;
}

static bool churning(struct vmm_host *h, const unsigned int *id,
		     unsigned int end)
{
	for (unsigned int i = 0; i < 2; i++) {
		struct vm_summary s;

		vm_get_summary(host_vm(h, id[i]), &s);
		if (s.nr_phases < end && !s.exited)
			return true;
	}
	return false;
}

/*
 * The guests rewrite and verify their memory as fast as they can (churn
 * checks each page before it rewrites it) while a thread compacts the
 * node again and again and kcompactd compacts proactively; with
 * migration entries (_i = 0) and with the guests paused per batch
 * (_i = 1).  Not one page is lost or stale.
 */
START_TEST(test_churn_under_compaction)
{
	bool by_pause = _i;
	struct vmm_host *h = frag_host(160);
	const char *script = "touch 48M; free all every=2; hold 1s; "
			     "churn ws=24M rate=0 time=2s; verify";
	unsigned int id[2] = { launch(h, "a", 64, 0, by_pause, script),
			       launch(h, "b", 64, 0, by_pause, script) };
	struct compact_tunables t = h->pool->compact;
	struct compactor c = { .h = h };
	struct guest_mem *mem = host_vm(h, id[0])->mem;
	uint64_t fail0, migrated = 0;
	pthread_t thread;

	if (!by_pause && !mem->wp)
		printf("SKIP: migration entries: no userfaultfd write-protection of shared memory here (paused batches instead)\n");
	balloon_freed_pages(h, id, 2, 48 * MiB);
	fail0 = vm_event_sum(h->pool, PGMIGRATE_FAIL);
	/* The hold ended: the churn runs now. */
	test_wait_phases(h, id[0], 3);
	test_wait_phases(h, id[1], 3);
	t.proactiveness = 100;
	t.interval_ms = 20;
	ck_assert_int_eq(compaction_set_tunables(h->pool, &t), 0);
	ck_assert_int_eq(kcompactd_run(h->pool), 0);
	ck_assert_int_eq(pthread_create(&thread, NULL, compact_loop, &c), 0);
	while (churning(h, id, 4))
		usleep(5000);
	__atomic_store_n(&c.stop, true, __ATOMIC_RELEASE);
	pthread_join(thread, NULL);
	kcompactd_stop(h->pool);
	for (unsigned int i = 0; i < 2; i++) {
		struct guest_mem_stats st;

		guest_mem_get_stats(host_vm(h, id[i])->mem, &st);
		migrated += st.migrated;
	}
	printf("compact_kvm: churn, %s: %ld rounds moved %ld pages, %lu in all (kcompactd too)\n",
	       mem->wp ? "entries" : "paused", c.rounds, c.moved,
	       (unsigned long)migrated);
	/* The first round meets every other frame: some 6650 pages move
	 * under the churn (fewer under ThreadSanitizer, whose host is
	 * slower than the guests' churn). */
	ck_assert_uint_gt(migrated, 1000);
	ck_assert_uint_eq(vm_event_sum(h->pool, PGMIGRATE_FAIL), fail0);
	validate(h);
	test_assert_clean(h, id[0]);
	test_assert_clean(h, id[1]);
	test_host_done(h);
}
END_TEST

/*
 * A guest with a pinned region (as for device DMA) fragments the rest
 * of its memory; compaction moves the rest and leaves every pinned frame
 * where it was: pinned memory lives in UNMOVABLE pageblocks, which the
 * scanners never enter, or is flagged FF_PINNED, which the migrate
 * scanner never takes.  No request fails (none was made for a pinned
 * page: the op would have refused it with -EBUSY, a migration failure).
 */
START_TEST(test_pinned_stays)
{
	struct vmm_host *h = frag_host(128);
	unsigned int id = launch(h, "pinned", 64, 8 * MiB, false,
				 "touch 40M; free all every=2; hold 2s; "
				 "verify");
	struct guest_mem *mem = host_vm(h, id)->mem;
	uint64_t pin_lo = mem->cfg.pinned_start >> PAGE_SHIFT;
	uint64_t pin_hi = pin_lo + (mem->cfg.pinned_size >> PAGE_SHIFT);
	pfn_t *before = calloc(mem->npages, sizeof(*before));
	uint64_t fail0, changed = 0;
	long moved;

	ck_assert_ptr_nonnull(before);
	/* The balloon never takes pinned pages: only the others' holes
	 * (and, to make up the count, chunks the guest never touched). */
	balloon_freed_pages(h, &id, 1, 40 * MiB);
	pthread_mutex_lock(&mem->lock);
	for (uint64_t i = 0; i < mem->npages; i++) {
		before[i] = mem->gpa_map[i];
		if (i < pin_lo || i >= pin_hi)
			continue;
		/* The guest touched its memory from the bottom up. */
		ck_assert_uint_ne(before[i], PFN_NONE);
		ck_assert(pfn_to_frame(h->pool, before[i])->flags & FF_PINNED);
	}
	pthread_mutex_unlock(&mem->lock);
	fail0 = vm_event_sum(h->pool, PGMIGRATE_FAIL);

	moved = compact_memory(h->pool);
	ck_assert_uint_eq(vm_event_sum(h->pool, PGMIGRATE_FAIL), fail0);
	pthread_mutex_lock(&mem->lock);
	for (uint64_t i = 0; i < mem->npages; i++) {
		pfn_t pfn = mem->gpa_map[i];

		if (i < pin_lo || i >= pin_hi) {
			changed += pfn != before[i];
			continue;
		}
		ck_assert_uint_eq(pfn, before[i]);
		ck_assert(pfn_to_frame(h->pool, pfn)->flags & FF_PINNED);
		ck_assert_uint_eq(pfn_to_frame(h->pool, pfn)->owner, id);
	}
	pthread_mutex_unlock(&mem->lock);
	printf("compact_kvm: pinned: %lu frames stayed, %ld pages moved\n",
	       (unsigned long)(pin_hi - pin_lo), moved);
	/* Every move was of an unpinned page, each moved once. */
	ck_assert_int_gt(moved, 1000);
	ck_assert_uint_eq(changed, (uint64_t)moved);
	free(before);
	validate(h);
	test_assert_clean(h, id);
	test_host_done(h);
}
END_TEST

/* Regions of guest id fully backed, but not by one pageblock. */
static unsigned int scattered_regions(struct vmm_host *h, unsigned int id)
{
	struct guest_mem *mem = host_vm(h, id)->mem;
	unsigned int n = 0;

	for (uint64_t g = 0; g < mem->cfg.size; g += 2 * MiB)
		n += guest_mem_collapsible(mem, g);
	return n;
}

/*
 * The payoff KVM sees.  The balloons take every other page, compaction
 * moves what is left, the balloons deflate and the guests touch those
 * pages again: each region is now backed by frames from all over the
 * pool, and KVM maps it with 4 KiB entries.  Compaction and collapse
 * make each one pageblock again; once the guests have read their
 * memory again (verify), KVM maps those regions with 2 MiB entries.
 */
START_TEST(test_collapse_gives_2m)
{
	struct vmm_host *h = frag_host(192);
	const char *script = "touch 32M; free all every=2; hold 1500ms; "
			     "touch 16M; verify; hold 1500ms; verify; "
			     "hold 800ms; verify";
	unsigned int id[2];
	struct kvm_page_stats kvm0, kvm1;
	unsigned int scattered = 0;
	long collapsed = 0, n, moved;

	if (!h->pool->hugepages) {
		printf("SKIP: KVM 2 MiB mappings: the host gives no shmem hugepages\n");
		test_host_done(h);
		return;
	}
	id[0] = launch(h, "a", 48, 0, false, script);
	id[1] = launch(h, "b", 48, 0, false, script);
	balloon_freed_pages(h, id, 2, 32 * MiB);
	moved = compact_memory(h->pool);
	ck_assert_int_gt(moved, 0);
	for (unsigned int i = 0; i < 2; i++)
		ck_assert_int_eq(frag_balloon_to(h, id[i], 0, INFLATE_MS), 0);
	/* Refilled and read back (touch, verify). */
	for (unsigned int i = 0; i < 2; i++) {
		test_wait_phases(h, id[i], 5);
		scattered += scattered_regions(h, id[i]);
	}
	ck_assert_int_eq(frag_kvm_pages(h, &kvm0), 0);
	/* 16 regions each (32 MiB); the last may be partly backed. */
	ck_assert_uint_ge(scattered, 2 * 14);
	do {
		compact_memory(h->pool);
		n = host_collapse_all(h, 1000, 1000);
		ck_assert_int_ge(n, 0);
		collapsed += n;
	} while (n);
	validate(h);
	ck_assert_int_ge(collapsed, scattered);
	for (unsigned int i = 0; i < 2; i++)
		test_wait_phases(h, id[i], 7);
	ck_assert_int_eq(frag_kvm_pages(h, &kvm1), 0);
	printf("compact_kvm: collapse: %u scattered regions, %ld collapsed; KVM pages_4k %lu -> %lu, pages_2m %lu -> %lu (%.1f%% -> %.1f%% of mapped memory)\n",
	       scattered, collapsed, (unsigned long)kvm0.pages_4k,
	       (unsigned long)kvm1.pages_4k, (unsigned long)kvm0.pages_2m,
	       (unsigned long)kvm1.pages_2m,
	       100 * kvm_page_stats_2m_share(&kvm0),
	       100 * kvm_page_stats_2m_share(&kvm1));
	ck_assert_uint_ge(kvm1.pages_2m, kvm0.pages_2m + collapsed - 2);
	test_assert_clean(h, id[0]);
	test_assert_clean(h, id[1]);
	test_host_done(h);
}
END_TEST

/*
 * The same payoff with nobody calling anything: the host as vmm runs it,
 * with kcompactd in proactive mode and the collapse thread.  After the
 * balloons deflate and the guests refill their regions from scattered
 * frames, the collapse thread alone makes them whole pageblocks again and
 * KVM maps them with 2 MiB entries.
 */
START_TEST(test_background_compaction_and_collapse)
{
	struct vmm_config cfg = { .pool_bytes = 192 << 20,
				  .nr_nodes = 1,
				  .hugepages = true,
				  .deflate_off = true,
				  .proactiveness_set = true,
				  .proactiveness = 100,
				  .collapse_interval_ms = 100,
				  .collapse_max = 64 };
	struct vmm_host *h = test_host_cfg(&cfg);
	const char *script = "touch 32M; free all every=2; hold 1500ms; "
			     "touch 16M; verify; hold 5s; verify; "
			     "hold 500ms; verify";
	struct kvm_page_stats kvm0, kvm1;
	unsigned int id[2], scattered = 0;
	int i;

	if (!h->pool->hugepages) {
		printf("SKIP: KVM 2 MiB mappings: the host gives no shmem hugepages\n");
		test_host_done(h);
		return;
	}
	id[0] = launch(h, "a", 48, 0, false, script);
	id[1] = launch(h, "b", 48, 0, false, script);
	balloon_freed_pages(h, id, 2, 32 * MiB);
	for (unsigned int g = 0; g < 2; g++)
		ck_assert_int_eq(frag_balloon_to(h, id[g], 0, INFLATE_MS), 0);
	for (unsigned int g = 0; g < 2; g++)
		test_wait_phases(h, id[g], 5);
	ck_assert_int_eq(frag_kvm_pages(h, &kvm0), 0);
	/* The threads work on their own time: give them the hold. */
	for (i = 0; i < 400; i++) {
		scattered = scattered_regions(h, id[0]) +
			    scattered_regions(h, id[1]);
		if (!scattered)
			break;
		usleep(10000);
	}
	ck_assert_msg(!scattered, "%u regions still scattered", scattered);
	/* The pool keeps whole free pageblocks here, so the collapse thread
	 * needs no compaction first (kcompactd's own work is the churn
	 * test's and mm's). */
	ck_assert_uint_gt(
		__atomic_load_n(&h->khugepaged.collapsed, __ATOMIC_RELAXED), 0);
	for (unsigned int g = 0; g < 2; g++)
		test_wait_phases(h, id[g], 7);
	ck_assert_int_eq(frag_kvm_pages(h, &kvm1), 0);
	printf("compact_kvm: background: %lu regions collapsed by the thread; KVM 2 MiB share %.1f%% -> %.1f%%\n",
	       (unsigned long)__atomic_load_n(&h->khugepaged.collapsed,
					      __ATOMIC_RELAXED),
	       100 * kvm_page_stats_2m_share(&kvm0),
	       100 * kvm_page_stats_2m_share(&kvm1));
	/* The thread may have collapsed most regions before the first
	 * sample (it runs from the balloon's first discards on): no
	 * lower, and whole at the end; that it collapsed is checked
	 * above. */
	ck_assert(kvm_page_stats_2m_share(&kvm1) >=
		  kvm_page_stats_2m_share(&kvm0));
	ck_assert(kvm_page_stats_2m_share(&kvm1) > 0.9);
	validate(h);
	test_assert_clean(h, id[0]);
	test_assert_clean(h, id[1]);
	test_host_done(h);
}
END_TEST

Suite *compact_kvm_suite(void)
{
	Suite *s = suite_create("compact_kvm");
	TCase *tc = tcase_create("kvm");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_fragmentation);
	tcase_add_loop_test(tc, test_churn_under_compaction, 0, 2);
	tcase_add_test(tc, test_pinned_stays);
	tcase_add_test(tc, test_collapse_gives_2m);
	tcase_add_test(tc, test_background_compaction_and_collapse);
	suite_add_tcase(s, tc);
	return s;
}
