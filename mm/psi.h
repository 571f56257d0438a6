/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory pressure stall information, as Linux's kernel/sched/psi.c
 * measures it for /proc/pressure/memory (docs/pressure.md says what vmm
 * counts and where it differs).
 *
 * A group is a set of tasks: the vCPUs of one guest, or the vCPUs that
 * allocate on one pool node.  A task is productive (running, not
 * stalled), stalled on memory (in a memstall section: its fault waits
 * for direct reclaim, compaction, the OOM killer), or idle (parked by
 * its guest).  The group is in SOME while one of its tasks is stalled,
 * and in FULL while one is and none is productive:
 *
 *	SOME = nr_memstall != 0
 *	FULL = nr_memstall != 0 && nr_productive == 0
 *
 * so a group whose tasks are all idle has no FULL, and neither has one
 * with a task that runs while another stalls.  The time in each state
 * adds up to total= (in microseconds); every PSI_PERIOD_NS the state's
 * share of the period goes into the running averages avg10, avg60 and
 * avg300, with the kernel's fixed-point decay (EXP_10s, EXP_60s,
 * EXP_300s) and its handling of late and missed periods.  A group is
 * one run queue: the kernel's weighting of CPUs by their non-idle time
 * has no counterpart (a guest's vCPUs are its tasks).
 *
 * Triggers are the kernel's too: "some 150000 1000000" fires when 150 ms
 * of SOME stall accumulate within any 1 s window (windows of 500 ms to
 * 10 s, the threshold within the window), at most once per window,
 * checked ten times per window.
 *
 * The group functions take the time as an argument and read no clock
 * (a simulator drives them in virtual time, the tests with a fake one);
 * tasks read theirs through struct clock.
 *
 * Context: any thread; a group's lock is a leaf, taken by the functions
 * below; a task's lock is taken before its groups'.
 */
#ifndef MM_PSI_H
#define MM_PSI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mm/types.h"
#include "util/clock.h"

enum psi_states {
	PSI_MEM_SOME,
	PSI_MEM_FULL,
	NR_PSI_STATES,
};

enum psi_avgs {
	PSI_AVG10,
	PSI_AVG60,
	PSI_AVG300,
	NR_PSI_AVGS,
};

/* The kernel's PSI_FREQ, 2 s (it adds a jiffy; vmm has none). */
#define PSI_PERIOD_NS 2000000000ULL
/* Trigger windows, the kernel's bounds; checked UPDATES_PER_WINDOW
 * times per window. */
#define PSI_WINDOW_MIN_US 500000ULL
#define PSI_WINDOW_MAX_US 10000000ULL
#define PSI_UPDATES_PER_WINDOW 10
#define PSI_GROUP_TRIGGERS 8

/* "some" or "full", as /proc/pressure names the states. */
const char *psi_state_name(enum psi_states s);
/* The state called name, or -1. */
int psi_state_lookup(const char *name);

/* What /proc/pressure/memory says of a group. */
struct psi_stats {
	/* Percent of wall time, in hundredths as printed: 1234 is 12.34. */
	unsigned int avg[NR_PSI_STATES][NR_PSI_AVGS];
	uint64_t total_us[NR_PSI_STATES];
};

/* A growth tracking window (the kernel's struct psi_window). */
struct psi_window {
	uint64_t size; /* ns */
	uint64_t start_time, start_value, prev_growth;
};

struct psi_trigger {
	unsigned int id; /* the caller's; 0: a free slot */
	enum psi_states state;
	uint64_t threshold; /* ns of stall within the window */
	struct psi_window win;
	uint64_t growth; /* ns of stall in the window at the last poll */
	bool fired; /* last_event_time is set */
	uint64_t last_event_time;
	bool pending_event; /* threshold crossed within the last event's
			       window: fires when that window ends */
};

/* A trigger that fired (psi_group_tick()). */
struct psi_trigger_event {
	unsigned int id;
	enum psi_states state;
	uint64_t threshold_us, window_us;
	uint64_t growth_us; /* stall within the window when it fired */
	uint64_t total_us; /* the state's total then */
};

struct psi_group {
	pthread_mutex_t lock;
	/* Guarded by lock: */
	unsigned int nr_productive; /* running, not stalled here */
	unsigned int nr_memstall; /* stalled here */
	unsigned int state_mask; /* 1 << enum psi_states */
	uint64_t state_start; /* since when state_mask holds */
	uint64_t total[NR_PSI_STATES]; /* ns, up to state_start */
	/* The running averages (fixed point, FIXED_1 = 1 percent point). */
	uint64_t avg_total[NR_PSI_STATES]; /* of total, in the averages */
	uint64_t avg_last_update, avg_next_update;
	unsigned long avg[NR_PSI_STATES][NR_PSI_AVGS];
	/* Triggers, polled every poll_period while there are any. */
	struct psi_trigger trigger[PSI_GROUP_TRIGGERS];
	unsigned int nr_triggers;
	uint64_t poll_period, poll_next_update;
	uint64_t polling_total[NR_PSI_STATES]; /* total at the last poll */
};

/* -------------------------------------------------------------- groups */

/* A group with no tasks, its averages' clock started at now. */
void psi_group_init(struct psi_group *g, uint64_t now);
void psi_group_destroy(struct psi_group *g);
/* Tasks became (or stopped being) productive, stalled: the counts move
 * by these deltas at now, and the time since the last change goes to
 * the states the group was in. */
void psi_group_change(struct psi_group *g, int d_productive, int d_memstall,
		      uint64_t now);
/* What the group reads at now (its averages brought up to date first
 * when a period has ended, as reading /proc/pressure does). */
void psi_group_read(struct psi_group *g, uint64_t now, struct psi_stats *st);
/*
 * The periodic work at now: the averages when a period has ended, the
 * triggers when their poll is due.  Triggers that fire go into ev (room
 * for PSI_GROUP_TRIGGERS), their number into *nr_ev.  Returns when the
 * next work is due.
 */
uint64_t psi_group_tick(struct psi_group *g, uint64_t now,
			struct psi_trigger_event *ev, unsigned int *nr_ev);

/* The two lines of /proc/pressure/memory. */
void psi_show(const struct psi_stats *st, FILE *f);
/* An average of psi_stats as a number: 12.34 for 1234. */
static inline double psi_avg_percent(unsigned int hundredths)
{
	return hundredths / 100.0;
}

/* ------------------------------------------------------------ triggers */

/*
 * "some 150000 1000000" as written to /proc/pressure/memory: the state,
 * then the stall threshold and the window in microseconds.  0, or
 * -EINVAL with the reason in err.
 */
int psi_trigger_parse(const char *text, enum psi_states *state,
		      uint64_t *threshold_us, uint64_t *window_us, char *err,
		      size_t errlen);
/*
 * Watch the group: id (not 0) fires when threshold_us of the state's
 * stall accumulate within a window of window_us.  0; -EINVAL where the
 * kernel would refuse it (window not within 500 ms .. 10 s, threshold 0
 * or over the window); -ENOSPC: the group has PSI_GROUP_TRIGGERS.
 */
int psi_trigger_add(struct psi_group *g, unsigned int id, enum psi_states state,
		    uint64_t threshold_us, uint64_t window_us,
		    uint64_t now) __must_check;
/* Remove trigger id: true if the group had it. */
bool psi_trigger_del(struct psi_group *g, unsigned int id);
/* The group's triggers, up to max, into out; how many it has. */
unsigned int psi_trigger_list(struct psi_group *g, struct psi_trigger *out,
			      unsigned int max);

/* --------------------------------------------------------------- tasks */

/*
 * A task: one vCPU.  It counts in its guest's group, and in the group of
 * each pool node its guest allocates on; a stall counts in the guest's
 * group and in the group of the node the stalled allocation is for (in
 * the other nodes' groups the task is productive).
 */
struct psi_task {
	pthread_mutex_t lock;
	const struct clock *clock;
	struct psi_group *group; /* its guest's */
	struct psi_group *node[MAX_NUMNODES]; /* NULL: not a member */
	/* Guarded by lock: */
	bool active; /* started and not stopped */
	bool idle;
	unsigned int memstall; /* sections it is in (nested) */
	int stall_nid; /* the node of the outermost one */
	int tid; /* the thread that runs it (atomic), 0: none */
};

void psi_task_init(struct psi_task *t, const struct clock *clock,
		   struct psi_group *group);
/* It allocates on pool node nid too (before psi_task_start()). */
void psi_task_set_node(struct psi_task *t, int nid, struct psi_group *g);
/* Its thread tid runs it from now on, productive. */
void psi_task_start(struct psi_task *t, int tid);
/* It runs no more: out of its groups, whatever it was. */
void psi_task_stop(struct psi_task *t);
/* Its guest parks it (idle), or it runs again. */
void psi_task_idle(struct psi_task *t, bool idle);
static inline int psi_task_tid(const struct psi_task *t)
{
	return __atomic_load_n(&t->tid, __ATOMIC_ACQUIRE);
}
void psi_task_destroy(struct psi_task *t);

/* ---------------------------------------------------- memstall sections */

#define PSI_MAX_CURRENT 64

/*
 * The tasks this thread works for, as Linux's current: a guest's fault
 * thread names the vCPU whose fault it serves, and the vCPUs whose
 * faults wait behind it (NULL entries are skipped).  The array is the
 * caller's and must hold until it sets another (or none: NULL, 0).
 */
void psi_set_current(struct psi_task *const *tasks, unsigned int nr);
/*
 * A memory stall section, Linux's psi_memstall_enter()/leave(): from
 * enter to leave the thread's current tasks are stalled on memory, for
 * an allocation on pool node nid.  Sections nest (flags says whether
 * this one is inner); any layer may open one around what makes a task
 * wait for memory (the allocator's direct reclaim, direct compaction
 * and OOM kill; later the refault of a page of the cold tier).  A
 * thread without current tasks costs a thread-local load.
 */
void psi_memstall_enter(unsigned long *flags, int nid);
void psi_memstall_leave(unsigned long *flags);

#endif /* MM_PSI_H */
