// SPDX-License-Identifier: GPL-2.0
/* The trace ring: multi-producer, overwrite-oldest, read when quiet. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "mm/trace.h"

DEFINE_TRACE_EVENTS(mm_trace_events, MM_TRACE_EVENTS, 0);

/*
 * The registered tables, by id: mm's from the start, the others' once
 * registered (set once, read without a lock: acquire loads).
 */
static const struct trace_event_info *trace_info[NR_TRACE_EVENTS] = {
#define X(id, n, k0, k1, k2, k3) [id] = &mm_trace_events_info[id],
	MM_TRACE_EVENTS(X)
#undef X
};

static const struct trace_event_info *event_info(unsigned int type)
{
	return type < NR_TRACE_EVENTS ?
		       __atomic_load_n(&trace_info[type], __ATOMIC_ACQUIRE) :
		       NULL;
}

int trace_register_events(const struct trace_events *t)
{
	if (t->first > NR_TRACE_EVENTS || t->nr > NR_TRACE_EVENTS - t->first)
		return -EINVAL;
	for (unsigned int i = 0; i < t->nr; i++) {
		const struct trace_event_info *none = NULL;

		/* Release: who sees the entry sees the table. */
		if (!__atomic_compare_exchange_n(
			    &trace_info[t->first + i], &none, &t->info[i],
			    false, __ATOMIC_RELEASE, __ATOMIC_ACQUIRE) &&
		    none != &t->info[i])
			return -EEXIST;
	}
	return 0;
}

static __thread uint32_t trace_tid;

uint64_t trace_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

const char *trace_event_name(unsigned int type)
{
	const struct trace_event_info *e = event_info(type);

	return e ? e->name : "unknown";
}

int trace_event_lookup(const char *name)
{
	for (int t = 0; t < NR_TRACE_EVENTS; t++) {
		const struct trace_event_info *e = event_info(t);

		if (e && !strcmp(e->name, name))
			return t;
	}
	return -1;
}

const char *trace_event_key(unsigned int type, unsigned int k)
{
	const struct trace_event_info *e = event_info(type);

	return e && k < 4 ? e->key[k] : NULL;
}

int trace_ring_init(struct trace_ring *tr, unsigned int capacity)
{
	unsigned int cap = 1;

	while (cap < capacity)
		cap <<= 1;
	memset(tr, 0, sizeof(*tr));
	tr->rec = calloc(cap, sizeof(*tr->rec));
	if (!tr->rec)
		return -ENOMEM;
	tr->mask = cap - 1;
	tr->events = ~0ULL;
	return 0;
}

void trace_ring_destroy(struct trace_ring *tr)
{
	free(tr->rec);
	tr->rec = NULL;
}

/* What the inline test reads: the ring's events while it records, and
 * the probe's. */
static void update_active(struct trace_ring *tr)
{
	/* Release: a thread that sees a probe bit sees the probe. */
	__atomic_store_n(&tr->active,
			 (READ_ONCE(tr->enabled) ? READ_ONCE(tr->events) : 0) |
				 READ_ONCE(tr->probe_mask),
			 __ATOMIC_RELEASE);
}

void trace_ring_enable(struct trace_ring *tr, bool on)
{
	WRITE_ONCE(tr->enabled, on);
	update_active(tr);
}

void trace_set_probe(struct trace_ring *tr, trace_probe_fn fn, void *priv)
{
	tr->probe_priv = priv;
	WRITE_ONCE(tr->probe, fn);
	update_active(tr);
}

void trace_set_probe_mask(struct trace_ring *tr, uint64_t mask)
{
	WRITE_ONCE(tr->probe_mask, tr->probe ? mask : 0);
	update_active(tr);
}

static void probe_event(struct trace_ring *tr, unsigned int type, uint64_t a0,
			uint64_t a1, uint64_t a2, uint64_t a3)
{
	const uint64_t arg[4] = { a0, a1, a2, a3 };
	trace_probe_fn fn;

	if (!(__atomic_load_n(&tr->active, __ATOMIC_ACQUIRE) &
	      READ_ONCE(tr->probe_mask) & TRACE_BIT(type)))
		return;
	fn = READ_ONCE(tr->probe);
	if (fn)
		fn(tr->probe_priv, type, arg);
}

void trace_ring_set_events(struct trace_ring *tr, uint64_t mask)
{
	WRITE_ONCE(tr->events, mask);
	update_active(tr);
}

void __trace_event(struct trace_ring *tr, unsigned int type, uint64_t a0,
		   uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct trace_record *r;
	uint64_t idx;

	probe_event(tr, type, a0, a1, a2, a3);
	/* The ring records the events chosen for it, while enabled. */
	if (!READ_ONCE(tr->enabled) ||
	    !(READ_ONCE(tr->events) & TRACE_BIT(type)))
		return;
	idx = __atomic_fetch_add(&tr->head, 1, __ATOMIC_RELAXED);
	r = &tr->rec[idx & tr->mask];

	if (!trace_tid)
		trace_tid = (uint32_t)syscall(SYS_gettid);
	/*
	 * Invalidate first, so that a reader never takes a half-written
	 * record for the one it replaces.  The fields are release stores:
	 * a reader that sees any of them (acquire) also sees seq cleared
	 * when it checks again (read_record()).
	 */
	__atomic_store_n(&r->seq, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&r->ts_ns, trace_clock_ns(), __ATOMIC_RELEASE);
	__atomic_store_n(&r->type, type, __ATOMIC_RELEASE);
	__atomic_store_n(&r->tid, trace_tid, __ATOMIC_RELEASE);
	__atomic_store_n(&r->arg[0], a0, __ATOMIC_RELEASE);
	__atomic_store_n(&r->arg[1], a1, __ATOMIC_RELEASE);
	__atomic_store_n(&r->arg[2], a2, __ATOMIC_RELEASE);
	__atomic_store_n(&r->arg[3], a3, __ATOMIC_RELEASE);
	__atomic_store_n(&r->seq, idx + 1, __ATOMIC_RELEASE);
}

static bool key_is_hex(const char *key)
{
	size_t n = strlen(key);

	return (n >= 3 &&
		(!strcmp(key + n - 3, "pfn") || !strcmp(key + n - 3, "gpa") ||
		 !strcmp(key + n - 3, "gfp"))) ||
	       (n >= 5 && !strcmp(key + n - 5, "flags"));
}

uint64_t trace_ring_head(struct trace_ring *tr)
{
	return __atomic_load_n(&tr->head, __ATOMIC_ACQUIRE);
}

void trace_record_print(const struct trace_record *r, FILE *f)
{
	static const char *const unknown_keys[4] = { "arg0", "arg1", "arg2",
						     "arg3" };
	const struct trace_event_info *e = event_info(r->type);
	const char *const *keys = e ? e->key : unknown_keys;

	if (r->type >= NR_TRACE_EVENTS) /* not an id: a broken record */
		return;
	fprintf(f, "ts=%" PRIu64 " tid=%u event=", r->ts_ns, r->tid);
	if (e)
		fputs(e->name, f);
	else
		fprintf(f, "unknown_%u", r->type);
	for (int k = 0; k < 4; k++) {
		if (!keys[k])
			continue;
		if (key_is_hex(keys[k]))
			fprintf(f, " %s=0x%" PRIx64, keys[k], r->arg[k]);
		else
			fprintf(f, " %s=%" PRIu64, keys[k], r->arg[k]);
	}
	fputc('\n', f);
}

/* Copy record i if it is complete and still record i: 1, else 0. */
static int read_record(struct trace_ring *tr, uint64_t i,
		       struct trace_record *out)
{
	struct trace_record *r = &tr->rec[i & tr->mask];

	if (__atomic_load_n(&r->seq, __ATOMIC_ACQUIRE) != i + 1)
		return 0;
	out->ts_ns = __atomic_load_n(&r->ts_ns, __ATOMIC_ACQUIRE);
	out->type = __atomic_load_n(&r->type, __ATOMIC_ACQUIRE);
	out->tid = __atomic_load_n(&r->tid, __ATOMIC_ACQUIRE);
	for (int k = 0; k < 4; k++)
		out->arg[k] = __atomic_load_n(&r->arg[k], __ATOMIC_ACQUIRE);
	/* A writer that took the slot meanwhile has cleared seq first. */
	if (__atomic_load_n(&r->seq, __ATOMIC_RELAXED) != i + 1)
		return 0;
	out->seq = i + 1;
	return 1;
}

long trace_ring_write(struct trace_ring *tr, FILE *f)
{
	return trace_ring_write_since(tr, 0, f);
}

long trace_ring_write_since(struct trace_ring *tr, uint64_t since, FILE *f)
{
	uint64_t head = __atomic_load_n(&tr->head, __ATOMIC_ACQUIRE);
	uint64_t cap = tr->mask + 1;
	uint64_t i = head > cap ? head - cap : 0;
	long n = 0;

	if (i < since)
		i = since;
	for (; i < head; i++) {
		struct trace_record r;

		/* Overwritten or still being written: skipped. */
		if (!read_record(tr, i, &r) || r.type >= NR_TRACE_EVENTS)
			continue;
		trace_record_print(&r, f);
		n++;
	}
	return ferror(f) ? -EIO : n;
}

long trace_ring_drain(struct trace_ring *tr, uint64_t *pos, uint64_t *lost,
		      void (*fn)(const struct trace_record *r, void *arg),
		      void *arg)
{
	uint64_t head = __atomic_load_n(&tr->head, __ATOMIC_ACQUIRE);
	uint64_t cap = tr->mask + 1, i = *pos;
	long n = 0;

	if (head > cap && i < head - cap) {
		*lost += head - cap - i;
		i = head - cap;
	}
	for (; i < head; i++) {
		struct trace_record *slot = &tr->rec[i & tr->mask];
		struct trace_record r;
		uint64_t seq;

		if (read_record(tr, i, &r)) {
			if (r.type < NR_TRACE_EVENTS) {
				fn(&r, arg);
				n++;
			}
			continue;
		}
		/*
		 * Not record i: either its writer has not finished (come
		 * back later) or a writer of i + cap, or later, has taken
		 * the slot (lost).  A writer that has the slot but has not
		 * cleared seq yet looks unfinished: later is right for it.
		 */
		seq = __atomic_load_n(&slot->seq, __ATOMIC_ACQUIRE);
		if (seq > i + 1 ||
		    __atomic_load_n(&tr->head, __ATOMIC_ACQUIRE) > i + cap) {
			(*lost)++;
			continue;
		}
		break;
	}
	*pos = i;
	return n;
}
