/* SPDX-License-Identifier: GPL-2.0 */
/* Host settings the VMM depends on, checked (and raised, as root) once. */
#ifndef UTIL_SYSCTL_H
#define UTIL_SYSCTL_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Guest RAM is one VMA per run of consecutive pool frames; with order-0
 * backing and ballooning a guest can need one per 4 KiB page.  Make sure
 * vm.max_map_count allows `mappings`; raise it when we may, and say so.
 * Returns the limit in force.
 */
uint64_t host_ensure_max_map_count(uint64_t mappings, bool quiet);
/* What vm.max_map_count a pool of pool_pages frames may need: every
 * guest page its own mapping, twice over for balloon placeholders
 * splitting runs. */
static inline uint64_t host_map_count_for(uint64_t pool_pages)
{
	return 2 * pool_pages + 65536;
}
/* vm.max_map_count now (0: unknown), and the mappings this process has
 * (the lines of /proc/self/maps: costly with many). */
uint64_t host_max_map_count(void);
uint64_t host_nr_mappings(void);

#endif
