// SPDX-License-Identifier: GPL-2.0
/* Listening addresses (listen_addr.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/errf.h"
#include "util/listen_addr.h"
#include "util/size.h"

#define LOOPBACK4 "127.0.0.1"

static int parse_port(const char *s, unsigned int *port, char *err,
		      size_t errlen)
{
	long v;

	if (!*s)
		return errf(err, errlen, -EINVAL, "no port after the address");
	/* Digits only: parse_int() would take a sign or spaces. */
	if (strspn(s, "0123456789") != strlen(s) || parse_int(s, 0, 65535, &v))
		return errf(err, errlen, -EINVAL,
			    "'%s' is not a port (0..65535; 0: any free one)",
			    s);
	*port = (unsigned int)v;
	return 0;
}

static int parse_host4(const char *host, unsigned int port,
		       struct listen_addr *a, char *err, size_t errlen)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&a->ss;

	if (!*host)
		return errf(err, errlen, -EINVAL,
			    "no address before ':' (a port alone listens on "
			    "127.0.0.1)");
	if (!strcmp(host, "localhost"))
		host = LOOPBACK4;
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
		return errf(err, errlen, -EINVAL,
			    "'%s' is not an IPv4 address (an IPv6 one goes in "
			    "brackets, [::1]:PORT; no name but localhost is "
			    "looked up)",
			    host);
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	a->len = sizeof(*in);
	return 0;
}

static int parse_host6(const char *host, unsigned int port,
		       struct listen_addr *a, char *err, size_t errlen)
{
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a->ss;

	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
		return errf(err, errlen, -EINVAL, "'%s' is not an IPv6 address",
			    host);
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	a->len = sizeof(*in6);
	return 0;
}

int listen_addr_parse(const char *text, struct listen_addr *a, char *err,
		      size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 1];
	struct listen_addr out;
	const char *colon, *port_text;
	unsigned int port;
	size_t hlen;
	int ret;

	if (!*text)
		return errf(err, errlen, -EINVAL,
			    "empty: give PORT, ADDR:PORT or [ADDR6]:PORT");
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close)
			return errf(err, errlen, -EINVAL,
				    "no ']' after the IPv6 address");
		if (close[1] != ':')
			return errf(err, errlen, -EINVAL,
				    "no ':PORT' after ']'");
		hlen = close - text - 1;
		port_text = close + 2;
	} else {
		colon = strrchr(text, ':');
		if (!colon) {
			ret = parse_port(text, &port, err, errlen);
			return ret ? ret :
				     parse_host4(LOOPBACK4, port, a, err,
						 errlen);
		}
		if (strchr(text, ':') != colon)
			return errf(err, errlen, -EINVAL,
				    "an IPv6 address goes in brackets: "
				    "[::1]:PORT");
		hlen = colon - text;
		port_text = colon + 1;
	}
	if (hlen >= sizeof(host))
		return errf(err, errlen, -EINVAL, "the address is too long");
	memcpy(host, text + (text[0] == '['), hlen);
	host[hlen] = 0;
	ret = parse_port(port_text, &port, err, errlen);
	if (ret)
		return ret;
	ret = text[0] == '[' ? parse_host6(host, port, &out, err, errlen) :
			       parse_host4(host, port, &out, err, errlen);
	if (!ret)
		*a = out;
	return ret;
}

const char *listen_addr_format(const struct listen_addr *a, char *buf,
			       size_t len)
{
	char host[INET6_ADDRSTRLEN];

	buf[0] = 0;
	if (!a->len)
		return buf;
	if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)&a->ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(in6->sin6_port));
	} else {
		const struct sockaddr_in *in = (const void *)&a->ss;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(in->sin_port));
	}
	return buf;
}

int listen_addr_listen(const struct listen_addr *a, int backlog,
		       struct listen_addr *bound)
{
	int one = 1, fd, ret;

	fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (const struct sockaddr *)&a->ss, a->len) ||
	    listen(fd, backlog))
		goto err;
	*bound = (struct listen_addr){ .len = sizeof(bound->ss) };
	if (getsockname(fd, (struct sockaddr *)&bound->ss, &bound->len))
		goto err;
	return fd;
err:
	ret = -errno;
	close(fd);
	return ret;
}
