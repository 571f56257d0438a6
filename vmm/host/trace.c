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

#include "vmm/host/events.h"
#include "vmm/host/internal.h"
#include "vmm/host/trace_events.h"

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

/* How often the writer looks at the ring when it does not fill. */
#define WRITER_PERIOD_NS 50000000ULL
/* The file's buffer: a write per this much, or per look. */
#define WRITE_BUFFER (1U << 20)

void host_trace_name(struct vmm_host *h, unsigned int id, const char *name)
{
	struct host_name_entry *e;

	pthread_mutex_lock(&h->names.lock);
	e = &h->names.e[h->names.n++ % HOST_NAME_LOG];
	e->ts = trace_clock_ns();
	e->end_ts = 0;
	e->id = id;
	snprintf(e->name, sizeof(e->name), "%s", name);
	pthread_mutex_unlock(&h->names.lock);
}

void host_trace_name_end(struct vmm_host *h, unsigned int id)
{
	uint64_t first;

	pthread_mutex_lock(&h->names.lock);
	first = h->names.n > HOST_NAME_LOG ? h->names.n - HOST_NAME_LOG : 0;
	for (uint64_t i = h->names.n; i-- > first;)
		if (h->names.e[i % HOST_NAME_LOG].id == id) {
			h->names.e[i % HOST_NAME_LOG].end_ts = trace_clock_ns();
			break;
		}
	pthread_mutex_unlock(&h->names.lock);
}

static void name_comment(FILE *f, const struct host_name_entry *e)
{
	fprintf(f, "# vm=%u name=%s\n", e->id, e->name);
}

/*
 * The launches logged since the last look, to be named in the file
 * before the first record that follows each.  At the session's start,
 * the guests launched before it that still run are named at once.
 */
static void take_names(struct vmm_host *h)
{
	struct host_trace *t = &h->trace;
	uint64_t first;

	/* The written ones make room. */
	memmove(t->names, t->names + t->next_name,
		(t->nr_names - t->next_name) * sizeof(*t->names));
	t->nr_names -= t->next_name;
	t->next_name = 0;
	pthread_mutex_lock(&h->names.lock);
	first = h->names.n > HOST_NAME_LOG ? h->names.n - HOST_NAME_LOG : 0;
	if (first < t->names_seen)
		first = t->names_seen;
	for (uint64_t i = first; i < h->names.n; i++) {
		const struct host_name_entry *e =
			&h->names.e[i % HOST_NAME_LOG];

		if (e->ts >= t->w.start_ns) {
			if (t->nr_names < HOST_NAME_LOG)
				t->names[t->nr_names++] = *e;
		} else if (!e->end_ts || e->end_ts >= t->w.start_ns) {
			name_comment(t->f, e);
		}
	}
	t->names_seen = h->names.n;
	pthread_mutex_unlock(&h->names.lock);
}

/* The writer's hook: launches up to ts, before the record of ts. */
static void names_before(void *arg, FILE *f, uint64_t ts)
{
	struct host_trace *t = arg;

	while (t->next_name < t->nr_names && t->names[t->next_name].ts <= ts)
		name_comment(f, &t->names[t->next_name++]);
}

/* What the ring holds, to the file: one look of the writer. */
static void write_some(struct vmm_host *h)
{
	struct host_trace *t = &h->trace;
	/* The head before the names: a guest named after this look has
	 * no record before it either. */
	uint64_t end = trace_ring_head(&h->pool->trace);

	take_names(h);
	trace_writer_drain(&t->w, end);
	fflush(t->f);
}

static void *writer_main(void *arg)
{
	struct vmm_host *h = arg;
	struct host_trace *t = &h->trace;

	while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE)) {
		trace_ring_wait(&h->pool->trace, WRITER_PERIOD_NS);
		/* Held, or the file has failed: the ring fills and drops,
		 * and the drops are counted. */
		if (__atomic_load_n(&t->hold, __ATOMIC_ACQUIRE) ||
		    READ_ONCE(t->err))
			continue;
		write_some(h);
	}
	return NULL;
}

void host_trace_hold(struct vmm_host *h, bool hold)
{
	__atomic_store_n(&h->trace.hold, hold, __ATOMIC_RELEASE);
	trace_ring_kick(&h->pool->trace);
}

void host_trace_default_opts(struct vmm_host *h, struct host_trace_opts *o)
{
	*o = (struct host_trace_opts){
		.ring_events = h->cfg.trace_events,
		.page_events = h->cfg.trace_page_events,
		.sample_ns = h->cfg.trace_sample_ns,
	};
}

/* The session's file: written through trace_file_write(), in large
 * buffers. */
static int open_stream(struct host_trace *t, int fd, const char *path)
{
	static const cookie_io_functions_t io = { .write = trace_file_write };

	t->fd = fd;
	t->err = 0;
	t->bytes = t->whole = t->lines = 0;
	t->f = fopencookie(t, "w", io);
	t->path = strdup(path);
	t->names = calloc(HOST_NAME_LOG, sizeof(*t->names));
	if (t->f && t->path && t->names &&
	    !setvbuf(t->f, NULL, _IOFBF, WRITE_BUFFER))
		return 0;
	if (t->f)
		fclose(t->f);
	free(t->path);
	free(t->names);
	t->f = NULL;
	t->path = NULL;
	t->names = NULL;
	return -ENOMEM;
}

static void close_stream(struct host_trace *t)
{
	if (fclose(t->f) && !t->err)
		t->err = -EIO; /* stdio's own trouble */
	t->f = NULL;
	/* A failed trace ends with its last whole line, not half of one. */
	if (t->err && t->whole < t->bytes && ftruncate(t->fd, t->whole))
		t->whole = t->bytes;
	if (close(t->fd) && !t->err)
		t->err = -errno;
	free(t->names);
	t->names = NULL;
}

int host_trace_start(struct vmm_host *h, const char *path,
		     enum host_trace_open how,
		     const struct host_trace_opts *opts, char *err,
		     size_t errlen)
{
	struct trace_ring *ring = &h->pool->trace;
	struct host_trace *t = &h->trace;
	uint64_t mask = ~0ULL;
	char why[160];
	int fd, ret;

	if (t->f) {
		snprintf(err, errlen, "already tracing to %s", t->path);
		return -EBUSY;
	}
	if (opts)
		t->opts = *opts;
	else
		host_trace_default_opts(h, &t->opts);
	if (t->opts.ring_events &&
	    (ret = trace_ring_resize(ring, t->opts.ring_events))) {
		snprintf(err, errlen, "no memory for a ring of %u events",
			 t->opts.ring_events);
		return ret;
	}
	fd = how == HOST_TRACE_CREATE ? open_create(path, why, sizeof(why)) :
					open_replace(path, why, sizeof(why));
	if (fd < 0) {
		snprintf(err, errlen, "trace file %s: %s", path, why);
		return fd;
	}
	if (open_stream(t, fd, path)) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (!t->opts.page_events)
		mask &= ~(TRACE_BIT(TR_PAGE_ALLOC) | TRACE_BIT(TR_PAGE_FREE));
	trace_ring_set_events(ring, mask);
	t->stop = false;
	t->nr_names = t->next_name = 0;
	t->names_seen = 0;
	memset(t->wmark, 0, sizeof(t->wmark));
	trace_writer_begin(&t->w, ring, t->f, names_before, t);
	take_names(h); /* the guests that run already */
	trace_ring_enable(ring, true);
	/* Memory as the session starts, then every sample_ns. */
	if (t->opts.sample_ns)
		host_trace_sample(h);
	ret = -pthread_create(&t->writer, NULL, writer_main, h);
	if (!ret && t->opts.sample_ns) {
		ret = periodic_start(&t->sampler, t->opts.sample_ns,
				     host_trace_sample, h);
		if (ret) {
			__atomic_store_n(&t->stop, true, __ATOMIC_RELEASE);
			trace_ring_kick(ring);
			pthread_join(t->writer, NULL);
		}
	}
	if (ret) {
		trace_ring_enable(ring, false);
		trace_writer_end(&t->w);
		close_stream(t);
		free(t->path);
		t->path = NULL;
		snprintf(err, errlen, "starting the trace writer: %s",
			 strerror(-ret));
		return ret;
	}
	host_event_trace(h, true, path, 0, 0, 0);
	return 0;
}

int host_trace_stop(struct vmm_host *h, struct host_trace_result *res,
		    char **path)
{
	struct trace_ring *ring = &h->pool->trace;
	struct host_trace *t = &h->trace;
	int ret;

	*res = (struct host_trace_result){ 0 };
	if (path)
		*path = NULL;
	if (!t->f)
		return -ENOENT;
	/* ... and as it ends. */
	if (t->opts.sample_ns) {
		periodic_stop(&t->sampler);
		host_trace_sample(h);
	}
	trace_ring_enable(ring, false);
	__atomic_store_n(&t->stop, true, __ATOMIC_RELEASE);
	trace_ring_kick(ring);
	pthread_join(t->writer, NULL);
	/* The rest on this thread: what is left in the ring, the names
	 * of guests launched since the last record, the end line. */
	take_names(h);
	ret = trace_writer_end(&t->w);
	close_stream(t);
	if (t->err)
		ret = t->err;
	res->events = t->w.records;
	res->lost = t->w.lost;
	memcpy(res->lost_by_type, t->w.lost_by_type, sizeof(res->lost_by_type));
	res->lines = t->lines;
	host_event_trace(h, false, t->path, res->events, res->lost, ret);
	if (path)
		*path = t->path;
	else
		free(t->path);
	t->path = NULL;
	return ret;
}

int host_trace_finish(struct vmm_host *h, FILE *f,
		      struct host_trace_result *out)
{
	struct host_trace_result res;
	char *path, types[256];
	int ret = host_trace_stop(h, &res, &path);

	if (out)
		*out = res;
	if (ret == -ENOENT)
		return 0;
	if (ret)
		fprintf(f,
			"vmm: trace file %s: %s (it keeps its first %" PRIu64
			" whole lines)\n",
			path, strerror(-ret), res.lines);
	if (res.lost)
		fprintf(f,
			"vmm: warning: trace %s lost %" PRIu64 " of %" PRIu64
			" events (%s): the writer could not keep up with the ring of %" PRIu64
			" events (--trace-ring: a larger one absorbs longer bursts); the file says where (# lost)\n",
			path, res.lost, res.events + res.lost,
			trace_counts_text(res.lost_by_type, types,
					  sizeof(types)),
			trace_ring_capacity(&h->pool->trace));
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
