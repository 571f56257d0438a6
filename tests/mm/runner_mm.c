// SPDX-License-Identifier: GPL-2.0
/*
 * check_mm: mm's suites, linked with libmm.a and libutil.a alone (and the
 * test helpers that need nothing else: tests/mm/mm_test.c, fake_guest.c,
 * compaction_test.c, printk_capture.c), so that mm is tested as the
 * library it is, below everything of the VMM.
 * Every other suite is in check_all (tests/runner_all.c).
 */
#include <stdlib.h>

#include "tests/runner.h"

#define MM_SUITES(X) /* X(constructor, needs_kvm) */ \
	X(buddy_suite, false)                        \
	X(watermark_suite, false)                    \
	X(node_suite, false)                         \
	X(page_alloc_suite, false)                   \
	X(compaction_scan_suite, false)              \
	X(compaction_direct_suite, false)            \
	X(compaction_kcompactd_suite, false)         \
	X(pcp_suite, false)                          \
	X(pool_suite, false)                         \
	X(memory_hotplug_suite, false)               \
	X(fail_page_alloc_suite, false)              \
	X(stress_suite, false)                       \
	X(vmstat_suite, false)                       \
	X(trace_suite, false)                        \
	X(oom_kill_suite, false)                     \
	X(psi_suite, false)                          \
	X(vmscan_suite, false)

MM_SUITES(SUITE_DECLARE)

static const struct suite_entry suites[] = {
	MM_SUITES(SUITE_ENTRY) /* the end: */ { NULL, false },
};

int main(void)
{
	return run_suites("check_mm", suites);
}
