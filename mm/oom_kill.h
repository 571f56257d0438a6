/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Choosing an OOM victim, as Linux's mm/oom_kill.c: the owner (a VM) with
 * the highest badness among those that can free memory where the failed
 * allocation needs it.  Killing and reaping are the VMM's business.
 */
#ifndef MM_OOM_KILL_H
#define MM_OOM_KILL_H

#include <stdio.h>

#include "mm/mm.h"

#define OOM_SCORE_ADJ_MIN (-1000)
#define OOM_SCORE_ADJ_MAX 1000

enum oom_constraint {
	CONSTRAINT_NONE,
	CONSTRAINT_MEMORY_POLICY, /* a nodemask narrower than the pool */
};

struct oom_candidate {
	uint16_t owner; /* VM id in the frames' reverse map */
	unsigned int id; /* the VM as users know it (the report); 0: owner */
	int oom_score_adj;
	bool exiting; /* already dying: wait for it instead */
	const char *name;
	/* Its pages in the cold tier, which a kill frees too (Linux's
	 * MM_SWAPENTS in oom_badness()). */
	unsigned long swapents;
	/* Filled in by oom_select_victim(): */
	unsigned long frames; /* frames owned on the allowed nodes */
	unsigned long total_frames;
	long points;
};

struct oom_victim {
	int index; /* into the candidates, -1: none */
	enum oom_constraint constraint;
	unsigned long totalpages; /* frames of the allowed nodes */
	bool wait; /* a victim is already exiting: don't kill another */
};

/*
 * Count each candidate's frames and pick the one with the most badness:
 * frames on the allowed nodes, plus oom_score_adj thousandths of those
 * nodes' memory; -1000 is never chosen.  Walks the frame table.
 */
void oom_select_victim(struct mm_pool *pool, const struct oom_control *oc,
		       struct oom_candidate *c, unsigned int n,
		       struct oom_victim *v);
/* Linux's OOM report: the request, the zones, the candidates, the kill. */
void oom_report(struct mm_pool *pool, const struct oom_control *oc,
		const struct oom_candidate *c, unsigned int n,
		const struct oom_victim *v, FILE *f);

#endif
