// SPDX-License-Identifier: GPL-2.0
/* OOM victim selection and the report, after mm/oom_kill.c. */
#include <stdlib.h>

#include "mm/internal.h"
#include "mm/oom_kill.h"

static bool node_allowed(const struct oom_control *oc, int nid)
{
	return !oc->nodemask || node_isset(nid, oc->nodemask);
}

static void count_frames(struct mm_pool *pool, const struct oom_control *oc,
			 struct oom_candidate *c, unsigned int n)
{
	int slot[FRAME_OWNER_MAX + 1];

	for (unsigned int i = 0; i <= FRAME_OWNER_MAX; i++)
		slot[i] = -1;
	for (unsigned int i = 0; i < n; i++) {
		c[i].frames = c[i].total_frames = 0;
		slot[c[i].owner] = i;
	}
	/* Racy reads: owners change while we count, which only blurs the
	 * estimate, as Linux's get_mm_rss() does. */
	for (pfn_t p = 0; p < pool->nr_frames; p++) {
		uint16_t owner = READ_ONCE(pool->frames[p].owner);
		int i;

		if (owner == FRAME_OWNER_NONE || (i = slot[owner]) < 0)
			continue;
		c[i].total_frames++;
		if (node_allowed(oc, pool->frames[p].zone / MAX_NR_ZONES))
			c[i].frames++;
	}
}

void oom_select_victim(struct mm_pool *pool, const struct oom_control *oc,
		       struct oom_candidate *c, unsigned int n,
		       struct oom_victim *v)
{
	long best = 0;

	v->index = -1;
	v->wait = false;
	v->totalpages = 0;
	v->constraint = CONSTRAINT_NONE;
	for (unsigned int nid = 0; nid < pool->nr_nodes; nid++) {
		if (node_allowed(oc, nid))
			v->totalpages +=
				pool->node_data[nid].node_spanned_pages;
		else
			v->constraint = CONSTRAINT_MEMORY_POLICY;
	}
	count_frames(pool, oc, c, n);
	for (unsigned int i = 0; i < n; i++) {
		long adj = c[i].oom_score_adj;

		c[i].points = 0;
		/* A victim on its way out will free its memory: wait. */
		if (c[i].exiting && c[i].frames) {
			v->wait = true;
			v->index = -1;
			return;
		}
		if (adj <= OOM_SCORE_ADJ_MIN || !c[i].frames)
			continue;
		if (adj > OOM_SCORE_ADJ_MAX)
			adj = OOM_SCORE_ADJ_MAX;
		/* oom_badness(): rss and swap entries, adjusted by
		 * thousandths of memory; anything eligible scores at least
		 * 1. */
		c[i].points = (long)(c[i].frames + c[i].swapents) +
			      adj * (long)(v->totalpages / 1000);
		if (c[i].points < 1)
			c[i].points = 1;
		if (c[i].points > best) {
			best = c[i].points;
			v->index = i;
		}
	}
}

static const char *const constraint_text[] = {
	[CONSTRAINT_NONE] = "CONSTRAINT_NONE",
	[CONSTRAINT_MEMORY_POLICY] = "CONSTRAINT_MEMORY_POLICY",
};

/* The VM as the report names it. */
static unsigned int user_id(const struct oom_candidate *c)
{
	return c->id ? c->id : c->owner;
}

void oom_report(struct mm_pool *pool, const struct oom_control *oc,
		const struct oom_candidate *c, unsigned int n,
		const struct oom_victim *v, FILE *f)
{
	char gfp[160];

	fprintf(f,
		"vmm invoked oom-killer: gfp_mask=%#x(%s), order=%u, oom_score_adj=0\n",
		oc->gfp_mask, gfp_flags_str(oc->gfp_mask, gfp, sizeof(gfp)),
		oc->order);
	/* As Linux says "Memory cgroup out of memory" for a limit. */
	if (oc->offline_pages)
		fprintf(f,
			"Host memory limit: %lu kB more of the pool must go offline\n",
			oc->offline_pages * 4);
	fprintf(f, "Mem-Info:\n");
	show_free_areas(pool, f);
	fprintf(f, "Tasks state (memory values in pages):\n");
	fprintf(f,
		"[  vm  ]      frames   node-frames  swapents  oom_score_adj  points name\n");
	for (unsigned int i = 0; i < n; i++)
		fprintf(f, "[%6u] %11lu %13lu %9lu %14d %7ld %s\n",
			user_id(&c[i]), c[i].total_frames, c[i].frames,
			c[i].swapents, c[i].oom_score_adj, c[i].points,
			c[i].name ? c[i].name : "");
	fprintf(f, "oom-kill:constraint=%s,nodemask=",
		constraint_text[v->constraint]);
	if (oc->nodemask)
		fprintf(f, "%#x", oc->nodemask->bits);
	else
		fprintf(f, "(null)");
	if (v->index >= 0) {
		const struct oom_candidate *k = &c[v->index];

		fprintf(f, ",task=%s,vm=%u\n", k->name ? k->name : "",
			user_id(k));
		fprintf(f,
			"Out of memory: Killed vm %u (%s) total-frames:%lukB node-frames:%lukB oom_score_adj:%d\n",
			user_id(k), k->name ? k->name : "", k->total_frames * 4,
			k->frames * 4, k->oom_score_adj);
	} else {
		fprintf(f, "\n%s\n",
			v->wait ? "Out of memory: a victim is already exiting" :
				  "Out of memory and no killable vm");
	}
}
