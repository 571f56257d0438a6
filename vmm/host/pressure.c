// SPDX-License-Identifier: GPL-2.0
/*
 * Memory pressure of the host's guests and pool nodes (pressure.h): the
 * nodes' groups, the thread that ages every group's averages and polls
 * its triggers, and what programs read (api.h).
 */
#include <errno.h>
#include <string.h>

#include "util/wait.h"
#include "vmm/host/events.h"
#include "vmm/host/internal.h"

static uint64_t host_now(void)
{
	return clock_now_ns(&clock_monotonic);
}

/* The group of guest id (0: of node nid); h->lock held. */
static struct psi_group *__pressure_group(struct vmm_host *h, unsigned int id,
					  int nid)
{
	struct vm *vm;

	if (!id)
		return nid >= 0 && nid < (int)h->pool->nr_nodes ?
			       &h->pressure.node[nid] :
			       NULL;
	vm = h->vm[__host_slot(h, id)];
	return vm ? &vm->psi : NULL;
}

/* Tick a group at now; its triggers that fired become events. */
static uint64_t tick(struct vmm_host *h, struct psi_group *g, struct vm *vm,
		     int nid, uint64_t now)
{
	struct psi_trigger_event ev[PSI_GROUP_TRIGGERS];
	unsigned int n;
	uint64_t next = psi_group_tick(g, now, ev, &n);

	for (unsigned int i = 0; i < n; i++)
		host_event_pressure(h, vm, nid, &ev[i]);
	return next;
}

/* Every group's periodic work; when the next is due. */
static uint64_t tick_all(struct vmm_host *h)
{
	uint64_t now = host_now(), next = now + PSI_PERIOD_NS, t;

	for (unsigned int nid = 0; nid < h->pool->nr_nodes; nid++) {
		t = tick(h, &h->pressure.node[nid], NULL, (int)nid, now);
		if (t < next)
			next = t;
	}
	/* The lock keeps each guest (and its group) from being freed. */
	pthread_mutex_lock(&h->lock);
	for (unsigned int slot = 1; slot <= VMM_MAX_GUESTS; slot++) {
		if (!h->vm[slot])
			continue;
		t = tick(h, &h->vm[slot]->psi, h->vm[slot], -1, now);
		if (t < next)
			next = t;
	}
	pthread_mutex_unlock(&h->lock);
	return next;
}

/*
 * Sleeps until the next group's work is due (the averages every 2 s,
 * the triggers a tenth of their window), or a new trigger comes.
 */
static void *pressure_thread(void *arg)
{
	struct vmm_host *h = arg;
	struct host_pressure *p = &h->pressure;

	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		uint64_t next, now;
		struct timespec ts;

		p->kick = false;
		pthread_mutex_unlock(&p->lock);
		next = tick_all(h);
		now = host_now();
		pthread_mutex_lock(&p->lock);
		if (p->stop || p->kick || next <= now)
			continue;
		deadline_after_ns(&ts, next - now);
		pthread_cond_timedwait(&p->cond, &p->lock, &ts);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int host_pressure_start(struct vmm_host *h)
{
	struct host_pressure *p = &h->pressure;
	uint64_t now = host_now();
	int ret;

	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		psi_group_init(&p->node[nid], now);
	pthread_mutex_init(&p->lock, NULL);
	p->next_trigger_id = 1;
	ret = cond_init_monotonic(&p->cond);
	if (ret)
		goto err_lock;
	ret = -pthread_create(&p->thread, NULL, pressure_thread, h);
	if (ret)
		goto err_cond;
	p->running = true;
	return 0;
err_cond:
	pthread_cond_destroy(&p->cond);
err_lock:
	pthread_mutex_destroy(&p->lock);
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		psi_group_destroy(&p->node[nid]);
	return ret;
}

void host_pressure_stop(struct vmm_host *h)
{
	struct host_pressure *p = &h->pressure;

	if (!p->running)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	p->running = false;
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		psi_group_destroy(&p->node[nid]);
}

int host_guest_pressure(struct vmm_host *h, unsigned int id,
			struct psi_stats *st)
{
	struct psi_group *g;

	if (!id)
		return -ENOENT;
	pthread_mutex_lock(&h->lock);
	g = __pressure_group(h, id, -1);
	if (g)
		psi_group_read(g, host_now(), st);
	pthread_mutex_unlock(&h->lock);
	return g ? 0 : -ENOENT;
}

int host_node_pressure(struct vmm_host *h, int nid, struct psi_stats *st)
{
	if (nid < 0 || nid >= (int)h->pool->nr_nodes)
		return -EINVAL;
	psi_group_read(&h->pressure.node[nid], host_now(), st);
	return 0;
}

int host_pressure_trigger_add(struct vmm_host *h, unsigned int id, int nid,
			      enum psi_states state, uint64_t threshold_us,
			      uint64_t window_us, unsigned int *trigger)
{
	struct host_pressure *p = &h->pressure;
	struct psi_group *g;
	unsigned int tid;
	int ret;

	pthread_mutex_lock(&p->lock);
	tid = p->next_trigger_id++;
	pthread_mutex_unlock(&p->lock);
	pthread_mutex_lock(&h->lock);
	g = __pressure_group(h, id, nid);
	ret = g	 ? psi_trigger_add(g, tid, state, threshold_us, window_us,
				   host_now()) :
	      id ? -ENOENT :
		   -EINVAL;
	pthread_mutex_unlock(&h->lock);
	if (ret)
		return ret;
	*trigger = tid;
	/* Its first poll is a tenth of its window away: the thread may be
	 * asleep for longer. */
	pthread_mutex_lock(&p->lock);
	p->kick = true;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

int host_pressure_trigger_del(struct vmm_host *h, unsigned int trigger)
{
	bool found = false;

	for (unsigned int nid = 0; nid < h->pool->nr_nodes && !found; nid++)
		found = psi_trigger_del(&h->pressure.node[nid], trigger);
	pthread_mutex_lock(&h->lock);
	for (unsigned int slot = 1; slot <= VMM_MAX_GUESTS && !found; slot++)
		if (h->vm[slot])
			found = psi_trigger_del(&h->vm[slot]->psi, trigger);
	pthread_mutex_unlock(&h->lock);
	return found ? 0 : -ENOENT;
}
