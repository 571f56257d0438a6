/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's metrics in the Prometheus text format (version 0.0.4), served
 * over HTTP at /metrics (`--metrics ADDR:PORT`, docs/metrics.md): vmstat
 * counters, zones and their watermarks, every guest's memory, and the
 * latency histograms of faults, direct reclaim and compaction, balloon
 * requests and migration pauses.
 *
 * Serving never holds up a guest: the server's one thread (libmicrohttpd's
 * epoll loop) reads the host through vmm/host/api.h's snapshots, each of
 * which takes the host's lock for microseconds; connections are bounded
 * in number, per client address and in idle time, so that a client that
 * holds connections open without finishing its requests takes no more
 * than its share and no thread of vmm waits for it.
 */
#ifndef VMM_METRICS_H
#define VMM_METRICS_H

#include <stdio.h>

#include "util/listen_addr.h"

struct vmm_host;
struct metrics_server;

/*
 * Connections served at once, from one client address, and how long one
 * may stay idle (no byte either way) before it is closed.  A Prometheus
 * server keeps one connection and scrapes within its own 10 s time-out.
 */
#define METRICS_MAX_CONNECTIONS 64
#define METRICS_MAX_PER_ADDR 8
#define METRICS_IDLE_TIMEOUT_S 10

/*
 * Every family, once each, to f: 0, or -ENOMEM (f has part of them).
 * Context: any thread but one holding the host's lock.
 */
int metrics_write(struct vmm_host *h, FILE *f);

/*
 * Listen at `at` and serve /metrics from a thread of the server's own,
 * until metrics_server_stop().  An address that cannot be listened on (in
 * use, not the host's, not allowed) is -errno with the reason in err.
 * Context: a thread whose signal mask the server's thread should inherit
 * (vmm's blocks SIGINT and SIGTERM before), after host_create().
 */
int metrics_server_start(struct vmm_host *h, const struct listen_addr *at,
			 struct metrics_server **out, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Where it listens: `at` with the port chosen for port 0. */
const struct listen_addr *metrics_server_addr(const struct metrics_server *s);
/* Close every connection and the socket, join the thread; NULL is fine.
 * Context: before host_destroy(). */
void metrics_server_stop(struct metrics_server *s);

#endif /* VMM_METRICS_H */
