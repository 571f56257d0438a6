// SPDX-License-Identifier: GPL-2.0
/* What the host will give the pool: cgroup limits, MemAvailable (see
 * limits.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/errf.h"
#include "vmm/host/limits.h"

/* Cgroup v1 says "no limit" with its largest page count in bytes
 * (9223372036854771712), v2 with "max": anything this large is none. */
#define NO_LIMIT (1ULL << 62)
/* The reserve for vmm itself: measured 9 MiB beside a 480 MiB pool in
 * host hugepages, 21 MiB beside 1 GiB in 4 KiB pages (frame descriptors,
 * page tables, KVM's shadow pages): twice that, and a base for threads
 * and guests' own structures. */
#define RESERVE_BASE (32ULL << 20)
#define RESERVE_SHIFT 5
#define MIN_POOL (16ULL << 20) /* as --pool's least */
#define NODE_UNIT (4ULL << 20) /* a pool node is whole MAX_ORDER blocks */

static FILE *open_at(const char *root, const char *path)
{
	char full[2 * HOST_LIMITS_PATH_MAX];

	snprintf(full, sizeof(full), "%s%s", root, path);
	return fopen(full, "re");
}

/* A number in a file (the first line); "max" is no limit. */
static int read_u64(const char *root, const char *dir, const char *file,
		    uint64_t *v)
{
	char path[2 * HOST_LIMITS_PATH_MAX], line[64];
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = open_at(root, path);
	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f))
		ret = -EIO;
	else if (!strncmp(line, "max", 3))
		*v = UINT64_MAX;
	else if (sscanf(line, "%" SCNu64, v) != 1)
		ret = -EINVAL;
	fclose(f);
	return ret;
}

/*
 * The value of key in a file of "key value" lines (memory.stat) or "Key:
 * value kB" lines (/proc/meminfo, /proc/self/status), in bytes for kB.
 */
static int read_key(const char *root, const char *path, const char *key,
		    uint64_t *v)
{
	size_t klen = strlen(key);
	char line[256];
	int ret = -ENOENT;
	FILE *f = open_at(root, path);

	if (!f)
		return -errno;
	while (ret && fgets(line, sizeof(line), f)) {
		const char *p = line + klen;

		if (strncmp(line, key, klen) || (*p != ' ' && *p != ':'))
			continue;
		p += strspn(p, ": \t");
		if (sscanf(p, "%" SCNu64, v) != 1)
			break;
		if (strstr(p, " kB"))
			*v <<= 10;
		ret = 0;
	}
	fclose(f);
	return ret;
}

/* Is tok one of the comma-separated words of list? */
static bool has_token(const char *list, const char *tok)
{
	size_t n = strlen(tok);

	for (const char *p = list; p && *p; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		if (!strncmp(p, tok, n) &&
		    (p[n] == ',' || p[n] == 0 || p[n] == '\n'))
			return true;
	}
	return false;
}

/* mountinfo escapes spaces and the like as \ooo. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] &&
		    s[3]) {
			*o++ = (char)(((s[1] - '0') << 6) |
				      ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = 0;
}

/* The mount of a cgroup hierarchy (v1: the one with the memory
 * controller): its root within the hierarchy and its mount point. */
static int find_mount(const char *root, int version, char *mroot, char *mpoint)
{
	char *line = NULL;
	size_t cap = 0;
	int ret = -ENOENT;
	FILE *f = open_at(root, "/proc/self/mountinfo");

	if (!f)
		return -errno;
	while (ret && getline(&line, &cap, f) > 0) {
		char *field[64], *save = NULL, *t;
		int n = 0, dash = -1;

		for (t = strtok_r(line, " \n", &save); t && n < 64;
		     t = strtok_r(NULL, " \n", &save)) {
			if (dash < 0 && !strcmp(t, "-"))
				dash = n;
			field[n++] = t;
		}
		if (dash < 5 || dash + 3 >= n)
			continue;
		if (version == 2 ?
			    strcmp(field[dash + 1], "cgroup2") :
			    strcmp(field[dash + 1], "cgroup") ||
				    !has_token(field[dash + 3], "memory"))
			continue;
		unescape(field[3]);
		unescape(field[4]);
		if (strlen(field[3]) >= HOST_LIMITS_PATH_MAX ||
		    strlen(field[4]) >= HOST_LIMITS_PATH_MAX)
			continue;
		strcpy(mroot, field[3]);
		strcpy(mpoint, field[4]);
		ret = 0;
	}
	free(line);
	fclose(f);
	return ret;
}

/* a and b into one buffer of HOST_LIMITS_PATH_MAX; false if too long. */
static bool join(char *buf, const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);

	if (alen + blen >= HOST_LIMITS_PATH_MAX)
		return false;
	memcpy(buf, a, alen);
	memcpy(buf + alen, b, blen + 1);
	return true;
}

/* The cgroup and each ancestor up to the mount's root, nearest first. */
static void add_levels(struct host_limits_src *src, int version,
		       const char *mroot, const char *mpoint, const char *path)
{
	size_t skip = strcmp(mroot, "/") ? strlen(mroot) : 0;
	char rel[HOST_LIMITS_PATH_MAX];

	/* A cgroup outside the mount (another namespace's view): not ours
	 * to read. */
	if (strncmp(path, mroot, skip) || (path[skip] && path[skip] != '/') ||
	    !join(rel, "", 0, path + skip))
		return;
	/* Up to the mount's root included: a container's own cgroup may
	 * be it, limit and all. */
	while (src->n < ARRAY_SIZE(src->cg)) {
		struct host_cgroup_dir *d = &src->cg[src->n];
		char *slash = strrchr(rel, '/');
		bool top = !slash || !strcmp(rel, "/");

		d->version = version;
		if (!join(d->dir, mpoint, strlen(mpoint), top ? "" : rel) ||
		    !join(d->path, path, skip, top && skip ? "" : rel))
			return;
		if (!d->path[0])
			strcpy(d->path, "/");
		src->n++;
		if (top)
			break;
		slash[slash == rel] = 0;
	}
}

int host_limits_find(const char *root, struct host_limits_src *src)
{
	char *line = NULL, path[2][HOST_LIMITS_PATH_MAX] = { "", "" };
	size_t cap = 0;
	FILE *f;

	memset(src, 0, sizeof(*src));
	if (root && strcmp(root, "/"))
		snprintf(src->root, sizeof(src->root), "%s", root);
	f = open_at(src->root, "/proc/self/cgroup");
	if (!f)
		return -errno;
	/* "4:memory:/a/b" (v1), "0::/a/b" (v2). */
	while (getline(&line, &cap, f) > 0) {
		char *ctrl = strchr(line, ':'), *p;

		if (!ctrl || !(p = strchr(ctrl + 1, ':')))
			continue;
		*p++ = 0;
		p[strcspn(p, "\n")] = 0;
		if (strlen(p) >= HOST_LIMITS_PATH_MAX)
			continue;
		if (!strcmp(line, "0:") && !ctrl[1])
			strcpy(path[1], p);
		else if (has_token(ctrl + 1, "memory"))
			strcpy(path[0], p);
	}
	free(line);
	fclose(f);
	for (int v = 1; v <= 2; v++) {
		char mroot[HOST_LIMITS_PATH_MAX], mpoint[HOST_LIMITS_PATH_MAX];

		if (path[v - 1][0] && !find_mount(src->root, v, mroot, mpoint))
			add_levels(src, v, mroot, mpoint, path[v - 1]);
	}
	return 0;
}

/* One cgroup level's limit, if it has one. */
static bool read_level(const struct host_limits_src *src,
		       const struct host_cgroup_dir *d, struct host_limit *l)
{
	const char *root = src->root;
	uint64_t max = UINT64_MAX, high = UINT64_MAX, usage, inactive = 0;
	char stat[HOST_LIMITS_PATH_MAX + 16];

	if (d->version == 1) {
		if (read_u64(root, d->dir, "memory.limit_in_bytes", &max) ||
		    max >= NO_LIMIT ||
		    read_u64(root, d->dir, "memory.usage_in_bytes", &usage))
			return false;
		l->file = "memory.limit_in_bytes";
	} else {
		/* memory.high is no hard limit, but past it the kernel
		 * throttles vmm hard: the pool stays under it too. */
		read_u64(root, d->dir, "memory.max", &max);
		read_u64(root, d->dir, "memory.high", &high);
		l->file = high < max ? "memory.high" : "memory.max";
		if (high < max)
			max = high;
		if (max >= NO_LIMIT ||
		    read_u64(root, d->dir, "memory.current", &usage))
			return false;
	}
	snprintf(stat, sizeof(stat), "%s/memory.stat", d->dir);
	/* v1's hierarchical total first, as memory.usage_in_bytes is. */
	if (d->version == 2 ||
	    read_key(root, stat, "total_inactive_file", &inactive))
		read_key(root, stat, "inactive_file", &inactive);
	l->limit = max;
	l->in_use = usage > inactive ? usage - inactive : 0;
	snprintf(l->path, sizeof(l->path), "%s", d->path);
	return true;
}

void host_limits_read(const struct host_limits_src *src, struct host_limits *hl)
{
	uint64_t total, avail, anon = 0, pte = 0;

	hl->n = 0;
	for (unsigned int i = 0; i < src->n && hl->n < HOST_LIMITS_MAX - 1; i++)
		if (read_level(src, &src->cg[i], &hl->l[hl->n]))
			hl->n++;
	if (!read_key(src->root, "/proc/meminfo", "MemTotal", &total) &&
	    !read_key(src->root, "/proc/meminfo", "MemAvailable", &avail)) {
		struct host_limit *l = &hl->l[hl->n++];

		l->file = "MemAvailable";
		l->path[0] = 0;
		l->limit = total;
		l->in_use = total > avail ? total - avail : 0;
	}
	read_key(src->root, "/proc/self/status", "RssAnon", &anon);
	read_key(src->root, "/proc/self/status", "VmPTE", &pte);
	hl->own_bytes = anon + pte;
}

uint64_t host_limits_pool_room(const struct host_limits *hl,
			       uint64_t pool_resident, uint64_t reserve,
			       const struct host_limit **tightest)
{
	uint64_t best = UINT64_MAX;
	uint64_t keep = reserve > hl->own_bytes ? reserve : hl->own_bytes;
	uint64_t ours = pool_resident + hl->own_bytes;

	if (tightest)
		*tightest = NULL;
	for (unsigned int i = 0; i < hl->n; i++) {
		const struct host_limit *l = &hl->l[i];
		uint64_t others = l->in_use > ours ? l->in_use - ours : 0;
		uint64_t room =
			l->limit > others + keep ? l->limit - others - keep : 0;

		if (room < best) {
			best = room;
			if (tightest)
				*tightest = l;
		}
	}
	return best;
}

uint64_t host_reserve_bytes(const struct vmm_config *cfg, uint64_t pool_bytes)
{
	if (cfg->host_reserve_bytes)
		return cfg->host_reserve_bytes;
	return RESERVE_BASE + (pool_bytes >> RESERVE_SHIFT);
}

void host_limit_describe(const struct host_limit *l, char *buf, size_t len)
{
	if (!l->path[0])
		snprintf(buf, len,
			 "host memory: MemAvailable %" PRIu64
			 " MiB of MemTotal %" PRIu64 " MiB",
			 (l->limit - l->in_use) >> 20, l->limit >> 20);
	else
		snprintf(buf, len,
			 "memory cgroup %s: %s %" PRIu64 " MiB, %" PRIu64
			 " MiB in use",
			 l->path, l->file, l->limit >> 20, l->in_use >> 20);
}

/* The largest pool, in whole nodes, that fits beside its own reserve. */
static uint64_t largest_fit(const struct vmm_config *cfg,
			    const struct host_limits *hl, uint64_t want)
{
	uint64_t unit = cfg->nr_nodes * NODE_UNIT, fit = want;

	/* The reserve shrinks with the pool: a few rounds settle it. */
	for (int i = 0; i < 8; i++) {
		uint64_t room = host_limits_pool_room(
			hl, 0, host_reserve_bytes(cfg, fit), NULL);

		fit = room < want ? room : want;
	}
	fit = fit / unit * unit;
	while (fit && fit > host_limits_pool_room(
				    hl, 0, host_reserve_bytes(cfg, fit), NULL))
		fit -= unit;
	return fit;
}

int host_limits_fit_pool(const struct vmm_config *cfg, uint64_t *pool_bytes,
			 char *note, size_t notelen, char *err, size_t errlen)
{
	const struct host_limit *t;
	struct host_limits_src *src = malloc(sizeof(*src));
	struct host_limits hl;
	uint64_t want = *pool_bytes, fit, reserve;
	char what[HOST_LIMITS_PATH_MAX + 128];

	if (note && notelen)
		note[0] = 0;
	if (!src)
		return errf(err, errlen, -ENOMEM, "no memory");
	/* Without /proc/self/cgroup, MemAvailable is all there is. */
	host_limits_find(cfg->host_root, src);
	host_limits_read(src, &hl);
	free(src);
	reserve = host_reserve_bytes(cfg, want);
	if (want <= host_limits_pool_room(&hl, 0, reserve, &t))
		return 0;
	fit = largest_fit(cfg, &hl, want);
	host_limit_describe(t, what, sizeof(what));
	if (!cfg->pool_default || fit < MIN_POOL ||
	    fit < cfg->nr_nodes * NODE_UNIT) {
		if (fit < MIN_POOL)
			return errf(
				err, errlen, -ENOMEM,
				"a pool of %" PRIu64
				" MiB does not fit in what the host will give (%s), nor does the smallest pool: %" PRIu64
				" MiB are kept for vmm itself (--host-limits off to run anyway)",
				want >> 20, what, reserve >> 20);
		return errf(
			err, errlen, -ENOMEM,
			"a pool of %" PRIu64
			" MiB does not fit in what the host will give (%s): with %" PRIu64
			" MiB kept for vmm itself, the largest pool that fits is %" PRIu64
			" MiB (--host-reserve sets what is kept; --host-limits off to run anyway)",
			want >> 20, what, host_reserve_bytes(cfg, fit) >> 20,
			fit >> 20);
	}
	*pool_bytes = fit;
	if (note && notelen)
		snprintf(
			note, notelen,
			"the default pool of %" PRIu64
			" MiB does not fit in what the host will give (%s): the pool is %" PRIu64
			" MiB, with %" PRIu64
			" MiB kept for vmm itself (--pool to choose; --host-limits off to ignore the host's limits)",
			want >> 20, what, fit >> 20,
			host_reserve_bytes(cfg, fit) >> 20);
	return 0;
}
