/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keeping the pool within what the host will give while vmm runs.  Other
 * processes in vmm's memory cgroup, or on the host, grow and shrink; a
 * thread looks every HOST_HEADROOM_INTERVAL_MS at the room the host
 * leaves the pool (limits.h) and keeps the pool's online pages
 * within it: pageblocks the host would not back go offline
 * (offline_pages(): free ones first, then under memory pressure through
 * reclaim and compaction), and when even that falls short the OOM killer
 * stops a guest, never letting the host's OOM killer stop vmm.  When the
 * room comes back, so do the pageblocks (online_pages()), with some slack
 * so that a limit hovering around the pool's size does not make them go
 * back and forth.  docs/host_limits.md.
 */
#ifndef VMM_HOST_HEADROOM_H
#define VMM_HOST_HEADROOM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/periodic.h"
#include "vmm/host/limits.h"

#define HOST_HEADROOM_INTERVAL_MS 250

struct vmm_host;

struct host_headroom {
	struct vmm_host *h;
	struct host_limits_src src;
	uint64_t reserve; /* bytes kept for vmm itself */
	struct periodic thread;
	bool running; /* the thread is */
	/* One look at a time (the thread's, a test's); guards the rest. */
	pthread_mutex_t round_lock;
	uint64_t last_note_ns; /* when the offline amount was last told */
	unsigned long told_offline; /* pages offline when last told */
	unsigned long kills; /* OOM kills for the host's limit (atomic) */
};

/* Start the thread (h->pool, its ops set).  0 or -errno. */
int host_headroom_start(struct vmm_host *h);
void host_headroom_stop(struct vmm_host *h);
/* One look now, on the calling thread (tests); pages offline after. */
unsigned long host_headroom_check(struct vmm_host *h);

#endif /* VMM_HOST_HEADROOM_H */
