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

static const struct {
	const char *name;
	const char *key[4];
} trace_events[NR_TRACE_EVENTS] = {
#define X(id, n, k0, k1, k2, k3) [id] = { n, { k0, k1, k2, k3 } },
	TRACE_EVENTS(X)
#undef X
};

static __thread uint32_t trace_tid;

uint64_t trace_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

const char *trace_event_name(enum trace_event_type type)
{
	return type < NR_TRACE_EVENTS ? trace_events[type].name : "unknown";
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
	return 0;
}

void trace_ring_destroy(struct trace_ring *tr)
{
	free(tr->rec);
	tr->rec = NULL;
}

static void update_active(struct trace_ring *tr)
{
	uint64_t all = NR_TRACE_EVENTS == 64 ? ~0ULL :
					       TRACE_BIT(NR_TRACE_EVENTS) - 1;

	BUILD_BUG_ON(NR_TRACE_EVENTS > 64);
	/* Release: a thread that sees a probe bit sees the probe. */
	__atomic_store_n(&tr->active,
			 (READ_ONCE(tr->enabled) ? all : 0) |
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

static void probe_event(struct trace_ring *tr, enum trace_event_type type,
			uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
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

void __trace_event(struct trace_ring *tr, enum trace_event_type type,
		   uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct trace_record *r;
	uint64_t idx;

	probe_event(tr, type, a0, a1, a2, a3);
	if (!READ_ONCE(tr->enabled))
		return;
	idx = __atomic_fetch_add(&tr->head, 1, __ATOMIC_RELAXED);
	r = &tr->rec[idx & tr->mask];

	if (!trace_tid)
		trace_tid = (uint32_t)syscall(SYS_gettid);
	/* Invalidate first, so that a reader never takes a half-written
	 * record for the one it replaces. */
	__atomic_store_n(&r->seq, 0, __ATOMIC_RELEASE);
	WRITE_ONCE(r->ts_ns, trace_clock_ns());
	WRITE_ONCE(r->type, type);
	WRITE_ONCE(r->tid, trace_tid);
	WRITE_ONCE(r->arg[0], a0);
	WRITE_ONCE(r->arg[1], a1);
	WRITE_ONCE(r->arg[2], a2);
	WRITE_ONCE(r->arg[3], a3);
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
		struct trace_record *r = &tr->rec[i & tr->mask];
		uint32_t type;

		if (__atomic_load_n(&r->seq, __ATOMIC_ACQUIRE) != i + 1)
			continue; /* overwritten or still being written */
		type = READ_ONCE(r->type);
		if (type >= NR_TRACE_EVENTS)
			continue;
		fprintf(f, "ts=%" PRIu64 " tid=%u event=%s",
			READ_ONCE(r->ts_ns), READ_ONCE(r->tid),
			trace_events[type].name);
		for (int k = 0; k < 4; k++) {
			const char *key = trace_events[type].key[k];
			uint64_t v = READ_ONCE(r->arg[k]);

			if (!key)
				continue;
			if (key_is_hex(key))
				fprintf(f, " %s=0x%" PRIx64, key, v);
			else
				fprintf(f, " %s=%" PRIu64, key, v);
		}
		fputc('\n', f);
		n++;
	}
	return ferror(f) ? -EIO : n;
}
