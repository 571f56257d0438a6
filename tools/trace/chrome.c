// SPDX-License-Identifier: GPL-2.0
/* Chrome trace-event JSON export (see chrome.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tools/trace/chrome.h"
#include "util/array.h"
#include "vmm/kvm/vm.h"

#define PID 1

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

/* Microseconds with the nanoseconds as decimals: exact, no float. */
static void put_us(FILE *f, const char *key, uint64_t ns)
{
	fprintf(f, ",\"%s\":%" PRIu64 ".%03u", key, ns / 1000,
		(unsigned int)(ns % 1000));
}

static void sep(struct chrome *c)
{
	fputs(c->written++ ? ",\n" : "\n", c->f);
}

static void name_thread(struct chrome *c, uint32_t tid, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void name_thread(struct chrome *c, uint32_t tid, const char *fmt, ...)
{
	struct chrome_thread *t;
	va_list ap;

	for (unsigned int i = 0; i < c->nr_threads; i++)
		if (c->thread[i].tid == tid)
			return; /* the first name sticks */
	if (array_grow(c->thread, c->nr_threads, c->cap_threads, 16))
		return;
	t = &c->thread[c->nr_threads++];
	t->tid = tid;
	va_start(ap, fmt);
	vsnprintf(t->name, sizeof(t->name), fmt, ap);
	va_end(ap);
}

static const char *vm_name(struct chrome *c, uint64_t vm)
{
	return c->r ? trace_reader_vm_name(c->r, vm) : "";
}

/* "vm3" or "vm3 web" */
static void put_vm_label(struct chrome *c, const char *what, uint64_t vm,
			 const char *after)
{
	char buf[128];
	const char *name = vm_name(c, vm);

	snprintf(buf, sizeof(buf), "%s%s%" PRIu64 "%s%s%s", what,
		 *what ? " vm" : "vm", vm, *name ? " " : "", name, after);
	put_string(c->f, buf);
}

void chrome_begin(struct chrome *c, FILE *f, const struct trace_reader *r)
{
	memset(c, 0, sizeof(*c));
	c->f = f;
	c->r = r;
	fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[", f);
	sep(c);
	fprintf(f,
		"{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%d,\"tid\":0,\"args\":{\"name\":\"vmm\"}}",
		PID);
}

/* An "X" event ending at the line's ts after ns. */
static void complete(struct chrome *c, const struct trace_line *l,
		     const char *name, const char *cat, uint64_t ns)
{
	FILE *f = c->f;

	sep(c);
	fputs("{\"name\":", f);
	put_string(f, name);
	fprintf(f, ",\"cat\":\"%s\",\"ph\":\"X\"", cat);
	put_us(f, "ts", l->ts > ns ? l->ts - ns : 0);
	put_us(f, "dur", l->ts > ns ? ns : l->ts);
	fprintf(f, ",\"pid\":%d,\"tid\":%u,\"args\":{", PID, l->tid);
	for (unsigned int k = 0; k < l->nr_kv; k++)
		fprintf(f, "%s\"%s\":%" PRIu64, k ? "," : "", l->kv[k].key,
			l->kv[k].val);
	fputs("}}", f);
}

/* An "i" instant; scope "t" (thread) or "g" (global). */
static void instant(struct chrome *c, const struct trace_line *l,
		    const char *scope)
{
	FILE *f = c->f;

	sep(c);
	fputs("{\"name\":", f);
	put_string(f, l->event);
	fprintf(f, ",\"cat\":\"event\",\"ph\":\"i\",\"s\":\"%s\"", scope);
	put_us(f, "ts", l->ts);
	fprintf(f, ",\"pid\":%d,\"tid\":%u,\"args\":{", PID, l->tid);
	for (unsigned int k = 0; k < l->nr_kv; k++)
		fprintf(f, "%s\"%s\":%" PRIu64, k ? "," : "", l->kv[k].key,
			l->kv[k].val);
	fputs("}}", f);
}

static void counter_begin(struct chrome *c)
{
	sep(c);
	fputs("{\"name\":", c->f);
}

static void counter_args(struct chrome *c, const struct trace_line *l)
{
	fputs(",\"cat\":\"memory\",\"ph\":\"C\"", c->f);
	put_us(c->f, "ts", l->ts);
	fprintf(c->f, ",\"pid\":%d,\"tid\":0,\"args\":{", PID);
}

static double mib(uint64_t pages)
{
	return pages / 256.0;
}

/* "free", then whichever watermarks are known: min from node_watermarks,
 * low and high from the line itself if it has them. */
static void node_counter(struct chrome *c, const struct trace_line *l,
			 bool free)
{
	static const char *const mark[3] = { "min", "low", "high" };
	uint64_t nid = trace_val(l, "node"), v;
	const char *sep = "";
	char name[48];

	if (nid >= MAX_NUMNODES)
		return;
	snprintf(name, sizeof(name), "node%" PRIu64 " free MiB", nid);
	counter_begin(c);
	put_string(c->f, name);
	counter_args(c, l);
	if (free) {
		fprintf(c->f, "\"free\":%.3f", mib(trace_val(l, "free")));
		sep = ",";
	}
	for (int w = 0; w < 3; w++) {
		if (trace_get(l, mark[w], &v))
			c->wmark[nid][w] = v;
		if (c->wmark[nid][w]) {
			fprintf(c->f, "%s\"%s\":%.3f", sep, mark[w],
				mib(c->wmark[nid][w]));
			sep = ",";
		}
	}
	fputs("}}", c->f);
}

/* A guest's memory: backed, and its balloon's size and target. */
static void vm_counter(struct chrome *c, const struct trace_line *l)
{
	uint64_t target;

	counter_begin(c);
	put_vm_label(c, "", trace_val(l, "vm"), " MiB");
	counter_args(c, l);
	if (l->type == TR_VM_MEM)
		fprintf(c->f, "\"resident\":%.3f,\"balloon\":%.3f",
			mib(trace_val(l, "pages")),
			mib(trace_val(l, "balloon")));
	else
		fprintf(c->f, "\"balloon\":%.3f", mib(trace_val(l, "actual")));
	/* vm_mem of older traces has none. */
	if (trace_get(l, "target", &target))
		fprintf(c->f, ",\"balloon_target\":%.3f", mib(target));
	fputs("}}", c->f);
}

/* The losses the reader has met: a global instant each, where they
 * were (the record after them), with their counts by type. */
static void losses(struct chrome *c)
{
	const struct trace_session *s = c->r ? &c->r->session : NULL;

	for (; s && c->losses_seen < s->nr_loss; c->losses_seen++) {
		const struct trace_loss *loss = &s->loss[c->losses_seen];
		const char *comma = "";

		sep(c);
		fprintf(c->f,
			"{\"name\":\"lost %" PRIu64
			" events\",\"cat\":\"lost\",\"ph\":\"i\",\"s\":\"g\"",
			loss->n);
		put_us(c->f, "ts", loss->from_ts);
		fprintf(c->f, ",\"pid\":%d,\"tid\":0,\"args\":{", PID);
		for (int t = 0; t < NR_TRACE_EVENTS; t++)
			if (loss->by_type[t]) {
				fprintf(c->f, "%s\"%s\":%" PRIu64, comma,
					trace_event_name(t), loss->by_type[t]);
				comma = ",";
			}
		if (loss->untyped)
			fprintf(c->f, "%s\"untyped\":%" PRIu64, comma,
				loss->untyped);
		fputs("}}", c->f);
	}
}

void chrome_line(struct chrome *c, const struct trace_line *l)
{
	uint64_t vm = trace_val(l, "vm");

	losses(c);
	switch (l->type) {
	case TR_FAULT:
		name_thread(c, l->tid, "vm%" PRIu64 "%s%s faults", vm,
			    *vm_name(c, vm) ? " " : "", vm_name(c, vm));
		complete(c, l, trace_val(l, "order") ? "fault 2M" : "fault",
			 "fault", trace_val(l, "ns"));
		break;
	case TR_SLOWPATH_END:
		complete(c, l, "slow path", "alloc", trace_val(l, "ns"));
		break;
	case TR_DIRECT_RECLAIM_END:
		complete(c, l, "direct reclaim", "reclaim", trace_val(l, "ns"));
		break;
	case TR_COMPACT_END:
		complete(c, l, "direct compaction", "compaction",
			 trace_val(l, "ns"));
		break;
	case TR_MIGRATE_BATCH:
		complete(c, l, "migrate batch", "compaction",
			 trace_val(l, "pause_ns"));
		break;
	case TR_KSWAPD_WAKE:
		name_thread(c, l->tid, "kswapd%" PRIu64, trace_val(l, "node"));
		instant(c, l, "t");
		node_counter(c, l, true);
		break;
	case TR_KSWAPD_SLEEP:
		name_thread(c, l->tid, "kswapd%" PRIu64, trace_val(l, "node"));
		complete(c, l, "kswapd run", "reclaim", trace_val(l, "ns"));
		node_counter(c, l, true);
		break;
	case TR_NODE_FREE:
		node_counter(c, l, true);
		break;
	case TR_NODE_WMARK:
		node_counter(c, l, false);
		break;
	case TR_VM_MEM:
	case TR_BALLOON_ACTUAL:
		vm_counter(c, l);
		break;
	case TR_OOM_KILL:
	case TR_VM_STATE:
	case TR_OFFLINE_PAGES:
	case TR_ONLINE_PAGES:
		instant(c, l, "g");
		break;
	case TR_WAKE_KSWAPD:
	case TR_WMARK_BREACH:
	case TR_BALLOON_REQ:
	case TR_BALLOON_DONE:
	case TR_OOM:
	case TR_ALLOC_FAIL:
	case TR_RETRY:
	case TR_COMPACT_BEGIN:
		instant(c, l, "t");
		break;
	default:
		/* Page allocations and frees, begin events whose end event
		 * carries the duration, and types unknown here. */
		break;
	}
}

void chrome_span(void *arg, const struct lat_span *s)
{
	struct chrome *c = arg;
	const char *ph[2] = { "b", "e" };
	uint64_t id = ++c->next_id;
	char name[96];

	if (s->kind == LAT_BALLOON) {
		const char *n = vm_name(c, s->vm);

		snprintf(name, sizeof(name), "balloon vm%d%s%s", s->vm,
			 *n ? " " : "", n);
	} else if (s->kind == LAT_KSWAPD) {
		snprintf(name, sizeof(name), "kswapd response node%d", s->node);
	} else {
		return; /* drawn from the lines as "X" events */
	}
	for (int i = 0; i < 2; i++) {
		sep(c);
		fputs("{\"name\":", c->f);
		put_string(c->f, name);
		fprintf(c->f, ",\"cat\":\"%s\",\"ph\":\"%s\",\"id\":%" PRIu64,
			lat_key[s->kind], ph[i], id);
		put_us(c->f, "ts", i ? s->end : s->start);
		fprintf(c->f, ",\"pid\":%d,\"tid\":%u", PID, s->tid);
		if (!i)
			fputs(",\"args\":{}", c->f);
		fputc('}', c->f);
	}
}

int chrome_end(struct chrome *c)
{
	losses(c);
	for (unsigned int i = 0; i < c->nr_threads; i++) {
		sep(c);
		fprintf(c->f,
			"{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%d,\"tid\":%u,\"args\":{\"name\":",
			PID, c->thread[i].tid);
		put_string(c->f, c->thread[i].name);
		fputs("}}", c->f);
	}
	fputs("\n]}\n", c->f);
	free(c->thread);
	c->thread = NULL;
	return ferror(c->f) ? -EIO : 0;
}
