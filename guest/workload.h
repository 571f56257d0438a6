/* SPDX-License-Identifier: GPL-2.0 */
/* The workload engine: runs a parsed script, phase by phase (vCPU 0). */
#ifndef GUEST_WORKLOAD_H
#define GUEST_WORKLOAD_H

#include "guest/script.h"
#include "guest/types.h"

/* Bytes of metadata the engine needs for ram_size (carved at boot). */
uint64_t workload_meta_bytes(uint64_t ram_size);
void workload_init(void *meta);
/* Runs the script; returns the exit status. */
int workload_run(const struct script *s);

/* The host took pfn back (balloon): it must come back zero. */
void workload_page_returned(uint64_t pfn);
/* The same for a whole 2 MiB chunk (pfn chunk-aligned). */
void workload_chunk_returned(uint64_t pfn);
/* Touched since boot and not given back: the host backs it. */
bool workload_page_used(uint64_t pfn);

#endif /* GUEST_WORKLOAD_H */
