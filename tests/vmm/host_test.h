/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers for the suites that run real guests through struct vmm_host. */
#ifndef TESTS_HOST_TEST_H
#define TESTS_HOST_TEST_H

#include "vmm/host/host.h"

/* A host with a pool of mib MiB in nodes nodes; output to /dev/null. */
struct vmm_host *test_host(unsigned int mib, unsigned int nodes);
struct vmm_host *test_host_cfg(const struct vmm_config *cfg);
/* ... without the cold tier (--swap-store 0): the OOM killer comes
 * right after the balloons, for tests of the killer itself. */
struct vmm_host *test_host_noswap(unsigned int mib, unsigned int nodes);
void test_host_done(struct vmm_host *h);
/* Pool memory, console quiet unless VMM_TEST_CONSOLE is set. */
const struct vm_resources *test_res(struct vmm_host *h);
/* Launch a guest (guest nodes mapped by the VMM); its id. */
unsigned int test_launch(struct vmm_host *h, const char *name, unsigned int mib,
			 unsigned int vcpus, unsigned int vnodes,
			 const char *script, int oom_score_adj);
/* Wait (20 s at most, then stop it) for the guest to end by itself. */
enum vm_exit_reason test_wait_guest(struct vmm_host *h, unsigned int id,
				    struct vm_summary *s);
/* Wait (10 s at most) until the guest has ended n phases. */
void test_wait_phases(struct vmm_host *h, unsigned int id, unsigned int n);
/* It ended with status 0 and clean integrity, then reap it. */
void test_assert_clean(struct vmm_host *h, unsigned int id);

#endif
