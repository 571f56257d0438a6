/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compaction as the host offers it to its users (the control socket's
 * `compact` command): compact one node's zones, or all, for an order or
 * completely (like writing /proc/sys/vm/compact_memory).
 *
 * The compaction code plugs in by setting h->compact at host_create (once
 * mm/compaction.c and the migrate_pages op exist); until then compaction
 * is not available and the command says so.  The function runs on the
 * control socket's worker thread, never on the event loop's: it may take
 * long and pause guests.  It reports progress with host_event_compaction()
 * (kind HOST_COMPACT_MANUAL); the command reports begin and end itself.
 */
#ifndef VMM_HOST_COMPACT_H
#define VMM_HOST_COMPACT_H

#include <stdbool.h>
#include <stdint.h>

struct vmm_host;

struct host_compact_request {
	int node; /* pool node, -1: every node */
	int order; /* compact until this order is free, -1: whole zones */
};

struct host_compact_result {
	int result; /* enum compact_result */
	uint64_t migrated, failed; /* pages */
	uint64_t free_blocks_before, free_blocks_after; /* whole pageblocks */
};

typedef int (*host_compact_fn)(struct vmm_host *h,
			       const struct host_compact_request *req,
			       struct host_compact_result *res);

/* enum compact_result as text ("success", "skipped", ...). */
const char *compact_result_name(int result);

#endif /* VMM_HOST_COMPACT_H */
