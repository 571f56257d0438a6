// SPDX-License-Identifier: GPL-2.0
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/vmm/host_test.h"

struct vmm_host *test_host(unsigned int mib, unsigned int nodes)
{
	struct vmm_config cfg = {
		.pool_bytes = (uint64_t)mib << 20,
		.nr_nodes = nodes,
	};

	return test_host_cfg(&cfg);
}

struct vmm_host *test_host_noswap(unsigned int mib, unsigned int nodes)
{
	struct vmm_config cfg = {
		.pool_bytes = (uint64_t)mib << 20,
		.nr_nodes = nodes,
		.swap_store_set = true,
		.swap_store_bytes = 0,
	};

	return test_host_cfg(&cfg);
}

struct vmm_host *test_host_cfg(const struct vmm_config *cfg)
{
	struct vmm_host *h;
	FILE *null, *log;
	char err[256];

	ck_assert_msg(host_create(cfg, &h, err, sizeof(err)) == 0, "%s", err);
	null = fopen("/dev/null", "we");
	log = getenv("VMM_TEST_CONSOLE") ? stderr : null;
	/* Warnings: vCPUs beyond this host's CPUs, as most tests run here. */
	host_set_output(h, null, log, log);
	return h;
}

void test_host_done(struct vmm_host *h)
{
	FILE *out = h->out; /* test_host_cfg()'s /dev/null */

	host_destroy(h);
	fclose(out);
}

const struct vm_resources *test_res(struct vmm_host *h)
{
	static struct vm_resources r;

	r = (struct vm_resources){ .pool = host_pool(h),
				   .quiet = !getenv("VMM_TEST_CONSOLE") };
	return &r;
}

unsigned int test_launch(struct vmm_host *h, const char *name, unsigned int mib,
			 unsigned int vcpus, unsigned int vnodes,
			 const char *script, int oom_score_adj)
{
	struct guest_spec spec = {
		.mem_bytes = (uint64_t)mib << 20,
		.nr_vcpus = vcpus,
		.nr_vnodes = vnodes,
		.script = (char *)script,
		.oom_score_adj = oom_score_adj,
	};
	unsigned int id;
	char err[256];

	snprintf(spec.name, sizeof(spec.name), "%s", name);
	for (unsigned int n = 0; n < GUEST_MAX_NODES; n++)
		spec.vnode_to_pnode[n] = -1;
	ck_assert_msg(host_launch(h, &spec, test_res(h), &id, err,
				  sizeof(err)) == 0,
		      "%s", err);
	return id;
}

/* Wait as test_wait_guest() does; how it ended. */
static void wait_guest(struct vmm_host *h, unsigned int id,
		       struct host_guest_info *gi)
{
	if (host_guest_wait(h, id, 20000)) {
		host_guest_stop(h, id, VM_EXIT_STOPPED, "test timeout");
		host_guest_wait(h, id, -1);
	}
	ck_assert_int_eq(host_guest_info(h, id, gi), 0);
}

enum vm_exit_reason test_wait_guest(struct vmm_host *h, unsigned int id,
				    struct vm_summary *s)
{
	struct host_guest_info gi;

	wait_guest(h, id, &gi);
	if (s)
		*s = gi.sum;
	return gi.why;
}

void test_assert_clean(struct vmm_host *h, unsigned int id)
{
	struct host_guest_info gi;
	const struct vm_summary *s = &gi.sum;

	wait_guest(h, id, &gi);
	ck_assert_msg(gi.why == VM_EXIT_GUEST_EXIT && s->exit_status == 0,
		      "%s: %s (%s), status %d, panic '%s'", gi.name,
		      vm_exit_reason_name(gi.why), gi.detail, s->exit_status,
		      s->panic);
	ck_assert_uint_gt(s->nr_verify, 0);
	ck_assert_uint_eq(s->verify_bad, 0);
	ck_assert_uint_eq(s->nr_corrupt, 0);
	ck_assert_uint_eq(s->nr_panics, 0);
	host_reap(h, id);
}

void test_wait_phases(struct vmm_host *h, unsigned int id, unsigned int n)
{
	struct host_guest_info gi;
	struct vm_summary s;

	for (int i = 0; i < 2000; i++) {
		ck_assert_int_eq(host_guest_summary(h, id, &s), 0);
		if (s.nr_phases >= n)
			return;
		usleep(5000);
	}
	host_guest_info(h, id, &gi);
	ck_abort_msg("%s: phase %u never ended", gi.name, n);
}
