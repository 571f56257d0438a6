// SPDX-License-Identifier: GPL-2.0
/* A trace ring streamed to a trace file (see trace_writer.h). */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "mm/trace_writer.h"

/* How long the end waits for records that were being written. */
#define UNFINISHED_WAIT_NS 100000000ULL

void trace_writer_begin(struct trace_writer *w, struct trace_ring *tr, FILE *f,
			void (*before)(void *arg, FILE *f, uint64_t ts),
			void *arg)
{
	uint64_t events = READ_ONCE(tr->events);
	const char *sep = " off=";

	memset(w, 0, sizeof(*w));
	w->tr = tr;
	w->f = f;
	w->before = before;
	w->arg = arg;
	w->pos = trace_ring_attach(tr);
	trace_ring_dropped(tr, w->dropped);
	w->start_ns = w->last_ts = trace_clock_ns();
	fprintf(f, "# trace start ts=%" PRIu64 " ring=%" PRIu64, w->start_ns,
		trace_ring_capacity(tr));
	for (int t = 0; t < NR_TRACE_EVENTS; t++)
		if (!(events & TRACE_BIT(t)) &&
		    strcmp(trace_event_name(t), "unknown")) {
			fprintf(f, "%s%s", sep, trace_event_name(t));
			sep = ",";
		}
	fputc('\n', f);
}

/* A loss of n events (by_type: of each type, NULL: of none known)
 * before the record of index at. */
static void add_gap(struct trace_writer *w, uint64_t at, uint64_t n,
		    const uint64_t *by_type)
{
	struct trace_gap *g = w->nr_gaps ? &w->gap[w->nr_gaps - 1] : NULL;

	/* Gaps come in index order; too many: the last takes them. */
	if (!g || (g->at != at && w->nr_gaps < TRACE_WRITER_GAPS)) {
		g = &w->gap[w->nr_gaps++];
		memset(g, 0, sizeof(*g));
		g->at = at;
	}
	g->n += n;
	for (int t = 0; by_type && t < NR_TRACE_EVENTS; t++)
		g->by_type[t] += by_type[t];
}

/*
 * The events the ring dropped since the last look.  A producer drops
 * when the records the reader has not read fill the ring: with the
 * reader's tail at tail, that is when the head is at tail + capacity,
 * so they belong before that index.
 */
static void place_drops(struct trace_writer *w, uint64_t tail)
{
	uint64_t now[NR_TRACE_EVENTS], n = 0;

	trace_ring_dropped(w->tr, now);
	for (int t = 0; t < NR_TRACE_EVENTS; t++) {
		uint64_t d = now[t] - w->dropped[t];

		w->dropped[t] = now[t];
		now[t] = d;
		n += d;
	}
	if (n)
		add_gap(w, tail + trace_ring_capacity(w->tr), n, now);
}

/* The gaps before index i, whose next record has time ts. */
static void write_gaps(struct trace_writer *w, uint64_t i, uint64_t ts)
{
	unsigned int done = 0;

	for (; done < w->nr_gaps && w->gap[done].at <= i; done++) {
		const struct trace_gap *g = &w->gap[done];
		const char *sep = ": ";

		fprintf(w->f,
			"# lost %" PRIu64 " events between ts=%" PRIu64
			" and ts=%" PRIu64,
			g->n, w->last_ts, ts);
		for (int t = 0; t < NR_TRACE_EVENTS; t++)
			if (g->by_type[t]) {
				fprintf(w->f, "%s%s=%" PRIu64, sep,
					trace_event_name(t), g->by_type[t]);
				sep = " ";
				w->lost_by_type[t] += g->by_type[t];
			}
		fputc('\n', w->f);
		w->lost += g->n;
	}
	w->nr_gaps -= done;
	memmove(w->gap, w->gap + done, w->nr_gaps * sizeof(w->gap[0]));
}

uint64_t trace_writer_drain(struct trace_writer *w, uint64_t end)
{
	uint64_t tail = w->pos, i, n = 0;
	char line[TRACE_LINE_MAX];

	for (i = w->pos; i < end; i++) {
		struct trace_record r;
		size_t len;

		if (!trace_ring_read(w->tr, i, &r))
			break;
		if (w->nr_gaps)
			write_gaps(w, i, r.ts_ns);
		if (w->before)
			w->before(w->arg, w->f, r.ts_ns);
		len = trace_record_format(&r, line);
		fwrite_unlocked(line, 1, len, w->f);
		w->last_ts = r.ts_ns;
		n++;
	}
	w->pos = i;
	w->records += n;
	/* Before the slots go back: what was dropped meanwhile was dropped
	 * against this tail. */
	place_drops(w, tail);
	trace_ring_consume(w->tr, i);
	return n;
}

int trace_writer_end(struct trace_writer *w)
{
	uint64_t deadline = trace_clock_ns() + UNFINISHED_WAIT_NS, head;
	const struct timespec ms = { 0, 1000000 };

	for (;;) {
		head = trace_ring_head(w->tr);
		trace_writer_drain(w, head);
		if (w->pos >= head || trace_clock_ns() > deadline)
			break;
		nanosleep(&ms, NULL);
	}
	if (w->pos < head) {
		/* Their writers never finished (stopped in the middle). */
		add_gap(w, w->pos, head - w->pos, NULL);
		w->pos = head;
	}
	trace_ring_detach(w->tr);
	head = trace_clock_ns();
	write_gaps(w, UINT64_MAX, head);
	if (w->before)
		w->before(w->arg, w->f, UINT64_MAX);
	fprintf(w->f,
		"# trace end ts=%" PRIu64 " events=%" PRIu64 " lost=%" PRIu64
		"\n",
		head, w->records, w->lost);
	return ferror(w->f) ? -EIO : 0;
}
