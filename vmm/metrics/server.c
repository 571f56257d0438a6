// SPDX-License-Identifier: GPL-2.0
/*
 * The HTTP server of /metrics, over libmicrohttpd: one thread of its own
 * that polls every connection with epoll, so that a connection that sends
 * nothing costs a file descriptor and no thread, within the limits of
 * metrics.h.  The socket is ours (listen_addr_listen()), so that an
 * address in use is an error that says so.
 */
#include <errno.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/errf.h"
#include "vmm/metrics/metrics.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct metrics_server {
	struct MHD_Daemon *d;
	struct vmm_host *h;
	struct listen_addr bound;
};

static enum MHD_Result answer(struct MHD_Connection *c, unsigned int status,
			      char *body, size_t len,
			      enum MHD_ResponseMemoryMode mode,
			      const char *allow)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO; /* MHD closes the connection */
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, CONTENT_TYPE);
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result answer_text(struct MHD_Connection *c,
				   unsigned int status, const char *text,
				   const char *allow)
{
	return answer(c, status, (char *)text, strlen(text),
		      MHD_RESPMEM_PERSISTENT, allow);
}

/* The page, built whole before a byte is sent: a snapshot in time. */
static enum MHD_Result answer_metrics(struct metrics_server *s,
				      struct MHD_Connection *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int ret;

	if (!f)
		return answer_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
				   "out of memory\n", NULL);
	ret = metrics_write(s->h, f);
	if (fclose(f) || ret) {
		free(buf);
		return answer_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
				   "out of memory\n", NULL);
	}
	return answer(c, MHD_HTTP_OK, buf, len, MHD_RESPMEM_MUST_FREE, NULL);
}

/* Every request, once its headers are in.  A request with a body (not a
 * GET) is answered before it is read; MHD then closes the connection. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	(void)version, (void)upload_data, (void)upload_data_size;
	(void)req_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return answer_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				   "only GET and HEAD\n", "GET, HEAD");
	if (strcmp(url, "/metrics"))
		return answer_text(c, MHD_HTTP_NOT_FOUND,
				   "vmm serves /metrics\n", NULL);
	return answer_metrics(cls, c);
}

int metrics_server_start(struct vmm_host *h, const struct listen_addr *at,
			 struct metrics_server **out, char *err, size_t errlen)
{
	struct metrics_server *s;
	char where[80];
	int fd;

	listen_addr_format(at, where, sizeof(where));
	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return errf(err, errlen, -ENOMEM, "out of memory");
	s->h = h;
	fd = listen_addr_listen(at, METRICS_MAX_CONNECTIONS, &s->bound);
	if (fd < 0) {
		free(s);
		return errf(err, errlen, fd, "cannot listen on %s: %s%s", where,
			    strerror(-fd),
			    fd == -EADDRINUSE ?
				    " (another program has that port: choose "
				    "another, or 0 for any free one)" :
			    fd == -EADDRNOTAVAIL ?
				    " (not an address of this host)" :
				    "");
	}
	s->d = MHD_start_daemon(
		MHD_USE_EPOLL_INTERNAL_THREAD |
			(at->ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
		0, NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_CONNECTION_LIMIT,
		(unsigned int)METRICS_MAX_CONNECTIONS,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned int)METRICS_MAX_PER_ADDR,
		MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned int)METRICS_IDLE_TIMEOUT_S, MHD_OPTION_END);
	if (!s->d) {
		close(fd);
		free(s);
		return errf(err, errlen, -EIO,
			    "cannot serve on %s: libmicrohttpd did not start",
			    where);
	}
	*out = s;
	return 0;
}

const struct listen_addr *metrics_server_addr(const struct metrics_server *s)
{
	return &s->bound;
}

void metrics_server_stop(struct metrics_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->d); /* closes the socket too */
	free(s);
}
