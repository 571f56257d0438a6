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
	n = trace_ring_write_since(&h->pool->trace, t->since, t->f);
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
