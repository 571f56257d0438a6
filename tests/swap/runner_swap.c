// SPDX-License-Identifier: GPL-2.0
/*
 * check_swap: the cold tier's suites, linked with libswap.a, libmm.a and
 * libutil.a alone (and mm's test helpers), so that the tier is tested as
 * the library it is, above mm and below everything of the VMM: a test
 * that needed vmm/ would fail to link.  The page generator's suite
 * (fill) is here too: what it is for is what these libraries compress.
 */
#include <stdlib.h>

#include "tests/runner.h"

#define SWAP_SUITES(X) /* X(constructor, needs_kvm) */ \
	X(fill_suite, false)                           \
	X(zsmalloc_suite, false)                       \
	X(zswap_suite, false)                          \
	X(swap_map_suite, false)                       \
	X(tier_suite, false)                           \
	X(swapfile_suite, false)                       \
	X(swapfile_fs_suite, false)

SWAP_SUITES(SUITE_DECLARE)

static const struct suite_entry suites[] = {
	SWAP_SUITES(SUITE_ENTRY) /* the end: */ { NULL, false },
};

int main(void)
{
	return run_suites("check_swap", suites);
}
