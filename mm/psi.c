// SPDX-License-Identifier: GPL-2.0
/*
 * Pressure stall groups (psi.h): the states of a group's tasks, the time
 * spent in each, and the running averages, with the formulas of Linux's
 * kernel/sched/psi.c and kernel/sched/loadavg.c.
 */
#include <inttypes.h>
#include <string.h>

#include "mm/internal.h"
#include "mm/psi.h"

/* Fixed point of the averages (include/linux/sched/loadavg.h). */
#define FSHIFT 11
#define FIXED_1 (1UL << FSHIFT)
#define LOAD_INT(x) ((x) >> FSHIFT)
#define LOAD_FRAC(x) LOAD_INT(((x) & (FIXED_1 - 1)) * 100)

/* 1/exp(2s/10s), 1/exp(2s/60s), 1/exp(2s/300s) in fixed point. */
static const unsigned long psi_exp[NR_PSI_AVGS] = { 1677, 1981, 2034 };

static const char *const state_names[NR_PSI_STATES] = {
	[PSI_MEM_SOME] = "some",
	[PSI_MEM_FULL] = "full",
};

const char *psi_state_name(enum psi_states s)
{
	return s < NR_PSI_STATES ? state_names[s] : "?";
}

int psi_state_lookup(const char *name)
{
	for (int s = 0; s < NR_PSI_STATES; s++)
		if (!strcmp(name, state_names[s]))
			return s;
	return -1;
}

/* One step of an exponential moving average (calc_load()). */
static unsigned long calc_load(unsigned long load, unsigned long exp,
			       unsigned long active)
{
	unsigned long newload = load * exp + active * (FIXED_1 - exp);

	if (active >= load)
		newload += FIXED_1 - 1;
	return newload / FIXED_1;
}

/* x^n in fixed point with frac_bits, in O(log n) (fixed_power_int()). */
static unsigned long fixed_power_int(unsigned long x, unsigned int frac_bits,
				     unsigned int n)
{
	unsigned long result = 1UL << frac_bits;

	if (!n)
		return result;
	for (;;) {
		if (n & 1) {
			result *= x;
			result += 1UL << (frac_bits - 1);
			result >>= frac_bits;
		}
		n >>= 1;
		if (!n)
			break;
		x *= x;
		x += 1UL << (frac_bits - 1);
		x >>= frac_bits;
	}
	return result;
}

/* n steps at once (calc_load_n()). */
static unsigned long calc_load_n(unsigned long load, unsigned long exp,
				 unsigned long active, unsigned int n)
{
	return calc_load(load, fixed_power_int(exp, FSHIFT, n), active);
}

/* Periods without a sample decay towards 0, then the last one counts
 * with its share of stall (calc_avgs()). */
static void calc_avgs(unsigned long avg[NR_PSI_AVGS], uint64_t missed_periods,
		      uint64_t time, uint64_t period)
{
	unsigned int missed = missed_periods > UINT32_MAX ? UINT32_MAX :
							    missed_periods;
	unsigned long pct;

	if (missed)
		for (int i = 0; i < NR_PSI_AVGS; i++)
			avg[i] = calc_load_n(avg[i], psi_exp[i], 0, missed);
	pct = period ? time * 100 / period : 0;
	pct *= FIXED_1;
	for (int i = 0; i < NR_PSI_AVGS; i++)
		avg[i] = calc_load(avg[i], psi_exp[i], pct);
}

static unsigned int state_mask_of(const struct psi_group *g)
{
	unsigned int mask = 0;

	if (g->nr_memstall) {
		mask |= 1U << PSI_MEM_SOME;
		if (!g->nr_productive)
			mask |= 1U << PSI_MEM_FULL;
	}
	return mask;
}

/*
 * The time since state_start goes to the states the group is in.  A
 * time before state_start (another thread read the clock later but took
 * the lock first) adds nothing.  g->lock held.
 */
void __psi_record_times(struct psi_group *g, uint64_t now)
{
	uint64_t delta;

	if (now <= g->state_start)
		return;
	delta = now - g->state_start;
	g->state_start = now;
	for (int s = 0; s < NR_PSI_STATES; s++)
		if (g->state_mask & (1U << s))
			g->total[s] += delta;
}

/*
 * A period (or more) has ended: fold the stall since the last update
 * into the averages.  The schedule stays on whole periods from the
 * group's start however late the update comes; periods that passed
 * without an update count as stall-free and the stall of all of them
 * lands in the last, clamped to its length, the rest carried over
 * (update_averages()).  Returns when the next period ends.  g->lock
 * held, times recorded up to now.
 */
static uint64_t update_averages(struct psi_group *g, uint64_t now)
{
	uint64_t expires = g->avg_next_update, missed_periods = 0, period;
	uint64_t next;

	if (now - expires >= PSI_PERIOD_NS)
		missed_periods = (now - expires) / PSI_PERIOD_NS;
	next = expires + (1 + missed_periods) * PSI_PERIOD_NS;
	period = now - (g->avg_last_update + missed_periods * PSI_PERIOD_NS);
	g->avg_last_update = now;
	for (int s = 0; s < NR_PSI_STATES; s++) {
		uint64_t sample = g->total[s] - g->avg_total[s];

		if (sample > period)
			sample = period;
		g->avg_total[s] += sample;
		calc_avgs(g->avg[s], missed_periods, sample, period);
	}
	return next;
}

void psi_group_init(struct psi_group *g, uint64_t now)
{
	memset(g, 0, sizeof(*g));
	pthread_mutex_init(&g->lock, NULL);
	g->state_start = now;
	g->avg_last_update = now;
	g->avg_next_update = now + PSI_PERIOD_NS;
}

void psi_group_destroy(struct psi_group *g)
{
	pthread_mutex_destroy(&g->lock);
}

/* Add d to a count that may not go below 0. */
static void count_add(unsigned int *n, int d)
{
	if (d < 0 && (unsigned int)-d > *n)
		*n = 0;
	else
		*n += d;
}

void psi_group_change(struct psi_group *g, int d_productive, int d_memstall,
		      uint64_t now)
{
	pthread_mutex_lock(&g->lock);
	__psi_record_times(g, now);
	count_add(&g->nr_productive, d_productive);
	count_add(&g->nr_memstall, d_memstall);
	g->state_mask = state_mask_of(g);
	pthread_mutex_unlock(&g->lock);
}

/* Times and averages up to now.  g->lock held. */
static void __psi_group_update(struct psi_group *g, uint64_t now)
{
	__psi_record_times(g, now);
	if (now >= g->avg_next_update)
		g->avg_next_update = update_averages(g, now);
}

void psi_group_read(struct psi_group *g, uint64_t now, struct psi_stats *st)
{
	pthread_mutex_lock(&g->lock);
	__psi_group_update(g, now);
	for (int s = 0; s < NR_PSI_STATES; s++) {
		for (int i = 0; i < NR_PSI_AVGS; i++)
			st->avg[s][i] = LOAD_INT(g->avg[s][i]) * 100 +
					LOAD_FRAC(g->avg[s][i]);
		st->total_us[s] = g->total[s] / 1000;
	}
	pthread_mutex_unlock(&g->lock);
}

uint64_t psi_group_tick(struct psi_group *g, uint64_t now,
			struct psi_trigger_event *ev, unsigned int *nr_ev)
{
	uint64_t next;

	*nr_ev = 0;
	pthread_mutex_lock(&g->lock);
	__psi_group_update(g, now);
	next = g->avg_next_update;
	if (g->nr_triggers) {
		if (now >= g->poll_next_update) {
			__psi_poll_triggers(g, now, ev, nr_ev);
			g->poll_next_update = now + g->poll_period;
		}
		if (g->poll_next_update < next)
			next = g->poll_next_update;
	}
	pthread_mutex_unlock(&g->lock);
	return next;
}

void psi_show(const struct psi_stats *st, FILE *f)
{
	for (int s = 0; s < NR_PSI_STATES; s++)
		fprintf(f,
			"%s avg10=%u.%02u avg60=%u.%02u avg300=%u.%02u total=%" PRIu64
			"\n",
			state_names[s], st->avg[s][PSI_AVG10] / 100,
			st->avg[s][PSI_AVG10] % 100,
			st->avg[s][PSI_AVG60] / 100,
			st->avg[s][PSI_AVG60] % 100,
			st->avg[s][PSI_AVG300] / 100,
			st->avg[s][PSI_AVG300] % 100, st->total_us[s]);
}
