/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the host's own files share (the .c files of vmm/host/), beside
 * struct vmm_host in host.h: nothing here is for the host's users.
 */
#ifndef VMM_HOST_INTERNAL_H
#define VMM_HOST_INTERNAL_H

#include <stdio.h>

#include "vmm/host/host.h"

struct vm_balloon;

/*
 * The slot of guest id, 0 if there is none (vm[0] and balloon[0] are
 * never used: NULL).  Context: h->lock held.
 */
unsigned int __host_slot(struct vmm_host *h, unsigned int id);

/*
 * The allocator's ops over this host's guests (mm_ops.c): reverse-map
 * checks, the OOM killer, page migration, and kswapd and direct reclaim
 * once the reclaimer runs.  Context: host_create(), once.
 */
void host_set_mm_ops(struct vmm_host *h);

/* The memory of guest slot owner if its pages may be moved or swapped
 * (alive, not stopping), else NULL.  Context: h->reap_lock held. */
struct guest_mem *__host_live_mem(struct vmm_host *h, unsigned int owner);

/* Compaction's side in the host (migrate.c): sets the migrate_pages op,
 * which moves guests' pages in short pauses. */
void host_migrate_init(struct mm_ops *ops);

/*
 * How a guest ended, as `vmm run` prints it (report.c): its exit, memory,
 * integrity, boot and phases, KVM's mappings, its balloon b (if any) and
 * the pool's footprint.  Context: the thread that owns the host, the
 * guest stopped and not yet freed.
 */
void host_report_guest(struct vmm_host *h, struct vm *vm, struct vm_balloon *b,
		       FILE *f);

/*
 * A tracing session's memory sample (trace_sample.c), h its host: every
 * node's free pages (and watermarks when they changed), every guest's
 * backed pages and balloon, as trace events.  Context: the session's
 * sampler thread, or its start and stop (h->lock not held).
 */
void host_trace_sample(void *h);

#endif /* VMM_HOST_INTERNAL_H */
