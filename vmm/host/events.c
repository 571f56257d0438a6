// SPDX-License-Identifier: GPL-2.0
/* Host events for the control socket (see events.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "vmm/guest_mem/guest_mem.h"
#include "vmm/host/host.h"
#include "vmm/host/events.h"

static const char *const host_event_names[NR_HOST_EVENTS] = {
#define X(id, name) [id] = name,
	HOST_EVENTS(X)
#undef X
};

const char *host_event_name(enum host_event_type type)
{
	return type < NR_HOST_EVENTS ? host_event_names[type] : "UNKNOWN";
}

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static struct host_events *listening(struct vmm_host *h)
{
	struct host_events *e = __atomic_load_n(&h->events, __ATOMIC_ACQUIRE);

	return e && __atomic_load_n(&e->on, __ATOMIC_RELAXED) ? e : NULL;
}

void host_event_post(struct vmm_host *h, struct host_event *ev)
{
	struct host_events *e = listening(h);
	bool was_empty;

	if (!e)
		return;
	if (!ev->wall_ns)
		ev->wall_ns = wall_ns();
	pthread_mutex_lock(&e->lock);
	was_empty = !e->len && !e->lost;
	if (e->len == HOST_EVENT_QUEUE) {
		e->lost++;
	} else {
		e->q[(e->head + e->len) % HOST_EVENT_QUEUE] = *ev;
		e->len++;
	}
	pthread_mutex_unlock(&e->lock);
	/* Only the first event wakes the loop: it drains them all. */
	if (was_empty) {
		uint64_t one = 1;

		if (write(e->efd, &one, sizeof(one)) < 0) {
			/* saturated: the loop is awake anyway */
		}
	}
}

unsigned int host_events_take(struct vmm_host *h, struct host_event *out,
			      unsigned int max, uint64_t *lost)
{
	struct host_events *e = h->events;
	unsigned int n = 0;
	bool more;
	uint64_t v;

	*lost = 0;
	if (!e)
		return 0;
	if (read(e->efd, &v, sizeof(v)) < 0) {
		/* EAGAIN: nothing signalled, look anyway */
	}
	pthread_mutex_lock(&e->lock);
	while (n < max && e->len) {
		out[n++] = e->q[e->head];
		e->head = (e->head + 1) % HOST_EVENT_QUEUE;
		e->len--;
	}
	*lost = e->lost;
	e->lost = 0;
	more = e->len;
	pthread_mutex_unlock(&e->lock);
	/* More than max waiting: stay readable for the next round. */
	if (more) {
		uint64_t one = 1;

		if (write(e->efd, &one, sizeof(one)) < 0) {
			/* saturated: still readable */
		}
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* Events the allocator and kswapd trace, through the ring's probe.    */

#define PROBED_EVENTS                                                     \
	(TRACE_BIT(TR_KSWAPD_WAKE) | TRACE_BIT(TR_KSWAPD_SLEEP) |         \
	 TRACE_BIT(TR_DIRECT_RECLAIM_END) | TRACE_BIT(TR_COMPACT_BEGIN) | \
	 TRACE_BIT(TR_COMPACT_END) | TRACE_BIT(TR_KCOMPACTD_WAKE) |       \
	 TRACE_BIT(TR_KCOMPACTD_SLEEP))

/*
 * kcompactd traces a wake when a round starts and a sleep each time it
 * waits, rounds or not (every interval, for the proactive check): a round
 * is a wake and the next sleep of that node, the idle sleeps are nothing.
 * Context: the node's kcompactd thread.
 */
static bool kcompactd_round(struct vmm_host *h, enum trace_event_type type,
			    const uint64_t a[4], struct host_compact_event *ce)
{
	struct host_events *e = __atomic_load_n(&h->events, __ATOMIC_ACQUIRE);
	int nid = (int)a[0];
	uint64_t now = trace_clock_ns();

	if (!e || nid < 0 || nid >= MAX_NUMNODES)
		return false;
	if (type == TR_KCOMPACTD_WAKE) { /* node, order, zone, score */
		/* order 0 is a proactive round: no order was asked for. */
		e->kcompactd[nid].kind = a[1] ? HOST_COMPACT_KCOMPACTD :
						HOST_COMPACT_PROACTIVE;
		e->kcompactd[nid].order = (int)a[1];
		e->kcompactd[nid].since = now;
		*ce = (struct host_compact_event){
			.kind = e->kcompactd[nid].kind,
			.node = nid,
			.order = (int)a[1],
			.score = (int)a[3],
			.result = -1,
		};
		return true;
	}
	if (!e->kcompactd[nid].since) /* node, score, proactive_defer */
		return false;
	*ce = (struct host_compact_event){
		.kind = e->kcompactd[nid].kind,
		.end = true,
		.node = nid,
		.order = e->kcompactd[nid].order,
		.score = (int)a[1],
		.result = -1,
		.duration_ns = now - e->kcompactd[nid].since,
	};
	e->kcompactd[nid].since = 0;
	return true;
}

/* The guest whose fault the emitting thread serves, if it is a fault
 * thread (direct reclaim and compaction run there). */
static void about_current(struct host_event *ev)
{
	const char *name = guest_mem_current_name();

	ev->guest = mm_current_vm();
	if (ev->guest && name)
		snprintf(ev->name, sizeof(ev->name), "%s", name);
}

/* Context: the emitting thread, maybe under mm locks (posting is safe). */
static void host_trace_probe(void *priv, unsigned int type, const uint64_t a[4])
{
	struct vmm_host *h = priv;
	struct host_event ev = { 0 };

	switch (type) {
	case TR_KSWAPD_WAKE: /* node, free, low, high */
		ev.type = HEV_KSWAPD_WAKE;
		ev.kswapd_wake.node = (int)a[0];
		ev.kswapd_wake.free = a[1];
		ev.kswapd_wake.low = a[2];
		ev.kswapd_wake.high = a[3];
		break;
	case TR_KSWAPD_SLEEP: /* node, free, reclaimed, ns */
		ev.type = HEV_KSWAPD_SLEEP;
		ev.kswapd_sleep.node = (int)a[0];
		ev.kswapd_sleep.free = a[1];
		ev.kswapd_sleep.reclaimed = a[2];
		ev.kswapd_sleep.ns = a[3];
		break;
	case TR_DIRECT_RECLAIM_END: /* nr_reclaimed, ns */
		ev.type = HEV_DIRECT_RECLAIM;
		ev.direct.reclaimed = a[0];
		ev.direct.ns = a[1];
		about_current(&ev);
		break;
	case TR_COMPACT_BEGIN: /* order, prio */
	case TR_COMPACT_END: /* order, result, ns */
		ev.type = HEV_COMPACTION;
		about_current(&ev);
		ev.compact = (struct host_compact_event){
			.kind = HOST_COMPACT_DIRECT,
			.end = type == TR_COMPACT_END,
			.node = -1,
			.order = (int)a[0],
			.score = -1,
			.result = type == TR_COMPACT_END ? (int)a[1] : -1,
			.duration_ns = type == TR_COMPACT_END ? a[2] : 0,
		};
		break;
	case TR_KCOMPACTD_WAKE:
	case TR_KCOMPACTD_SLEEP:
		if (!kcompactd_round(h, type, a, &ev.compact))
			return;
		ev.type = HEV_COMPACTION;
		break;
	default:
		return;
	}
	host_event_post(h, &ev);
}

void host_events_init(struct vmm_host *h)
{
	h->events = NULL;
	trace_set_probe(&h->pool->trace, host_trace_probe, h);
}

int host_events_enable(struct vmm_host *h)
{
	struct host_events *e = h->events;

	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		e->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (e->efd < 0) {
			int ret = -errno;

			free(e);
			return ret;
		}
		pthread_mutex_init(&e->lock, NULL);
		__atomic_store_n(&h->events, e, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&e->on, true, __ATOMIC_RELEASE);
	trace_set_probe_mask(&h->pool->trace, PROBED_EVENTS);
	return e->efd;
}

void host_events_disable(struct vmm_host *h)
{
	if (!h->events)
		return;
	trace_set_probe_mask(&h->pool->trace, 0);
	__atomic_store_n(&h->events->on, false, __ATOMIC_RELEASE);
}

/* Every thread that could post is gone (host_destroy). */
void host_events_free(struct vmm_host *h)
{
	struct host_events *e = h->events;

	if (!e)
		return;
	h->events = NULL;
	close(e->efd);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

/* ------------------------------------------------------------------ */
/* Producers in vmm/.                                                  */

/*
 * Begin an event of type about vm (NULL: none) in ev, unless nobody
 * listens: then false, and nothing is built (posting costs one branch).
 */
static bool begin(struct vmm_host *h, struct host_event *ev,
		  enum host_event_type type, struct vm *vm)
{
	if (!listening(h))
		return false;
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	if (vm) {
		ev->guest = vm->id;
		snprintf(ev->name, sizeof(ev->name), "%s", vm->name);
	}
	return true;
}

void host_event_guest_started(struct vmm_host *h, struct vm *vm)
{
	struct host_event ev;

	if (!begin(h, &ev, HEV_GUEST_STARTED, vm))
		return;
	ev.started.mem_bytes = vm->ram_size;
	ev.started.vcpus = vm->nr_vcpus;
	ev.started.vnodes = vm->nr_nodes;
	host_event_post(h, &ev);
}

void host_event_guest_stopped(struct vmm_host *h, struct vm *vm)
{
	struct guest_mem_stats ms = { 0 };
	struct host_event ev;
	struct vm_summary s;

	if (!begin(h, &ev, HEV_GUEST_STOPPED, vm))
		return;
	vm_get_summary(vm, &s);
	ev.stopped.reason = vm_exit_reason(vm, ev.text, sizeof(ev.text));
	ev.stopped.exit_status = s.exit_status;
	ev.stopped.integrity_checked = s.nr_verify || s.nr_corrupt;
	ev.stopped.integrity_ok = !s.verify_bad && !s.nr_corrupt;
	if (vm->mem)
		guest_mem_get_stats(vm->mem, &ms);
	ev.stopped.peak_bytes = ms.peak_pages << PAGE_SHIFT;
	host_event_post(h, &ev);
}

void host_event_oom_kill(struct vmm_host *h, struct vm *vm, uint64_t frames,
			 long badness, unsigned int order, const char *why)
{
	struct host_event ev;

	if (!begin(h, &ev, HEV_OOM_KILL, vm))
		return;
	ev.oom.frames = frames;
	ev.oom.badness = badness;
	ev.oom.oom_score_adj = vm->spec.oom_score_adj;
	ev.oom.order = order;
	snprintf(ev.text, sizeof(ev.text), "%s", why ? why : "");
	host_event_post(h, &ev);
}

void host_event_balloon(struct vmm_host *h, struct vm *vm, uint64_t target,
			uint64_t actual)
{
	struct host_event ev;

	if (!begin(h, &ev, HEV_BALLOON_CHANGE, vm))
		return;
	ev.balloon.target = target;
	ev.balloon.actual = actual;
	host_event_post(h, &ev);
}

void host_event_compaction(struct vmm_host *h,
			   const struct host_compact_event *ce)
{
	struct host_event ev;

	if (!begin(h, &ev, HEV_COMPACTION, NULL))
		return;
	ev.compact = *ce;
	host_event_post(h, &ev);
}

void host_event_trace(struct vmm_host *h, bool on, const char *path,
		      uint64_t events, uint64_t lost, int error)
{
	struct host_event ev;

	if (!begin(h, &ev, HEV_TRACE, NULL))
		return;
	ev.trace.on = on;
	ev.trace.events = events;
	ev.trace.lost = lost;
	ev.trace.error = error;
	snprintf(ev.text, sizeof(ev.text), "%s", path ? path : "");
	host_event_post(h, &ev);
}

void host_event_shutdown(struct vmm_host *h, const char *why)
{
	struct host_event ev;

	if (!begin(h, &ev, HEV_SHUTDOWN, NULL))
		return;
	snprintf(ev.text, sizeof(ev.text), "%s", why);
	host_event_post(h, &ev);
}

void host_event_pressure(struct vmm_host *h, struct vm *vm, int nid,
			 const struct psi_trigger_event *pe)
{
	struct host_event ev;

	if (!begin(h, &ev, HEV_PRESSURE, vm))
		return;
	ev.pressure.node = vm ? -1 : nid;
	ev.pressure.ev = *pe;
	host_event_post(h, &ev);
}
