// SPDX-License-Identifier: GPL-2.0
/*
 * PSI tasks and memstall sections (psi.h): a task's state changes move
 * the counts of every group it is in, and a thread stalls the tasks it
 * works for while it is in a section.
 */
#include <string.h>

#include "mm/psi.h"

/* Groups of a task: its guest's ([0]), then one per pool node. */
#define TASK_GROUPS (1 + MAX_NUMNODES)

struct task_counts {
	int productive, stalled;
};

static struct psi_group *task_group(const struct psi_task *t, int i)
{
	return i ? t->node[i - 1] : t->group;
}

/* What t counts for in each of its groups now.  t->lock held. */
static void task_counts(const struct psi_task *t, struct task_counts *c)
{
	for (int i = 0; i < TASK_GROUPS; i++) {
		/* A stall counts where its allocation is: in its guest,
		 * and on the node it is for. */
		bool stalled = t->active && t->memstall &&
			       (!i || t->stall_nid == i - 1);

		c[i].stalled = stalled;
		c[i].productive = t->active && !t->idle && !stalled;
	}
}

/* t changed since before was taken: its groups follow.  t->lock held. */
static void task_commit(struct psi_task *t, const struct task_counts *before)
{
	struct task_counts after[TASK_GROUPS];
	uint64_t now = clock_now_ns(t->clock);

	task_counts(t, after);
	for (int i = 0; i < TASK_GROUPS; i++) {
		struct psi_group *g = task_group(t, i);
		int dp = after[i].productive - before[i].productive;
		int ds = after[i].stalled - before[i].stalled;

		if (g && (dp || ds))
			psi_group_change(g, dp, ds, now);
	}
}

void psi_task_init(struct psi_task *t, const struct clock *clock,
		   struct psi_group *group)
{
	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	t->clock = clock;
	t->group = group;
	t->stall_nid = -1;
}

void psi_task_set_node(struct psi_task *t, int nid, struct psi_group *g)
{
	if (nid >= 0 && nid < MAX_NUMNODES)
		t->node[nid] = g;
}

void psi_task_start(struct psi_task *t, int tid)
{
	struct task_counts before[TASK_GROUPS];

	pthread_mutex_lock(&t->lock);
	task_counts(t, before);
	t->active = true;
	t->idle = false;
	task_commit(t, before);
	__atomic_store_n(&t->tid, tid, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&t->lock);
}

void psi_task_stop(struct psi_task *t)
{
	struct task_counts before[TASK_GROUPS];

	pthread_mutex_lock(&t->lock);
	__atomic_store_n(&t->tid, 0, __ATOMIC_RELEASE);
	task_counts(t, before);
	t->active = false;
	task_commit(t, before);
	pthread_mutex_unlock(&t->lock);
}

void psi_task_idle(struct psi_task *t, bool idle)
{
	struct task_counts before[TASK_GROUPS];

	pthread_mutex_lock(&t->lock);
	task_counts(t, before);
	t->idle = idle;
	task_commit(t, before);
	pthread_mutex_unlock(&t->lock);
}

void psi_task_destroy(struct psi_task *t)
{
	pthread_mutex_destroy(&t->lock);
}

/* t enters (or leaves) a section for an allocation on node nid. */
static void task_memstall(struct psi_task *t, bool enter, int nid)
{
	struct task_counts before[TASK_GROUPS];

	pthread_mutex_lock(&t->lock);
	task_counts(t, before);
	if (enter) {
		if (!t->memstall++)
			t->stall_nid = nid;
	} else if (t->memstall && !--t->memstall) {
		t->stall_nid = -1;
	}
	task_commit(t, before);
	pthread_mutex_unlock(&t->lock);
}

/* The thread's context, as Linux's current and its in_memstall. */
static __thread struct {
	struct psi_task *const *tasks;
	unsigned int nr;
	bool in_memstall;
	/* The tasks the open section stalled: those it leaves. */
	unsigned int nr_stalled;
	struct psi_task *stalled[PSI_MAX_CURRENT];
} current_psi;

void psi_set_current(struct psi_task *const *tasks, unsigned int nr)
{
	current_psi.tasks = tasks;
	current_psi.nr = tasks ? nr : 0;
}

void psi_memstall_enter(unsigned long *flags, int nid)
{
	unsigned int n = 0;

	if (likely(!current_psi.nr) || current_psi.in_memstall) {
		*flags = 1;
		return;
	}
	*flags = 0;
	current_psi.in_memstall = true;
	for (unsigned int i = 0; i < current_psi.nr && n < PSI_MAX_CURRENT; i++)
		if (current_psi.tasks[i])
			current_psi.stalled[n++] = current_psi.tasks[i];
	current_psi.nr_stalled = n;
	for (unsigned int i = 0; i < n; i++)
		task_memstall(current_psi.stalled[i], true, nid);
}

void psi_memstall_leave(unsigned long *flags)
{
	if (*flags)
		return;
	for (unsigned int i = 0; i < current_psi.nr_stalled; i++)
		task_memstall(current_psi.stalled[i], false, -1);
	current_psi.nr_stalled = 0;
	current_psi.in_memstall = false;
}
