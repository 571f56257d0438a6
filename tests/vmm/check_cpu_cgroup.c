// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/kvm/cpu_cgroup.c on this host's real cgroups: the bound is set, a
 * thread that joins is held to it, the cgroup goes when asked, and what
 * cannot be set up is an error that says where.  Skipped (SKIP line)
 * where vmm may not make a cpu cgroup (not root, no cpu controller).
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vmm/kvm/cpu_cgroup.h"

START_TEST(test_parse)
{
	unsigned int pct;

	ck_assert_int_eq(cpu_max_parse("150", &pct), 0);
	ck_assert_uint_eq(pct, 150);
	ck_assert_int_eq(cpu_max_parse("50%", &pct), 0);
	ck_assert_uint_eq(pct, 50);
	ck_assert_int_eq(cpu_max_parse("1600", &pct), 0);
	ck_assert_int_eq(cpu_max_parse("0", &pct), -ERANGE);
	ck_assert_int_eq(cpu_max_parse("1601", &pct), -ERANGE);
	ck_assert_int_eq(cpu_max_parse("1.5", &pct), -EINVAL);
	ck_assert_int_eq(cpu_max_parse("%", &pct), -EINVAL);
	ck_assert_int_eq(cpu_max_parse("", &pct), -EINVAL);
	ck_assert_int_eq(cpu_max_parse("50%%", &pct), -EINVAL);
	ck_assert_int_eq(cpu_max_parse(NULL, &pct), -EINVAL);
}
END_TEST

static char name[64];

/* A cgroup of ours where the host allows one; NULL (and SKIP) if not. */
static struct cpu_cgroup *make(unsigned int pct)
{
	struct cpu_cgroup *cg;
	char err[256];
	int ret;

	snprintf(name, sizeof(name), "vmm-test-%d", (int)getpid());
	ret = cpu_cgroup_create(NULL, name, pct, &cg, err, sizeof(err));
	if (ret == -EOPNOTSUPP || ret == -EACCES || ret == -EPERM ||
	    ret == -EROFS) {
		printf("SKIP: cpu cgroup: %s\n", err);
		return NULL;
	}
	ck_assert_msg(!ret, "%s", err);
	return cg;
}

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

static void read_file(const char *dir, const char *file, char *buf, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	ck_assert_msg(f, "%s: %s", path, strerror(errno));
	ck_assert_ptr_nonnull(fgets(buf, len, f));
	fclose(f);
}

static double now_s(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct spin {
	struct cpu_cgroup *cg;
	int ret;
	char own[512]; /* its line of /proc/thread-self/cgroup */
	double wall, cpu;
};

/* Join, then spin for half a second of wall time. */
static void *spinner(void *arg)
{
	struct spin *s = arg;
	double w0, c0;
	char line[512];
	FILE *f;

	s->ret = cpu_cgroup_attach_self(s->cg);
	f = fopen("/proc/thread-self/cgroup", "re");
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, name))
			snprintf(s->own, sizeof(s->own), "%s", line);
	if (f)
		fclose(f);
	w0 = now_s(CLOCK_MONOTONIC);
	c0 = now_s(CLOCK_THREAD_CPUTIME_ID);
	while (now_s(CLOCK_MONOTONIC) - w0 < 0.5)
		;
	s->wall = now_s(CLOCK_MONOTONIC) - w0;
	s->cpu = now_s(CLOCK_THREAD_CPUTIME_ID) - c0;
	return NULL;
}

/* Everything is read before the asserts: a failure leaves no cgroup. */
START_TEST(test_bound)
{
	struct spin s = { .cg = make(20) };
	char max[64] = "", quota[64] = "", period[64] = "";
	char dir[512], path[600];
	pthread_t t;
	int created;
	bool v2;

	if (!s.cg)
		return;
	snprintf(dir, sizeof(dir), "%s", cpu_cgroup_path(s.cg));
	snprintf(path, sizeof(path), "%s/cpu.max", dir);
	v2 = exists(path);
	if (v2) {
		read_file(dir, "cpu.max", max, sizeof(max));
	} else {
		read_file(dir, "cpu.cfs_quota_us", quota, sizeof(quota));
		read_file(dir, "cpu.cfs_period_us", period, sizeof(period));
	}
	created = pthread_create(&t, NULL, spinner, &s);
	if (!created)
		pthread_join(t, NULL);
	cpu_cgroup_destroy(s.cg);
	ck_assert_msg(!exists(dir), "%s left behind", dir);
	if (v2) {
		ck_assert_str_eq(max, "20000 100000\n");
	} else {
		ck_assert_str_eq(quota, "20000\n");
		ck_assert_str_eq(period, "100000\n");
	}
	ck_assert_int_eq(created, 0);
	ck_assert_int_eq(s.ret, 0);
	ck_assert_msg(s.own[0], "the thread was not in %s", dir);
	/* 20% of a CPU: 100 ms of the 500; a period's slack. */
	ck_assert_msg(s.cpu < 0.2, "%.3f s of CPU in %.3f s at cpu_max=20",
		      s.cpu, s.wall);
}
END_TEST

START_TEST(test_errors)
{
	struct cpu_cgroup *cg = make(100), *other;
	char err[256], dir[512], parent[512], path[600];

	if (!cg)
		return;
	snprintf(dir, sizeof(dir), "%s", cpu_cgroup_path(cg));
	snprintf(parent, sizeof(parent), "%s", dir);
	*strrchr(parent, '/') = '\0';
	/* Someone else's cgroup of that name: refused, and left alone. */
	ck_assert_int_eq(cpu_cgroup_create(parent, name, 50, &other, err,
					   sizeof(err)),
			 -EEXIST);
	ck_assert_msg(strstr(err, "cannot create cgroup") && strstr(err, dir),
		      "%s", err);
	ck_assert_ptr_null(other);
	ck_assert(exists(dir));
	cpu_cgroup_destroy(cg);
	ck_assert(!exists(dir));
	ck_assert_int_eq(cpu_cgroup_create("/tmp", name, 50, &other, err,
					   sizeof(err)),
			 -ENOTDIR);
	ck_assert_msg(strstr(err, "/tmp is not a cgroup"), "%s", err);
	ck_assert_int_eq(cpu_cgroup_create("/nonexistent", name, 50, &other,
					   err, sizeof(err)),
			 -ENOENT);
	ck_assert_msg(strstr(err, "/nonexistent"), "%s", err);
	/* A v1 hierarchy without the cpu controller, where there is one. */
	if (exists("/sys/fs/cgroup/memory/memory.limit_in_bytes")) {
		ck_assert_int_eq(cpu_cgroup_create("/sys/fs/cgroup/memory",
						   name, 50, &other, err,
						   sizeof(err)),
				 -EOPNOTSUPP);
		ck_assert_msg(strstr(err, "no cpu controller"), "%s", err);
		snprintf(path, sizeof(path), "/sys/fs/cgroup/memory/%s", name);
		ck_assert(!exists(path));
	}
}
END_TEST

Suite *cpu_cgroup_suite(void)
{
	Suite *s = suite_create("cpu_cgroup");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_bound);
	tcase_add_test(tc, test_errors);
	suite_add_tcase(s, tc);
	return s;
}
