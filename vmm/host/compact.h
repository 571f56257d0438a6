/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compaction as the host offers it to its users (the control socket's
 * `compact` command): compact one node's zones whole, or every node's, as
 * writing /sys/devices/system/node/nodeN/compact or
 * /proc/sys/vm/compact_memory does (mm/compaction.h).
 *
 * Compaction moves guest pages through the pool's migrate_pages op, which
 * host_create() registers (migrate.c); host_compaction_available() checks
 * that it is there.
 *
 * Context: any thread but the event loop's (it may take long and pause
 * guests: the control socket runs it on its worker thread), no lock held.
 */
#ifndef VMM_HOST_COMPACT_H
#define VMM_HOST_COMPACT_H

#include <stdbool.h>
#include <stdint.h>

struct vmm_host;

struct host_compact_request {
	int node; /* pool node, -1: every node */
};

struct host_compact_result {
	uint64_t migrated; /* pages moved */
	uint64_t failed; /* pages that could not be (pgmigrate_fail) */
	uint64_t free; /* bytes free in the pool, after */
	uint64_t in_blocks_before, in_blocks_after; /* bytes of free memory in
						     * whole free pageblocks */
};

bool host_compaction_available(struct vmm_host *h);
/* 0, -EINVAL for a node the pool has not, -EOPNOTSUPP without an op. */
int host_compact(struct vmm_host *h, const struct host_compact_request *rq,
		 struct host_compact_result *res);
/* enum compact_result as text ("success", "skipped", ...). */
const char *compact_result_name(int result);

#endif /* VMM_HOST_COMPACT_H */
