/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's page-frame allocator: per guest NUMA node, a free bitmap and
 * a free count per 2 MiB chunk.  The metadata (72 bytes per 2 MiB) is
 * carved at boot right after the kernel image, never from the pages it
 * manages: a managed page's first touch is what faults it in on the host.
 *
 * Workload allocations fill partly used chunks first, so whole free
 * chunks stay whole for the balloon (palloc_alloc_chunk).
 * Context: all calls take the allocator's spinlock; any vCPU.
 */
#ifndef GUEST_PALLOC_H
#define GUEST_PALLOC_H

#include "guest/types.h"

/* Carve the metadata (plus extra bytes for the caller, zeroed, returned in
 * *extra_out) and build the free maps from the boot info. */
int palloc_init(uint64_t extra, void **extra_out);
/* Up to max contiguous pages from one chunk of node; 0 when it is full. */
uint32_t palloc_alloc_run(unsigned int node, uint32_t max, uint64_t *pfn);
/* The same from chunks outside the pinned range (the balloon's). */
uint32_t palloc_alloc_run_unpinned(unsigned int node, uint32_t max,
				   uint64_t *pfn);
/* A whole free 2 MiB chunk (the balloon takes these first); pinned chunks
 * are skipped when skip_pinned. */
bool palloc_alloc_chunk(unsigned int node, bool skip_pinned, uint64_t *pfn);
void palloc_free(uint64_t pfn, uint32_t n);
/* Take this very page if it is free and not pinned. */
bool palloc_take(uint64_t pfn);
/* Free page reporting: take a whole free chunk the host was not yet told
 * about, and give it back marked as reported (until next allocated). */
bool palloc_take_unreported_chunk(unsigned int node, uint64_t *pfn);
void palloc_return_reported_chunk(uint64_t pfn);
uint64_t palloc_nr_free(unsigned int node);
uint64_t palloc_nr_whole_chunks(unsigned int node);
/* Lowest pfn the allocator manages (everything below is kernel/metadata). */
uint64_t palloc_first_pfn(void);
unsigned int palloc_nr_nodes(void);
int palloc_node_of(uint64_t pfn);

#endif /* GUEST_PALLOC_H */
