/* SPDX-License-Identifier: GPL-2.0 */
/* Host settings the VMM depends on, checked (and raised, as root) once. */
#ifndef VMM_HOST_TUNE_H
#define VMM_HOST_TUNE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Guest RAM is one VMA per run of consecutive pool frames; with order-0
 * backing and ballooning a guest can need one per 4 KiB page.  Make sure
 * vm.max_map_count allows `mappings`; raise it when we may, and say so.
 * Returns the limit in force.
 */
uint64_t host_ensure_max_map_count(uint64_t mappings, bool quiet);

#endif
