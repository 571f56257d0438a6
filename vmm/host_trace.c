// SPDX-License-Identifier: GPL-2.0
/* Tracing sessions over the pool's trace ring (see host_trace.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/host.h"
#include "vmm/host_events.h"
#include "vmm/host_trace.h"

int host_trace_start(struct vmm_host *h, const char *path, char *err,
		     size_t errlen)
{
	struct host_trace *t = &h->trace;
	int fd, ret;

	if (t->f) {
		snprintf(err, errlen, "already tracing to %s", t->path);
		return -EBUSY;
	}
	/* Not O_EXCL: as with --trace, an old trace is replaced. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY,
		  0644);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "trace file %s: %s", path,
			 strerror(errno));
		return ret;
	}
	t->f = fdopen(fd, "w");
	t->path = strdup(path);
	if (!t->f || !t->path) {
		if (t->f)
			fclose(t->f);
		else
			close(fd);
		free(t->path);
		t->f = NULL;
		t->path = NULL;
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	t->since = trace_ring_head(&h->pool->trace);
	t->start_ns = trace_clock_ns();
	trace_ring_enable(&h->pool->trace, true);
	host_event_trace(h, true, path, 0, 0);
	return 0;
}

void host_trace_name(struct vmm_host *h, unsigned int id, const char *name)
{
	struct host_name_entry *e = &h->names.e[h->names.n++ % HOST_NAME_LOG];

	e->ts = trace_clock_ns();
	e->id = id;
	snprintf(e->name, sizeof(e->name), "%s", name);
}

/* Writing a session: the records, with each launch's name before the
 * first record that follows it. */
struct name_writer {
	FILE *f;
	struct host_name_entry *e; /* sorted by ts (the log's order) */
	unsigned int n, next;
	long records;
};

static void name_comment(FILE *f, const struct host_name_entry *e)
{
	fprintf(f, "# vm=%u name=%s\n", e->id, e->name);
}

static void write_record(const struct trace_record *r, void *arg)
{
	struct name_writer *w = arg;

	while (w->next < w->n && w->e[w->next].ts <= r->ts_ns)
		name_comment(w->f, &w->e[w->next++]);
	if (r->type >= NR_TRACE_EVENTS)
		return;
	trace_record_print(r, w->f);
	w->records++;
}

/*
 * The session's records from index since.  First the names of guests
 * launched before the session (the newest holder of each id), then
 * each later launch where it happened.
 */
static long write_session(struct vmm_host *h, uint64_t since, uint64_t start_ns,
			  FILE *f)
{
	struct host_name_entry *e = calloc(HOST_NAME_LOG, sizeof(*e));
	struct name_writer w = { .f = f, .e = e };
	uint64_t first, pos = since, lost = 0;
	bool named[VMM_MAX_GUESTS + 1] = { false };

	if (!e)
		return -ENOMEM;
	pthread_mutex_lock(&h->lock);
	first = h->names.n > HOST_NAME_LOG ? h->names.n - HOST_NAME_LOG : 0;
	for (uint64_t i = first; i < h->names.n; i++)
		e[w.n++] = h->names.e[i % HOST_NAME_LOG];
	pthread_mutex_unlock(&h->lock);
	/* Before the session: the newest entry of each id only. */
	for (unsigned int i = w.n; i-- > 0;) {
		if (e[i].ts >= start_ns || e[i].id > VMM_MAX_GUESTS)
			continue;
		if (!named[e[i].id])
			name_comment(f, &e[i]);
		named[e[i].id] = true;
	}
	while (w.next < w.n && e[w.next].ts < start_ns)
		w.next++;
	trace_ring_drain(&h->pool->trace, &pos, &lost, write_record, &w);
	while (w.next < w.n)
		name_comment(f, &e[w.next++]);
	free(e);
	return ferror(f) ? -EIO : w.records;
}

int host_trace_stop(struct vmm_host *h, struct host_trace_result *res,
		    char **path)
{
	struct host_trace *t = &h->trace;
	uint64_t head;
	long n;
	int ret = 0;

	*res = (struct host_trace_result){ 0 };
	if (path)
		*path = NULL;
	if (!t->f)
		return -ENOENT;
	trace_ring_enable(&h->pool->trace, false);
	head = trace_ring_head(&h->pool->trace);
	n = write_session(h, t->since, t->start_ns, t->f);
	if (n < 0)
		ret = (int)n;
	if (fclose(t->f) && !ret)
		ret = -EIO;
	t->f = NULL;
	res->events = n > 0 ? (uint64_t)n : 0;
	res->lost = head - t->since > res->events ?
			    head - t->since - res->events :
			    0;
	host_event_trace(h, false, t->path, res->events, res->lost);
	if (path)
		*path = t->path;
	else
		free(t->path);
	t->path = NULL;
	return ret;
}

const char *host_trace_path(struct vmm_host *h)
{
	return h->trace.f ? h->trace.path : NULL;
}
