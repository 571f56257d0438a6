/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the host will really give the pool: the limits of the memory
 * cgroups vmm runs in (v1 and v2, its own and every ancestor's) and the
 * host's available memory (MemAvailable).  The pool is a memfd: every
 * page of it the host backs is charged to vmm's memory cgroup, and past a
 * limit the kernel's OOM killer SIGKILLs vmm, guests and all; nothing to
 * catch.  So the pool is sized to fit at start (host_limits_fit_pool())
 * and kept within the room at run time (headroom.h).
 * docs/host_limits.md has the why and the numbers.
 *
 * Every file is read under a root directory ("/" on a real host), so
 * that tests can give fake cgroup trees.
 */
#ifndef VMM_HOST_LIMITS_H
#define VMM_HOST_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/types.h"
#include "vmm/config/config.h"

#define HOST_LIMITS_MAX 16 /* cgroup levels (both versions) + MemAvailable */
#define HOST_LIMITS_PATH_MAX 512

/* Where the limits are: cgroup directories found once, read each time. */
struct host_limits_src {
	char root[HOST_LIMITS_PATH_MAX]; /* "" for "/" */
	unsigned int n;
	struct host_cgroup_dir {
		int version; /* 1 or 2 */
		char dir[HOST_LIMITS_PATH_MAX]; /* under root */
		char path[HOST_LIMITS_PATH_MAX]; /* as /proc/self/cgroup says */
	} cg[HOST_LIMITS_MAX - 1];
};

/* One limit on what the pool can get. */
struct host_limit {
	const char *file; /* memory.max, memory.limit_in_bytes, MemAvailable */
	char path[HOST_LIMITS_PATH_MAX]; /* the cgroup; "" for MemAvailable */
	uint64_t limit; /* bytes: the cgroup's limit, or MemTotal */
	/* Bytes charged there that reclaim cannot simply drop: usage less
	 * inactive file cache (what Kubernetes calls the working set), or
	 * MemTotal - MemAvailable.  Includes the pool's resident pages and
	 * vmm's own memory. */
	uint64_t in_use;
};

struct host_limits {
	struct host_limit l[HOST_LIMITS_MAX];
	unsigned int n;
	/* vmm's own memory besides the pool (RssAnon + VmPTE): part of
	 * every in_use, and what the reserve is for. */
	uint64_t own_bytes;
};

/* The memory cgroups of this process under root (NULL or "" for "/"):
 * 0, or -errno when root/proc/self/cgroup cannot be read. */
int host_limits_find(const char *root, struct host_limits_src *src);
/* Every limit now (levels without one are left out). */
void host_limits_read(const struct host_limits_src *src,
		      struct host_limits *hl);
/*
 * Bytes the pool may hold in all: at each limit, what is left once what
 * others use there (in_use less the pool's resident bytes and vmm's own)
 * and the reserve for vmm itself (at least what it uses now) are taken;
 * the least of them, UINT64_MAX without limits.  *tightest says which
 * (NULL without limits).
 */
uint64_t host_limits_pool_room(const struct host_limits *hl,
			       uint64_t pool_resident, uint64_t reserve,
			       const struct host_limit **tightest);
/* Memory kept for vmm itself beside a pool of pool_bytes: --host-reserve,
 * else 32 MiB + 1/32 of the pool (docs/host_limits.md). */
uint64_t host_reserve_bytes(const struct vmm_config *cfg, uint64_t pool_bytes);
/* "memory cgroup /a/b: memory.max 300 MiB, 120 MiB in use" */
void host_limit_describe(const struct host_limit *l, char *buf, size_t len);
/*
 * At start: does a pool of *pool_bytes fit what the host will give?  A
 * pool given with --pool that does not is refused (-ENOMEM, the message
 * names the limit, what is in use and the largest pool that fits); the
 * default pool is shrunk to fit, *pool_bytes updated and a note in
 * note (empty when nothing changed).
 */
int host_limits_fit_pool(const struct vmm_config *cfg, uint64_t *pool_bytes,
			 char *note, size_t notelen, char *err,
			 size_t errlen) __must_check;

#endif /* VMM_HOST_LIMITS_H */
