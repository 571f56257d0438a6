/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small HTTP/1.1 client over a socket, for what scrapes vmm's /metrics
 * (tools/bench_metrics.c, tests/vmm/check_metrics.c): one request per
 * connection ("Connection: close"), the reply read until the server
 * closes.
 */
#ifndef TOOLS_BENCH_HTTP_H
#define TOOLS_BENCH_HTTP_H

#include <stddef.h>

#include "util/listen_addr.h"

struct http_reply {
	int status; /* 200, 404, ... */
	char *text; /* head and body, NUL-terminated; free() it */
	size_t len;
	const char *body; /* in text */
};

/* A connection to `to` from source address src (an IPv4 address; NULL:
 * any): the fd, or -errno. */
int http_connect(const struct listen_addr *to, const char *src);
/*
 * Send request (the whole of it, as written) on a new connection and
 * read the reply within timeout_ms: 0, -ETIMEDOUT, -EPROTO (not an HTTP
 * reply), or another -errno.
 */
int http_request(const struct listen_addr *to, const char *request,
		 int timeout_ms, struct http_reply *r);
/* GET path, as a scraper asks. */
int http_get(const struct listen_addr *to, const char *path, int timeout_ms,
	     struct http_reply *r);

#endif /* TOOLS_BENCH_HTTP_H */
