// SPDX-License-Identifier: GPL-2.0
/*
 * The Check runner of the three test programs: check_mm (tests/mm/
 * runner_mm.c, mm's suites, linked with libmm.a alone), check_swap
 * (tests/swap/runner_swap.c, the cold tier's, with libswap.a and libmm.a)
 * and check_all (tests/runner_all.c, every other suite).  Each module has its own suite in
 * tests/check_<module>.c; suites that need /dev/kvm are left out with a
 * SKIP line (and the reason) where it is missing, never passed silently.
 *
 * CK_RUN_SUITE / CK_RUN_CASE select, CK_FORK=no debugs under gdb.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/runner.h"

bool kvm_available(const char **why)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		*why = errno == ENOENT ? "/dev/kvm does not exist" :
					 "/dev/kvm cannot be opened";
		return false;
	}
	close(fd);
	return true;
}

int run_suites(const char *prog, const struct suite_entry *suites)
{
	const char *only = getenv("CK_RUN_SUITE");
	const char *why = NULL;
	bool kvm = kvm_available(&why);
	SRunner *sr = NULL;
	int failed;

	for (const struct suite_entry *e = suites; e->make; e++) {
		Suite *s;

		if (e->needs_kvm && !kvm) {
			printf("SKIP: a KVM suite: %s\n", why);
			continue;
		}
		s = e->make();
		if (!sr)
			sr = srunner_create(s);
		else
			srunner_add_suite(sr, s);
	}
	if (!sr) {
		fprintf(stderr, "no test suite to run\n");
		return EXIT_FAILURE;
	}
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	/* The other program may have it: say where to look. */
	if (only && *only && !srunner_ntests_run(sr))
		printf("%s: no suite %s here: check_mm has mm's suites, "
		       "check_swap the cold tier's, check_all the others "
		       "(README)\n",
		       prog, only);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
