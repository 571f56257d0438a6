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

void trace_ring_enable(struct trace_ring *tr, bool on)
{
	WRITE_ONCE(tr->enabled, on);
}

void __trace_event(struct trace_ring *tr, enum trace_event_type type,
		   uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	uint64_t idx = __atomic_fetch_add(&tr->head, 1, __ATOMIC_RELAXED);
	struct trace_record *r = &tr->rec[idx & tr->mask];

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

long trace_ring_write(struct trace_ring *tr, FILE *f)
{
	uint64_t head = __atomic_load_n(&tr->head, __ATOMIC_ACQUIRE);
	uint64_t cap = tr->mask + 1;
	uint64_t i = head > cap ? head - cap : 0;
	long n = 0;

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
