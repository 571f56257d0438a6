// SPDX-License-Identifier: GPL-2.0
#include <check.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/host_test.h"

struct vmm_host *test_host(unsigned int mib, unsigned int nodes)
{
	struct vmm_config cfg = {
		.pool_bytes = (uint64_t)mib << 20,
		.nr_nodes = nodes,
	};

	return test_host_cfg(&cfg);
}

struct vmm_host *test_host_cfg(const struct vmm_config *cfg)
{
	struct vmm_host *h;
	char err[256];

	ck_assert_msg(host_create(cfg, &h, err, sizeof(err)) == 0, "%s", err);
	h->out = fopen("/dev/null", "we");
	h->oom_log = getenv("VMM_TEST_CONSOLE") ? stderr : h->out;
	/* vCPUs beyond this host's CPUs, as most tests run here. */
	h->warn_log = h->oom_log;
	return h;
}

void test_host_done(struct vmm_host *h)
{
	FILE *out = h->out;

	host_destroy(h);
	fclose(out);
}

const struct vm_resources *test_res(struct vmm_host *h)
{
	static struct vm_resources r;

	r = (struct vm_resources){ .pool = h->pool,
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

enum vm_exit_reason test_wait_guest(struct vmm_host *h, unsigned int id,
				    struct vm_summary *s)
{
	struct vm *vm = host_vm(h, id);
	struct pollfd p = { .fd = vm->stop_efd, .events = POLLIN };
	char detail[VM_DETAIL_MAX];

	if (poll(&p, 1, 20000) != 1)
		vm_stop(vm, VM_EXIT_STOPPED, "test timeout");
	vm_wait(vm);
	if (s)
		vm_get_summary(vm, s);
	return vm_exit_reason(vm, detail, sizeof(detail));
}

void test_assert_clean(struct vmm_host *h, unsigned int id)
{
	char detail[VM_DETAIL_MAX];
	struct vm_summary s;
	enum vm_exit_reason why = test_wait_guest(h, id, &s);

	vm_exit_reason(host_vm(h, id), detail, sizeof(detail));
	ck_assert_msg(why == VM_EXIT_GUEST_EXIT && s.exit_status == 0,
		      "%s: %s (%s), status %d, panic '%s'",
		      host_vm(h, id)->name, vm_exit_reason_name(why), detail,
		      s.exit_status, s.panic);
	ck_assert_uint_gt(s.nr_verify, 0);
	ck_assert_uint_eq(s.verify_bad, 0);
	ck_assert_uint_eq(s.nr_corrupt, 0);
	ck_assert_uint_eq(s.nr_panics, 0);
	host_reap(h, id);
}

void test_wait_phases(struct vmm_host *h, unsigned int id, unsigned int n)
{
	struct vm_summary s;

	for (int i = 0; i < 2000; i++) {
		vm_get_summary(host_vm(h, id), &s);
		if (s.nr_phases >= n)
			return;
		usleep(5000);
	}
	ck_abort_msg("%s: phase %u never ended", host_vm(h, id)->name, n);
}
