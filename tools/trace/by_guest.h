/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Latency distributions per guest: who stalled.  A guest is an id and the
 * name the trace gave it when the event came ("# vm=N name=..."), so an id
 * that a later guest reuses starts a new entry.  Events without a guest
 * (kswapd, a launch's boot memory, kcompactd) have none.
 */
#ifndef TOOLS_TRACE_BY_GUEST_H
#define TOOLS_TRACE_BY_GUEST_H

#include <jansson.h>
#include <stdio.h>

#include "tools/trace/dist.h"
#include "vmm/config/config.h"

struct lat_guest {
	unsigned int vm;
	char name[VMM_NAME_MAX]; /* "" when the trace never named it */
	struct dist *d; /* nr_dists of them */
};

struct lat_guests {
	struct lat_guest *g;
	unsigned int n, cap, nr_dists;
};

void lat_guests_init(struct lat_guests *gs, unsigned int nr_dists);
void lat_guests_destroy(struct lat_guests *gs);
/* Value v into distribution i of guest (vm, name); dropped silently when
 * out of memory (the overall distributions still have it). */
void lat_guests_add(struct lat_guests *gs, unsigned int vm, const char *name,
		    unsigned int i, uint64_t v);
/* One block per guest: each non-empty distribution on one line. */
void lat_guests_print(struct lat_guests *gs, const char *const *keys, FILE *f);
/* [{"vm", "name", "distributions": {key: {count, min, mean, p50, p90,
 * p99, p99.9, max}}}] */
json_t *lat_guests_json(struct lat_guests *gs, const char *const *keys);

#endif /* TOOLS_TRACE_BY_GUEST_H */
