// SPDX-License-Identifier: GPL-2.0
/*
 * One control-socket connection (see internal.h): its buffers, lines
 * in (one command each, bounded), replies and events out (non-blocking,
 * bounded), the protocol's checks before a command runs.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mm/trace.h"
#include "mm/types.h"
#include "vmm/ctl/internal.h"
#include "util/version.h"

#define READS_PER_WAKEUP 4 /* then let the others have the loop */

static void peer_try_free(struct ctl_peer *c)
{
	if (!c->closing || c->in_callback || !ev_idle(&c->in_ev) ||
	    !ev_idle(&c->out_ev))
		return;
	c->s->nr_closing--;
	close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
}

static void peer_release(struct evloop *l, struct ev *e)
{
	(void)l;
	peer_try_free(e->arg);
}

/* Drop c: no more reading or writing; freed when the loop lets go. */
void ctl_peer_close(struct ctl_peer *c)
{
	struct ctl_server *s = c->s;

	if (c->closing)
		return;
	c->closing = true;
	s->nr_closing++;
	if (c->watching)
		s->nr_watchers--;
	/* The other end sees it now, not when the fd is freed. */
	shutdown(c->fd, SHUT_RDWR);
	evloop_del(s->loop, &c->in_ev);
	evloop_del(s->loop, &c->out_ev);
	for (unsigned int i = 0; i < CTL_MAX_CLIENTS; i++)
		if (s->client[i] == c) {
			s->client[i] = NULL;
			s->nr_clients--;
		}
	peer_try_free(c);
}

/* Queue n bytes; a client with too much unread is dropped (-1). */
static int peer_append(struct ctl_peer *c, const char *buf, size_t n)
{
	size_t pending = c->out_len - c->out_off;

	if (c->closing)
		return -1;
	if (pending + n > CTL_OUT_MAX) {
		ctl_peer_close(c);
		return -1;
	}
	if (c->out_off && c->out_len + n > c->out_cap) {
		memmove(c->out, c->out + c->out_off, pending);
		c->out_off = 0;
		c->out_len = pending;
	}
	if (c->out_len + n > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *p;

		while (cap < c->out_len + n)
			cap *= 2;
		p = realloc(c->out, cap);
		if (!p) {
			ctl_peer_close(c);
			return -1;
		}
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, buf, n);
	c->out_len += n;
	return 0;
}

static void on_peer_out(struct evloop *l, struct ev *e, int res)
{
	struct ctl_peer *c = e->arg;

	(void)res;
	c->in_callback = true;
	ctl_peer_flush(c);
	/* All out: stop watching (from its own callback: nothing is left
	 * in flight, so it may be added again at once). */
	if (!c->closing && c->out_off == c->out_len)
		evloop_del(l, e);
	c->in_callback = false;
}

/* Send what the socket takes now; watch for room if some is left. */
void ctl_peer_flush(struct ctl_peer *c)
{
	while (!c->closing && c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off,
				 c->out_len - c->out_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n > 0) {
			c->out_off += n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			break;
		} else {
			ctl_peer_close(c); /* gone: EPIPE, ECONNRESET */
			return;
		}
	}
	if (c->closing)
		return;
	if (c->out_off == c->out_len) {
		c->out_off = c->out_len = 0;
		if (c->eof)
			ctl_peer_close(c);
		return;
	}
	if (ev_idle(&c->out_ev) &&
	    evloop_add_poll_events(c->s->loop, &c->out_ev, c->fd, POLLOUT,
				   on_peer_out, c))
		ctl_peer_close(c);
}

/* Reals with 15 digits: a PSI average of 0.36 goes out as 0.36, not as
 * its double's 0.35999999999999999. */
#define CTL_JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

static void peer_send(struct ctl_peer *c, json_t *msg)
{
	char *text = json_dumps(msg, CTL_JSON_FLAGS);

	if (!text) {
		ctl_peer_close(c); /* out of memory: better gone than stuck */
		return;
	}
	if (!peer_append(c, text, strlen(text)) && !peer_append(c, "\n", 1))
		ctl_peer_flush(c);
	free(text);
}

/* A string from anywhere (a guest's panic text, a parser's message):
 * bytes that are not printable ASCII become '?', so JSON takes it. */
static json_t *safe_string(const char *s)
{
	json_t *j = json_string(s);
	char *copy;

	if (j)
		return j;
	copy = strdup(s);
	if (!copy)
		return json_string("");
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

void ctl_peer_reply(struct ctl_peer *c, json_t *id, json_t *ret,
		    const struct ctl_error *e)
{
	json_t *msg;

	if (e)
		msg = json_pack("{s:{s:s,s:o}}", "error", "class",
				ctl_error_class_name(e->cls), "desc",
				safe_string(e->desc));
	else
		msg = json_pack("{s:o}", "return", ret ? ret : json_object());
	if (msg && id)
		json_object_set(msg, "id", id);
	if (msg)
		peer_send(c, msg);
	else
		ctl_peer_close(c);
	json_decref(msg);
}

static void peer_verror(struct ctl_peer *c, json_t *id,
			enum ctl_error_class cls, const char *fmt, va_list ap)
{
	struct ctl_error e = { .cls = cls };

	vsnprintf(e.desc, sizeof(e.desc), fmt, ap);
	ctl_peer_reply(c, id, NULL, &e);
}

static void __attribute__((format(printf, 4, 5)))
peer_error(struct ctl_peer *c, json_t *id, enum ctl_error_class cls,
	   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	peer_verror(c, id, cls, fmt, ap);
	va_end(ap);
}

/* One command line: parse, check, run, answer. */
static void peer_command(struct ctl_peer *c, const char *line, size_t len)
{
	static const char *const members[] = { "execute", "arguments", "id" };
	const struct ctl_cmd *cmd;
	struct ctl_error e = { .cls = CTL_ERR_GENERIC };
	json_t *req, *id, *exec, *args, *v, *ret = NULL;
	json_error_t jerr;
	const char *key;
	int rc;

	req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!req) {
		peer_error(c, NULL, CTL_ERR_GENERIC,
			   "JSON parse error at byte %d: %s", jerr.position,
			   jerr.text);
		return;
	}
	if (!json_is_object(req)) {
		peer_error(c, NULL, CTL_ERR_GENERIC,
			   "QMP input must be a JSON object");
		goto out;
	}
	id = json_object_get(req, "id");
	json_object_foreach(req, key, v) {
		bool known = false;

		for (size_t i = 0; i < ARRAY_SIZE(members); i++)
			known |= !strcmp(key, members[i]);
		if (!known) {
			peer_error(c, id, CTL_ERR_GENERIC,
				   "QMP input member '%s' is unexpected", key);
			goto out;
		}
	}
	exec = json_object_get(req, "execute");
	args = json_object_get(req, "arguments");
	if (!exec) {
		peer_error(c, id, CTL_ERR_GENERIC,
			   "QMP input lacks member 'execute'");
		goto out;
	}
	if (!json_is_string(exec)) {
		peer_error(c, id, CTL_ERR_GENERIC,
			   "QMP input member 'execute' must be a string");
		goto out;
	}
	if (args && !json_is_object(args)) {
		peer_error(c, id, CTL_ERR_GENERIC,
			   "QMP input member 'arguments' must be an object");
		goto out;
	}
	cmd = ctl_cmd_find(json_string_value(exec));
	if (!cmd) {
		peer_error(c, id, CTL_ERR_COMMAND_NOT_FOUND,
			   "The command %s has not been found",
			   json_string_value(exec));
		goto out;
	}
	if (ctl_check_args(cmd, args, &e)) {
		ctl_peer_reply(c, id, NULL, &e);
		goto out;
	}
	rc = cmd->fn(&(struct ctl_req){ .s = c->s, .client = c->id, .id = id },
		     args, &ret, &e);
	if (rc == CTL_DEFERRED) {
		c->pending++; /* ctl_reply() counts it back */
		goto out;
	}
	if (rc) {
		json_decref(ret); /* a handler that failed half-way */
		ctl_peer_reply(c, id, NULL, &e);
	} else {
		ctl_peer_reply(c, id, ret, NULL);
	}
out:
	json_decref(req);
}

static bool blank(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return false;
	return true;
}

/*
 * Every complete line in the buffer; the rest waits for its newline, and
 * its first byte starts the line's time-out (ctl_peer_timeouts()).
 */
static void peer_lines(struct ctl_peer *c)
{
	char *p = c->in, *end = c->in + c->in_len, *nl;
	bool ended = false;
	size_t rest;

	while (!c->closing && (nl = memchr(p, '\n', end - p))) {
		size_t len = nl - p;

		ended = true;
		if (c->discarding) {
			c->discarding = false;
		} else if (!blank(p, len)) {
			c->spoke = true;
			c->active_ns = trace_clock_ns();
			peer_command(c, p, len);
		}
		p = nl + 1;
	}
	if (c->closing)
		return;
	rest = end - p;
	memmove(c->in, p, rest);
	c->in_len = rest;
	/* A new line began after the last newline: its clock starts. */
	if (ended || !rest)
		c->line_ns = 0;
	if (rest && !c->line_ns)
		c->line_ns = trace_clock_ns();
	if (c->in_len < CTL_LINE_MAX)
		return;
	/* A full buffer and no newline: refuse the line, skip to its end. */
	if (!c->discarding)
		peer_error(
			c, NULL, CTL_ERR_GENERIC,
			"line longer than %d bytes: ignored up to its newline",
			CTL_LINE_MAX - 1);
	c->discarding = true;
	c->in_len = 0;
}

static void on_peer_in(struct evloop *l, struct ev *e, int res)
{
	struct ctl_peer *c = e->arg;

	(void)res;
	c->in_callback = true;
	for (int i = 0; i < READS_PER_WAKEUP && !c->closing; i++) {
		ssize_t n = recv(c->fd, c->in + c->in_len,
				 CTL_LINE_MAX - c->in_len, MSG_DONTWAIT);

		if (n > 0) {
			c->in_len += n;
			peer_lines(c);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0) {
			ctl_peer_close(c);
			break;
		}
		/* End of input: answer what came, then close (a client
		 * that shut down its sending side still gets its
		 * replies). */
		c->eof = true;
		evloop_del(l, e);
		ctl_peer_flush(c);
		break;
	}
	c->in_callback = false;
}

static json_t *greeting(void)
{
	return json_pack("{s:{s:{s:{s:i,s:i,s:i},s:s},s:[]}}", "QMP", "version",
			 "vmm", "major", VMM_VERSION_MAJOR, "minor",
			 VMM_VERSION_MINOR, "micro", VMM_VERSION_MICRO,
			 "package", "vmm " VMM_VERSION, "capabilities");
}

void ctl_peer_new(struct ctl_server *s, int fd)
{
	struct ctl_peer *c = calloc(1, sizeof(*c));
	unsigned int slot = 0;
	json_t *hello;

	if (c)
		c->in = malloc(CTL_LINE_MAX);
	if (!c || !c->in) {
		if (c)
			free(c);
		close(fd);
		return;
	}
	while (s->client[slot])
		slot++;
	c->s = s;
	c->fd = fd;
	c->id = ++s->next_client;
	c->active_ns = trace_clock_ns();
	c->events = ~0ULL;
	c->in_ev.release = c->out_ev.release = peer_release;
	s->client[slot] = c;
	s->nr_clients++;
	/* Not freed while being set up, even if the peer is gone already
	 * and the greeting fails. */
	c->in_callback = true;
	hello = greeting();
	peer_send(c, hello);
	json_decref(hello);
	if (!c->closing &&
	    evloop_add_poll(s->loop, &c->in_ev, fd, on_peer_in, c))
		ctl_peer_close(c);
	c->in_callback = false;
	peer_try_free(c);
}

struct ctl_peer *ctl_peer_by_id(struct ctl_server *s, unsigned int id)
{
	for (unsigned int i = 0; i < CTL_MAX_CLIENTS; i++)
		if (s->client[i] && s->client[i]->id == id)
			return s->client[i];
	return NULL;
}

void ctl_peer_queue(struct ctl_peer *c, const char *buf, size_t n)
{
	if (!peer_append(c, buf, n))
		ctl_peer_flush(c);
}

void ctl_peer_drop(struct ctl_peer *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	peer_verror(c, NULL, CTL_ERR_GENERIC, fmt, ap);
	va_end(ap);
	ctl_peer_close(c);
}

bool ctl_peer_evictable(const struct ctl_peer *c)
{
	return !c->closing && !c->watching && !c->pending;
}

void ctl_peer_timeouts(struct ctl_peer *c, uint64_t now)
{
	const unsigned int line_s = CTL_LINE_TIMEOUT_NS / 1000000000ULL;

	if (c->closing)
		return;
	/* However slowly its bytes come, a line ends in time. */
	if (c->line_ns && now - c->line_ns > CTL_LINE_TIMEOUT_NS) {
		ctl_peer_drop(
			c,
			"a command line must be complete within %u s of its first byte: closing",
			line_s);
		return;
	}
	if (!ctl_peer_evictable(c) || c->line_ns)
		return;
	if (!c->spoke && now - c->active_ns > CTL_LINE_TIMEOUT_NS)
		ctl_peer_drop(c,
			      "no command within %u s of connecting: closing",
			      line_s);
	else if (now - c->active_ns > CTL_IDLE_TIMEOUT_NS)
		ctl_peer_drop(
			c,
			"no command for %llu s: closing (watch-events keeps a connection that only listens)",
			CTL_IDLE_TIMEOUT_NS / 1000000000ULL);
}
