// SPDX-License-Identifier: GPL-2.0
/* Compaction for the host's users (see compact.h). */
#include <errno.h>

#include "mm/compaction.h"
#include "vmm/host/host.h"
#include "vmm/host/compact.h"

bool host_compaction_available(struct vmm_host *h)
{
	return READ_ONCE(h->pool->ops.migrate_pages);
}

int host_compact(struct vmm_host *h, const struct host_compact_request *rq,
		 struct host_compact_result *res)
{
	struct mm_pool *pool = h->pool;
	unsigned long in_blocks, free;
	unsigned long failed = vm_event_sum(pool, PGMIGRATE_FAIL);
	long moved;

	*res = (struct host_compact_result){ 0 };
	if (rq->node >= (int)pool->nr_nodes)
		return -EINVAL;
	if (!host_compaction_available(h))
		return -EOPNOTSUPP;
	free_in_pageblocks(pool, &in_blocks, &free);
	res->in_blocks_before = (uint64_t)in_blocks << PAGE_SHIFT;
	moved = rq->node < 0 ? compact_memory(pool) :
			       compact_node(pool, rq->node);
	if (moved < 0)
		return (int)moved;
	free_in_pageblocks(pool, &in_blocks, &free);
	res->migrated = moved;
	/* Counters are pool-wide: failures of concurrent direct compaction
	 * count here too. */
	res->failed = vm_event_sum(pool, PGMIGRATE_FAIL) - failed;
	res->free = (uint64_t)free << PAGE_SHIFT;
	res->in_blocks_after = (uint64_t)in_blocks << PAGE_SHIFT;
	return 0;
}
