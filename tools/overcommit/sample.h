/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Samples of a running overcommit scenario, every run.sample_interval:
 * per pool node free memory against min/low/high and its fragmentation
 * score (nodes.csv), per guest backed memory and balloon (guests.csv),
 * both with their memory pressure (pressure.h), the pool's host
 * footprint as the kernel counts it, how KVM maps the guests (its own
 * statistics: the share in 2 MiB entries) and how much guest memory sits
 * in whole pageblocks (pool.csv), the same figures as trace events
 * (node_free, vm_mem) for the Chrome export, and the progress line.
 *
 * Context: the runner's event loop thread.
 */
#ifndef TOOLS_OVERCOMMIT_SAMPLE_H
#define TOOLS_OVERCOMMIT_SAMPLE_H

#include <stdio.h>

#include "tools/overcommit/result.h"
#include "vmm/host/api.h"

struct sampler {
	FILE *nodes, *guests, *pool;
	FILE *progress; /* NULL: no progress line */
	bool tty; /* refresh one line in place */
	uint64_t last_progress;
	unsigned int width; /* of the terminal */
	bool line_open; /* a progress line without its newline */
};

int sampler_open(struct sampler *s, const char *dir, FILE *progress, char *err,
		 size_t errlen);
/* Take one sample at now_ns (from the run's start). */
void sampler_take(struct sampler *s, struct vmm_host *h, struct oc_result *r,
		  uint64_t now_ns);
/* The progress line, at most every 200 ms on a terminal, 1 s otherwise
 * (force: now). */
void sampler_progress(struct sampler *s, struct vmm_host *h,
		      struct oc_result *r, uint64_t now_ns, bool force);
/* End the progress line before other output. */
void sampler_break_line(struct sampler *s);
/* 0, or -EIO if a CSV could not be written. */
int sampler_close(struct sampler *s);

#endif /* TOOLS_OVERCOMMIT_SAMPLE_H */
