// SPDX-License-Identifier: GPL-2.0
/* The run's trace, analyzed (analyze.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tools/overcommit/analyze.h"
#include "tools/overcommit/files.h"
#include "tools/trace/chrome.h"
#include "util/array.h"

/* Which guest a thread faults for (each VM has its fault thread). */
struct tid_vm {
	uint32_t tid;
	unsigned int vm;
};

struct analysis {
	struct oc_result *r;
	struct trace_reader *reader;
	struct chrome chrome;
	FILE *events;
	struct tid_vm *map;
	unsigned int nr_map, cap_map;
	/* Each node's kcompactd round in progress: from its wake event to
	 * its next sleep event. */
	struct {
		bool open, proactive;
		uint64_t start;
	} kcompactd[MAX_NUMNODES];
};

static int tid_vm(struct analysis *a, uint32_t tid)
{
	for (unsigned int i = 0; i < a->nr_map; i++)
		if (a->map[i].tid == tid)
			return (int)a->map[i].vm;
	return -1;
}

static void learn_tid(struct analysis *a, const struct trace_line *l)
{
	if (l->type != TR_FAULT || tid_vm(a, l->tid) >= 0)
		return;
	if (array_grow(a->map, a->nr_map, a->cap_map, 16))
		return;
	a->map[a->nr_map++] =
		(struct tid_vm){ l->tid, (unsigned int)trace_val(l, "vm") };
}

static double t_s(struct analysis *a, uint64_t ts)
{
	return ts > a->r->t0 ? (ts - a->r->t0) / 1e9 :
			       -((double)(a->r->t0 - ts) / 1e9);
}

static const char *guest(struct analysis *a, int vm)
{
	return vm < 0 ? "" : trace_reader_vm_name(a->reader, vm);
}

/* One events.csv row; node or vm -1, mib or ms < 0: empty. */
static void row(struct analysis *a, uint64_t ts, const char *event, int node,
		int vm, double mib, double ms)
{
	FILE *f = a->events;

	fprintf(f, "%.6f,%s,", t_s(a, ts), event);
	if (node >= 0)
		fprintf(f, "%d", node);
	fprintf(f, ",%s,", guest(a, vm));
	if (mib >= 0)
		fprintf(f, "%.3f", mib);
	fputc(',', f);
	if (ms >= 0)
		fprintf(f, "%.6f", ms);
	fputc('\n', f);
}

static void on_span(void *arg, const struct lat_span *s)
{
	struct analysis *a = arg;

	chrome_span(&a->chrome, s);
	if (s->kind == LAT_DIRECT_RECLAIM)
		row(a, s->start, "direct_reclaim", s->node, tid_vm(a, s->tid),
		    -1, s->value / 1e6);
}

/* kcompactd: a round from its wake to its sleep, woken for an order or
 * (order 0) a proactive one. */
static void kcompactd_line(struct analysis *a, const struct trace_line *l,
			   int node)
{
	if (node < 0 || node >= MAX_NUMNODES)
		return;
	if (l->type == TR_KCOMPACTD_WAKE) {
		a->kcompactd[node].open = true;
		a->kcompactd[node].proactive = !trace_val(l, "order");
		a->kcompactd[node].start = l->ts;
		return;
	}
	if (!a->kcompactd[node].open)
		return; /* a sleep that ends no round (its first) */
	a->kcompactd[node].open = false;
	row(a, a->kcompactd[node].start,
	    a->kcompactd[node].proactive ? "kcompactd_proactive" :
					   "kcompactd_run",
	    node, -1, -1,
	    l->ts > a->kcompactd[node].start ?
		    (l->ts - a->kcompactd[node].start) / 1e6 :
		    0);
}

static void on_line(struct analysis *a, const struct trace_line *l)
{
	int vm = (int)trace_val(l, "vm");
	int node = (int)trace_val(l, "node");
	uint64_t ns;

	chrome_line(&a->chrome, l);
	switch (l->type) {
	case TR_KSWAPD_WAKE:
		row(a, l->ts, "kswapd_wake", node, -1,
		    trace_val(l, "free") / 256.0, -1);
		break;
	case TR_KSWAPD_SLEEP:
		ns = trace_val(l, "ns");
		row(a, l->ts > ns ? l->ts - ns : 0, "kswapd_run", node, -1,
		    trace_val(l, "reclaimed") / 256.0, ns / 1e6);
		break;
	case TR_COMPACT_END:
		ns = trace_val(l, "ns");
		row(a, l->ts > ns ? l->ts - ns : 0, "compaction", -1,
		    tid_vm(a, l->tid), -1, ns / 1e6);
		break;
	case TR_KCOMPACTD_WAKE:
	case TR_KCOMPACTD_SLEEP:
		kcompactd_line(a, l, node);
		break;
	case TR_MIGRATE_BATCH:
		ns = trace_val(l, "pause_ns");
		row(a, l->ts > ns ? l->ts - ns : 0, "migrate", -1, vm,
		    trace_val(l, "pages") / 256.0, ns / 1e6);
		break;
	case TR_BALLOON_REQ:
		row(a, l->ts, "balloon_request", -1, vm,
		    trace_val(l, "target") / 256.0, -1);
		break;
	case TR_BALLOON_DEFLATE:
		row(a, l->ts, "balloon_deflate", node, vm,
		    trace_val(l, "pages") / 256.0, -1);
		break;
	case TR_OOM_KILL:
		row(a, l->ts, "oom_kill", -1, vm,
		    trace_val(l, "frames") / 256.0, -1);
		break;
	case TR_VM_STATE:
		row(a, l->ts,
		    trace_val(l, "state") == VM_RUNNING ? "guest_start" :
							  "guest_stop",
		    -1, vm, -1, -1);
		break;
	default:
		break;
	}
}

/* Pass 1: which thread faults for which guest. */
static int map_threads(struct analysis *a, FILE *in)
{
	struct trace_reader r;
	struct trace_line l;
	int ret;

	trace_reader_init(&r, in, "trace.txt", NULL);
	while ((ret = trace_reader_next(&r, &l)) > 0)
		learn_tid(a, &l);
	trace_reader_destroy(&r);
	rewind(in);
	return ret;
}

static int write_latency(struct oc_result *r, struct trace_reader *reader,
			 char *err, size_t errlen)
{
	FILE *f = oc_fopen(r->dir, "latency.txt", err, errlen);
	int ret;

	if (!f)
		return -EIO;
	latency_print(&r->lat, reader, f);
	latency_print_guests(&r->lat, f);
	ret = oc_fclose(&f);
	f = oc_fopen(r->dir, "latency.csv", err, errlen);
	if (!f)
		return -EIO;
	ret |= latency_csv(&r->lat, f);
	ret |= oc_fclose(&f);
	if (ret)
		snprintf(err, errlen, "writing latency.txt and .csv failed");
	return ret ? -EIO : 0;
}

int oc_analyze(struct oc_result *r, char *err, size_t errlen)
{
	struct analysis a = { .r = r };
	struct trace_reader reader;
	struct trace_line l;
	FILE *in, *json;
	char path[4096];
	int ret;

	in = fopen(oc_path(path, sizeof(path), r->dir, "trace.txt"), "re");
	if (!in) {
		snprintf(err, errlen, "trace.txt: %s", strerror(errno));
		return -errno;
	}
	a.events = oc_fopen(r->dir, "events.csv", err, errlen);
	json = oc_fopen(r->dir, "trace.json", err, errlen);
	if (!a.events || !json) {
		ret = -EIO;
		goto out;
	}
	ret = map_threads(&a, in);
	if (ret)
		goto out;
	fputs("time_s,event,node,guest,mib,duration_ms\n", a.events);
	trace_reader_init(&reader, in, path, stderr);
	a.reader = &reader;
	latency_init(&r->lat);
	r->lat.names = &reader;
	r->lat.span = on_span;
	r->lat.span_arg = &a;
	chrome_begin(&a.chrome, json, &reader);
	while ((ret = trace_reader_next(&reader, &l)) > 0) {
		latency_feed(&r->lat, &l);
		on_line(&a, &l);
	}
	latency_finish(&r->lat);
	r->lat.names = NULL;
	r->lat.span = NULL;
	r->analyzed = true;
	r->trace_malformed = reader.malformed;
	if (chrome_end(&a.chrome) && !ret)
		ret = -EIO;
	if (!ret)
		ret = write_latency(r, &reader, err, errlen);
	else
		snprintf(err, errlen, "reading trace.txt: %s", strerror(-ret));
	trace_reader_destroy(&reader);
out:
	if ((oc_fclose(&a.events) | oc_fclose(&json)) && !ret) {
		snprintf(err, errlen,
			 "writing events.csv or trace.json failed");
		ret = -EIO;
	}
	free(a.map);
	fclose(in);
	return ret;
}

void oc_analyze_free(struct oc_result *r)
{
	if (r->analyzed)
		latency_destroy(&r->lat);
	r->analyzed = false;
}
