/* SPDX-License-Identifier: GPL-2.0 */
/* The one Check runner: every module's suite is listed in tests/runner.c. */
#ifndef TESTS_RUNNER_H
#define TESTS_RUNNER_H

#include <check.h>
#include <stdbool.h>

/* A suite that boots real guests is only added where /dev/kvm works. */
bool kvm_available(const char **why);

#endif
