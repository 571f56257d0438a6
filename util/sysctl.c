// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdio.h>

#include "util/sysctl.h"

#define MAX_MAP_COUNT "/proc/sys/vm/max_map_count"

uint64_t host_max_map_count(void)
{
	uint64_t cur = 0;
	FILE *f = fopen(MAX_MAP_COUNT, "re");

	if (f) {
		if (fscanf(f, "%" SCNu64, &cur) != 1)
			cur = 0;
		fclose(f);
	}
	return cur;
}

uint64_t host_nr_mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char buf[65536];
	uint64_t n = 0;
	size_t got;

	if (!f)
		return 0;
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
		for (size_t i = 0; i < got; i++)
			n += buf[i] == '\n';
	fclose(f);
	return n;
}

uint64_t host_ensure_max_map_count(uint64_t mappings, bool quiet)
{
	uint64_t cur = host_max_map_count();
	FILE *f;

	if (cur >= mappings)
		return cur;
	f = fopen(MAX_MAP_COUNT, "we");
	if (f && fprintf(f, "%" PRIu64 "\n", mappings) > 0 && !fclose(f)) {
		if (!quiet)
			printf("vmm: raised %s from %" PRIu64 " to %" PRIu64
			       " (guest RAM may need one mapping per page)\n",
			       MAX_MAP_COUNT, cur, mappings);
		return mappings;
	}
	if (f)
		fclose(f);
	if (!quiet)
		fprintf(stderr,
			"vmm: warning: %s is %" PRIu64
			" and cannot be raised; order-0 guest memory may fail to map beyond that\n",
			MAX_MAP_COUNT, cur);
	return cur;
}
