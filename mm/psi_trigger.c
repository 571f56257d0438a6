// SPDX-License-Identifier: GPL-2.0
/*
 * PSI triggers (psi.h): "notify me when this much stall accumulates
 * within this window", with the kernel's rules and its growth tracking
 * (kernel/sched/psi.c: window_update(), update_triggers()).
 *
 * Where the kernel polls a group only while its polled states change
 * (and resets the windows when polling starts again), a group here is
 * polled every poll_period for as long as it has triggers: a window
 * then also holds stall from before a quiet spell shorter than itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/internal.h"
#include "mm/psi.h"

static void window_reset(struct psi_window *win, uint64_t now, uint64_t value,
			 uint64_t prev_growth)
{
	win->start_time = now;
	win->start_value = value;
	win->prev_growth = prev_growth;
}

/*
 * The stall within the window that ends now: what grew since the
 * window's start, plus the part of the previous window's growth that
 * the sliding window still covers, taken as linear (window_update()).
 */
static uint64_t window_update(struct psi_window *win, uint64_t now,
			      uint64_t value)
{
	uint64_t elapsed = now - win->start_time;
	uint64_t growth = value - win->start_value;

	if (elapsed > win->size)
		window_reset(win, now, value, growth);
	else
		growth += win->prev_growth * (win->size - elapsed) / win->size;
	return growth;
}

void __psi_poll_triggers(struct psi_group *g, uint64_t now,
			 struct psi_trigger_event *ev, unsigned int *nr_ev)
{
	bool update_total = false;

	for (int i = 0; i < PSI_GROUP_TRIGGERS; i++) {
		struct psi_trigger *t = &g->trigger[i];
		bool new_stall;

		if (!t->id)
			continue;
		new_stall = g->polling_total[t->state] != g->total[t->state];
		/* Nothing new, and no crossing waiting for its window. */
		if (!new_stall && !t->pending_event)
			continue;
		if (new_stall) {
			update_total = true;
			t->growth =
				window_update(&t->win, now, g->total[t->state]);
			if (!t->pending_event) {
				if (t->growth < t->threshold)
					continue;
				t->pending_event = true;
			}
		}
		/* At most one event per window: a crossing within the
		 * window of the last event waits for its end. */
		if (t->fired && now < t->last_event_time + t->win.size)
			continue;
		ev[*nr_ev] = (struct psi_trigger_event){
			.id = t->id,
			.state = t->state,
			.threshold_us = t->threshold / 1000,
			.window_us = t->win.size / 1000,
			.growth_us = t->growth / 1000,
			.total_us = g->total[t->state] / 1000,
		};
		(*nr_ev)++;
		t->fired = true;
		t->last_event_time = now;
		t->pending_event = false;
	}
	if (update_total)
		memcpy(g->polling_total, g->total, sizeof(g->polling_total));
}

int psi_trigger_parse(const char *text, enum psi_states *state,
		      uint64_t *threshold_us, uint64_t *window_us, char *err,
		      size_t errlen)
{
	char word[8], *end;
	const char *p = text;
	unsigned long long v[2];
	int n = 0, s;

	while (*p == ' ')
		p++;
	while (n < (int)sizeof(word) - 1 && *p && *p != ' ')
		word[n++] = *p++;
	word[n] = 0;
	s = psi_state_lookup(word);
	if (s < 0 || (*p && *p != ' ')) {
		snprintf(err, errlen,
			 "'%s': not \"some|full THRESHOLD_US WINDOW_US\"",
			 text);
		return -EINVAL;
	}
	for (int i = 0; i < 2; i++) {
		while (*p == ' ')
			p++;
		if (*p < '0' || *p > '9') {
			snprintf(err, errlen,
				 "'%s': the %s in microseconds is missing",
				 text, i ? "window" : "threshold");
			return -EINVAL;
		}
		errno = 0;
		v[i] = strtoull(p, &end, 10);
		if (errno || (*end && *end != ' ' && *end != '\n')) {
			snprintf(err, errlen, "'%s': bad number '%.*s'", text,
				 (int)strcspn(p, " \n"), p);
			return -EINVAL;
		}
		p = end;
	}
	while (*p == ' ' || *p == '\n')
		p++;
	if (*p) {
		snprintf(err, errlen, "'%s': more than a trigger", text);
		return -EINVAL;
	}
	*state = s;
	*threshold_us = v[0];
	*window_us = v[1];
	return 0;
}

/* Poll as often as the smallest window wants.  g->lock held. */
static void update_poll_period(struct psi_group *g)
{
	g->poll_period = 0;
	for (int i = 0; i < PSI_GROUP_TRIGGERS; i++) {
		uint64_t p = g->trigger[i].win.size / PSI_UPDATES_PER_WINDOW;

		if (g->trigger[i].id && (!g->poll_period || p < g->poll_period))
			g->poll_period = p;
	}
}

int psi_trigger_add(struct psi_group *g, unsigned int id, enum psi_states state,
		    uint64_t threshold_us, uint64_t window_us, uint64_t now)
{
	struct psi_trigger *t = NULL;

	if (!id || state >= NR_PSI_STATES || window_us < PSI_WINDOW_MIN_US ||
	    window_us > PSI_WINDOW_MAX_US || !threshold_us ||
	    threshold_us > window_us)
		return -EINVAL;
	pthread_mutex_lock(&g->lock);
	for (int i = 0; i < PSI_GROUP_TRIGGERS && !t; i++)
		if (!g->trigger[i].id)
			t = &g->trigger[i];
	if (!t) {
		pthread_mutex_unlock(&g->lock);
		return -ENOSPC;
	}
	__psi_record_times(g, now);
	*t = (struct psi_trigger){
		.id = id,
		.state = state,
		.threshold = threshold_us * 1000,
		.win.size = window_us * 1000,
	};
	window_reset(&t->win, now, g->total[state], 0);
	if (!g->nr_triggers++)
		memcpy(g->polling_total, g->total, sizeof(g->polling_total));
	update_poll_period(g);
	g->poll_next_update = now + g->poll_period;
	pthread_mutex_unlock(&g->lock);
	return 0;
}

bool psi_trigger_del(struct psi_group *g, unsigned int id)
{
	bool found = false;

	if (!id)
		return false;
	pthread_mutex_lock(&g->lock);
	for (int i = 0; i < PSI_GROUP_TRIGGERS; i++)
		if (g->trigger[i].id == id) {
			memset(&g->trigger[i], 0, sizeof(g->trigger[i]));
			g->nr_triggers--;
			found = true;
		}
	update_poll_period(g);
	pthread_mutex_unlock(&g->lock);
	return found;
}

unsigned int psi_trigger_list(struct psi_group *g, struct psi_trigger *out,
			      unsigned int max)
{
	unsigned int n = 0;

	pthread_mutex_lock(&g->lock);
	for (int i = 0; i < PSI_GROUP_TRIGGERS; i++)
		if (g->trigger[i].id) {
			if (n < max)
				out[n] = g->trigger[i];
			n++;
		}
	pthread_mutex_unlock(&g->lock);
	return n;
}
