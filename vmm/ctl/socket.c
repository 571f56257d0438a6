// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's file (see ctl.h): a private directory for the
 * default path, a stale socket replaced and a live one left alone, mode
 * 0600 from birth, removed at the end only if it is still ours.
 */
#include <errno.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vmm/ctl/internal.h"
#include "util/errf.h"

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

/*
 * How long a listener that accepts but does not greet may take before it
 * counts as a live vmm (a busy one), and how long each look waits.
 */
#define PROBE_MS 2000
#define PROBE_LOOK_MS 100

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Does a vmm serve sa?  1 yes, 0 nobody listens (the file is stale),
 * -errno.  A connection alone does not say: the listening socket of a
 * vmm that was just killed outlives it for some milliseconds (its
 * io_uring still holds a poll on it) and takes connections that it
 * then resets.  A vmm greets; a dead one's listener goes away.
 */
static int vmm_serving(const struct sockaddr_un *sa)
{
	long long end = now_ms() + PROBE_MS;

	for (;;) {
		int fd = socket(AF_UNIX,
				SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		int ret;

		if (fd < 0)
			return -errno;
		ret = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) ?
			      -errno :
			      0;
		if (!ret) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			char c;

			if (poll(&p, 1, PROBE_LOOK_MS) > 0 &&
			    recv(fd, &c, 1, MSG_DONTWAIT) == 1) {
				close(fd);
				return 1; /* a greeting (or a refusal) */
			}
		}
		close(fd);
		if (ret == -ECONNREFUSED)
			return 0;
		if (ret && ret != -EAGAIN) /* EAGAIN: its backlog is full */
			return ret;
		if (now_ms() >= end)
			return 1; /* listening, silent: a busy vmm */
		if (ret)
			usleep(PROBE_LOOK_MS * 1000);
	}
}

/* A socket file left by a vmm that died goes; a live one stays. */
static int claim_path(const struct sockaddr_un *sa, char *err, size_t errlen)
{
	struct stat st;
	int ret;

	if (lstat(sa->sun_path, &st))
		return errno == ENOENT ? 0 :
					 errf(err, errlen, -errno, "%s: %s",
					      sa->sun_path, strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return errf(err, errlen, -EEXIST,
			    "%s exists and is not a socket", sa->sun_path);
	ret = vmm_serving(sa);
	if (ret > 0)
		return errf(err, errlen, -EADDRINUSE,
			    "another vmm is serving %s", sa->sun_path);
	if (ret < 0)
		return errf(err, errlen, ret, "%s: %s", sa->sun_path,
			    strerror(-ret));
	if (unlink(sa->sun_path) && errno != ENOENT)
		return errf(err, errlen, -errno, "removing stale %s: %s",
			    sa->sun_path, strerror(errno));
	return 0;
}

int ctl_socket_listen(struct ctl_server *s, bool private_dir, char *err,
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

void ctl_socket_unlink(struct ctl_server *s)
{
	struct stat st;

	if (!lstat(s->path, &st) && st.st_dev == s->dev && st.st_ino == s->ino)
		unlink(s->path);
}
