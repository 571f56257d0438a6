// SPDX-License-Identifier: GPL-2.0
/*
 * Compaction's side in the host with real guests on /dev/kvm: pages of
 * running guests move under their own continuous write/verify workload
 * through the registered migrate_pages op; pinned pages never move; a
 * remap failing part-way, balloon discards, an OOM kill and a stopping
 * guest leave every page intact and no frame leaked; collapse gives KVM
 * its 2 MiB mappings back (as KVM's own statistics count them).
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/vmm/host_test.h"
#include "tests/mm/mm_test.h"
#include "vmm/guest_mem/guest_mem.h"
#include "vmm/host/host.h"
#include "vmm/host/balloon.h"
#include "vmm/kvm/kvm_stats.h"

#define MiB (1ULL << 20)
#define BATCH 32

struct tally {
	unsigned long moved, eagain, ebusy, other, calls;
};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A frame for a move: no reclaim (the test must not stall the pool). */
static pfn_t new_frame(struct vmm_host *h, unsigned int order)
{
	pfn_t p = __alloc_pages(h->pool, __GFP_MOVABLE | __GFP_NOWARN, order, 0,
				NULL);

	if (p != PFN_NONE && order)
		split_page(h->pool, p, order);
	return p;
}

/*
 * What compaction's scanners would hand the op: n requests for the
 * guest's pages in [lo, hi), each with the frame backing it as read now
 * (racy, as the migrate scanner's is), into new frames: one run of
 * consecutive frames for consecutive GPAs, or scattered pages.  Submits
 * them through the registered op; frames of failed requests are freed.
 */
static void migrate_batch(struct vmm_host *h, unsigned int id, uint64_t lo,
			  uint64_t hi, bool run, uint64_t *seed,
			  struct tally *t)
{
	struct vm *vm = host_vm(h, id);
	struct guest_mem *mem = vm->mem;
	struct migrate_req req[BATCH];
	unsigned int n = 0;
	uint64_t start =
		lo + rnd(seed) % ((hi - lo) / PAGE_SIZE - BATCH) * PAGE_SIZE;
	pfn_t block = run ? new_frame(h, 5) : PFN_NONE;

	for (unsigned int i = 0; i < BATCH; i++) {
		uint64_t g = run ? start + i * PAGE_SIZE :
				   lo + rnd(seed) % ((hi - lo) / PAGE_SIZE) *
						     PAGE_SIZE;
		pfn_t old = READ_ONCE(mem->gpa_map[g >> PAGE_SHIFT]);
		pfn_t np = block != PFN_NONE ? block + i : new_frame(h, 0);

		if (np == PFN_NONE)
			break;
		if (old == PFN_NONE) {
			__free_pages(h->pool, np, 0);
			continue;
		}
		req[n++] = (struct migrate_req){ .old_pfn = old,
						 .new_pfn = np,
						 .gpa = { g },
						 .owner = vm->slot,
						 .result = 1 };
	}
	/* Unused frames of the run (unbacked pages) went back above. */
	if (!n)
		return;
	t->moved += h->pool->ops.migrate_pages(h->pool->ops.priv, req, n);
	t->calls++;
	for (unsigned int i = 0; i < n; i++) {
		ck_assert_int_ne(req[i].result, 1);
		if (!req[i].result)
			continue;
		t->eagain += req[i].result == -EAGAIN;
		t->ebusy += req[i].result == -EBUSY;
		t->other += req[i].result != -EAGAIN && req[i].result != -EBUSY;
		__free_pages(h->pool, req[i].new_pfn, 0);
	}
}

static void wait_phases(struct vmm_host *h, unsigned int id, unsigned int n)
{
	struct vm_summary s;

	for (int i = 0; i < 20000; i++) {
		vm_get_summary(host_vm(h, id), &s);
		if (s.nr_phases >= n || s.exited)
			return;
		usleep(1000);
	}
	ck_abort_msg("guest %u never got to phase %u", id, n);
}

static bool in_phase_before(struct vmm_host *h, unsigned int id, unsigned int n)
{
	struct vm_summary s;

	vm_get_summary(host_vm(h, id), &s);
	return s.nr_phases < n && !s.exited &&
	       __atomic_load_n(&host_vm(h, id)->state, __ATOMIC_ACQUIRE) ==
		       VM_RUNNING;
}

static void validate(struct vmm_host *h)
{
	char err[256];

	ck_assert_msg(host_validate(h, err, sizeof(err)) == 0, "%s", err);
}

static void assert_all_free(struct vmm_host *h)
{
	drain_all_pages(h->pool);
	validate(h);
	ck_assert_uint_eq(mm_nr_free_pages(h->pool), h->pool->nr_frames);
}

/*
 * Pages of a running guest move while it re-writes and verifies its
 * memory as fast as it can (churn checks every page before it rewrites
 * it): runs and scattered pages, in short batches, until its workload
 * ends; 1 and 2 vCPUs, with migration entries and with the guest paused
 * per batch.  Not one page lost or stale: its own checks pass.
 */
START_TEST(test_migrate_running_guest)
{
	unsigned int vcpus = 1 + (_i & 1);
	bool by_pause = _i >> 1;
	struct vmm_host *h = test_host(256, 1);
	const char *script =
		vcpus == 1 ?
			"touch 48M; churn ws=48M rate=0 time=1500ms; verify" :
			"touch 48M; repeat 6 { churn ws=48M rate=0 time=200ms; "
			"verify }";
	unsigned int id = test_launch(h, "moved", 64, vcpus, 1, script, 0);
	unsigned int end = vcpus == 1 ? 3 : 13;
	struct tally t = { 0 };
	uint64_t seed = 0x1234567 + vcpus;
	struct guest_mem *mem;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	trace_ring_enable(&h->pool->trace, true);
	wait_phases(h, id, 1);
	mem = host_vm(h, id)->mem;
	if (!by_pause && !mem->wp)
		printf("SKIP: migration entries: no userfaultfd write-protection of shared memory here (pause mode tested)\n");
	ck_assert_int_eq(guest_mem_set_migrate_by_pause(mem, true), 0);
	if (!by_pause && mem->wp_capable)
		ck_assert_int_eq(guest_mem_set_migrate_by_pause(mem, false), 0);
	while (in_phase_before(h, id, end - 1)) {
		migrate_batch(h, id, GUEST_RAM_START, 64 * MiB, t.calls & 1,
			      &seed, &t);
		if (!(t.calls % 64))
			validate(h);
	}
	trace_ring_enable(&h->pool->trace, false);
	printf("host_migrate: %s, %u vCPU(s): %lu pages moved in %lu calls, %lu changed hands, %lu other; pause p50 %.1f us p99 %.1f us; vCPU stall p99 %.1f us\n",
	       mem->wp ? "entries" : "paused", vcpus, t.moved, t.calls,
	       t.eagain, t.other,
	       hist_percentile(&mem->migrate_pause_ns, 50) / 1e3,
	       hist_percentile(&mem->migrate_pause_ns, 99) / 1e3,
	       hist_percentile(&host_vm(h, id)->pause_stall_ns, 99) / 1e3);
	ck_assert_uint_gt(t.moved, 1000);
	ck_assert_uint_eq(t.other, 0);
	ck_assert_uint_eq(t.ebusy, 0);
	ck_assert_uint_gt(mem->migrate_pause_ns.n, 0);
	validate(h);
	f = open_memstream(&buf, &len);
	trace_ring_write(&h->pool->trace, f);
	fclose(f);
	ck_assert_msg(strstr(buf, "event=migrate_batch vm=1 pages="),
		      "no migrate_batch event in the trace");
	free(buf);
	test_assert_clean(h, id);
	assert_all_free(h);
	test_host_done(h);
}
END_TEST

/* Pinned pages are refused (-EBUSY) and stay; the others in the same
 * batch move. */
START_TEST(test_pinned_never_moved)
{
	struct vmm_host *h = test_host(128, 1);
	struct guest_spec spec = {
		.name = "pinned",
		.mem_bytes = 64 * MiB,
		.nr_vcpus = 1,
		.nr_vnodes = 1,
		.vnode_to_pnode = { -1 },
		.pinned_bytes = 2 * MiB,
		.script = "touch 16M; hold 300ms; verify",
	};
	struct migrate_req req[64];
	pfn_t before[32];
	struct guest_mem *mem;
	unsigned int id, moved;
	char err[256];

	ck_assert_msg(host_launch(h, &spec, test_res(h), &id, err,
				  sizeof(err)) == 0,
		      "%s", err);
	wait_phases(h, id, 1);
	mem = host_vm(h, id)->mem;
	/* Backed now, whatever the guest touched: the pinned range, and
	 * some of its own memory (fresh pages read zero, as it checks). */
	ck_assert_int_eq(guest_mem_back(mem, GUEST_RAM_START, 2 * MiB), 0);
	ck_assert_int_eq(guest_mem_back(mem, 4 * MiB, 1 * MiB), 0);
	for (unsigned int i = 0; i < 64; i++) {
		/* Even: pinned [2, 4) MiB; odd: the guest's own memory. */
		uint64_t g = i % 2 ? 4 * MiB + i * PAGE_SIZE :
				     GUEST_RAM_START + i * 7 * PAGE_SIZE;
		pfn_t old = READ_ONCE(mem->gpa_map[g >> PAGE_SHIFT]);

		if (!(i % 2)) {
			/* Flags are set under the guest's lock. */
			pthread_mutex_lock(&mem->lock);
			ck_assert(pfn_to_frame(h->pool, old)->flags &
				  FF_PINNED);
			pthread_mutex_unlock(&mem->lock);
			before[i / 2] = old;
		}
		req[i] = (struct migrate_req){ .old_pfn = old,
					       .new_pfn = new_frame(h, 0),
					       .gpa = { g },
					       .owner = host_vm(h, id)->slot };
	}
	moved = h->pool->ops.migrate_pages(h->pool->ops.priv, req, 64);
	for (unsigned int i = 0; i < 64; i++) {
		if (i % 2) {
			ck_assert_int_eq(req[i].result, 0);
			continue;
		}
		ck_assert_int_eq(req[i].result, -EBUSY);
		ck_assert_uint_eq(
			READ_ONCE(mem->gpa_map[req[i].gpa.val >> PAGE_SHIFT]),
			before[i / 2]);
		__free_pages(h->pool, req[i].new_pfn, 0);
	}
	ck_assert_uint_eq(moved, 32);
	validate(h);
	test_assert_clean(h, id);
	assert_all_free(h);
	test_host_done(h);
}
END_TEST

/* Remaps that fail part-way (injected) leave those pages on their old
 * frames, mapped, intact: the guest's checks pass, nothing leaks. */
START_TEST(test_remap_failure_running_guest)
{
	struct vmm_host *h = test_host(256, 1);
	unsigned int id = test_launch(
		h, "failing", 64, 1, 1,
		"touch 32M; churn ws=32M rate=0 time=800ms; verify", 0);
	struct guest_mem_fail_remap inject = { .after = 3,
					       .times = 6,
					       .err = ENOMEM };
	struct tally t = { 0 };
	uint64_t seed = 99;

	wait_phases(h, id, 1);
	guest_mem_set_fail_remap(host_vm(h, id)->mem, &inject);
	while (in_phase_before(h, id, 2))
		migrate_batch(h, id, GUEST_RAM_START, 34 * MiB, t.calls & 1,
			      &seed, &t);
	ck_assert_uint_gt(t.moved, 100);
	/* Six remaps failed: six runs, each one page or a whole run. */
	ck_assert_uint_ge(t.other, 6);
	ck_assert_uint_le(t.other, 6 * BATCH);
	ck_assert_uint_eq(vm_event_sum(h->pool, PGMIGRATE_FAIL), t.other);
	validate(h);
	test_assert_clean(h, id);
	assert_all_free(h);
	test_host_done(h);
}
END_TEST

/*
 * The balloon takes pages while they are being moved, then requests that
 * still name the frames the discarded pages had come in: -EAGAIN, and
 * neither the pages nor the frames leak.  The guest's own pages stay
 * intact.
 */
START_TEST(test_race_balloon_discard)
{
	struct vmm_config cfg = { .pool_bytes = 256 * MiB,
				  .nr_nodes = 1,
				  .deflate_off = true };
	struct vmm_host *h = test_host_cfg(&cfg);
	unsigned int id =
		test_launch(h, "ballooned", 128, 1, 1,
			    "touch 96M; free 80M; hold 1500ms; verify", 0);
	struct migrate_req stale[64];
	struct guest_mem *mem;
	struct balloon_info info;
	struct tally t = { 0 };
	uint64_t seed = 7;
	unsigned int n = 0;

	wait_phases(h, id, 2);
	mem = host_vm(h, id)->mem;
	for (uint64_t g = GUEST_RAM_START; g < 100 * MiB && n < 64;
	     g += 1 * MiB + PAGE_SIZE) {
		pfn_t old = READ_ONCE(mem->gpa_map[g >> PAGE_SHIFT]);

		if (old != PFN_NONE)
			stale[n++] = (struct migrate_req){
				.old_pfn = old,
				.gpa = { g },
				.owner = host_vm(h, id)->slot
			};
	}
	balloon_set_target(&host_vm_balloon(h, id)->vb,
			   (64 * MiB) >> PAGE_SHIFT);
	for (int i = 0; i < 2000; i++) {
		migrate_batch(h, id, GUEST_RAM_START, 100 * MiB, i & 1, &seed,
			      &t);
		balloon_get_info(&host_vm_balloon(h, id)->vb, &info);
		if (info.actual == info.target && i > 20)
			break;
	}
	ck_assert_uint_eq(info.actual, info.target);
	/* The scanner's view from before the inflation. */
	for (unsigned int i = 0; i < n; i++)
		stale[i].new_pfn = new_frame(h, 0);
	h->pool->ops.migrate_pages(h->pool->ops.priv, stale, n);
	for (unsigned int i = 0; i < n; i++) {
		pfn_t now =
			READ_ONCE(mem->gpa_map[stale[i].gpa.val >> PAGE_SHIFT]);

		if (stale[i].result) {
			t.eagain++;
			ck_assert_int_eq(stale[i].result, -EAGAIN);
			ck_assert_uint_ne(now, stale[i].new_pfn);
			__free_pages(h->pool, stale[i].new_pfn, 0);
		} else {
			ck_assert_uint_eq(now, stale[i].new_pfn);
		}
	}
	ck_assert_uint_gt(t.eagain, 0);
	ck_assert_uint_eq(t.other, 0);
	validate(h);
	test_assert_clean(h, id);
	assert_all_free(h);
	test_host_done(h);
}
END_TEST

/*
 * A guest is OOM-killed while its pages are being moved: requests from
 * then on are -EAGAIN, the victim's frames all come back, the other
 * guest is untouched.
 */
START_TEST(test_race_oom_reap)
{
	struct vmm_host *h = test_host_noswap(128, 1);
	unsigned int ok =
		test_launch(h, "ok", 48, 1, 1, "touch 24M; hold 1s; verify", 0);
	unsigned int hog =
		test_launch(h, "hog", 256, 1, 1, "touch 200M; verify", 0);
	struct guest_mem *mem = host_vm(h, hog)->mem;
	struct migrate_req late[16];
	struct tally t = { 0 };
	uint64_t seed = 3;
	unsigned int n = 0;

	while (__atomic_load_n(&host_vm(h, hog)->state, __ATOMIC_ACQUIRE) ==
	       VM_RUNNING)
		migrate_batch(h, hog, GUEST_RAM_START, 200 * MiB, t.calls & 1,
			      &seed, &t);
	ck_assert(test_wait_guest(h, hog, NULL) == VM_EXIT_OOM_KILL);
	/* The killer reaps right after the stop: frames come back. */
	for (uint64_t g = GUEST_RAM_START; n < 16; g += 4 * MiB) {
		pfn_t np = PFN_NONE;

		for (int i = 0; i < 1000 && np == PFN_NONE; i++) {
			np = new_frame(h, 0);
			if (np == PFN_NONE)
				usleep(1000);
		}
		ck_assert_uint_ne(np, PFN_NONE);
		late[n++] = (struct migrate_req){
			.old_pfn = 0,
			.new_pfn = np,
			.gpa = { g },
			.owner = host_vm(h, hog)->slot,
		};
	}
	ck_assert_uint_eq(
		h->pool->ops.migrate_pages(h->pool->ops.priv, late, n), 0);
	for (unsigned int i = 0; i < n; i++) {
		ck_assert_int_eq(late[i].result, -EAGAIN);
		__free_pages(h->pool, late[i].new_pfn, 0);
	}
	printf("host_migrate: OOM race: %lu moved, %lu changed hands, %lu other\n",
	       t.moved, t.eagain, t.other);
	ck_assert_uint_eq(t.other, 0);
	ck_assert_uint_eq(READ_ONCE(mem->stats.pages), 0);
	validate(h);
	host_reap(h, hog);
	test_assert_clean(h, ok);
	assert_all_free(h);
	test_host_done(h);
}
END_TEST

/* A stopping guest is not paused for nothing: -EAGAIN, untouched. */
START_TEST(test_stopping_guest)
{
	struct vmm_host *h = test_host(128, 1);
	unsigned int id =
		test_launch(h, "stopped", 64, 2, 1, "touch 16M; hold 10s", 0);
	struct guest_mem *mem;
	struct migrate_req r;
	pfn_t old;

	wait_phases(h, id, 1);
	mem = host_vm(h, id)->mem;
	old = READ_ONCE(mem->gpa_map[(4 * MiB) >> PAGE_SHIFT]);
	vm_stop(host_vm(h, id), VM_EXIT_STOPPED, "test");
	r = (struct migrate_req){ .old_pfn = old,
				  .new_pfn = new_frame(h, 0),
				  .gpa = { 4 * MiB },
				  .owner = host_vm(h, id)->slot };
	ck_assert_uint_eq(h->pool->ops.migrate_pages(h->pool->ops.priv, &r, 1),
			  0);
	ck_assert_int_eq(r.result, -EAGAIN);
	ck_assert_uint_eq(READ_ONCE(mem->gpa_map[(4 * MiB) >> PAGE_SHIFT]),
			  old);
	__free_pages(h->pool, r.new_pfn, 0);
	/* An owner that is no guest at all. */
	r.owner = 42;
	r.new_pfn = new_frame(h, 0);
	h->pool->ops.migrate_pages(h->pool->ops.priv, &r, 1);
	ck_assert_int_eq(r.result, -EAGAIN);
	__free_pages(h->pool, r.new_pfn, 0);
	ck_assert(test_wait_guest(h, id, NULL) == VM_EXIT_STOPPED);
	host_reap(h, id);
	assert_all_free(h);
	test_host_done(h);
}
END_TEST

static struct kvm_page_stats page_stats(struct vmm_host *h, unsigned int id)
{
	struct kvm_page_stats ps;

	ck_assert_int_eq(kvm_vm_page_stats(host_vm(h, id)->vm_fd, &ps), 0);
	return ps;
}

/*
 * A guest backed by order-0 frames (64-page fault-around runs) is mapped
 * by KVM with 4 KiB entries; collapse moves each fully backed 2 MiB
 * region into one pageblock (a host hugepage), and once the guest has
 * touched its memory again KVM maps those regions with 2 MiB entries.
 * The guest's data survives.
 */
START_TEST(test_collapse_gives_kvm_2m)
{
	/* No collapse thread: this test counts what its own pass does. */
	struct vmm_config cfg = { .pool_bytes = 256 * MiB,
				  .nr_nodes = 1,
				  .hugepages = true,
				  .collapse_off = true };
	struct vmm_host *h = test_host_cfg(&cfg);
	struct vm_resources res = *test_res(h);
	struct guest_spec spec = {
		.name = "scattered",
		.mem_bytes = 64 * MiB,
		.nr_vcpus = 1,
		.nr_vnodes = 1,
		.vnode_to_pnode = { -1 },
		.script = "touch 32M pattern=full; hold 800ms; verify; "
			  "hold 800ms; verify",
	};
	struct kvm_page_stats before, after;
	struct guest_mem_stats st;
	unsigned int id;
	long collapsed;
	char err[256];

	if (!h->pool->hugepages) {
		printf("SKIP: collapse and KVM 2 MiB mappings: the host gives no shmem hugepages\n");
		test_host_done(h);
		return;
	}
	res.no_huge = true;
	ck_assert_msg(host_launch(h, &spec, &res, &id, err, sizeof(err)) == 0,
		      "%s", err);
	wait_phases(h, id, 1);
	before = page_stats(h, id);
	collapsed = host_collapse_all(h, 1000, 1000);
	guest_mem_get_stats(host_vm(h, id)->mem, &st);
	ck_assert_int_eq(collapsed, (long)st.collapsed);
	/* 32 MiB touched from GUEST_RAM_START: 16 regions; the guest's own
	 * metadata may fill part of one more. */
	ck_assert_int_ge(collapsed, 15);
	validate(h);
	wait_phases(h, id, 3); /* verify touched it all again */
	after = page_stats(h, id);
	printf("host_migrate: collapse: %ld regions; KVM pages_4k %lu -> %lu, pages_2m %lu -> %lu\n",
	       collapsed, before.pages_4k, after.pages_4k, before.pages_2m,
	       after.pages_2m);
	ck_assert_uint_ge(after.pages_2m, before.pages_2m + collapsed - 1);
	ck_assert_int_eq(host_collapse_all(h, 1000, 1000), 0);
	test_assert_clean(h, id);
	assert_all_free(h);
	test_host_done(h);
}
END_TEST

Suite *host_migrate_suite(void)
{
	Suite *s = suite_create("host_migrate");
	TCase *tc = tcase_create("kvm");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_migrate_running_guest, 0, 4);
	tcase_add_test(tc, test_pinned_never_moved);
	tcase_add_test(tc, test_remap_failure_running_guest);
	tcase_add_test(tc, test_race_balloon_discard);
	tcase_add_test(tc, test_race_oom_reap);
	tcase_add_test(tc, test_stopping_guest);
	tcase_add_test(tc, test_collapse_gives_kvm_2m);
	suite_add_tcase(s, tc);
	return s;
}
