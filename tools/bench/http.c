// SPDX-License-Identifier: GPL-2.0
/* A small HTTP client (http.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tools/bench/http.h"

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int http_connect(const struct listen_addr *to, const char *src)
{
	int fd = socket(to->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in from = { .sin_family = AF_INET };

	if (fd < 0)
		return -errno;
	if (src && inet_pton(AF_INET, src, &from.sin_addr) != 1) {
		close(fd);
		return -EINVAL;
	}
	if ((src && bind(fd, (struct sockaddr *)&from, sizeof(from))) ||
	    connect(fd, (const struct sockaddr *)&to->ss, to->len)) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

/* Read until the server closes, by deadline; the text NUL-terminated. */
static int read_all(int fd, int64_t deadline, struct http_reply *r)
{
	size_t cap = 1 << 16;

	r->len = 0;
	r->text = malloc(cap);
	if (!r->text)
		return -ENOMEM;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) != 1)
			return -ETIMEDOUT;
		if (r->len + 1 == cap) {
			char *more = realloc(r->text, cap *= 2);

			if (!more)
				return -ENOMEM;
			r->text = more;
		}
		n = read(fd, r->text + r->len, cap - r->len - 1);
		if (n < 0)
			return -errno;
		if (!n)
			break;
		r->len += n;
	}
	r->text[r->len] = 0;
	return 0;
}

int http_request(const struct listen_addr *to, const char *request,
		 int timeout_ms, struct http_reply *r)
{
	int64_t deadline = now_ms() + timeout_ms;
	size_t len = strlen(request);
	int fd = http_connect(to, NULL), ret;

	*r = (struct http_reply){ 0 };
	if (fd < 0)
		return fd;
	if (send(fd, request, len, MSG_NOSIGNAL) != (ssize_t)len)
		ret = -EIO;
	else
		ret = read_all(fd, deadline, r);
	close(fd);
	if (!ret && (sscanf(r->text, "HTTP/1.%*d %d", &r->status) != 1 ||
		     !(r->body = strstr(r->text, "\r\n\r\n"))))
		ret = -EPROTO;
	if (ret) {
		free(r->text);
		*r = (struct http_reply){ 0 };
		return ret;
	}
	r->body += 4;
	return 0;
}

int http_get(const struct listen_addr *to, const char *path, int timeout_ms,
	     struct http_reply *r)
{
	char req[512];

	snprintf(
		req, sizeof(req),
		"GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
		path);
	return http_request(to, req, timeout_ms, r);
}
