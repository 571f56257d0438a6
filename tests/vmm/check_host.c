// SPDX-License-Identifier: GPL-2.0
/*
 * Real guests on /dev/kvm whose RAM comes from the pool: integrity, several
 * guests, vNUMA placement and strict binding, a guest that exhausts the
 * pool ending alone, no data crossing between guests, and every frame
 * back after teardown (mm_validate() with the guests' reverse maps).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/mm/mm_test.h"
#include "tests/vmm/host_test.h"
#include "tests/mm/printk_capture.h"
#include "tests/runner.h"
#include "vmm/guest_mem/guest_mem.h"
#include "vmm/host/host.h"
#include "vmm/host/events.h"

#define host(mib, nodes) test_host(mib, nodes)
#define host_done(h) test_host_done(h)
#define res(h) test_res(h)
#define launch_adj(h, name, mib, vcpus, vnodes, script, adj) \
	test_launch(h, name, mib, vcpus, vnodes, script, adj)
#define launch(h, name, mib, vcpus, vnodes, script) \
	test_launch(h, name, mib, vcpus, vnodes, script, 0)
#define wait_guest(h, id, s) test_wait_guest(h, id, s)
#define assert_clean(h, id) test_assert_clean(h, id)

static void assert_all_free(struct vmm_host *h)
{
	char err[256];

	drain_all_pages(h->pool);
	ck_assert_msg(host_validate(h, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(mm_nr_free_pages(h->pool), h->pool->nr_frames);
}

START_TEST(test_pool_guest_integrity)
{
	struct vmm_host *h = host(256, 1);
	unsigned int id = launch(
		h, "g", 128, 2, 1,
		"touch 64M; verify; free 32M; touch 48M pattern=full; verify");
	struct guest_mem_stats st;

	/* Validate while it runs: rmap checks against a live guest. */
	for (int i = 0; i < 5; i++) {
		char err[256];

		ck_assert_msg(host_validate(h, err, sizeof(err)) == 0, "%s",
			      err);
	}
	ck_assert(wait_guest(h, id, NULL) == VM_EXIT_GUEST_EXIT);
	guest_mem_get_stats(host_vm(h, id)->mem, &st);
	ck_assert_uint_gt(st.huge_maps, 0);
	ck_assert_uint_ge(st.pages, (80 << 20) >> PAGE_SHIFT);
	assert_clean(h, id);
	assert_all_free(h);
	host_done(h);
}
END_TEST

/* Four guests in one pool, all clean, all frames back. */
START_TEST(test_several_guests)
{
	struct vmm_host *h = host(512, 2);
	unsigned int id[4];

	for (int i = 0; i < 4; i++) {
		char name[8];

		snprintf(name, sizeof(name), "g%d", i);
		id[i] = launch(
			h, name, 96, 1 + i % 2, 1 + i % 2,
			"touch 64M; churn ws=32M rate=0 time=50ms; verify");
	}
	for (int i = 0; i < 4; i++)
		assert_clean(h, id[i]);
	assert_all_free(h);
	host_done(h);
}
END_TEST

/*
 * A guest that needs more than the pool is OOM-killed alone: the other
 * guest completes with its memory intact, every frame of the victim is
 * back in the pool.
 */
START_TEST(test_oom_kills_the_hog)
{
	struct vmm_host *h = test_host_noswap(128, 1);
	struct printk_capture c = { 0 };
	unsigned int ok, hog;
	char detail[VM_DETAIL_MAX];

	printk_capture_start(&c, h->pool);
	ok = launch(h, "ok", 64, 1, 1, "touch 40M; hold 300ms; verify");
	hog = launch(h, "hog", 256, 1, 1, "touch 200M; verify");
	ck_assert(wait_guest(h, hog, NULL) == VM_EXIT_OOM_KILL);
	/* Whether a fault reports its failure depends on who the killer
	 * freed memory for first: expected either way. */
	printk_capture_end(&c);
	free(c.text);
	vm_exit_reason(host_vm(h, hog), detail, sizeof(detail));
	ck_assert_ptr_nonnull(strstr(detail, "OOM killer"));
	/* Reaped at once, by the killer, before the VM is even freed: the
	 * victim holds no frame any more. */
	for (int i = 0; i < 1000; i++) {
		struct guest_mem_stats st;

		guest_mem_get_stats(host_vm(h, hog)->mem, &st);
		if (!st.pages)
			break;
		usleep(1000);
	}
	{
		struct guest_mem_stats st;

		guest_mem_get_stats(host_vm(h, hog)->mem, &st);
		ck_assert_uint_eq(st.pages, 0);
	}
	host_reap(h, hog);
	/* The killer counts the kill once the guest is stopped (whether it
	 * was a kill or an exit of its own depends on which came first), and
	 * its vCPUs may be gone before: host_reap() waits for the killer. */
	ck_assert_uint_eq(vm_event_sum(h->pool, OOM_KILL), 1);
	assert_clean(h, ok);
	assert_all_free(h);
	host_done(h);
}
END_TEST

/* Nobody may be killed (oom_score_adj -1000): the faulting guest stops,
 * out of memory, and the other one completes. */
START_TEST(test_unkillable_out_of_memory)
{
	struct vmm_host *h = test_host_noswap(128, 1);
	unsigned int ok = launch_adj(h, "ok", 64, 1, 1,
				     "touch 40M; hold 1s; verify", -1000);
	struct printk_capture c = { 0 };
	unsigned int hog;
	char detail[VM_DETAIL_MAX];

	/* ok has its memory before the hog takes the rest: otherwise ok
	 * may be the one whose fault finds the pool empty. */
	test_wait_phases(h, ok, 1);
	printk_capture_start(&c, h->pool);
	hog = launch_adj(h, "hog", 256, 1, 1, "touch 200M; verify", -1000);
	ck_assert(wait_guest(h, hog, NULL) == VM_EXIT_OOM);
	printk_capture_expect(&c, "page allocation failure");
	vm_exit_reason(host_vm(h, hog), detail, sizeof(detail));
	ck_assert_ptr_nonnull(strstr(detail, "out of memory"));
	ck_assert_uint_eq(vm_event_sum(h->pool, OOM_KILL), 0);
	host_reap(h, hog);
	assert_clean(h, ok);
	assert_all_free(h);
	host_done(h);
}
END_TEST

/*
 * The host will not map a guest's frames (mmap's ENOMEM, as at
 * vm.max_map_count: injected) while the pool has plenty: that guest
 * stops with a host limit, which its stop and its GUEST_STOPPED event
 * name with the sysctl; nobody is OOM-killed; the other guest completes
 * and every frame comes back.
 */
START_TEST(test_host_limit_stops_guest)
{
	struct vmm_host *h = host(256, 1);
	struct guest_mem_fail_remap always = { .times = 1000000 };
	unsigned int ok =
		launch(h, "ok", 64, 1, 1, "touch 40M; hold 1s; verify");
	unsigned int lim =
		launch(h, "lim", 64, 1, 1, "sleep 300ms; touch 40M; verify");
	char detail[VM_DETAIL_MAX];
	struct host_event ev[16];
	unsigned int n;
	uint64_t lost;
	bool seen = false;

	ck_assert_int_ge(host_events_enable(h), 0);
	guest_mem_set_fail_map(host_vm(h, lim)->mem, &always);
	ck_assert(wait_guest(h, lim, NULL) == VM_EXIT_HOST_LIMIT);
	vm_exit_reason(host_vm(h, lim), detail, sizeof(detail));
	ck_assert_msg(strstr(detail, "vm.max_map_count"), "%s", detail);
	ck_assert_uint_eq(vm_event_sum(h->pool, OOM_KILL), 0);
	host_reap(h, lim);
	while ((n = host_events_take(h, ev, 16, &lost)))
		for (unsigned int i = 0; i < n; i++)
			if (ev[i].type == HEV_GUEST_STOPPED &&
			    ev[i].guest == lim) {
				ck_assert_int_eq(ev[i].stopped.reason,
						 VM_EXIT_HOST_LIMIT);
				ck_assert(
					strstr(ev[i].text, "vm.max_map_count"));
				seen = true;
			}
	ck_assert(seen);
	ck_assert_str_eq(vm_exit_reason_name(VM_EXIT_HOST_LIMIT), "host limit");
	assert_clean(h, ok);
	assert_all_free(h);
	host_done(h);
}
END_TEST

/* Guest node n's memory comes from the pool node it maps to. */
START_TEST(test_vnuma_placement)
{
	struct vmm_host *h = host(256, 2);
	struct guest_spec spec = {
		.name = "numa",
		.mem_bytes = 64 << 20,
		.nr_vcpus = 1,
		.nr_vnodes = 2,
		.vnode_to_pnode = { 1, 0 },
		.strict = true,
		.script =
			"touch 20M node=0; touch 20M node=1; hold 200ms; verify",
	};
	struct guest_mem *mem;
	unsigned long on[2][2] = { { 0 } };
	unsigned int id;
	char err[256];

	ck_assert_msg(host_launch(h, &spec, res(h), &id, err, sizeof(err)) == 0,
		      "%s", err);
	/* Sample while it holds: after both touch phases ended. */
	for (int i = 0; i < 2000; i++) {
		struct vm_summary s;

		vm_get_summary(host_vm(h, id), &s);
		if (s.nr_phases >= 2)
			break;
		usleep(1000);
	}
	mem = host_vm(h, id)->mem;
	for (uint64_t g = 0; g < spec.mem_bytes; g += PAGE_SIZE) {
		pfn_t pfn = READ_ONCE(mem->gpa_map[g >> PAGE_SHIFT]);

		if (pfn != PFN_NONE)
			on[guest_mem_node_of(mem, g)]
			  [pfn_to_nid(h->pool, pfn)]++;
	}
	/* Strict: every page of guest node 0 on pool node 1 and back. */
	ck_assert_uint_ge(on[0][1], (20 << 20) >> PAGE_SHIFT);
	ck_assert_uint_ge(on[1][0], (20 << 20) >> PAGE_SHIFT);
	ck_assert_uint_eq(on[0][0], 0);
	ck_assert_uint_eq(on[1][1], 0);
	assert_clean(h, id);
	assert_all_free(h);
	host_done(h);
}
END_TEST

/* Strict binding: the node runs out, the guest stops; others go on. */
START_TEST(test_strict_binding_exhausts_node)
{
	struct vmm_host *h = test_host_noswap(128, 2);
	struct guest_spec spec = {
		.name = "bound",
		.mem_bytes = 96 << 20,
		.nr_vcpus = 1,
		.nr_vnodes = 1,
		.vnode_to_pnode = { 0 },
		.strict = true,
		.script = "touch 80M; verify",
	};
	unsigned int id, other;
	char err[256];

	other = launch(h, "other", 32, 1, 1, "touch 16M; hold 200ms; verify");
	ck_assert(host_launch(h, &spec, res(h), &id, err, sizeof(err)) == 0);
	/* The kill is constrained to node 0, where "other" holds nothing. */
	ck_assert(wait_guest(h, id, NULL) == VM_EXIT_OOM_KILL);
	host_reap(h, id);
	assert_clean(h, other);
	assert_all_free(h);
	host_done(h);
}
END_TEST

/*
 * A guest fills its frames with a pattern and exits; the next guest gets
 * the same frames and its touch checks that fresh pages read zero.
 */
START_TEST(test_no_data_crosses_guests)
{
	struct vmm_host *h = host(64, 1);
	unsigned int a, b;

	a = launch(h, "a", 48, 1, 1, "touch 40M pattern=full; verify");
	assert_clean(h, a);
	b = launch(h, "b", 48, 1, 1, "touch 40M pattern=full; verify");
	assert_clean(h, b);
	assert_all_free(h);
	host_done(h);
}
END_TEST

/*
 * Pages of a running guest move to other frames while it is paused; when
 * it resumes, its own verify finds every page intact.
 */
START_TEST(test_migrate_paused_guest)
{
	struct vmm_host *h = host(256, 2);
	unsigned int id = launch(h, "moved", 64, 1, 1,
				 "touch 32M pattern=full; hold 500ms; verify");
	struct guest_mem *mem;
	struct vm_summary s;
	int moved = 0;

	do {
		usleep(1000);
		vm_get_summary(host_vm(h, id), &s);
	} while (s.nr_phases < 1);
	mem = host_vm(h, id)->mem;
	ck_assert_int_eq(vm_pause(host_vm(h, id)), 0);
	for (uint64_t g = 4 << 20; g < (12 << 20); g += PAGE_SIZE) {
		pfn_t np = __alloc_pages(h->pool, GFP_GUEST, 0, 1, NULL);

		ck_assert_uint_ne(np, PFN_NONE);
		if (guest_mem_migrate(mem, g, np)) {
			__free_pages(h->pool, np, 0);
			continue;
		}
		moved++;
	}
	vm_resume(host_vm(h, id));
	ck_assert_int_ge(moved, 1024);
	assert_clean(h, id);
	assert_all_free(h);
	host_done(h);
}
END_TEST

/*
 * The host's interface for programs (api.h): the pool's statistics, a
 * guest's ids, snapshot, report, balloon, stop fd, KVM's mappings, stop
 * and wait, and -ENOENT for a guest that is not there (any more).
 */
START_TEST(test_api_guests)
{
	struct vmm_host *h = host(256, 2);
	unsigned int a, b, ids[VMM_MAX_GUESTS], n;
	struct host_guest_info gi;
	struct kvm_page_stats ps;
	struct balloon_info bi;
	struct host_stats st;
	struct vm_summary s;
	struct pollfd p;
	unsigned long spanned = 0;
	int ret;

	host_get_stats(h, &st);
	ck_assert_uint_eq(st.nr_nodes, 2);
	ck_assert_uint_eq(st.pool_bytes, 256 << 20);
	ck_assert_uint_eq(st.nr_running, 0);
	ck_assert_uint_le(st.free, h->pool->nr_frames);
	for (unsigned int nid = 0; nid < st.nr_nodes; nid++) {
		const struct host_node_stats *ns = &st.node[nid];

		ck_assert_uint_gt(ns->free, 0);
		ck_assert_uint_gt(ns->wmark[WMARK_MIN], 0);
		ck_assert_uint_le(ns->wmark[WMARK_MIN], ns->wmark[WMARK_LOW]);
		ck_assert_uint_le(ns->wmark[WMARK_LOW], ns->wmark[WMARK_HIGH]);
		ck_assert_uint_eq(ns->offline, 0);
		spanned += ns->spanned;
	}
	ck_assert_uint_eq(spanned, h->pool->nr_frames);

	a = launch(h, "a", 64, 1, 1, "touch 16M; hold 20s; verify");
	b = launch(h, "b", 64, 1, 1, "touch 8M; verify");
	n = host_guest_ids(h, ids, VMM_MAX_GUESTS);
	ck_assert_uint_eq(n, 2);
	ck_assert(ids[0] + ids[1] == a + b && ids[0] != ids[1]);
	ck_assert_uint_eq(host_guest_ids(h, ids, 1), 1);
	host_get_stats(h, &st);
	ck_assert_uint_eq(st.nr_running, 2);

	test_wait_phases(h, a, 1);
	ck_assert_int_eq(host_guest_info(h, a, &gi), 0);
	ck_assert_uint_eq(gi.id, a);
	ck_assert_str_eq(gi.name, "a");
	ck_assert_int_eq(gi.state, VM_RUNNING);
	ck_assert_int_eq(gi.why, VM_EXIT_NONE);
	ck_assert_uint_eq(gi.ram_bytes, 64 << 20);
	ck_assert_uint_ge(gi.mem.pages, (16 << 20) >> PAGE_SHIFT);
	ck_assert(gi.has_balloon);
	ck_assert_uint_ge(gi.sum.nr_phases, 1);
	ck_assert_int_eq(host_guest_summary(h, a, &s), 0);
	ck_assert_uint_eq(s.phase[0].bytes, 16 << 20);

	/* The guest's driver takes what the balloon is asked to hold. */
	ck_assert_int_eq(host_balloon_set_target(h, a, 256), 0);
	for (int i = 0; i < 10000; i++) {
		ck_assert_int_eq(host_balloon_info(h, a, &bi), 0);
		if (bi.actual == 256)
			break;
		usleep(1000);
	}
	ck_assert_uint_eq(bi.target, 256);
	ck_assert_uint_eq(bi.actual, 256);

	ret = host_guest_kvm_pages(h, a, &ps);
	ck_assert_msg(!ret || ret == -ENOTTY, "%d", ret);
	if (!ret)
		ck_assert_uint_gt(ps.pages_4k + ps.pages_2m, 0);

	/* Stopped by hand: readable stop fd, its reason and detail. */
	ck_assert_int_eq(host_guest_wait(h, a, 0), -ETIMEDOUT);
	ck_assert_int_eq(host_guest_stop(h, a, VM_EXIT_STOPPED, "api test"), 0);
	ck_assert_int_eq(host_guest_wait(h, a, 10000), 0);
	p = (struct pollfd){ .fd = host_guest_stop_fd(h, a), .events = POLLIN };
	ck_assert_int_ge(p.fd, 0);
	ck_assert_int_eq(poll(&p, 1, 0), 1);
	ck_assert_int_eq(host_guest_info(h, a, &gi), 0);
	ck_assert_int_eq(gi.state, VM_STOPPED);
	ck_assert_int_eq(gi.why, VM_EXIT_STOPPED);
	ck_assert_str_eq(gi.detail, "api test");
	host_reap(h, a);

	/* Gone: every function says so. */
	ck_assert_int_eq(host_guest_info(h, a, &gi), -ENOENT);
	ck_assert_int_eq(host_guest_summary(h, a, &s), -ENOENT);
	ck_assert_int_eq(host_guest_stop_fd(h, a), -ENOENT);
	ck_assert_int_eq(host_guest_stop(h, a, VM_EXIT_KILLED, "x"), -ENOENT);
	ck_assert_int_eq(host_guest_wait(h, a, 0), -ENOENT);
	ck_assert_int_eq(host_guest_kvm_pages(h, a, &ps), -ENOENT);
	ck_assert_int_eq(host_balloon_info(h, a, &bi), -ENOENT);
	ck_assert_int_eq(host_balloon_set_target(h, a, 0), -ENOENT);
	ck_assert_ptr_null(host_vm(h, a));
	ck_assert_uint_eq(host_guest_ids(h, ids, VMM_MAX_GUESTS), 1);
	ck_assert_uint_eq(ids[0], b);

	assert_clean(h, b);
	host_get_stats(h, &st);
	ck_assert_uint_eq(st.nr_running, 0);
	assert_all_free(h);
	host_done(h);
}
END_TEST

Suite *host_suite(void)
{
	Suite *s = suite_create("host");
	TCase *tc = tcase_create("kvm");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_pool_guest_integrity);
	tcase_add_test(tc, test_several_guests);
	tcase_add_test(tc, test_oom_kills_the_hog);
	tcase_add_test(tc, test_unkillable_out_of_memory);
	tcase_add_test(tc, test_host_limit_stops_guest);
	tcase_add_test(tc, test_vnuma_placement);
	tcase_add_test(tc, test_strict_binding_exhausts_node);
	tcase_add_test(tc, test_no_data_crosses_guests);
	tcase_add_test(tc, test_migrate_paused_guest);
	tcase_add_test(tc, test_api_guests);
	suite_add_tcase(s, tc);
	return s;
}
