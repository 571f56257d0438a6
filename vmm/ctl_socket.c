// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's file (see ctl.h): a private directory for the
 * default path, a stale socket replaced and a live one left alone, mode
 * 0600 from birth, removed at the end only if it is still ours.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vmm/ctl_internal.h"
#include "vmm/errf.h"

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
