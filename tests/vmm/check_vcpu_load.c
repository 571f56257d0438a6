// SPDX-License-Identifier: GPL-2.0
/* vmm/host/vcpu_load.c: one warning per crossing of the host's CPUs. */
#include <check.h>
#include <string.h>

#include "vmm/host/vcpu_load.h"

START_TEST(test_once_per_crossing)
{
	struct vcpu_load l;
	char msg[320] = "";

	vcpu_load_init(&l, 2);
	ck_assert(!vcpu_load_add(&l, "a", 2, msg, sizeof(msg)));
	ck_assert(vcpu_load_add(&l, "big", 16, msg, sizeof(msg)));
	ck_assert_msg(
		strstr(msg,
		       "guest big (16 vCPUs) brings the vCPUs running to 18, more than the 2 host CPUs"),
		"%s", msg);
	ck_assert_ptr_nonnull(strstr(msg, "cpu_max="));
	/* Still over: not again, however many come. */
	ck_assert(!vcpu_load_add(&l, "c", 1, msg, sizeof(msg)));
	vcpu_load_sub(&l, 1);
	ck_assert(!vcpu_load_add(&l, "d", 1, msg, sizeof(msg)));
	/* Back within the CPUs, then over again: said again. */
	vcpu_load_sub(&l, 16);
	vcpu_load_sub(&l, 1);
	ck_assert_uint_eq(l.running, 2);
	ck_assert(vcpu_load_add(&l, "e", 1, msg, sizeof(msg)));
	ck_assert_msg(
		strstr(msg,
		       "guest e (1 vCPU) brings the vCPUs running to 3, more than the 2 host CPUs"),
		"%s", msg);
}
END_TEST

START_TEST(test_host_cpus)
{
	struct vcpu_load l;

	/* The affinity mask: at least one CPU, never more than online. */
	vcpu_load_init(&l, 0);
	ck_assert_uint_ge(l.host_cpus, 1);
	ck_assert_uint_le(l.host_cpus, 4096);
	ck_assert_uint_eq(l.running, 0);
}
END_TEST

Suite *vcpu_load_suite(void)
{
	Suite *s = suite_create("vcpu_load");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_once_per_crossing);
	tcase_add_test(tc, test_host_cpus);
	suite_add_tcase(s, tc);
	return s;
}
