// SPDX-License-Identifier: GPL-2.0
#include "vmm/kvm/cpu_cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "util/errf.h"
#include "util/size.h"

/* The kernel's default CFS period: a quota of pct% is pct ms of it. */
#define CPU_PERIOD_US 100000U

/* How long removal waits for exited threads to leave the cgroup: a
 * joined thread may not have passed cgroup_exit() yet. */
#define RMDIR_TRIES 1000
#define RMDIR_WAIT_NS 1000000L

struct cpu_cgroup {
	char dir[PATH_MAX];
	bool v2;
	bool made; /* by us: ours to remove */
	int threads_fd; /* v2: cgroup.threads, v1: tasks */
};

int cpu_max_parse(const char *s, unsigned int *pct)
{
	long v;
	int ret = parse_percent(s, 1, CPU_MAX_PCT, &v);

	if (ret)
		return ret;
	*pct = v;
	return 0;
}

/* Is word one of the comma- or space-separated words of list? */
static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ',' || p[-1] == ' ') &&
		    (!p[n] || p[n] == ',' || p[n] == ' ' || p[n] == '\n'))
			return true;
	return false;
}

static int read_line(const char *dir, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX + 32];
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, len, f))
		buf[0] = '\0';
	if (ferror(f))
		ret = -EIO;
	fclose(f);
	return ret;
}

static int write_str(const char *dir, const char *file, const char *val)
{
	char path[PATH_MAX + 32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		n = -errno;
	close(fd);
	return n < 0 ? (int)n : 0;
}

/*
 * The mount of a cgroup hierarchy (v2, or v1 with the cpu controller) and
 * the root of that mount, from /proc/self/mountinfo.
 */
static bool find_mount(bool v2, char *mnt, char *root, size_t len)
{
	char line[1024];
	bool found = false;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char r[512], m[512], type[64], opts[512];
		char *sep = strstr(line, " - ");

		if (!sep ||
		    sscanf(line, "%*s %*s %*s %511s %511s", r, m) != 2 ||
		    sscanf(sep + 3, "%63s %*s %511s", type, opts) != 2)
			continue;
		if (v2 ? strcmp(type, "cgroup2") :
			 strcmp(type, "cgroup") || !has_word(opts, "cpu"))
			continue;
		snprintf(mnt, len, "%s", m);
		snprintf(root, len, "%s", r);
		found = true;
	}
	fclose(f);
	return found;
}

/* Our cgroup's path in that hierarchy, from /proc/self/cgroup. */
static bool find_own_path(bool v2, char *path, size_t len)
{
	char line[1024];
	bool found = false;
	FILE *f = fopen("/proc/self/cgroup", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *ctrl = strchr(line, ':'), *p;

		if (!ctrl || !(p = strchr(++ctrl, ':')))
			continue;
		*p++ = '\0';
		p[strcspn(p, "\n")] = '\0';
		if (v2 ? strcmp(line, "0:") || *ctrl : !has_word(ctrl, "cpu"))
			continue;
		snprintf(path, len, "%s", p);
		found = true;
	}
	fclose(f);
	return found;
}

/* Mount point + our path relative to the mount's root. */
static bool own_cgroup(bool v2, char *dir, size_t len)
{
	char mnt[PATH_MAX], root[PATH_MAX], path[PATH_MAX];
	const char *rel = path;
	size_t rlen;

	if (!find_mount(v2, mnt, root, sizeof(mnt)) ||
	    !find_own_path(v2, path, sizeof(path)))
		return false;
	rlen = strlen(root);
	if (strcmp(root, "/") && !strncmp(path, root, rlen) &&
	    (path[rlen] == '/' || !path[rlen]))
		rel += rlen;
	return (size_t)snprintf(dir, len, "%s%s", mnt,
				strcmp(rel, "/") ? rel : "") < len;
}

/* v2 where our v2 cgroup has the cpu controller, else v1's cpu. */
static int default_parent(char *dir, size_t len, char *err, size_t errlen)
{
	char ctrl[256];

	if (own_cgroup(true, dir, len) &&
	    !read_line(dir, "cgroup.controllers", ctrl, sizeof(ctrl)) &&
	    has_word(ctrl, "cpu"))
		return 0;
	if (own_cgroup(false, dir, len))
		return 0;
	return errf(
		err, errlen, -EOPNOTSUPP,
		"no cgroup cpu controller for vmm (neither in its cgroup v2 nor a cgroup v1 cpu hierarchy mounted)");
}

static int make_dir(struct cpu_cgroup *cg, char *err, size_t errlen)
{
	if (mkdir(cg->dir, 0755))
		return errf(err, errlen, -errno, "cannot create cgroup %s: %s",
			    cg->dir, strerror(errno));
	cg->made = true;
	return 0;
}

/*
 * v2: the cpu controller is threaded, so the vCPU threads may sit in a
 * threaded child while the rest of vmm stays where it is; enabling it
 * for the children works even with processes in the parent, as long as
 * no domain controller (memory, io) is enabled there.
 */
static int setup_v2(struct cpu_cgroup *cg, const char *parent, unsigned int pct,
		    char *err, size_t errlen)
{
	char ctrl[256], max[64];
	int ret;

	ret = read_line(parent, "cgroup.controllers", ctrl, sizeof(ctrl));
	if (ret || !has_word(ctrl, "cpu"))
		return errf(err, errlen, ret ?: -EOPNOTSUPP,
			    "cgroup v2 %s has no cpu controller", parent);
	ret = read_line(parent, "cgroup.subtree_control", ctrl, sizeof(ctrl));
	if (!ret && !has_word(ctrl, "cpu"))
		ret = write_str(parent, "cgroup.subtree_control", "+cpu");
	if (ret)
		return errf(
			err, errlen, ret,
			"cannot enable the cpu controller in %s/cgroup.subtree_control: %s%s",
			parent, strerror(-ret),
			ret == -EBUSY || ret == -EOPNOTSUPP ?
				" (a domain controller such as memory enabled there rules out threaded children)" :
				"");
	ret = make_dir(cg, err, errlen);
	if (ret)
		return ret;
	ret = write_str(cg->dir, "cgroup.type", "threaded");
	if (ret)
		return errf(err, errlen, ret, "%s/cgroup.type threaded: %s",
			    cg->dir, strerror(-ret));
	snprintf(max, sizeof(max), "%u %u", pct * (CPU_PERIOD_US / 100),
		 CPU_PERIOD_US);
	ret = write_str(cg->dir, "cpu.max", max);
	if (ret)
		return errf(err, errlen, ret, "%s/cpu.max '%s': %s", cg->dir,
			    max, strerror(-ret));
	return 0;
}

static int setup_v1(struct cpu_cgroup *cg, const char *parent, unsigned int pct,
		    char *err, size_t errlen)
{
	char v[32];
	int ret;

	if (read_line(parent, "cpu.cfs_quota_us", v, sizeof(v)))
		return errf(err, errlen, -EOPNOTSUPP,
			    "cgroup v1 %s has no cpu controller", parent);
	ret = make_dir(cg, err, errlen);
	if (ret)
		return ret;
	snprintf(v, sizeof(v), "%u", CPU_PERIOD_US);
	ret = write_str(cg->dir, "cpu.cfs_period_us", v);
	if (ret)
		return errf(err, errlen, ret, "%s/cpu.cfs_period_us %s: %s",
			    cg->dir, v, strerror(-ret));
	snprintf(v, sizeof(v), "%u", pct * (CPU_PERIOD_US / 100));
	ret = write_str(cg->dir, "cpu.cfs_quota_us", v);
	if (ret)
		return errf(err, errlen, ret, "%s/cpu.cfs_quota_us %s: %s",
			    cg->dir, v, strerror(-ret));
	return 0;
}

int cpu_cgroup_create(const char *parent, const char *name, unsigned int pct,
		      struct cpu_cgroup **out, char *err, size_t errlen)
{
	char def[PATH_MAX], path[PATH_MAX + 32];
	struct cpu_cgroup *cg;
	struct statfs sf;
	int ret;

	*out = NULL;
	if (!pct || pct > CPU_MAX_PCT || !name[0] || strchr(name, '/'))
		return errf(err, errlen, -EINVAL, "cgroup '%s', cpu_max %u",
			    name, pct);
	if (!parent) {
		ret = default_parent(def, sizeof(def), err, errlen);
		if (ret)
			return ret;
		parent = def;
	}
	if (statfs(parent, &sf))
		return errf(err, errlen, -errno, "cgroup %s: %s", parent,
			    strerror(errno));
	if (sf.f_type != CGROUP2_SUPER_MAGIC && sf.f_type != CGROUP_SUPER_MAGIC)
		return errf(err, errlen, -ENOTDIR, "%s is not a cgroup",
			    parent);
	cg = calloc(1, sizeof(*cg));
	if (!cg)
		return errf(err, errlen, -ENOMEM, "out of memory");
	cg->threads_fd = -1;
	cg->v2 = sf.f_type == CGROUP2_SUPER_MAGIC;
	if ((size_t)snprintf(cg->dir, sizeof(cg->dir), "%s/%s", parent, name) >=
	    sizeof(cg->dir)) {
		free(cg);
		return errf(err, errlen, -ENAMETOOLONG,
			    "cgroup %s/%s: too long", parent, name);
	}
	ret = cg->v2 ? setup_v2(cg, parent, pct, err, errlen) :
		       setup_v1(cg, parent, pct, err, errlen);
	if (ret)
		goto err;
	snprintf(path, sizeof(path), "%s/%s", cg->dir,
		 cg->v2 ? "cgroup.threads" : "tasks");
	cg->threads_fd = open(path, O_WRONLY | O_CLOEXEC);
	if (cg->threads_fd < 0) {
		ret = errf(err, errlen, -errno, "%s: %s", path,
			   strerror(errno));
		goto err;
	}
	*out = cg;
	return 0;

err:
	if (cg->made)
		rmdir(cg->dir);
	free(cg);
	return ret;
}

int cpu_cgroup_attach_self(struct cpu_cgroup *cg)
{
	char tid[16];
	int n = snprintf(tid, sizeof(tid), "%d", (int)gettid());

	return write(cg->threads_fd, tid, n) == n ? 0 : -errno;
}

const char *cpu_cgroup_path(const struct cpu_cgroup *cg)
{
	return cg->dir;
}

void cpu_cgroup_destroy(struct cpu_cgroup *cg)
{
	struct timespec ts = { 0, RMDIR_WAIT_NS };
	int ret;

	if (!cg)
		return;
	close(cg->threads_fd);
	for (int tries = 0;; tries++) {
		ret = rmdir(cg->dir) ? -errno : 0;
		if (ret != -EBUSY || tries == RMDIR_TRIES)
			break;
		nanosleep(&ts, NULL);
	}
	if (ret)
		fprintf(stderr, "vmm: warning: cannot remove cgroup %s: %s\n",
			cg->dir, strerror(-ret));
	free(cg);
}
