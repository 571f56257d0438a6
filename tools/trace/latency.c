// SPDX-License-Identifier: GPL-2.0
/* Reclaim latency distributions from trace events (see latency.h). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tools/trace/dist_json.h"
#include "tools/trace/latency.h"
#include "tools/trace/lost.h"
#include "util/array.h"
#include "vmm/kvm/vm.h"

const char *const lat_key[NR_LAT_DISTS] = {
#define X(id, key, title, from, events) [id] = key,
	LAT_DISTS(X)
#undef X
};
const char *const lat_title[NR_LAT_DISTS] = {
#define X(id, key, title, from, events) [id] = title,
	LAT_DISTS(X)
#undef X
};
const char *const lat_from[NR_LAT_DISTS] = {
#define X(id, key, title, from, events) [id] = from,
	LAT_DISTS(X)
#undef X
};
const uint64_t lat_events[NR_LAT_DISTS] = {
#define X(id, key, title, from, events) [id] = events,
	LAT_DISTS(X)
#undef X
};

int lat_lookup(const char *key)
{
	for (int i = 0; i < NR_LAT_DISTS; i++)
		if (!strcmp(lat_key[i], key))
			return i;
	return -1;
}

/* A thread's slow path in progress. */
struct lat_thread {
	uint32_t tid;
	bool in_slowpath;
	int node;
	int vm; /* whose fault the slow path serves; -1: nobody's */
	uint64_t reclaim_ns; /* direct reclaim within this slow path */
	uint64_t reclaim_pages; /* ... what it reclaimed */
	unsigned int reclaims;
};

/* An inflation the host asked a guest for. */
struct lat_request {
	uint64_t ts, target, need, done;
};

void latency_init(struct latency *lat)
{
	memset(lat, 0, sizeof(*lat));
	for (int i = 0; i < NR_LAT_DISTS; i++)
		dist_init(&lat->d[i]);
	lat_guests_init(&lat->guests, NR_LAT_DISTS);
}

void latency_destroy(struct latency *lat)
{
	for (int i = 0; i < NR_LAT_DISTS; i++)
		dist_destroy(&lat->d[i]);
	for (unsigned int v = 0; v < lat->nr_vms; v++)
		free(lat->vm[v].req);
	free(lat->vm);
	free(lat->thread);
	lat_guests_destroy(&lat->guests);
	memset(lat, 0, sizeof(*lat));
}

/* Into distribution kind overall, and the guest's own where there is
 * one (vm > 0, named as the trace names it). */
static void add_value(struct latency *lat, enum lat_dist kind, int vm,
		      uint64_t value)
{
	dist_add(&lat->d[kind], value);
	if (vm > 0)
		lat_guests_add(
			&lat->guests, (unsigned int)vm,
			lat->names ? trace_reader_vm_name(lat->names, vm) : "",
			kind, value);
}

/* A vm= key: the guest, or -1 for none (0, absent). */
static int vm_of(const struct trace_line *l)
{
	uint64_t vm = trace_val(l, "vm");

	return vm > 0 && vm <= INT_MAX ? (int)vm : -1;
}

static void add(struct latency *lat, enum lat_dist kind, uint64_t start,
		uint64_t end, uint32_t tid, int node, int vm, uint64_t value,
		int64_t pages)
{
	add_value(lat, kind, vm, value);
	if (lat->span) {
		struct lat_span s = {
			.kind = kind,
			.start = start,
			.end = end,
			.tid = tid,
			.node = node,
			.vm = vm,
			.value = value,
			.pages = pages,
		};

		lat->span(lat->span_arg, &s);
	}
}

/* The pairing state of tid (NULL only when out of memory). */
static struct lat_thread *thread(struct latency *lat, uint32_t tid)
{
	struct lat_thread *t;

	for (unsigned int i = 0; i < lat->nr_threads; i++)
		if (lat->thread[i].tid == tid)
			return &lat->thread[i];
	if (array_grow(lat->thread, lat->nr_threads, lat->cap_threads, 16))
		return NULL;
	t = &lat->thread[lat->nr_threads++];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->node = -1;
	t->vm = -1;
	return t;
}

/* ts - ns, as a start time that cannot go below 0. */
static uint64_t since(uint64_t ts, uint64_t ns)
{
	return ts > ns ? ts - ns : 0;
}

static void on_slowpath(struct latency *lat, const struct trace_line *l,
			bool end)
{
	struct lat_thread *t = thread(lat, l->tid);
	uint64_t ns = trace_val(l, "ns");

	if (!t)
		return;
	if (!end) {
		t->in_slowpath = true;
		t->node = (int)trace_val(l, "nid");
		t->vm = vm_of(l);
		t->reclaim_ns = 0;
		t->reclaim_pages = 0;
		t->reclaims = 0;
		return;
	}
	add(lat, LAT_SLOWPATH, since(l->ts, ns), l->ts, l->tid, t->node,
	    t->in_slowpath ? t->vm : -1, ns, -1);
	if (t->in_slowpath && t->reclaims)
		add(lat, LAT_DIRECT_RECLAIM, since(l->ts, ns), l->ts, l->tid,
		    t->node, t->vm, t->reclaim_ns, (int64_t)t->reclaim_pages);
	t->in_slowpath = false;
}

static void on_direct_reclaim_end(struct latency *lat,
				  const struct trace_line *l)
{
	struct lat_thread *t = thread(lat, l->tid);
	uint64_t ns = trace_val(l, "ns");
	uint64_t pages = trace_val(l, "nr_reclaimed");

	/* Outside a slow path we know of (the trace began inside one):
	 * the stall alone. */
	if (!t || !t->in_slowpath) {
		add(lat, LAT_DIRECT_RECLAIM, since(l->ts, ns), l->ts, l->tid,
		    -1, vm_of(l), ns, (int64_t)pages);
		return;
	}
	t->reclaim_ns += ns;
	t->reclaim_pages += pages;
	t->reclaims++;
}

static void on_fault(struct latency *lat, const struct trace_line *l)
{
	uint64_t ns = trace_val(l, "ns"), order = trace_val(l, "order");
	int vm = (int)trace_val(l, "vm");

	add(lat, LAT_FAULT, since(l->ts, ns), l->ts, l->tid, -1, vm, ns,
	    order < 32 ? 1LL << order : -1);
	if (order == 0)
		add_value(lat, LAT_FAULT_4K, vm, ns);
	else if (order == pageblock_order)
		add_value(lat, LAT_FAULT_2M, vm, ns);
}

/*
 * kswapd response: from the allocator's first wake-up of the node (the
 * allocation that found it below LOW) until kswapd sleeps again.
 */
static void on_kswapd(struct latency *lat, const struct trace_line *l)
{
	uint64_t nid = trace_val(l, "node");

	if (nid >= MAX_NUMNODES)
		return;
	switch (l->type) {
	case TR_WAKE_KSWAPD:
		if (!lat->node[nid].awake && !lat->node[nid].start)
			lat->node[nid].start = l->ts;
		break;
	case TR_KSWAPD_WAKE:
		lat->node[nid].awake = true;
		lat->node[nid].wake_free = trace_val(l, "free");
		lat->node[nid].high = trace_val(l, "high");
		if (!lat->node[nid].start)
			lat->node[nid].start = l->ts;
		break;
	case TR_KSWAPD_SLEEP:
		/*
		 * A response restores HIGH.  Not one: a sleep without its
		 * wake (the trace began meanwhile), a run that found the node
		 * balanced (woken again by a request that came while it
		 * worked: nothing to do), a run that gave up below HIGH.
		 */
		if (!lat->node[nid].awake)
			;
		else if (lat->node[nid].wake_free >= lat->node[nid].high)
			lat->kswapd_idle++;
		else if (trace_val(l, "free") < lat->node[nid].high)
			lat->kswapd_unbalanced++; /* it gave up */
		else
			add(lat, LAT_KSWAPD, lat->node[nid].start, l->ts,
			    l->tid, (int)nid, -1, l->ts - lat->node[nid].start,
			    (int64_t)trace_val(l, "reclaimed"));
		lat->node[nid].awake = false;
		lat->node[nid].start = 0;
		break;
	default:
		break;
	}
}

/* Guest vm's requests, made on first use; NULL without memory. */
static struct lat_vm *lat_vm(struct latency *lat, uint64_t vm)
{
	struct lat_vm *v;

	for (unsigned int i = lat->nr_vms; i-- > 0;)
		if (lat->vm[i].vm == vm)
			return &lat->vm[i];
	if (array_grow(lat->vm, lat->nr_vms, lat->cap_vms, 16))
		return NULL;
	v = &lat->vm[lat->nr_vms++];
	*v = (struct lat_vm){ .vm = vm };
	return v;
}

static void drop_request(struct lat_vm *v, unsigned int i)
{
	v->req[i] = v->req[--v->nr];
}

static void complete_request(struct latency *lat, struct lat_vm *v,
			     unsigned int i, const struct trace_line *l)
{
	uint64_t start = v->req[i].ts;

	add(lat, LAT_BALLOON, start, l->ts, 0, -1, vm_of(l), l->ts - start,
	    (int64_t)v->req[i].need);
	drop_request(v, i);
}

static void on_balloon(struct latency *lat, const struct trace_line *l)
{
	struct lat_vm *v = lat_vm(lat, trace_val(l, "vm"));
	struct lat_request *r;
	unsigned int i;

	if (!v)
		return;
	switch (l->type) {
	case TR_BALLOON_REQ: {
		uint64_t target = trace_val(l, "target");
		uint64_t actual = trace_val(l, "actual");

		if (target <= actual)
			return; /* nothing to do for the guest */
		if (array_grow(v->req, v->nr, v->cap, 8))
			return;
		v->req[v->nr++] = (struct lat_request){
			.ts = l->ts,
			.target = target,
			.need = target - actual,
		};
		break;
	}
	case TR_BALLOON_ACTUAL:
		v->has_actual = true;
		for (i = 0; i < v->nr;) {
			r = &v->req[i];
			if (trace_val(l, "actual") >= r->target) {
				complete_request(lat, v, i, l);
			} else if (trace_val(l, "target") < r->target) {
				/* The host asked for less meanwhile. */
				lat->balloon_superseded++;
				drop_request(v, i);
			} else {
				i++;
			}
		}
		break;
	case TR_BALLOON_DONE:
		/* Traces without balloon_actual: pages given back. */
		if (v->has_actual)
			break;
		for (i = 0; i < v->nr;) {
			r = &v->req[i];
			r->done += trace_val(l, "pages");
			if (r->done >= r->need)
				complete_request(lat, v, i, l);
			else
				i++;
		}
		break;
	case TR_VM_STATE:
		/* Started or stopped (older traces reused ids). */
		lat->balloon_unfinished += v->nr;
		v->nr = 0;
		v->has_actual = false;
		break;
	default:
		break;
	}
}

/*
 * Events were lost here: an interval open now may have lost its end (or
 * the events that would have ended it), so it is not measured, and
 * counted as broken.  Only the pairings the loss could touch are
 * dropped: a loss of page frees breaks none.
 */
static void on_loss(struct latency *lat, const struct trace_loss *loss)
{
	if (trace_loss_hits(loss, lat_events[LAT_DIRECT_RECLAIM])) {
		bool reclaim =
			trace_loss_hits(loss, TRACE_BIT(TR_DIRECT_RECLAIM_END));

		for (unsigned int i = 0; i < lat->nr_threads; i++) {
			struct lat_thread *t = &lat->thread[i];

			if (!t->in_slowpath)
				continue;
			lat->broken[LAT_SLOWPATH]++;
			if (t->reclaims || reclaim)
				lat->broken[LAT_DIRECT_RECLAIM]++;
			t->in_slowpath = false;
		}
	}
	if (trace_loss_hits(loss, lat_events[LAT_KSWAPD]))
		for (int nid = 0; nid < MAX_NUMNODES; nid++) {
			if (lat->node[nid].awake || lat->node[nid].start)
				lat->broken[LAT_KSWAPD]++;
			lat->node[nid].awake = false;
			lat->node[nid].start = 0;
		}
	if (trace_loss_hits(loss, lat_events[LAT_BALLOON]))
		for (unsigned int v = 0; v < lat->nr_vms; v++) {
			lat->broken[LAT_BALLOON] += lat->vm[v].nr;
			lat->vm[v].nr = 0;
		}
}

/* The losses the reader has met since the last look. */
static void take_losses(struct latency *lat)
{
	const struct trace_session *s = lat->names ? &lat->names->session :
						     NULL;

	while (s && lat->losses_seen < s->nr_loss)
		on_loss(lat, &s->loss[lat->losses_seen++]);
}

void latency_feed(struct latency *lat, const struct trace_line *l)
{
	take_losses(lat);
	if (l->type < 0)
		return;
	if (!lat->first_ts || l->ts < lat->first_ts)
		lat->first_ts = l->ts;
	if (l->ts > lat->last_ts)
		lat->last_ts = l->ts;
	lat->nr_type[l->type]++;
	switch (l->type) {
	case TR_SLOWPATH_BEGIN:
	case TR_SLOWPATH_END:
		on_slowpath(lat, l, l->type == TR_SLOWPATH_END);
		break;
	case TR_DIRECT_RECLAIM_END:
		on_direct_reclaim_end(lat, l);
		break;
	case TR_FAULT:
		on_fault(lat, l);
		break;
	case TR_WAKE_KSWAPD:
	case TR_KSWAPD_WAKE:
	case TR_KSWAPD_SLEEP:
		on_kswapd(lat, l);
		break;
	case TR_BALLOON_REQ:
	case TR_BALLOON_ACTUAL:
	case TR_BALLOON_DONE:
	case TR_VM_STATE:
		on_balloon(lat, l);
		break;
	case TR_COMPACT_END: {
		uint64_t ns = trace_val(l, "ns");

		add(lat, LAT_COMPACTION, since(l->ts, ns), l->ts, l->tid, -1,
		    vm_of(l), ns, -1);
		break;
	}
	case TR_SWAP_IN: {
		uint64_t ns = trace_val(l, "ns");

		/* A fault that read any of its pages from the swap file
		 * waited for the device: apart from the store's. */
		add(lat, trace_val(l, "file") ? LAT_SWAPIN_FILE : LAT_SWAPIN,
		    since(l->ts, ns), l->ts, l->tid, -1,
		    (int)trace_val(l, "vm"), ns,
		    (int64_t)trace_val(l, "pages"));
		break;
	}
	case TR_MIGRATE_BATCH: {
		uint64_t ns = trace_val(l, "pause_ns");

		add(lat, LAT_MIGRATE, since(l->ts, ns), l->ts, l->tid, -1,
		    (int)trace_val(l, "vm"), ns,
		    (int64_t)trace_val(l, "pages"));
		break;
	}
	case TR_OOM_KILL:
		if (lat->nr_oom < LAT_MAX_OOM) {
			struct lat_oom *o = &lat->oom[lat->nr_oom];

			*o = (struct lat_oom){
				.ts = l->ts,
				.vm = trace_val(l, "vm"),
				.frames = trace_val(l, "frames"),
				.badness = trace_val(l, "badness"),
			};
			if (lat->names)
				snprintf(o->name, sizeof(o->name), "%s",
					 trace_reader_vm_name(lat->names,
							      o->vm));
		}
		lat->nr_oom++;
		break;
	default:
		break;
	}
}

void latency_finish(struct latency *lat)
{
	take_losses(lat);
	for (unsigned int v = 0; v < lat->nr_vms; v++) {
		lat->balloon_unfinished += lat->vm[v].nr;
		lat->vm[v].nr = 0;
	}
}

/* Append to buf, "; " after what is there. */
static void __attribute__((format(printf, 3, 4)))
note(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n && n + 2 < len) {
		strcpy(buf + n, "; ");
		n += 2;
	}
	if (n >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

/* What did not end as expected, for one distribution, and whether lost
 * events shortened it; "" if nothing. */
static const char *notes(struct latency *lat, enum lat_dist i, char *buf,
			 size_t len)
{
	buf[0] = 0;
	if (i == LAT_KSWAPD && (lat->kswapd_unbalanced || lat->kswapd_idle))
		note(buf, len,
		     "not counted: %lu runs that gave up below HIGH, %lu that found the node above HIGH",
		     lat->kswapd_unbalanced, lat->kswapd_idle);
	if (i == LAT_BALLOON &&
	    (lat->balloon_superseded || lat->balloon_unfinished))
		note(buf, len,
		     "%lu superseded by a lower target, %lu unfinished",
		     lat->balloon_superseded, lat->balloon_unfinished);
	if (lat->broken[i])
		note(buf, len, "%lu open where events were lost, not measured",
		     lat->broken[i]);
	if (latency_short(lat, i))
		note(buf, len, "SHORT: events it is made of were lost");
	return buf;
}

void latency_print(struct latency *lat, const struct trace_reader *r, FILE *f)
{
	char a[32], n[256];

	if (r) {
		fprintf(f,
			"%s: %lu events (%lu of types unknown here), %lu malformed lines, %lu comments\n",
			r->path, r->events, r->unknown, r->malformed,
			r->comments);
		latency_print_session(lat, r, f);
	}
	fprintf(f, "span: %s\n",
		fmt_ns(lat->last_ts - lat->first_ts, a, sizeof(a)));
	fprintf(f, "events:");
	for (int t = 0; t < NR_TRACE_EVENTS; t++)
		if (lat->nr_type[t])
			fprintf(f, " %s %lu", trace_event_name(t),
				lat->nr_type[t]);
	fputc('\n', f);
	fprintf(f, "OOM kills: %u\n", lat->nr_oom);
	for (unsigned int i = 0; i < lat->nr_oom && i < LAT_MAX_OOM; i++) {
		const char *name = lat->oom[i].name;

		fprintf(f,
			"  vm %" PRIu64 "%s%s%s at +%.3f s: %" PRIu64
			" frames, badness %" PRIu64 "\n",
			lat->oom[i].vm, *name ? " (" : "", name,
			*name ? ")" : "",
			(lat->oom[i].ts - lat->first_ts) / 1e9,
			lat->oom[i].frames, lat->oom[i].badness);
	}
	for (int i = 0; i < NR_LAT_DISTS; i++) {
		fprintf(f, "\n%s [%s]\n  from %s%s%s\n", lat_title[i],
			lat_key[i], lat_from[i],
			*notes(lat, i, n, sizeof(n)) ? "; " : "", n);
		dist_print(&lat->d[i], f, "  ");
	}
}

static json_t *dist_json(struct latency *lat, enum lat_dist i)
{
	struct dist *d = &lat->d[i];
	uint64_t count[DIST_BUCKETS];
	unsigned int used = dist_histogram(d, count);
	json_t *o = json_object(), *h = json_array();
	char n[256];

	json_object_set_new(o, "title", json_string(lat_title[i]));
	json_object_set_new(o, "from", json_string(lat_from[i]));
	json_object_set_new(o, "unit", json_string("ns"));
	dist_json_figures(o, d);
	for (unsigned int b = 0; b < used; b++) {
		if (!count[b])
			continue;
		json_array_append_new(
			h, json_pack("{s:I,s:I,s:I}", "lo_ns",
				     (json_int_t)dist_bucket_lo(b), "hi_ns",
				     (json_int_t)dist_bucket_hi(b), "count",
				     (json_int_t)count[b]));
	}
	json_object_set_new(o, "histogram", h);
	if (*notes(lat, i, n, sizeof(n)))
		json_object_set_new(o, "notes", json_string(n));
	json_object_set_new(o, "short", json_boolean(latency_short(lat, i)));
	json_object_set_new(o, "not_measured_at_losses",
			    json_integer(lat->broken[i]));
	return o;
}

json_t *latency_json(struct latency *lat, const struct trace_reader *r)
{
	json_t *o = json_object(), *ev = json_object(), *oom = json_array();
	json_t *d = json_object();

	if (r) {
		json_object_set_new(o, "recording",
				    latency_session_json(lat, r));
		json_object_set_new(o, "trace", json_string(r->path));
		json_object_set_new(o, "lines", json_integer(r->lineno));
		json_object_set_new(o, "events", json_integer(r->events));
		json_object_set_new(o, "unknown_events",
				    json_integer(r->unknown));
		json_object_set_new(o, "malformed_lines",
				    json_integer(r->malformed));
	}
	json_object_set_new(o, "span_ns",
			    json_integer(lat->last_ts - lat->first_ts));
	for (int t = 0; t < NR_TRACE_EVENTS; t++)
		if (lat->nr_type[t])
			json_object_set_new(ev, trace_event_name(t),
					    json_integer(lat->nr_type[t]));
	json_object_set_new(o, "event_counts", ev);
	for (unsigned int i = 0; i < lat->nr_oom && i < LAT_MAX_OOM; i++)
		json_array_append_new(
			oom,
			json_pack("{s:I,s:I,s:s,s:I,s:I}", "ts_ns",
				  (json_int_t)lat->oom[i].ts, "vm",
				  (json_int_t)lat->oom[i].vm, "name",
				  lat->oom[i].name, "frames",
				  (json_int_t)lat->oom[i].frames, "badness",
				  (json_int_t)lat->oom[i].badness));
	json_object_set_new(o, "oom_kills", oom);
	for (int i = 0; i < NR_LAT_DISTS; i++)
		json_object_set_new(d, lat_key[i], dist_json(lat, i));
	json_object_set_new(o, "distributions", d);
	json_object_set_new(o, "guests",
			    lat_guests_json(&lat->guests, lat_key));
	return o;
}

void latency_print_guests(struct latency *lat, FILE *f)
{
	fprintf(f,
		"\nby guest (where the trace says whose fault or request):\n");
	if (!lat->guests.n)
		fprintf(f, "  none\n");
	lat_guests_print(&lat->guests, lat_key, f);
}

int latency_csv(struct latency *lat, FILE *f)
{
	fprintf(f, "distribution,bucket_lo_ns,bucket_hi_ns,count\n");
	for (int i = 0; i < NR_LAT_DISTS; i++) {
		uint64_t count[DIST_BUCKETS];
		unsigned int used = dist_histogram(&lat->d[i], count);

		for (unsigned int b = 0; b < used; b++)
			if (count[b])
				fprintf(f,
					"%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64
					"\n",
					lat_key[i], dist_bucket_lo(b),
					dist_bucket_hi(b), count[b]);
	}
	return ferror(f) ? -EIO : 0;
}
