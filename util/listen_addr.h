/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a TCP server listens, as people write it on a command line:
 *
 *   9100             127.0.0.1:9100: the loopback address unless told
 *   127.0.0.1:9100   an IPv4 address (0.0.0.0: every one of the host's)
 *   localhost:9100   127.0.0.1:9100
 *   [::1]:9100       an IPv6 address in brackets ([::]: every one)
 *
 * Addresses are numeric: no name but localhost is looked up, so that the
 * address listened on is the one written.  Port 0: any free port, which
 * listen_addr_listen() says.
 */
#ifndef VMM_LISTEN_ADDR_H
#define VMM_LISTEN_ADDR_H

#include <stddef.h>
#include <sys/socket.h>

/* Plain data: copied freely.  len 0: none. */
struct listen_addr {
	struct sockaddr_storage ss; /* AF_INET or AF_INET6 */
	socklen_t len;
};

/* text -> a, or -EINVAL with the reason in err (a left as it was). */
int listen_addr_parse(const char *text, struct listen_addr *a, char *err,
		      size_t errlen);
/* "127.0.0.1:9100", "[::1]:9100"; "" for none. */
const char *listen_addr_format(const struct listen_addr *a, char *buf,
			       size_t len);
/*
 * A listening socket there (close-on-exec, non-blocking, SO_REUSEADDR so
 * that a restart does not wait for old connections), and in *bound where
 * it listens (the port chosen for port 0): the fd, or -errno of the step
 * that failed (-EADDRINUSE: another socket has the port).
 */
int listen_addr_listen(const struct listen_addr *a, int backlog,
		       struct listen_addr *bound);

#endif /* VMM_LISTEN_ADDR_H */
