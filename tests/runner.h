/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Check runner of the two test programs: each lists its suites
 * (tests/mm/runner_mm.c, tests/runner_all.c) and runs them with run_suites().
 */
#ifndef TESTS_RUNNER_H
#define TESTS_RUNNER_H

#include <check.h>
#include <stdbool.h>

struct suite_entry {
	Suite *(*make)(void);
	bool needs_kvm;
};

/* X(constructor, needs_kvm) lists into a suite_entry table. */
#define SUITE_ENTRY(fn, kvm) { fn, kvm },
#define SUITE_DECLARE(fn, kvm) Suite *fn(void);

/* A suite that boots real guests is only added where /dev/kvm works. */
bool kvm_available(const char **why);

/*
 * Run the suites of the table (ended by a NULL make) as Check's
 * environment says; prog names the program in messages.  Returns the
 * exit status: EXIT_FAILURE if a test failed.
 */
int run_suites(const char *prog, const struct suite_entry *suites);

#endif
