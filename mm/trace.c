// SPDX-License-Identifier: GPL-2.0
/*
 * The trace ring: multi-producer; a flight recorder that keeps the newest
 * events, or streamed to one reader that drains it as it records.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "mm/trace.h"
#include "util/futex.h"

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

const char *trace_counts_text(const uint64_t count[NR_TRACE_EVENTS], char *buf,
			      size_t len)
{
	bool done[NR_TRACE_EVENTS] = { false };
	size_t n = 0;

	buf[0] = 0;
	while (n < len) {
		int best = -1;

		for (int t = 0; t < NR_TRACE_EVENTS; t++)
			if (!done[t] && count[t] &&
			    (best < 0 || count[t] > count[best]))
				best = t;
		if (best < 0)
			break;
		done[best] = true;
		n += snprintf(buf + n, len - n, "%s%s %" PRIu64, n ? ", " : "",
			      trace_event_name(best), count[best]);
	}
	return buf;
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

static struct trace_buf *buf_alloc(uint64_t cap)
{
	struct trace_buf *b =
		calloc(1, sizeof(*b) + cap * sizeof(struct trace_record));

	if (b)
		b->mask = cap - 1;
	return b;
}

static uint64_t round_capacity(unsigned int capacity)
{
	uint64_t cap = 1;

	while (cap < capacity)
		cap <<= 1;
	return cap;
}

int trace_ring_init(struct trace_ring *tr, unsigned int capacity)
{
	memset(tr, 0, sizeof(*tr));
	tr->buf = buf_alloc(round_capacity(capacity));
	if (!tr->buf)
		return -ENOMEM;
	tr->events = ~0ULL;
	return 0;
}

void trace_ring_destroy(struct trace_ring *tr)
{
	struct trace_buf *b = tr->retired, *next;

	free(tr->buf);
	tr->buf = NULL;
	for (; b; b = next) {
		next = b->next;
		free(b);
	}
	tr->retired = NULL;
}

uint64_t trace_ring_capacity(const struct trace_ring *tr)
{
	return tr->buf->mask + 1;
}

int trace_ring_resize(struct trace_ring *tr, unsigned int capacity)
{
	uint64_t cap = round_capacity(capacity);
	struct trace_buf **p, *b = NULL;

	if (cap == trace_ring_capacity(tr))
		return 0;
	for (p = &tr->retired; *p; p = &(*p)->next)
		if ((*p)->mask == cap - 1) {
			b = *p;
			*p = b->next;
			break;
		}
	if (!b && !(b = buf_alloc(cap)))
		return -ENOMEM;
	/*
	 * A retired buffer's records have indices below the head: none can
	 * pass for a record of the indices to come (seq is index + 1).
	 */
	tr->buf->next = tr->retired;
	tr->retired = tr->buf;
	__atomic_store_n(&tr->buf, b, __ATOMIC_RELEASE);
	return 0;
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

/* reader_sleeps: the reader is awake, asleep, or kicked (whether it slept
 * or not: its next wait returns at once). */
enum { READER_AWAKE, READER_ASLEEP, READER_KICKED };

void trace_ring_kick(struct trace_ring *tr)
{
	if (__atomic_exchange_n(&tr->reader_sleeps, READER_KICKED,
				__ATOMIC_SEQ_CST) == READER_ASLEEP)
		futex_wake_all(&tr->reader_sleeps);
}

/*
 * Streamed: take index *idx unless the ring is full of records the
 * reader has not read, in which case the event is dropped and counted.
 */
static bool stream_reserve(struct trace_ring *tr, const struct trace_buf *b,
			   unsigned int type, uint64_t *idx)
{
	uint64_t h = __atomic_load_n(&tr->head, __ATOMIC_RELAXED), t;

	do {
		/* Acquire: the reader is done with the slot it freed. */
		t = __atomic_load_n(&tr->tail, __ATOMIC_ACQUIRE);
		/* Signed: a stale h below t is not a full ring (the CAS
		 * fails and brings the head). */
		if ((int64_t)(h - t) > (int64_t)b->mask) {
			__atomic_fetch_add(&tr->dropped[type], 1,
					   __ATOMIC_RELAXED);
			return false;
		}
	} while (!__atomic_compare_exchange_n(&tr->head, &h, h + 1, true,
					      __ATOMIC_SEQ_CST,
					      __ATOMIC_RELAXED));
	/* A quarter full: wake the reader if it sleeps (the CAS is a full
	 * barrier against its store of reader_sleeps and load of head). */
	if (h + 1 - t > TRACE_WAKE_MARK(b->mask) &&
	    __atomic_load_n(&tr->reader_sleeps, __ATOMIC_SEQ_CST) ==
		    READER_ASLEEP)
		trace_ring_kick(tr);
	*idx = h;
	return true;
}

void __trace_event(struct trace_ring *tr, unsigned int type, uint64_t a0,
		   uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct trace_buf *b;
	struct trace_record *r;
	uint64_t idx;

	probe_event(tr, type, a0, a1, a2, a3);
	/* The ring records the events chosen for it, while enabled. */
	if (!READ_ONCE(tr->enabled) ||
	    !(READ_ONCE(tr->events) & TRACE_BIT(type)))
		return;
	b = __atomic_load_n(&tr->buf, __ATOMIC_ACQUIRE);
	if (READ_ONCE(tr->stream)) {
		if (!stream_reserve(tr, b, type, &idx))
			return;
	} else {
		idx = __atomic_fetch_add(&tr->head, 1, __ATOMIC_RELAXED);
	}
	r = &b->rec[idx & b->mask];

	if (!trace_tid)
		trace_tid = (uint32_t)syscall(SYS_gettid);
	/*
	 * Invalidate first, so that a reader never takes a half-written
	 * record for the one it replaces.  The fields are release stores:
	 * a reader that sees any of them (acquire) also sees seq cleared
	 * when it checks again (trace_ring_read()).
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

uint64_t trace_ring_head(struct trace_ring *tr)
{
	return __atomic_load_n(&tr->head, __ATOMIC_ACQUIRE);
}

/* Bit k set: key k of the event prints in hex (pfn, gpa, gfp, flags, as
 * Linux's tracepoints print pfns); bit 7: worked out. */
static uint8_t hex_keys[NR_TRACE_EVENTS];

static bool key_is_hex(const char *key)
{
	size_t n = strlen(key);

	return (n >= 3 &&
		(!strcmp(key + n - 3, "pfn") || !strcmp(key + n - 3, "gpa") ||
		 !strcmp(key + n - 3, "gfp"))) ||
	       (n >= 5 && !strcmp(key + n - 5, "flags"));
}

static unsigned int hex_mask(unsigned int type, const char *const *keys)
{
	unsigned int m = __atomic_load_n(&hex_keys[type], __ATOMIC_RELAXED);

	if (m & 0x80)
		return m;
	m = 0x80;
	for (int k = 0; k < 4; k++)
		if (keys[k] && key_is_hex(keys[k]))
			m |= 1U << k;
	/* Every thread works out the same value: a race is harmless. */
	__atomic_store_n(&hex_keys[type], (uint8_t)m, __ATOMIC_RELAXED);
	return m;
}

/* Bounded appends: a line never runs past the end of its buffer. */
struct line {
	char *p, *end;
};

static void put_str(struct line *l, const char *s)
{
	size_t n = strlen(s);

	if (n > (size_t)(l->end - l->p))
		n = l->end - l->p;
	memcpy(l->p, s, n);
	l->p += n;
}

/* Digits right to left into the end of tmp; where they start. */
static char *dec(char *end, uint64_t v)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718"
		"19202122232425262728293031323334353637"
		"38394041424344454647484950515253545556"
		"57585960616263646566676869707172737475"
		"767778798081828384858687888990919293949596979899";

	while (v >= 100) {
		end -= 2;
		memcpy(end, &pairs[(v % 100) * 2], 2);
		v /= 100;
	}
	if (v >= 10) {
		end -= 2;
		memcpy(end, &pairs[v * 2], 2);
	} else {
		*--end = '0' + v;
	}
	return end;
}

static char *hex(char *end, uint64_t v)
{
	do {
		*--end = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	end -= 2;
	memcpy(end, "0x", 2);
	return end;
}

static void put_u64(struct line *l, uint64_t v, bool is_hex)
{
	char tmp[24], *end = tmp + sizeof(tmp);
	char *p = is_hex ? hex(end, v) : dec(end, v);
	size_t n = end - p;

	if (n > (size_t)(l->end - l->p))
		n = l->end - l->p;
	memcpy(l->p, p, n);
	l->p += n;
}

size_t trace_record_format(const struct trace_record *r, char *buf)
{
	static const char *const unknown_keys[4] = { "arg0", "arg1", "arg2",
						     "arg3" };
	const struct trace_event_info *e = event_info(r->type);
	const char *const *keys = e ? e->key : unknown_keys;
	/* Room for the newline and the NUL, whatever comes before. */
	struct line l = { buf, buf + TRACE_LINE_MAX - 2 };
	unsigned int hex;

	if (r->type >= NR_TRACE_EVENTS) { /* not an id: a broken record */
		buf[0] = 0;
		return 0;
	}
	hex = e ? hex_mask(r->type, keys) : 0;
	put_str(&l, "ts=");
	put_u64(&l, r->ts_ns, false);
	put_str(&l, " tid=");
	put_u64(&l, r->tid, false);
	put_str(&l, " event=");
	if (e) {
		put_str(&l, e->name);
	} else {
		put_str(&l, "unknown_");
		put_u64(&l, r->type, false);
	}
	for (int k = 0; k < 4; k++) {
		if (!keys[k])
			continue;
		put_str(&l, " ");
		put_str(&l, keys[k]);
		put_str(&l, "=");
		put_u64(&l, r->arg[k], hex & (1U << k));
	}
	*l.p++ = '\n';
	*l.p = 0;
	return l.p - buf;
}

void trace_record_print(const struct trace_record *r, FILE *f)
{
	char line[TRACE_LINE_MAX];
	size_t n = trace_record_format(r, line);

	if (n)
		fwrite(line, 1, n, f);
}

int trace_ring_read(struct trace_ring *tr, uint64_t i, struct trace_record *out)
{
	struct trace_buf *b = __atomic_load_n(&tr->buf, __ATOMIC_ACQUIRE);
	struct trace_record *r = &b->rec[i & b->mask];

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
	uint64_t cap = trace_ring_capacity(tr);
	uint64_t i = head > cap ? head - cap : 0;
	long n = 0;

	if (i < since)
		i = since;
	for (; i < head; i++) {
		struct trace_record r;

		/* Overwritten or still being written: skipped. */
		if (!trace_ring_read(tr, i, &r) || r.type >= NR_TRACE_EVENTS)
			continue;
		trace_record_print(&r, f);
		n++;
	}
	return ferror(f) ? -EIO : n;
}

void trace_ring_consume(struct trace_ring *tr, uint64_t pos)
{
	/* Release: done with the slots before it writers may take. */
	__atomic_store_n(&tr->tail, pos, __ATOMIC_RELEASE);
}

long trace_ring_drain(struct trace_ring *tr, uint64_t *pos, uint64_t *lost,
		      void (*fn)(const struct trace_record *r, void *arg),
		      void *arg)
{
	uint64_t head = __atomic_load_n(&tr->head, __ATOMIC_ACQUIRE);
	uint64_t cap = trace_ring_capacity(tr), i = *pos;
	long n = 0;

	if (head > cap && i < head - cap) {
		*lost += head - cap - i;
		i = head - cap;
	}
	for (; i < head; i++) {
		struct trace_buf *b =
			__atomic_load_n(&tr->buf, __ATOMIC_ACQUIRE);
		struct trace_record *slot = &b->rec[i & b->mask];
		struct trace_record r;
		uint64_t seq;

		if (trace_ring_read(tr, i, &r)) {
			if (r.type < NR_TRACE_EVENTS) {
				fn(&r, arg);
				n++;
			}
			continue;
		}
		/*
		 * Not record i: either its writer has not finished (come
		 * back later) or a writer of i + cap, or later, has taken
		 * the slot (lost; never in a streamed ring).  A writer that
		 * has the slot but has not cleared seq yet looks
		 * unfinished: later is right for it.
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
	if (READ_ONCE(tr->stream))
		trace_ring_consume(tr, i);
	return n;
}

uint64_t trace_ring_attach(struct trace_ring *tr)
{
	uint64_t head = trace_ring_head(tr);

	__atomic_store_n(&tr->tail, head, __ATOMIC_RELEASE);
	WRITE_ONCE(tr->stream, true);
	return head;
}

void trace_ring_detach(struct trace_ring *tr)
{
	WRITE_ONCE(tr->stream, false);
	trace_ring_kick(tr);
}

void trace_ring_dropped(struct trace_ring *tr, uint64_t out[NR_TRACE_EVENTS])
{
	for (int t = 0; t < NR_TRACE_EVENTS; t++)
		out[t] = __atomic_load_n(&tr->dropped[t], __ATOMIC_RELAXED);
}

void trace_ring_wait(struct trace_ring *tr, uint64_t timeout_ns)
{
	const struct timespec ts = { .tv_sec = timeout_ns / 1000000000ULL,
				     .tv_nsec = timeout_ns % 1000000000ULL };
	uint64_t mask = __atomic_load_n(&tr->buf, __ATOMIC_ACQUIRE)->mask;
	unsigned int awake = READER_AWAKE;

	/*
	 * Say so before looking at the head: a writer that fills the ring
	 * to its mark after this look sees reader_sleeps set (both sides are
	 * sequentially consistent) and wakes us.  A kick that came since
	 * the last wait ends this one at once.
	 */
	if (__atomic_compare_exchange_n(&tr->reader_sleeps, &awake,
					READER_ASLEEP, false, __ATOMIC_SEQ_CST,
					__ATOMIC_SEQ_CST) &&
	    __atomic_load_n(&tr->head, __ATOMIC_SEQ_CST) -
			    __atomic_load_n(&tr->tail, __ATOMIC_RELAXED) <=
		    TRACE_WAKE_MARK(mask))
		futex_wait(&tr->reader_sleeps, READER_ASLEEP, &ts);
	__atomic_store_n(&tr->reader_sleeps, READER_AWAKE, __ATOMIC_RELAXED);
}
