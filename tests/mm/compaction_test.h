/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the compaction suites (tests/check_compaction_*.c): a
 * one-node pool, fragmented page by page by two fake guests
 * (tests/mm/fake_guest.c), and the checks after a run.
 */
#ifndef TESTS_COMPACTION_TEST_H
#define TESTS_COMPACTION_TEST_H

#include "tests/mm/fake_guest.h"

#define MIB 32 /* 16 pageblocks: enough to meet in the middle */

struct frag {
	struct mm_pool *pool;
	struct fake_guests fg;
};

/* A pool of mib MiB on one node, movable_mib of it ZONE_MOVABLE. */
struct mm_pool *pool_of(unsigned int mib, unsigned int movable_mib,
			bool no_pcp);
/*
 * Two guests take the pool page by page (consecutive frames, alternating
 * guests) until it refuses, then every frame with an odd pfn goes back:
 * each pageblock is half free, and no free block is larger than a page.
 */
void setup_fragmented(struct frag *s, unsigned int mib, gfp_t gfp);
/* No contract violation, contents intact, pool valid; then free it all. */
void teardown(struct frag *s);
/* Node 0's ZONE_NORMAL. */
struct zone *normal(struct mm_pool *pool);
/* How many order-9 blocks a light (no reclaim, no compaction) request
 * gets; they are freed again. */
unsigned int count_order9(struct mm_pool *pool);

#endif
