// SPDX-License-Identifier: GPL-2.0
/* A client of vmm's control socket (see client.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "tools/vmmctl/client.h"
#include "util/errf.h"

#define MAX_LINE (16 << 20) /* a reply longer than this is not vmm's */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* One message, waiting until deadline (ms, -1: none). */
static int read_msg(struct ctl_conn *c, long long deadline, json_t **msg,
		    char *err, size_t errlen)
{
	for (;;) {
		char *nl = c->len ? memchr(c->buf, '\n', c->len) : NULL;
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		json_error_t jerr;
		ssize_t n;
		int wait;

		if (nl) {
			size_t line = nl - c->buf;

			*msg = json_loadb(c->buf, line, 0, &jerr);
			memmove(c->buf, nl + 1, c->len - line - 1);
			c->len -= line + 1;
			if (!*msg)
				return errf(err, errlen, -EPROTO,
					    "not vmm's protocol: %s",
					    jerr.text);
			return 0;
		}
		if (c->len == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 65536;
			char *b;

			if (cap > MAX_LINE)
				return errf(err, errlen, -EPROTO,
					    "a line longer than %d bytes",
					    MAX_LINE);
			b = realloc(c->buf, cap);
			if (!b)
				return errf(err, errlen, -ENOMEM,
					    "out of memory");
			c->buf = b;
			c->cap = cap;
		}
		wait = deadline < 0 ? -1 : (int)(deadline - now_ms());
		if (deadline >= 0 && wait <= 0)
			return errf(err, errlen, -ETIMEDOUT,
				    "no answer from vmm in time");
		n = poll(&p, 1, wait);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errf(err, errlen, -errno, "poll: %s",
				    strerror(errno));
		if (!n)
			continue; /* the deadline check says */
		n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errf(err, errlen, -errno, "reading: %s",
				    strerror(errno));
		if (!n)
			return errf(err, errlen, -EPIPE,
				    "vmm closed the connection");
		c->len += n;
	}
}

static int send_all(struct ctl_conn *c, const char *buf, size_t len, char *err,
		    size_t errlen)
{
	while (len) {
		ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errf(err, errlen, -errno, "sending: %s",
				    strerror(errno));
		buf += n;
		len -= n;
	}
	return 0;
}

int ctl_connect(struct ctl_conn *c, const char *path, int timeout_ms, char *err,
		size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	json_t *qmp;
	int ret;

	memset(c, 0, sizeof(*c));
	c->timeout_ms = timeout_ms;
	c->next_id = 1;
	if (strlen(path) >= sizeof(sa.sun_path))
		return errf(err, errlen, -ENAMETOOLONG,
			    "socket path too long: %s", path);
	strcpy(sa.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return errf(err, errlen, -errno, "socket: %s", strerror(errno));
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		close(c->fd);
		c->fd = -1;
		return errf(
			err, errlen, ret, "%s: %s%s", path, strerror(-ret),
			ret == -ENOENT || ret == -ECONNREFUSED ?
				" (is vmm host running? --socket, $VMM_SOCKET)" :
				"");
	}
	c->events = json_array();
	ret = read_msg(c, timeout_ms < 0 ? -1 : now_ms() + timeout_ms,
		       &c->greeting, err, errlen);
	if (ret)
		goto fail;
	qmp = json_object_get(c->greeting, "QMP");
	if (!json_is_object(qmp) ||
	    !json_object_get(json_object_get(qmp, "version"), "vmm")) {
		/* A refusal (too many clients) comes as an error line. */
		json_t *desc = json_object_get(
			json_object_get(c->greeting, "error"), "desc");

		ret = errf(err, errlen, -EPROTO, "%s: %s", path,
			   desc ? json_string_value(desc) :
				  "not a vmm control socket");
		goto fail;
	}
	return 0;
fail:
	ctl_close(c);
	return ret;
}

void ctl_close(struct ctl_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
	json_decref(c->greeting);
	json_decref(c->events);
	c->greeting = c->events = NULL;
}

/* Messages until the reply with id (NULL: the first reply of any). */
static int await_reply(struct ctl_conn *c, json_t *id, json_t **ret, char *err,
		       size_t errlen)
{
	long long deadline = c->timeout_ms < 0 ? -1 : now_ms() + c->timeout_ms;

	for (;;) {
		json_t *msg, *v;
		int r = read_msg(c, deadline, &msg, err, errlen);

		if (r)
			return r;
		if (json_object_get(msg, "event")) {
			json_array_append_new(c->events, msg);
			continue;
		}
		if (id && !json_equal(json_object_get(msg, "id"), id)) {
			json_decref(msg);
			continue; /* someone else's: not on this connection */
		}
		if (!id) {
			*ret = msg;
			return json_object_get(msg, "error") ? 1 : 0;
		}
		if ((v = json_object_get(msg, "return"))) {
			*ret = json_incref(v);
			json_decref(msg);
			return 0;
		}
		if ((v = json_object_get(msg, "error"))) {
			*ret = json_incref(v);
			json_decref(msg);
			return 1;
		}
		json_decref(msg);
		return errf(err, errlen, -EPROTO, "a reply with no result");
	}
}

int ctl_execute(struct ctl_conn *c, const char *cmd, json_t *args, json_t **ret,
		char *err, size_t errlen)
{
	json_t *req, *id = json_integer(c->next_id++);
	char *line;
	int r;

	*ret = NULL;
	req = json_pack("{s:s,s:O}", "execute", cmd, "id", id);
	if (req && args)
		json_object_set_new(req, "arguments", args);
	else
		json_decref(args);
	line = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (!line) {
		json_decref(id);
		return errf(err, errlen, -ENOMEM, "out of memory");
	}
	r = send_all(c, line, strlen(line), err, errlen);
	if (!r)
		r = send_all(c, "\n", 1, err, errlen);
	free(line);
	if (!r)
		r = await_reply(c, id, ret, err, errlen);
	json_decref(id);
	return r;
}

int ctl_execute_raw(struct ctl_conn *c, const char *line, json_t **ret,
		    char *err, size_t errlen)
{
	int r = send_all(c, line, strlen(line), err, errlen);

	*ret = NULL;
	if (!r)
		r = send_all(c, "\n", 1, err, errlen);
	return r ? r : await_reply(c, NULL, ret, err, errlen);
}

int ctl_next_event(struct ctl_conn *c, int timeout_ms, json_t **ev, char *err,
		   size_t errlen)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;

	for (;;) {
		json_t *msg;
		int r;

		if (json_array_size(c->events)) {
			*ev = json_incref(json_array_get(c->events, 0));
			json_array_remove(c->events, 0);
			return 0;
		}
		r = read_msg(c, deadline, &msg, err, errlen);
		if (r)
			return r;
		if (json_object_get(msg, "event")) {
			*ev = msg;
			return 0;
		}
		json_decref(msg); /* a stray reply */
	}
}
