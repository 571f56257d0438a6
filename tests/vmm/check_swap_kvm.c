// SPDX-License-Identifier: GPL-2.0
/*
 * The cold tier with real guests: pages swapped out of a running guest
 * come back byte for byte when it touches them (realistic and
 * incompressible contents), while it rewrites them, when the store is
 * full (refused pages stay and are mapped again), when the balloon or an
 * OOM kill drops them unread, when the guest verifies them at its
 * shutdown; the pool's and the tier's books balance after each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "swap/tier.h"
#include "tests/runner.h"
#include "tests/vmm/host_test.h"
#include "vmm/guest_mem/guest_mem.h"
#include "vmm/host/swap.h"

static void assert_valid(struct vmm_host *h)
{
	char err[256];

	ck_assert_msg(host_validate(h, err, sizeof(err)) == 0, "%s", err);
	if (h->tier)
		ck_assert_msg(swap_tier_validate(h->tier, err, sizeof(err)) ==
				      0,
			      "%s", err);
}

static struct guest_mem *mem_of(struct vmm_host *h, unsigned int id)
{
	struct vm *vm = host_vm(h, id);

	ck_assert_ptr_nonnull(vm);
	return vm->mem;
}

/*
 * The guest's swapped pages are the tier's entries of its slot; what
 * users read of it (host_guest_info(), query-guests) says what they take
 * there: compressed bytes, fewer than the pages' (ratio 3), and pages
 * in the swap file; its refaults are its pages back by faults.
 */
static void assert_books(struct vmm_host *h, unsigned int id)
{
	struct guest_mem *mem = mem_of(h, id);
	struct host_guest_info gi;
	struct guest_mem_stats st;

	guest_mem_get_stats(mem, &st);
	ck_assert_uint_eq(st.swapped, swap_tier_owned(h->tier, mem->cfg.owner));
	ck_assert_int_eq(host_guest_info(h, id, &gi), 0);
	printf("swap: guest %u: swapped %llu KiB, stored %llu KiB compressed, %llu KiB in the file\n",
	       id, (unsigned long long)gi.mem.swapped * 4,
	       (unsigned long long)gi.swap.stored_bytes >> 10,
	       (unsigned long long)gi.swap.file_bytes >> 10);
	ck_assert_uint_gt(gi.swap.stored_bytes, 0);
	ck_assert_uint_lt(gi.swap.stored_bytes + gi.swap.file_bytes,
			  gi.mem.swapped * 4096);
	ck_assert_uint_eq(gi.swap.refaulted_bytes, gi.mem.swap_in * 4096);
	assert_valid(h);
}

/*
 * Swap out most of what a guest touched while it holds, then let it
 * verify every byte: each page comes back through a fault.
 */
static void round_trip(const char *fill, enum zcomp_alg alg)
{
	struct vmm_config cfg = {
		.pool_bytes = 256 << 20,
		.nr_nodes = 1,
		.swap_compressor = alg,
	};
	struct vmm_host *h = test_host_cfg(&cfg);
	char script[128];
	struct guest_mem_stats st;
	struct swap_tier_stats ts;
	unsigned long freed;
	unsigned int id;

	snprintf(script, sizeof(script), "touch 32M %s; hold 1500ms; verify",
		 fill);
	id = test_launch(h, "cold", 64, 1, 1, script, 0);
	test_wait_phases(h, id, 1);
	freed = host_swap_reclaim(h, -1, 6144);
	guest_mem_get_stats(mem_of(h, id), &st);
	swap_tier_get_stats(h->tier, &ts);
	printf("swap: %s, %s: %lu pages out, %llu stored in %llu frames\n",
	       fill, zcomp_name(alg), freed, (unsigned long long)ts.stored,
	       (unsigned long long)ts.pool_pages);
	ck_assert_uint_ge(freed, 4096);
	/* The guest's own page tables and stack may be among them, and
	 * come back at once. */
	ck_assert_uint_eq(st.swapped + st.swap_in, freed);
	ck_assert_uint_eq(ts.stored, st.swapped);
	assert_books(h, id);
	test_wait_guest(h, id, NULL);
	guest_mem_get_stats(mem_of(h, id), &st);
	test_assert_clean(h, id);
	/* Every page back by a fault is a refault with its shadow, and the
	 * counters agree on pages. */
	ck_assert_uint_eq(vm_event_sum(h->pool, ZSWPIN), st.swap_in);
	ck_assert_uint_eq(vm_event_sum(h->pool, WORKINGSET_REFAULT_ANON),
			  st.swap_in);
	ck_assert_uint_le(vm_event_sum(h->pool, WORKINGSET_ACTIVATE_ANON),
			  st.swap_in);
	ck_assert_uint_eq(vm_event_sum(h->pool, ZSWPOUT), st.swap_out);
	swap_tier_get_stats(h->tier, &ts);
	ck_assert_uint_eq(ts.stored, 0);
	ck_assert_uint_eq(swap_tier_owned(h->tier, 1), 0);
	assert_valid(h);
	test_host_done(h);
}

START_TEST(test_round_trip_ratio)
{
	round_trip("ratio=3", ZCOMP_LZ4);
	round_trip("ratio=3", ZCOMP_ZSTD);
}
END_TEST

/* Pages that do not compress are refused and stay; the guest loses
 * nothing either way. */
START_TEST(test_round_trip_full_pattern)
{
	round_trip("ratio=2", ZCOMP_LZ4);
	{
		struct vmm_host *h = test_host(256, 1);
		unsigned int id = test_launch(h, "full", 64, 1, 1,
					      "touch 16M pattern=full; "
					      "hold 1s; verify",
					      0);
		struct guest_mem_stats st;

		test_wait_phases(h, id, 1);
		host_swap_reclaim(h, -1, 2048);
		guest_mem_get_stats(mem_of(h, id), &st);
		printf("swap: pattern=full: %llu out, %llu refused\n",
		       (unsigned long long)st.swap_out,
		       (unsigned long long)st.swap_refused);
		ck_assert_uint_gt(st.swap_refused, 0);
		assert_books(h, id);
		test_assert_clean(h, id);
		assert_valid(h);
		test_host_done(h);
	}
}
END_TEST

/* A store of 1 MiB fills at once: the rest is refused, stays backed
 * (mapped again on its next touch) and intact. */
START_TEST(test_store_full)
{
	struct vmm_config cfg = {
		.pool_bytes = 256 << 20,
		.nr_nodes = 1,
		.swap_store_set = true,
		.swap_store_bytes = 1 << 20,
	};
	struct vmm_host *h = test_host_cfg(&cfg);
	unsigned int id = test_launch(h, "small", 64, 1, 1,
				      "touch 32M ratio=3; hold 1s; verify", 0);
	struct guest_mem_stats st;
	struct swap_tier_stats ts;
	unsigned long freed;

	test_wait_phases(h, id, 1);
	freed = host_swap_reclaim(h, -1, 4096);
	guest_mem_get_stats(mem_of(h, id), &st);
	swap_tier_get_stats(h->tier, &ts);
	printf("swap: a 1 MiB store took %lu pages, refused %llu (%llu limit hits)\n",
	       freed, (unsigned long long)st.swap_refused,
	       (unsigned long long)ts.pool_limit_hit);
	ck_assert_uint_gt(freed, 0);
	ck_assert_uint_lt(freed, 4096);
	ck_assert_uint_gt(ts.pool_limit_hit, 0);
	ck_assert_uint_le(ts.pool_pages, 256);
	assert_books(h, id);
	test_assert_clean(h, id);
	test_host_done(h);
}
END_TEST

/* A 1 MiB store in front of a swap file: most pages go on to the file
 * and come back from it, every byte intact. */
START_TEST(test_swap_file)
{
	char dir[] = "/var/tmp/check_swap_kvm.XXXXXX", path[64];
	struct vmm_config cfg = {
		.pool_bytes = 256 << 20,
		.nr_nodes = 1,
		.swap_store_set = true,
		.swap_store_bytes = 1 << 20,
		.swap_file_bytes = 64 << 20,
		.swap_file_path = path,
	};
	struct swap_tier_stats ts;
	struct vmm_host *h;
	unsigned long freed;
	unsigned int id;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/swap", dir);
	h = test_host_cfg(&cfg);
	id = test_launch(h, "filed", 64, 1, 1,
			 "touch 32M ratio=3; hold 1500ms; verify", 0);
	test_wait_phases(h, id, 1);
	freed = host_swap_reclaim(h, -1, 6144);
	swap_tier_get_stats(h->tier, &ts);
	printf("swap: a 1 MiB store and a file: %lu out, %llu in the file, %llu written back\n",
	       freed, (unsigned long long)ts.in_file,
	       (unsigned long long)ts.zswpwb);
	ck_assert_msg(
		freed >= 4096,
		"freed %lu: wb %llu, in file %llu, stored %llu, limit hits %llu, alloc fail %llu, wb failed %llu, swap free %llu",
		freed, (unsigned long long)ts.zswpwb,
		(unsigned long long)ts.in_file, (unsigned long long)ts.stored,
		(unsigned long long)ts.pool_limit_hit,
		(unsigned long long)ts.reject_alloc_fail,
		(unsigned long long)ts.writeback_failed,
		(unsigned long long)ts.swap_free);
	ck_assert_uint_gt(ts.in_file, 2048);
	assert_books(h, id);
	test_assert_clean(h, id);
	swap_tier_get_stats(h->tier, &ts);
	ck_assert_uint_gt(ts.pswpin, 2048);
	ck_assert_uint_eq(ts.in_file + ts.stored, 0);
	ck_assert_uint_eq(ts.swap_free, ts.swap_total);
	test_host_done(h);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* Swap-out while the guest rewrites its pages as fast as it can, with
 * verify in each churn step: no write is lost to a swap-out. */
START_TEST(test_swap_while_churning)
{
	struct vmm_host *h = test_host(256, 1);
	unsigned int id = test_launch(
		h, "churn", 64, 2, 1,
		"touch 32M ratio=3; churn ws=32M rate=0 time=1500ms; verify",
		0);
	struct guest_mem_stats st;
	unsigned long freed = 0;

	test_wait_phases(h, id, 1);
	for (int i = 0; i < 20; i++) {
		freed += host_swap_reclaim(h, -1, 1024);
		usleep(50000);
	}
	guest_mem_get_stats(mem_of(h, id), &st);
	printf("swap: churning guest: %lu out, %llu in, %llu refused\n", freed,
	       (unsigned long long)st.swap_in,
	       (unsigned long long)st.swap_refused);
	ck_assert_uint_gt(freed, 0);
	ck_assert_uint_gt(st.swap_in, 0);
	assert_books(h, id);
	test_assert_clean(h, id);
	assert_valid(h);
	test_host_done(h);
}
END_TEST

/* Swapped pages the guest gives up (discard: what an inflation does)
 * and those of a killed guest leave the tier at once, unread. */
START_TEST(test_discard_and_kill_drop)
{
	struct vmm_host *h = test_host(256, 1);
	unsigned int id = test_launch(h, "drop", 64, 1, 1,
				      "touch 32M ratio=3; hold 30s", 0);
	struct guest_mem *mem;
	struct guest_mem_stats st;
	struct swap_tier_stats ts;
	unsigned long freed;
	long back;

	test_wait_phases(h, id, 1);
	mem = mem_of(h, id);
	freed = host_swap_reclaim(h, -1, 8192);
	ck_assert_uint_gt(freed, 4096);
	back = guest_mem_discard(mem, 0, mem->cfg.size / 2);
	ck_assert_int_ge(back, 0);
	guest_mem_get_stats(mem, &st);
	printf("swap: discard of half the guest dropped %llu swapped pages\n",
	       (unsigned long long)st.swap_dropped);
	ck_assert_uint_gt(st.swap_dropped, 0);
	ck_assert_uint_eq(st.swapped + st.swap_dropped + st.swap_in, freed);
	assert_books(h, id);
	ck_assert_int_eq(host_guest_stop(h, id, VM_EXIT_KILLED, "test"), 0);
	test_wait_guest(h, id, NULL);
	host_reap(h, id);
	swap_tier_get_stats(h->tier, &ts);
	ck_assert_uint_eq(ts.stored, 0);
	ck_assert_uint_eq(ts.pool_pages, 0);
	ck_assert_uint_eq(ts.invalidated, freed - st.swap_in);
	assert_valid(h);
	test_host_done(h);
}
END_TEST

/*
 * A guest whose balloon driver is deaf still gives memory: reclaim's
 * round asks its balloon, gets nothing, and the tier takes its idle
 * pages, so the guest that grows is not killed and both stay intact.
 */
START_TEST(test_deaf_guest_gives_through_tier)
{
	struct vmm_host *h = test_host(192, 1);
	unsigned int deaf, grower;
	struct guest_mem_stats st;

	deaf = test_launch(h, "deaf", 128, 1, 1,
			   "balloon deaf; touch 100M ratio=3; hold 3s; verify",
			   0);
	test_wait_phases(h, deaf, 2);
	grower = test_launch(h, "grower", 160, 1, 1,
			     "touch 120M ratio=3; verify", 0);
	test_wait_guest(h, grower, NULL);
	guest_mem_get_stats(mem_of(h, deaf), &st);
	printf("swap: the deaf guest gave %llu pages through the tier\n",
	       (unsigned long long)st.swap_out);
	ck_assert_uint_gt(st.swap_out, 2048);
	test_assert_clean(h, grower);
	test_assert_clean(h, deaf);
	assert_valid(h);
	test_host_done(h);
}
END_TEST

/*
 * Proactive eviction: with no pressure at all, an idle guest's pages
 * untouched for the cold age go to the tier at the scanner's passes
 * while it does not stall; without --swap-proactive nothing goes.  It
 * verifies every byte either way.
 */
static uint64_t proactive_run(unsigned int proactive_ms)
{
	struct vmm_config cfg = {
		.pool_bytes = 512 << 20,
		.nr_nodes = 1,
		.cold_scan_interval_ms = 100,
		.cold_age_ms = 200,
		.swap_proactive_ms = proactive_ms,
	};
	struct vmm_host *h = test_host_cfg(&cfg);
	unsigned int id = test_launch(h, "idle", 64, 1, 1,
				      "touch 48M ratio=3; hold 2500ms; verify",
				      0);
	struct guest_mem_stats st;

	test_wait_phases(h, id, 1);
	usleep(2000000);
	guest_mem_get_stats(mem_of(h, id), &st);
	test_assert_clean(h, id);
	assert_valid(h);
	test_host_done(h);
	return st.swap_out;
}

START_TEST(test_proactive)
{
	uint64_t on = proactive_run(10), off = proactive_run(0);

	printf("swap: proactive: %llu pages of an idle guest evicted ahead of need (%llu without)\n",
	       (unsigned long long)on, (unsigned long long)off);
	ck_assert_uint_gt(on, 4096);
	ck_assert_uint_eq(off, 0);
}
END_TEST

/*
 * A guest asked to shut down verifies everything it holds in a last
 * phase, "shutdown": its swapped pages come back through faults for it,
 * and it stops clean.
 */
START_TEST(test_shutdown_reads_swapped)
{
	struct vmm_host *h = test_host(256, 1);
	unsigned int id = test_launch(h, "down", 64, 1, 1,
				      "touch 32M ratio=3; hold 30s", 0);
	struct host_guest_info gi;
	const struct vm_phase *last;
	unsigned long freed;

	test_wait_phases(h, id, 1);
	freed = host_swap_reclaim(h, -1, 6144);
	ck_assert_uint_ge(freed, 4096);
	ck_assert_int_eq(vm_request_shutdown(host_vm(h, id), 0), 0);
	test_wait_guest(h, id, NULL);
	ck_assert_int_eq(host_guest_info(h, id, &gi), 0);
	printf("swap: shutdown: %lu pages out, %llu back in for its verify\n",
	       freed, (unsigned long long)gi.mem.swap_in);
	ck_assert_msg(gi.why == VM_EXIT_STOPPED && gi.sum.exit_status == 0,
		      "%s (%s)", vm_exit_reason_name(gi.why), gi.detail);
	ck_assert_uint_eq(gi.sum.verify_bad, 0);
	ck_assert_uint_eq(gi.sum.nr_corrupt, 0);
	ck_assert_uint_le(gi.sum.nr_phases, VM_MAX_PHASES);
	last = &gi.sum.phase[gi.sum.nr_phases - 1];
	ck_assert_str_eq(last->name, "shutdown");
	ck_assert_uint_ge(last->bytes, 32 << 20);
	/* Most came back: what it holds (pages it never used may stay). */
	ck_assert_uint_ge(gi.mem.swap_in, freed * 3 / 4);
	assert_books(h, id);
	host_reap(h, id);
	test_host_done(h);
}
END_TEST

/* swap=0 keeps a guest out of the tier; another one is still taken. */
START_TEST(test_swap_limit)
{
	struct vmm_host *h = test_host(256, 1);
	struct guest_spec spec = {
		.name = "noswap",
		.mem_bytes = 64 << 20,
		.nr_vcpus = 1,
		.nr_vnodes = 1,
		.swap_set = true,
		.swap_bytes = 0,
		.script = "touch 16M; hold 1s; verify",
		.vnode_to_pnode = { -1, -1, -1, -1, -1, -1, -1, -1 },
	};
	unsigned int a, b;
	char err[256];
	struct guest_mem_stats sa, sb;

	ck_assert_msg(host_launch(h, &spec, test_res(h), &a, err,
				  sizeof(err)) == 0,
		      "%s", err);
	b = test_launch(h, "swappy", 64, 1, 1, "touch 16M; hold 1s; verify", 0);
	test_wait_phases(h, a, 1);
	test_wait_phases(h, b, 1);
	host_swap_reclaim(h, -1, 2048);
	guest_mem_get_stats(mem_of(h, a), &sa);
	guest_mem_get_stats(mem_of(h, b), &sb);
	ck_assert_uint_eq(sa.swap_out, 0);
	ck_assert_uint_gt(sb.swap_out, 0);
	test_assert_clean(h, a);
	test_assert_clean(h, b);
	test_host_done(h);
}
END_TEST

/* Pages brought back per swap-in fault since *faults and *in; both
 * advanced to now. */
static double pages_per_fault(struct guest_mem *mem, uint64_t *faults,
			      uint64_t *in)
{
	struct guest_mem_stats st;
	uint64_t f = __atomic_load_n(&mem->swap_in_ns.n, __ATOMIC_RELAXED);
	double r;

	guest_mem_get_stats(mem, &st);
	ck_assert_uint_gt(f, *faults);
	r = (double)(st.swap_in - *in) / (double)(f - *faults);
	*faults = f;
	*in = st.swap_in;
	return r;
}

/*
 * A guest reading its swapped memory in order gets it back many pages a
 * fault, going up (verify) and going down (free checks each page highest
 * first): the read-ahead window grows while the faults follow each
 * other, and its frames need not be consecutive.
 */
START_TEST(test_readahead_streams)
{
	struct vmm_host *h = test_host(256, 1);
	unsigned int id = test_launch(h, "stream", 64, 1, 1,
				      "touch 32M ratio=3; hold 1500ms; verify; "
				      "hold 1500ms; free 32M",
				      0);
	struct guest_mem *mem = mem_of(h, id);
	uint64_t faults = 0, in = 0;
	double up, down;

	test_wait_phases(h, id, 1);
	ck_assert_uint_ge(host_swap_reclaim(h, -1, 16384), 8192);
	test_wait_phases(h, id, 3);
	up = pages_per_fault(mem, &faults, &in);
	ck_assert_uint_ge(host_swap_reclaim(h, -1, 16384), 8192);
	test_wait_guest(h, id, NULL);
	down = pages_per_fault(mem, &faults, &in);
	printf("swap: read-ahead: %.1f pages a fault going up, %.1f going down\n",
	       up, down);
	/* Without a growing window at most 8, going down 1. */
	ck_assert_double_ge(up, 16);
	ck_assert_double_ge(down, 16);
	test_assert_clean(h, id);
	assert_valid(h);
	test_host_done(h);
}
END_TEST

Suite *swap_kvm_suite(void)
{
	Suite *s = suite_create("swap_kvm");
	TCase *tc = tcase_create("kvm");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_round_trip_ratio);
	tcase_add_test(tc, test_round_trip_full_pattern);
	tcase_add_test(tc, test_store_full);
	tcase_add_test(tc, test_swap_file);
	tcase_add_test(tc, test_swap_while_churning);
	tcase_add_test(tc, test_discard_and_kill_drop);
	tcase_add_test(tc, test_swap_limit);
	tcase_add_test(tc, test_deaf_guest_gives_through_tier);
	tcase_add_test(tc, test_proactive);
	tcase_add_test(tc, test_readahead_streams);
	tcase_add_test(tc, test_shutdown_reads_swapped);
	suite_add_tcase(s, tc);
	return s;
}
