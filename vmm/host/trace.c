// SPDX-License-Identifier: GPL-2.0
/* Tracing sessions over the pool's trace ring (see trace.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "vmm/host/host.h"
#include "vmm/host/events.h"
#include "vmm/host/trace.h"

/*
 * Filesystems whose files are the kernel's own interfaces, not places to
 * keep a trace: writing trace lines there as root could change a setting
 * (linux/magic.h).
 */
static const struct {
	unsigned long magic;
	const char *name;
} kernel_fs[] = {
	{ PROC_SUPER_MAGIC, "proc" },	    { SYSFS_MAGIC, "sysfs" },
	{ DEBUGFS_MAGIC, "debugfs" },	    { TRACEFS_MAGIC, "tracefs" },
	{ SECURITYFS_MAGIC, "securityfs" }, { CGROUP_SUPER_MAGIC, "cgroup" },
	{ CGROUP2_SUPER_MAGIC, "cgroup2" }, { BPF_FS_MAGIC, "bpf" },
	{ EFIVARFS_MAGIC, "efivarfs" },
};

/* The system's error, in why; returns it (-errno). */
static int sys_error(char *why, size_t len)
{
	int ret = -errno;

	snprintf(why, len, "%s", strerror(-ret));
	return ret;
}

/* Why an open file may not take a trace, in why; 0 or -errno. */
static int unfit(int fd, char *why, size_t len)
{
	struct statfs sfs;
	struct stat st;

	if (fstat(fd, &st) || fstatfs(fd, &sfs))
		return sys_error(why, len);
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, len,
			 "not a regular file (a trace goes only to one)");
		return -EINVAL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(kernel_fs); i++)
		if ((unsigned long)sfs.f_type == kernel_fs[i].magic) {
			snprintf(
				why, len,
				"a file of the kernel's %s filesystem, not a place for a trace",
				kernel_fs[i].name);
			return -EINVAL;
		}
	return 0;
}

/*
 * HOST_TRACE_REPLACE: what exists is looked at before it is opened (a
 * device may act on open alone), and again once open; then truncated.
 */
static int open_replace(const char *path, char *why, size_t len)
{
	struct stat st;
	int fd, ret;

	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		snprintf(why, len,
			 "not a regular file (a trace goes only to one)");
		return -EINVAL;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
	if (fd < 0)
		return sys_error(why, len);
	ret = unfit(fd, why, len);
	if (!ret && ftruncate(fd, 0))
		ret = sys_error(why, len);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

static int open_create(const char *path, char *why, size_t len)
{
	int fd = open(path,
		      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC |
			      O_NOCTTY,
		      0644);

	if (fd < 0 && errno == EEXIST) {
		snprintf(
			why, len,
			"exists: trace-start makes a new file only (remove it, or name another)");
		return -EEXIST;
	}
	return fd < 0 ? sys_error(why, len) : fd;
}

/*
 * The session's FILE writes through here: the first error is kept with
 * its errno (stdio keeps only that there was one), and what reached the
 * file is counted, so that a failed trace can be cut back to its last
 * whole line.  Returns 0 on an error, as fopencookie() wants.
 */
static ssize_t trace_file_write(void *cookie, const char *buf, size_t len)
{
	struct host_trace *t = cookie;
	size_t done = 0;

	while (!t->err && done < len) {
		ssize_t n = write(t->fd, buf + done, len - done);
		const char *p, *end;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			t->err = n < 0 ? -errno : -EIO;
			break;
		}
		end = buf + done + n;
		for (p = buf + done; (p = memchr(p, '\n', end - p)); p++) {
			t->lines++;
			t->whole = t->bytes + (p - (buf + done)) + 1;
		}
		t->bytes += n;
		done += n;
	}
	if (t->err)
		errno = -t->err;
	return done == len ? (ssize_t)len : 0;
}

int host_trace_start(struct vmm_host *h, const char *path,
		     enum host_trace_open how, char *err, size_t errlen)
{
	static const cookie_io_functions_t io = { .write = trace_file_write };
	struct host_trace *t = &h->trace;
	char why[160];
	int fd;

	if (t->f) {
		snprintf(err, errlen, "already tracing to %s", t->path);
		return -EBUSY;
	}
	fd = how == HOST_TRACE_CREATE ? open_create(path, why, sizeof(why)) :
					open_replace(path, why, sizeof(why));
	if (fd < 0) {
		snprintf(err, errlen, "trace file %s: %s", path, why);
		return fd;
	}
	t->fd = fd;
	t->err = 0;
	t->bytes = t->whole = t->lines = 0;
	t->f = fopencookie(t, "w", io);
	t->path = strdup(path);
	if (!t->f || !t->path) {
		if (t->f)
			fclose(t->f);
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
	host_event_trace(h, true, path, 0, 0, 0);
	return 0;
}

void host_trace_name(struct vmm_host *h, unsigned int id, const char *name)
{
	struct host_name_entry *e = &h->names.e[h->names.n++ % HOST_NAME_LOG];

	e->ts = trace_clock_ns();
	e->end_ts = 0;
	e->id = id;
	snprintf(e->name, sizeof(e->name), "%s", name);
}

void host_trace_name_end(struct vmm_host *h, unsigned int id)
{
	uint64_t first =
		h->names.n > HOST_NAME_LOG ? h->names.n - HOST_NAME_LOG : 0;

	for (uint64_t i = h->names.n; i-- > first;)
		if (h->names.e[i % HOST_NAME_LOG].id == id) {
			h->names.e[i % HOST_NAME_LOG].end_ts = trace_clock_ns();
			return;
		}
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
 * launched before the session that still ran when it started, then each
 * later launch where it happened.
 */
static long write_session(struct vmm_host *h, uint64_t since, uint64_t start_ns,
			  FILE *f)
{
	struct host_name_entry *e = calloc(HOST_NAME_LOG, sizeof(*e));
	struct name_writer w = { .f = f, .e = e };
	uint64_t first, pos = since, lost = 0;

	if (!e)
		return -ENOMEM;
	pthread_mutex_lock(&h->lock);
	first = h->names.n > HOST_NAME_LOG ? h->names.n - HOST_NAME_LOG : 0;
	for (uint64_t i = first; i < h->names.n; i++)
		e[w.n++] = h->names.e[i % HOST_NAME_LOG];
	pthread_mutex_unlock(&h->lock);
	for (; w.next < w.n && e[w.next].ts < start_ns; w.next++)
		if (!e[w.next].end_ts || e[w.next].end_ts >= start_ns)
			name_comment(f, &e[w.next]);
	trace_ring_drain(&h->pool->trace, &pos, &lost, write_record, &w);
	while (w.next < w.n)
		name_comment(f, &e[w.next++]);
	free(e);
	return w.records;
}

int host_trace_stop(struct vmm_host *h, struct host_trace_result *res,
		    char **path)
{
	struct host_trace *t = &h->trace;
	uint64_t head;
	long n;
	int ret;

	*res = (struct host_trace_result){ 0 };
	if (path)
		*path = NULL;
	if (!t->f)
		return -ENOENT;
	trace_ring_enable(&h->pool->trace, false);
	head = trace_ring_head(&h->pool->trace);
	n = write_session(h, t->since, t->start_ns, t->f);
	if (fclose(t->f) && !t->err)
		t->err = -EIO; /* stdio's own trouble */
	t->f = NULL;
	/* A failed trace ends with its last whole line, not half of one. */
	if (t->err && t->whole < t->bytes && ftruncate(t->fd, t->whole))
		t->whole = t->bytes;
	if (close(t->fd) && !t->err)
		t->err = -errno;
	ret = n < 0 ? (int)n : t->err;
	res->events = n > 0 ? (uint64_t)n : 0;
	res->lost = head - t->since > res->events ?
			    head - t->since - res->events :
			    0;
	res->lines = t->lines;
	host_event_trace(h, false, t->path, res->events, res->lost, ret);
	if (path)
		*path = t->path;
	else
		free(t->path);
	t->path = NULL;
	return ret;
}

int host_trace_finish(struct vmm_host *h, FILE *f)
{
	struct host_trace_result res;
	char *path;
	int ret = host_trace_stop(h, &res, &path);

	if (ret == -ENOENT)
		return 0;
	if (ret)
		fprintf(f,
			"vmm: trace file %s: %s (it keeps its first %" PRIu64
			" whole lines)\n",
			path, strerror(-ret), res.lines);
	free(path);
	return ret;
}

const char *host_trace_path(struct vmm_host *h)
{
	return h->trace.f ? h->trace.path : NULL;
}

struct trace_ring *host_trace_ring(struct vmm_host *h)
{
	return &h->pool->trace;
}
