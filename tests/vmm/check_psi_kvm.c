// SPDX-License-Identifier: GPL-2.0
/*
 * Memory pressure of real guests on /dev/kvm (vmm/host/pressure.c, the
 * fault thread's stalls, the vCPUs' idle parks): a guest whose faults
 * wait in direct reclaim is stalled, an idle guest beside it is not,
 * and a guest's full stall needs all its non-idle vCPUs stalled.
 */
#include <check.h>
#include <stdio.h>

#include "mm/vmstat.h"
#include "tests/vmm/host_test.h"

static unsigned long direct_reclaims(struct vmm_host *h)
{
	return vm_event_sum(host_pool(h), ALLOCSTALL_NORMAL) +
	       vm_event_sum(host_pool(h), ALLOCSTALL_MOVABLE);
}

static struct psi_stats pressure_of(struct vmm_host *h, unsigned int id)
{
	struct psi_stats st;

	ck_assert_int_eq(host_guest_pressure(h, id, &st), 0);
	return st;
}

/*
 * idle touches and frees 140 MiB, then naps; hog (vcpus of them) then
 * touches more than the pool has free, so that its faults reclaim from
 * idle's balloon.  kswapd may take it all in time: then again, on a
 * new host, a few times.  The host, with idle napping and hog ended
 * (not reaped), and their ids.
 */
static struct vmm_host *pressure_round(unsigned int vcpus, unsigned int *idle,
				       unsigned int *hog)
{
	for (int round = 0; round < 3; round++) {
		struct vmm_host *h = test_host(256, 1);
		unsigned long reclaims;

		*idle = test_launch(h, "idle", 192, 1, 1,
				    "touch 150M; free 140M; hold 30s; verify",
				    0);
		test_wait_phases(h, *idle, 2);
		reclaims = direct_reclaims(h);
		*hog = test_launch(h, "hog", 192, vcpus, 1,
				   "touch 170M; verify", 0);
		test_wait_guest(h, *hog, NULL);
		if (direct_reclaims(h) > reclaims)
			return h;
		fprintf(stderr,
			"psi: no direct reclaim (kswapd kept up): again\n");
		host_guest_stop(h, *idle, VM_EXIT_STOPPED, "test over");
		test_host_done(h);
	}
	ck_abort_msg("hog never reclaimed directly in 3 rounds");
	return NULL;
}

/*
 * hog (one vCPU) is stalled, and with its one vCPU every stall is
 * full; idle, parked all along, never is; the pool's node saw exactly
 * hog's stalls.
 */
START_TEST(test_stalled_beside_idle)
{
	unsigned int idle, hog;
	struct vmm_host *h = pressure_round(1, &idle, &hog);
	struct psi_stats si, sh, sn;

	sh = pressure_of(h, hog);
	si = pressure_of(h, idle);
	ck_assert_int_eq(host_node_pressure(h, 1, &sn), -EINVAL);
	ck_assert_int_eq(host_node_pressure(h, 0, &sn), 0);
	fprintf(stderr,
		"psi: hog some %lu us full %lu us; idle %lu/%lu; node0 %lu/%lu\n",
		(unsigned long)sh.total_us[PSI_MEM_SOME],
		(unsigned long)sh.total_us[PSI_MEM_FULL],
		(unsigned long)si.total_us[PSI_MEM_SOME],
		(unsigned long)si.total_us[PSI_MEM_FULL],
		(unsigned long)sn.total_us[PSI_MEM_SOME],
		(unsigned long)sn.total_us[PSI_MEM_FULL]);
	ck_assert_uint_gt(sh.total_us[PSI_MEM_SOME], 0);
	ck_assert_uint_eq(sh.total_us[PSI_MEM_FULL], sh.total_us[PSI_MEM_SOME]);
	ck_assert_uint_eq(si.total_us[PSI_MEM_SOME], 0);
	ck_assert_uint_eq(si.total_us[PSI_MEM_FULL], 0);
	ck_assert_uint_eq(si.avg[PSI_MEM_SOME][PSI_AVG10], 0);
	ck_assert_uint_eq(sn.total_us[PSI_MEM_SOME], sh.total_us[PSI_MEM_SOME]);
	ck_assert_uint_le(sn.total_us[PSI_MEM_FULL], sn.total_us[PSI_MEM_SOME]);

	test_assert_clean(h, hog);
	ck_assert_int_eq(host_guest_pressure(h, hog, &sh), -ENOENT);
	host_guest_stop(h, idle, VM_EXIT_STOPPED, "test over");
	test_host_done(h);
}
END_TEST

/*
 * Two vCPUs touching under pressure: each stalls in turn, and the
 * guest is full only while both do, so full stays at most some.
 */
START_TEST(test_two_vcpus)
{
	unsigned int idle, hog;
	struct vmm_host *h = pressure_round(2, &idle, &hog);
	struct psi_stats st = pressure_of(h, hog);

	fprintf(stderr, "psi: 2 vCPUs: some %lu us, full %lu us\n",
		(unsigned long)st.total_us[PSI_MEM_SOME],
		(unsigned long)st.total_us[PSI_MEM_FULL]);
	ck_assert_uint_gt(st.total_us[PSI_MEM_SOME], 0);
	ck_assert_uint_le(st.total_us[PSI_MEM_FULL], st.total_us[PSI_MEM_SOME]);
	test_assert_clean(h, hog);
	host_guest_stop(h, idle, VM_EXIT_STOPPED, "test over");
	test_host_done(h);
}
END_TEST

Suite *psi_kvm_suite(void)
{
	Suite *s = suite_create("psi_kvm");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_stalled_beside_idle);
	tcase_add_test(tc, test_two_vcpus);
	suite_add_tcase(s, tc);
	return s;
}
