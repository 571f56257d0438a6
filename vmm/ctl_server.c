// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's server (see ctl.h): the listening socket, clients
 * and their buffers, one command per line, replies and events out.
 *
 * A client's two evs (readable, writable) are what the loop holds on to;
 * the client is freed from their release hook once both are idle, never
 * while the kernel may still complete a request that points at them.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "balloon/virtio_balloon.h"
#include "mm/trace.h"
#include "vmm/ctl_cmd.h"
#include "vmm/ctl_path.h"
#include "vmm/ctl_work.h"
#include "vmm/host.h"
#include "vmm/host_balloon.h"
#include "vmm/host_events.h"
#include "vmm/version.h"

#define BALLOON_POLL_NS 200000000ULL /* balloon changes, while clients listen */
#define ACCEPT_PAUSE_NS 100000000ULL /* out of fds: try again after this */
#define FINAL_FLUSH_MS 200 /* at the end, for clients that read */
#define READS_PER_WAKEUP 4 /* then let the others have the loop */

struct ctl_client {
	struct ctl_server *s;
	unsigned int id;
	int fd;
	struct ev in_ev, out_ev;
	char *in; /* CTL_LINE_MAX bytes: the line being received */
	size_t in_len;
	bool discarding; /* the rest of a line that was too long */
	char *out; /* out[out_off .. out_len) not yet sent */
	size_t out_off, out_len, out_cap;
	bool eof; /* the client will send no more: close once flushed */
	bool closing;
	bool in_callback; /* one of its evs is being dispatched */
};

struct ctl_server {
	struct vmm_host *h;
	struct evloop *loop;
	struct ctl_ops ops;
	char path[CTL_SOCKET_PATH_MAX];
	dev_t dev; /* the socket file we made, removed only if still ours */
	ino_t ino;
	int lfd;
	int events_fd;
	struct ev accept_ev, accept_pause_ev, events_ev, balloon_ev;
	struct ctl_client *client[CTL_MAX_CLIENTS];
	unsigned int nr_clients;
	unsigned int nr_closing; /* closed, waiting for their evs */
	unsigned int next_client;
	bool stopping;
	uint64_t start_ns;
	struct ctl_worker *worker;
	struct {
		uint64_t target, actual; /* pages, as last reported */
	} balloon_seen[VMM_MAX_GUESTS + 1];
};

/* ------------------------------------------------------------------ */
/* Clients                                                              */

static void client_flush(struct ctl_client *c);

static void client_try_free(struct ctl_client *c)
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

static void client_release(struct evloop *l, struct ev *e)
{
	(void)l;
	client_try_free(e->arg);
}

/* Drop c: no more reading or writing; freed when the loop lets go. */
static void client_close(struct ctl_client *c)
{
	struct ctl_server *s = c->s;

	if (c->closing)
		return;
	c->closing = true;
	s->nr_closing++;
	/* The peer sees the end now, not when the fd is freed. */
	shutdown(c->fd, SHUT_RDWR);
	evloop_del(s->loop, &c->in_ev);
	evloop_del(s->loop, &c->out_ev);
	for (unsigned int i = 0; i < CTL_MAX_CLIENTS; i++)
		if (s->client[i] == c) {
			s->client[i] = NULL;
			s->nr_clients--;
		}
	client_try_free(c);
}

/* Queue n bytes; a client with too much unread is dropped (-1). */
static int client_append(struct ctl_client *c, const char *buf, size_t n)
{
	size_t pending = c->out_len - c->out_off;

	if (c->closing)
		return -1;
	if (pending + n > CTL_OUT_MAX) {
		client_close(c);
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
			client_close(c);
			return -1;
		}
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, buf, n);
	c->out_len += n;
	return 0;
}

static void on_client_out(struct evloop *l, struct ev *e, int res)
{
	struct ctl_client *c = e->arg;

	(void)res;
	c->in_callback = true;
	client_flush(c);
	/* All out: stop watching (from its own callback: nothing is left
	 * in flight, so it may be added again at once). */
	if (!c->closing && c->out_off == c->out_len)
		evloop_del(l, e);
	c->in_callback = false;
}

/* Send what the socket takes now; watch for room if some is left. */
static void client_flush(struct ctl_client *c)
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
			client_close(c); /* gone: EPIPE, ECONNRESET */
			return;
		}
	}
	if (c->closing)
		return;
	if (c->out_off == c->out_len) {
		c->out_off = c->out_len = 0;
		if (c->eof)
			client_close(c);
		return;
	}
	if (ev_idle(&c->out_ev) &&
	    evloop_add_poll_events(c->s->loop, &c->out_ev, c->fd, POLLOUT,
				   on_client_out, c))
		client_close(c);
}

static void client_send(struct ctl_client *c, json_t *msg)
{
	char *text = json_dumps(msg, JSON_COMPACT);

	if (!text) {
		client_close(c); /* out of memory: better gone than stuck */
		return;
	}
	if (!client_append(c, text, strlen(text)) && !client_append(c, "\n", 1))
		client_flush(c);
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

static void client_reply(struct ctl_client *c, json_t *id, json_t *ret,
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
		client_send(c, msg);
	else
		client_close(c);
	json_decref(msg);
}

static void __attribute__((format(printf, 4, 5)))
client_error(struct ctl_client *c, json_t *id, enum ctl_error_class cls,
	     const char *fmt, ...)
{
	struct ctl_error e = { .cls = cls };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e.desc, sizeof(e.desc), fmt, ap);
	va_end(ap);
	client_reply(c, id, NULL, &e);
}

/* One command line: parse, check, run, answer. */
static void client_command(struct ctl_client *c, const char *line, size_t len)
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
		client_error(c, NULL, CTL_ERR_GENERIC,
			     "JSON parse error at byte %d: %s", jerr.position,
			     jerr.text);
		return;
	}
	if (!json_is_object(req)) {
		client_error(c, NULL, CTL_ERR_GENERIC,
			     "QMP input must be a JSON object");
		goto out;
	}
	id = json_object_get(req, "id");
	json_object_foreach(req, key, v)
	{
		bool known = false;

		for (size_t i = 0; i < ARRAY_SIZE(members); i++)
			known |= !strcmp(key, members[i]);
		if (!known) {
			client_error(c, id, CTL_ERR_GENERIC,
				     "QMP input member '%s' is unexpected",
				     key);
			goto out;
		}
	}
	exec = json_object_get(req, "execute");
	args = json_object_get(req, "arguments");
	if (!exec) {
		client_error(c, id, CTL_ERR_GENERIC,
			     "QMP input lacks member 'execute'");
		goto out;
	}
	if (!json_is_string(exec)) {
		client_error(c, id, CTL_ERR_GENERIC,
			     "QMP input member 'execute' must be a string");
		goto out;
	}
	if (args && !json_is_object(args)) {
		client_error(c, id, CTL_ERR_GENERIC,
			     "QMP input member 'arguments' must be an object");
		goto out;
	}
	cmd = ctl_cmd_find(json_string_value(exec));
	if (!cmd) {
		client_error(c, id, CTL_ERR_COMMAND_NOT_FOUND,
			     "The command %s has not been found",
			     json_string_value(exec));
		goto out;
	}
	if (ctl_check_args(cmd, args, &e)) {
		client_reply(c, id, NULL, &e);
		goto out;
	}
	rc = cmd->fn(&(struct ctl_req){ .s = c->s, .client = c->id, .id = id },
		     args, &ret, &e);
	if (rc == CTL_DEFERRED)
		goto out;
	if (rc) {
		json_decref(ret); /* a handler that failed half-way */
		client_reply(c, id, NULL, &e);
	} else {
		client_reply(c, id, ret, NULL);
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

/* Every complete line in the buffer; the rest waits for its newline. */
static void client_lines(struct ctl_client *c)
{
	char *p = c->in, *end = c->in + c->in_len, *nl;
	size_t rest;

	while (!c->closing && (nl = memchr(p, '\n', end - p))) {
		size_t len = nl - p;

		if (c->discarding)
			c->discarding = false;
		else if (!blank(p, len))
			client_command(c, p, len);
		p = nl + 1;
	}
	if (c->closing)
		return;
	rest = end - p;
	memmove(c->in, p, rest);
	c->in_len = rest;
	if (c->in_len < CTL_LINE_MAX)
		return;
	/* A full buffer and no newline: refuse the line, skip to its end. */
	if (!c->discarding)
		client_error(
			c, NULL, CTL_ERR_GENERIC,
			"line longer than %d bytes: ignored up to its newline",
			CTL_LINE_MAX - 1);
	c->discarding = true;
	c->in_len = 0;
}

static void on_client_in(struct evloop *l, struct ev *e, int res)
{
	struct ctl_client *c = e->arg;

	(void)res;
	c->in_callback = true;
	for (int i = 0; i < READS_PER_WAKEUP && !c->closing; i++) {
		ssize_t n = recv(c->fd, c->in + c->in_len,
				 CTL_LINE_MAX - c->in_len, MSG_DONTWAIT);

		if (n > 0) {
			c->in_len += n;
			client_lines(c);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0) {
			client_close(c);
			break;
		}
		/* End of input: answer what came, then close (a client
		 * that shut down its sending side still gets its
		 * replies). */
		c->eof = true;
		evloop_del(l, e);
		client_flush(c);
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

static void client_new(struct ctl_server *s, int fd)
{
	struct ctl_client *c = calloc(1, sizeof(*c));
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
	c->in_ev.release = c->out_ev.release = client_release;
	s->client[slot] = c;
	s->nr_clients++;
	/* Not freed while being set up, even if the peer is gone already
	 * and the greeting fails. */
	c->in_callback = true;
	hello = greeting();
	client_send(c, hello);
	json_decref(hello);
	if (!c->closing &&
	    evloop_add_poll(s->loop, &c->in_ev, fd, on_client_in, c))
		client_close(c);
	c->in_callback = false;
	client_try_free(c);
}

static struct ctl_client *client_by_id(struct ctl_server *s, unsigned int id)
{
	for (unsigned int i = 0; i < CTL_MAX_CLIENTS; i++)
		if (s->client[i] && s->client[i]->id == id)
			return s->client[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Accepting                                                            */

/* One line to a client we will not keep, then close. */
static void refuse(int fd, const char *why)
{
	char line[256];
	int n = snprintf(
		line, sizeof(line),
		"{\"error\": {\"class\": \"GenericError\", \"desc\": \"%s\"}}\n",
		why);

	if (send(fd, line, n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		/* it is gone already */
	}
	close(fd);
}

static bool peer_allowed(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	/* The file's mode keeps others out; this holds even if someone
	 * loosens it, or the directory, by hand. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return false;
	return cred.uid == geteuid() || cred.uid == 0;
}

static void on_accept(struct evloop *l, struct ev *e, int res);

static void on_accept_pause(struct evloop *l, struct ev *e, int res)
{
	struct ctl_server *s = e->arg;

	(void)res;
	if (!s->stopping && ev_idle(&s->accept_ev))
		evloop_add_poll(l, &s->accept_ev, s->lfd, on_accept, s);
}

static void on_accept(struct evloop *l, struct ev *e, int res)
{
	struct ctl_server *s = e->arg;

	(void)res;
	for (;;) {
		int fd = accept4(s->lfd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/* Readable until someone is accepted:
				 * look again later instead of spinning. */
				evloop_del(l, e);
				evloop_add_timer(l, &s->accept_pause_ev,
						 ACCEPT_PAUSE_NS, 0,
						 on_accept_pause, s);
			}
			return;
		}
		if (!peer_allowed(fd))
			refuse(fd, "permission denied");
		else if (s->stopping)
			refuse(fd, "vmm is shutting down");
		else if (s->nr_clients >= CTL_MAX_CLIENTS)
			refuse(fd, "too many clients");
		else
			client_new(s, fd);
	}
}

/* ------------------------------------------------------------------ */
/* Events                                                               */

void ctl_broadcast(struct ctl_server *s, json_t *event)
{
	char *text;
	size_t len;

	if (!event || !s->nr_clients)
		return;
	text = json_dumps(event, JSON_COMPACT);
	if (!text)
		return;
	len = strlen(text);
	text[len] = '\n'; /* the NUL's byte: sent, never read as a string */
	for (unsigned int i = 0; i < CTL_MAX_CLIENTS; i++) {
		struct ctl_client *c = s->client[i];

		if (c && !client_append(c, text, len + 1))
			client_flush(c);
	}
	free(text);
}

static void drain_events(struct ctl_server *s)
{
	struct host_event ev[32];
	unsigned int n;
	uint64_t lost;

	do {
		n = host_events_take(s->h, ev, ARRAY_SIZE(ev), &lost);
		if (lost) {
			json_t *j = ctl_event_new("EVENTS_DROPPED",
						  json_pack("{s:I}", "count",
							    (json_int_t)lost),
						  0);

			ctl_broadcast(s, j);
			json_decref(j);
		}
		for (unsigned int i = 0; i < n; i++) {
			json_t *j;

			/* A new guest's balloon starts empty. */
			if (ev[i].type == HEV_GUEST_STARTED &&
			    ev[i].guest <= VMM_MAX_GUESTS)
				memset(&s->balloon_seen[ev[i].guest], 0,
				       sizeof(s->balloon_seen[0]));
			j = ctl_event_json(&ev[i]);
			ctl_broadcast(s, j);
			json_decref(j);
		}
	} while (n == ARRAY_SIZE(ev));
}

static void on_events(struct evloop *l, struct ev *e, int res)
{
	(void)l, (void)res;
	drain_events(e->arg);
}

/*
 * Balloon sizes move with every inflation and deflation: rather than an
 * event for each, compare each guest's target and actual with what was
 * last reported, a few times a second while anyone listens.
 */
static void on_balloon_poll(struct evloop *l, struct ev *e, int res)
{
	struct ctl_server *s = e->arg;
	struct vmm_host *h = s->h;

	(void)l, (void)res;
	if (!s->nr_clients)
		return;
	for (unsigned int id = 1; id <= VMM_MAX_GUESTS; id++) {
		struct balloon_info bi;
		struct vm *vm;
		bool has;

		pthread_mutex_lock(&h->lock);
		vm = h->vm[id];
		has = vm && h->balloon[id];
		if (has)
			balloon_get_info(&h->balloon[id]->vb, &bi);
		pthread_mutex_unlock(&h->lock);
		if (!has) {
			s->balloon_seen[id].target =
				s->balloon_seen[id].actual = 0;
			continue;
		}
		if (bi.target == s->balloon_seen[id].target &&
		    bi.actual == s->balloon_seen[id].actual)
			continue;
		s->balloon_seen[id].target = bi.target;
		s->balloon_seen[id].actual = bi.actual;
		/* Handlers and reaping share this thread: vm lives. */
		host_event_balloon(h, vm, bi.target, bi.actual);
	}
}

/* ------------------------------------------------------------------ */
/* The socket file                                                      */

static int __attribute__((format(printf, 4, 5)))
errf(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

/* The default path's directory: ours alone, made if missing. */
static int private_directory(const char *path, char *err, size_t errlen)
{
	char buf[CTL_SOCKET_PATH_MAX], *dir;
	struct stat st;

	snprintf(buf, sizeof(buf), "%s", path);
	dir = dirname(buf);
	if (mkdir(dir, 0700) && errno != EEXIST)
		return errf(err, errlen, -errno, "cannot make %s: %s", dir,
			    strerror(errno));
	if (lstat(dir, &st))
		return errf(err, errlen, -errno, "%s: %s", dir,
			    strerror(errno));
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077))
		return errf(
			err, errlen, -EPERM,
			"%s is not a private directory of ours (owner %u, mode %04o): refusing to put the socket there (or use --socket)",
			dir, (unsigned int)st.st_uid,
			(unsigned int)(st.st_mode & 07777));
	return 0;
}

/* A socket file left by a vmm that died goes; a live one stays. */
static int claim_path(const struct sockaddr_un *sa, char *err, size_t errlen)
{
	struct stat st;
	int fd, ret;

	if (lstat(sa->sun_path, &st))
		return errno == ENOENT ? 0 :
					 errf(err, errlen, -errno, "%s: %s",
					      sa->sun_path, strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return errf(err, errlen, -EEXIST,
			    "%s exists and is not a socket", sa->sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errf(err, errlen, -errno, "socket: %s", strerror(errno));
	ret = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (!ret)
		return errf(err, errlen, -EADDRINUSE,
			    "%s: another vmm is listening there", sa->sun_path);
	if (errno != ECONNREFUSED)
		return errf(err, errlen, -errno, "%s: %s", sa->sun_path,
			    strerror(errno));
	if (unlink(sa->sun_path) && errno != ENOENT)
		return errf(err, errlen, -errno, "removing stale %s: %s",
			    sa->sun_path, strerror(errno));
	return 0;
}

static int listen_on(struct ctl_server *s, bool private_dir, char *err,
		     size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int ret;

	if (strlen(s->path) >= sizeof(sa.sun_path))
		return errf(err, errlen, -ENAMETOOLONG,
			    "socket path too long: %s", s->path);
	strcpy(sa.sun_path, s->path);
	if (private_dir) {
		ret = private_directory(s->path, err, errlen);
		if (ret)
			return ret;
	}
	ret = claim_path(&sa, err, errlen);
	if (ret)
		return ret;
	s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->lfd < 0)
		return errf(err, errlen, -errno, "socket: %s", strerror(errno));
	/* Born 0600: no moment when others could connect. */
	old = umask(0177);
	ret = bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (ret)
		return errf(err, errlen, -errno, "%s: %s", s->path,
			    strerror(errno));
	if (chmod(s->path, 0600) || stat(s->path, &st) || listen(s->lfd, 16)) {
		ret = -errno;
		unlink(s->path);
		return errf(err, errlen, ret, "%s: %s", s->path,
			    strerror(-ret));
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	return 0;
}

static void unlink_if_ours(struct ctl_server *s)
{
	struct stat st;

	if (!lstat(s->path, &st) && st.st_dev == s->dev && st.st_ino == s->ino)
		unlink(s->path);
}

/* ------------------------------------------------------------------ */
/* Start and stop                                                       */

int ctl_server_start(struct vmm_host *h, struct evloop *loop, const char *path,
		     bool private_dir, const struct ctl_ops *ops,
		     struct ctl_server **out, char *err, size_t errlen)
{
	struct ctl_server *s;
	int ret;

	*out = NULL;
	if (strlen(path) >= CTL_SOCKET_PATH_MAX)
		return errf(err, errlen, -ENAMETOOLONG,
			    "socket path too long (%d bytes at most): %s",
			    CTL_SOCKET_PATH_MAX - 1, path);
	s = calloc(1, sizeof(*s));
	if (!s)
		return errf(err, errlen, -ENOMEM, "out of memory");
	s->h = h;
	s->loop = loop;
	s->ops = *ops;
	s->lfd = -1;
	s->start_ns = trace_clock_ns();
	snprintf(s->path, sizeof(s->path), "%s", path);
	ret = listen_on(s, private_dir, err, errlen);
	if (ret)
		goto err_close;
	ret = ctl_worker_start(s, loop, &s->worker);
	if (ret) {
		errf(err, errlen, ret, "worker thread: %s", strerror(-ret));
		goto err_unlink;
	}
	s->events_fd = host_events_enable(h);
	if (s->events_fd < 0) {
		ret = s->events_fd;
		errf(err, errlen, ret, "events: %s", strerror(-ret));
		goto err_worker;
	}
	ret = evloop_add_poll(loop, &s->accept_ev, s->lfd, on_accept, s);
	if (!ret)
		ret = evloop_add_poll(loop, &s->events_ev, s->events_fd,
				      on_events, s);
	if (!ret)
		ret = evloop_add_timer(loop, &s->balloon_ev, BALLOON_POLL_NS,
				       BALLOON_POLL_NS, on_balloon_poll, s);
	if (ret) {
		errf(err, errlen, ret, "event loop: %s", strerror(-ret));
		*out = s;
		ctl_server_stop(s);
		return ret;
	}
	*out = s;
	return 0;
err_worker:
	ctl_worker_stop(s->worker);
err_unlink:
	unlink_if_ours(s);
err_close:
	if (s->lfd >= 0)
		close(s->lfd);
	free(s);
	return ret;
}

static bool server_idle(struct ctl_server *s)
{
	return !s->nr_closing && ev_idle(&s->accept_ev) &&
	       ev_idle(&s->accept_pause_ev) && ev_idle(&s->events_ev) &&
	       ev_idle(&s->balloon_ev);
}

/* The last replies and events, to clients that read: a short wait. */
static void final_flush(struct ctl_server *s)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p[CTL_MAX_CLIENTS];
		unsigned int n = 0;
		long ms;

		for (unsigned int i = 0; i < CTL_MAX_CLIENTS; i++) {
			struct ctl_client *c = s->client[i];

			if (c)
				client_flush(c);
			if ((c = s->client[i]) && c->out_off < c->out_len)
				p[n++] = (struct pollfd){ .fd = c->fd,
							  .events = POLLOUT };
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		ms = FINAL_FLUSH_MS - (t.tv_sec - t0.tv_sec) * 1000 -
		     (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (!n || ms <= 0 || poll(p, n, ms) <= 0)
			return;
	}
}

void ctl_server_stop(struct ctl_server *s)
{
	if (!s)
		return;
	s->stopping = true;
	/* Launches in progress finish and answer (with a refusal). */
	ctl_worker_stop(s->worker);
	drain_events(s);
	host_events_disable(s->h);
	final_flush(s);
	for (unsigned int i = 0; i < CTL_MAX_CLIENTS; i++)
		if (s->client[i])
			client_close(s->client[i]);
	evloop_del(s->loop, &s->accept_ev);
	evloop_del(s->loop, &s->accept_pause_ev);
	evloop_del(s->loop, &s->events_ev);
	evloop_del(s->loop, &s->balloon_ev);
	unlink_if_ours(s);
	close(s->lfd);
	/* The cancellations complete: then nothing points into s. */
	while (!server_idle(s))
		if (evloop_run_once(s->loop))
			break;
	free(s);
}

/* ------------------------------------------------------------------ */
/* For the commands                                                     */

struct vmm_host *ctl_host(struct ctl_server *s)
{
	return s->h;
}

const struct ctl_ops *ctl_ops(struct ctl_server *s)
{
	return &s->ops;
}

const char *ctl_socket_path(struct ctl_server *s)
{
	return s->path;
}

uint64_t ctl_start_ns(struct ctl_server *s)
{
	return s->start_ns;
}

unsigned int ctl_nr_clients(struct ctl_server *s)
{
	return s->nr_clients;
}

bool ctl_stopping(struct ctl_server *s)
{
	return s->stopping;
}

struct ctl_req *ctl_req_hold(const struct ctl_req *req)
{
	struct ctl_req *r = malloc(sizeof(*r));

	if (!r)
		return NULL;
	*r = *req;
	json_incref(r->id);
	return r;
}

void ctl_reply(struct ctl_req *req, json_t *ret, const struct ctl_error *e)
{
	struct ctl_client *c = client_by_id(req->s, req->client);

	if (c)
		client_reply(c, req->id, ret, e);
	else
		json_decref(ret);
	json_decref(req->id);
	free(req);
}

int ctl_work_queue(struct ctl_server *s, void (*work)(void *arg),
		   void (*done)(struct ctl_server *s, void *arg), void *arg)
{
	return ctl_worker_queue(s->worker, work, done, arg);
}
