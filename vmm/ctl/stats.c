// SPDX-License-Identifier: GPL-2.0
/*
 * Pool commands of the control socket: query-stats (the /proc formats as
 * text, and the same numbers structured), compact, trace-start,
 * trace-stop.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/compaction.h"
#include "vmm/config/option.h"
#include "vmm/ctl/cmd.h"
#include "vmm/host/host.h"
#include "vmm/host/compact.h"
#include "vmm/host/events.h"

/* ------------------------------------------------------------------ */
/* query-stats                                                          */

static const struct {
	const char *name;
	void (*show)(struct mm_pool *pool, FILE *f);
	/* Or the host's, for what the pool alone does not know. */
	void (*host_show)(struct vmm_host *h, FILE *f);
} sections[] = {
	{ "buddyinfo", mm_show_buddyinfo },
	{ "zoneinfo", mm_show_zoneinfo },
	{ "pagetypeinfo", mm_show_pagetypeinfo },
	{ "vmstat", mm_show_vmstat },
	/* /sys/kernel/debug/extfrag/: the fragmentation index per order. */
	{ "extfrag_index", mm_show_extfrag_index },
	{ "unusable_index", mm_show_unusable_index },
	/* /proc/meminfo's lines of what vmm has (the cold tier's too). */
	{ "meminfo", NULL, host_show_meminfo },
};

/* A /proc-format report as one string, exactly as the file would read. */
static json_t *report_text(struct mm_pool *pool,
			   void (*show)(struct mm_pool *, FILE *))
{
	struct ctl_text t;

	if (!ctl_text_open(&t))
		return NULL;
	show(pool, t.f);
	return ctl_text_close(&t);
}

static json_t *section_text(struct vmm_host *h, size_t s)
{
	struct ctl_text t;

	if (sections[s].show)
		return report_text(h->pool, sections[s].show);
	if (!ctl_text_open(&t))
		return NULL;
	sections[s].host_show(h, t.f);
	return ctl_text_close(&t);
}

/* A report's "name value" lines as {"name": value}, the text's own
 * numbers (fmt scans a name and a value), so both agree.  Takes text. */
static json_t *numbers_json(json_t *text, const char *fmt)
{
	json_t *o = json_object();
	const char *p = text ? json_string_value(text) : "";

	while (*p) {
		char name[64];
		unsigned long long v;

		if (sscanf(p, fmt, name, &v) == 2)
			json_object_set_new(o, name,
					    json_integer((json_int_t)v));
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	json_decref(text);
	return o;
}

/* vmstat as {"name": value}. */
static json_t *vmstat_json(struct mm_pool *pool)
{
	return numbers_json(report_text(pool, mm_show_vmstat), "%63s %llu");
}

/* meminfo as {"Name": kB}. */
static json_t *meminfo_json(struct vmm_host *h)
{
	struct ctl_text t;

	if (!ctl_text_open(&t))
		return json_object();
	host_show_meminfo(h, t.f);
	return numbers_json(ctl_text_close(&t), "%63[^:]: %llu kB");
}

static json_t *zone_json(struct mm_pool *pool, struct zone *z)
{
	unsigned long blocks[MIGRATE_TYPES];
	json_t *areas = json_array(), *types = json_object(), *j;

	pthread_mutex_lock(&z->lock);
	for (int o = 0; o < MAX_ORDER; o++) {
		json_t *mt = json_object();

		for (int t = 0; t < MIGRATE_TYPES; t++)
			json_object_set_new(
				mt, migratetype_name(t),
				json_integer(z->free_area[o].nr_free_mt[t]));
		json_array_append_new(
			areas, json_pack("{s:i,s:I,s:o}", "order", o, "free",
					 (json_int_t)z->free_area[o].nr_free,
					 "types", mt));
	}
	__zone_pageblock_counts(pool, z, blocks);
	pthread_mutex_unlock(&z->lock);
	for (int t = 0; t < MIGRATE_TYPES; t++)
		json_object_set_new(types, migratetype_name(t),
				    json_integer(blocks[t]));
	j = json_pack("{s:i,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:o}", "node",
		      z->node, "zone", z->name, "start-pfn",
		      (json_int_t)z->zone_start_pfn, "spanned",
		      (json_int_t)z->spanned_pages << PAGE_SHIFT, "free",
		      (json_int_t)zone_page_state_free(z) << PAGE_SHIFT, "min",
		      (json_int_t)min_wmark_pages(z) << PAGE_SHIFT, "low",
		      (json_int_t)low_wmark_pages(z) << PAGE_SHIFT, "high",
		      (json_int_t)high_wmark_pages(z) << PAGE_SHIFT, "returned",
		      (json_int_t)READ_ONCE(z->nr_returned_pages) << PAGE_SHIFT,
		      "free-areas", areas, "pageblocks", types);
	return j;
}

static const struct ctl_arg stats_args[] = {
	{ "format", CTL_ARG_STRING, true },
	{ "sections", CTL_ARG_STRINGS, true },
	{ NULL },
};

static int cmd_query_stats(struct ctl_req *req, json_t *args, json_t **ret,
			   struct ctl_error *e)
{
	struct vmm_host *h = ctl_host(req->s);
	struct mm_pool *pool = h->pool;
	json_t *fmt = json_object_get(args, "format");
	json_t *want = json_object_get(args, "sections"), *v;
	const char *f = fmt ? json_string_value(fmt) : "both";
	bool text = !strcmp(f, "text") || !strcmp(f, "both");
	bool structured = !strcmp(f, "json") || !strcmp(f, "both");
	bool pick[ARRAY_SIZE(sections)];
	json_t *out, *texts, *zones;
	size_t i;

	if (!text && !structured)
		return ctl_fail(e, CTL_ERR_GENERIC,
				"format '%s': text, json or both", f);
	for (size_t s = 0; s < ARRAY_SIZE(sections); s++)
		pick[s] = !want;
	json_array_foreach(want, i, v) {
		size_t s;

		for (s = 0; s < ARRAY_SIZE(sections); s++)
			if (!strcmp(json_string_value(v), sections[s].name))
				break;
		if (s == ARRAY_SIZE(sections))
			return ctl_fail(
				e, CTL_ERR_GENERIC,
				"no section '%s' (buddyinfo, zoneinfo, pagetypeinfo, vmstat, extfrag_index, unusable_index, meminfo)",
				json_string_value(v));
		pick[s] = true;
	}
	out = json_object();
	if (text) {
		texts = json_object();
		for (size_t s = 0; s < ARRAY_SIZE(sections); s++)
			if (pick[s])
				json_object_set_new(texts, sections[s].name,
						    section_text(h, s));
		json_object_set_new(out, "text", texts);
	}
	if (structured) {
		zones = json_array();
		for (unsigned int z = 0; z < pool->nr_zones; z++)
			if (populated_zone(pool->zones[z]))
				json_array_append_new(
					zones, zone_json(pool, pool->zones[z]));
		json_object_set_new(out, "zones", zones);
		json_object_set_new(out, "vmstat", vmstat_json(pool));
		json_object_set_new(out, "meminfo", meminfo_json(h));
	}
	*ret = out;
	return 0;
}

/* ------------------------------------------------------------------ */
/* compact                                                              */

struct compact_job {
	struct ctl_req *req;
	struct vmm_host *h;
	struct host_compact_request rq;
	struct host_compact_result res;
	uint64_t ns;
	int ret;
};

/* On the worker thread: it pauses guests and may take a while. */
static void compact_work(void *arg)
{
	struct compact_job *j = arg;
	struct host_compact_event ce = {
		.kind = HOST_COMPACT_MANUAL,
		.node = j->rq.node,
		.order = -1,
		.score = -1,
		.result = -1,
	};
	uint64_t t0 = trace_clock_ns();

	host_event_compaction(j->h, &ce);
	j->ret = host_compact(j->h, &j->rq, &j->res);
	j->ns = trace_clock_ns() - t0;
	ce.end = true;
	ce.result = j->ret ? -1 : COMPACT_COMPLETE;
	ce.duration_ns = j->ns;
	ce.migrated = j->res.migrated;
	ce.failed = j->res.failed;
	ce.free_in_blocks = j->res.in_blocks_after;
	host_event_compaction(j->h, &ce);
}

static void compact_done(struct ctl_server *s, void *arg)
{
	struct compact_job *j = arg;
	struct ctl_error e = { .cls = CTL_ERR_GENERIC };

	(void)s;
	if (j->ret) {
		snprintf(e.desc, sizeof(e.desc), "compaction failed: %s",
			 strerror(-j->ret));
		ctl_reply(j->req, NULL, &e);
	} else {
		ctl_reply(j->req,
			  json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "migrated",
				    (json_int_t)j->res.migrated, "failed",
				    (json_int_t)j->res.failed, "free",
				    (json_int_t)j->res.free,
				    "free-in-blocks-before",
				    (json_int_t)j->res.in_blocks_before,
				    "free-in-blocks-after",
				    (json_int_t)j->res.in_blocks_after,
				    "duration-ns", (json_int_t)j->ns),
			  NULL);
	}
	free(j);
}

static const struct ctl_arg compact_args[] = {
	{ "node", CTL_ARG_INT, true },
	{ NULL },
};

static int cmd_compact(struct ctl_req *req, json_t *args, json_t **ret,
		       struct ctl_error *e)
{
	struct vmm_host *h = ctl_host(req->s);
	json_t *node = json_object_get(args, "node");
	struct compact_job *j;
	int nid = -1;

	(void)ret;
	if (node && (nid = ctl_node_arg(req->s, node, e)) < 0)
		return -1;
	if (!host_compaction_available(h))
		return ctl_fail(
			e, CTL_ERR_GENERIC,
			"compaction is not available: this vmm cannot migrate guest pages yet (no migrate_pages op)");
	j = calloc(1, sizeof(*j));
	if (!j)
		return ctl_fail(e, CTL_ERR_GENERIC, "out of memory");
	j->h = h;
	j->rq.node = nid;
	if (ctl_work_defer(req, &j->req, compact_work, compact_done, j)) {
		free(j);
		return ctl_fail(e, CTL_ERR_GENERIC, "out of memory");
	}
	return CTL_DEFERRED;
}

/* ------------------------------------------------------------------ */
/* trace-start, trace-stop                                              */

/* The choices of vmm's options --trace-ring, --trace-page-events,
 * --trace-sample, whose rows give the ranges and the defaults. */
static const struct ctl_arg trace_args[] = {
	{ "file", CTL_ARG_STRING, false },
	{ "ring", CTL_ARG_INT, true },
	{ "page_events", CTL_ARG_BOOL, true },
	{ "sample", CTL_ARG_DURATION, true },
	{ NULL },
};

/* v within the range of vmm's option name: 0, or -1 with e. */
static int trace_arg_check(const char *arg, const char *name,
			   const struct option_value *v, struct ctl_error *e)
{
	const struct option_desc *o = option_find(vmm_options, name);
	char buf[96];

	if (!option_check(o, v))
		return 0;
	return ctl_fail(e, CTL_ERR_GENERIC, "'%s' must be %s (as --%s)", arg,
			option_accepts(o, buf, sizeof(buf)), name);
}

static int cmd_trace_start(struct ctl_req *req, json_t *args, json_t **ret,
			   struct ctl_error *e)
{
	struct vmm_host *h = ctl_host(req->s);
	const char *path = json_string_value(json_object_get(args, "file"));
	json_t *ring = json_object_get(args, "ring");
	json_t *page = json_object_get(args, "page_events");
	json_t *sample = json_object_get(args, "sample");
	char err[CTL_DESC_MAX - 32];
	struct host_trace_opts o;

	if (path[0] != '/')
		return ctl_fail(
			e, CTL_ERR_GENERIC,
			"file '%s': give an absolute path (vmm's working directory is not yours)",
			path);
	host_trace_default_opts(h, &o);
	if (ring) {
		struct option_value v = { .n = json_integer_value(ring) };

		if (trace_arg_check("ring", "trace-ring", &v, e))
			return -1;
		o.ring_events = v.n;
	}
	if (page)
		o.page_events = json_is_true(page);
	if (sample) {
		struct option_value v = { 0 };

		if (ctl_arg_duration(sample, "sample", &v.u, e) ||
		    trace_arg_check("sample", "trace-sample", &v, e))
			return -1;
		o.sample_ns = v.u;
	}
	if (host_trace_start(h, path, HOST_TRACE_CREATE, &o, err, sizeof(err)))
		return ctl_fail(e, CTL_ERR_GENERIC, "%s", err);
	*ret = json_pack("{s:s,s:I,s:b,s:f}", "file", path, "ring",
			 (json_int_t)trace_ring_capacity(host_trace_ring(h)),
			 "page_events", o.page_events, "sample",
			 o.sample_ns / 1e9);
	return 0;
}

/* {"mm_page_free": 31000, ...}: what a session lost, by event type. */
static json_t *lost_by_event(const struct host_trace_result *res)
{
	json_t *o = json_object();

	for (int t = 0; t < NR_TRACE_EVENTS; t++)
		if (res->lost_by_type[t])
			json_object_set_new(
				o, trace_event_name(t),
				json_integer((json_int_t)res->lost_by_type[t]));
	return o;
}

static int cmd_trace_stop(struct ctl_req *req, json_t *args, json_t **ret,
			  struct ctl_error *e)
{
	struct host_trace_result res;
	char *path = NULL;
	int rc = host_trace_stop(ctl_host(req->s), &res, &path);

	(void)args;
	if (rc == -ENOENT)
		return ctl_fail(e, CTL_ERR_GENERIC, "not tracing");
	if (rc) {
		ctl_fail(e, CTL_ERR_GENERIC,
			 "writing %s: %s (it keeps its first %" PRIu64
			 " whole lines)",
			 path, strerror(-rc), res.lines);
		free(path);
		return -1;
	}
	*ret = json_pack("{s:s,s:I,s:I,s:o}", "file", path, "events",
			 (json_int_t)res.events, "lost", (json_int_t)res.lost,
			 "lost_by_event", lost_by_event(&res));
	free(path);
	return 0;
}

const struct ctl_cmd ctl_stats_cmds[] = {
	{ "query-stats", cmd_query_stats, stats_args,
	  "buddyinfo, zoneinfo, pagetypeinfo, vmstat, extfrag_index, unusable_index: /proc and debugfs text, and JSON" },
	{ "compact", cmd_compact, compact_args,
	  "compact a node's zones whole, or every node's" },
	{ "trace-start", cmd_trace_start, trace_args,
	  "record trace events into a new file (an absolute path), written as they come; ring, page_events, sample as vmm's --trace-* options" },
	{ "trace-stop", cmd_trace_stop, (const struct ctl_arg[]){ { NULL } },
	  "stop recording: the rest of the events to the file, what was lost" },
	{ NULL },
};
