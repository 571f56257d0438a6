// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/host/limits.c and vmm/host/headroom.c: what the host will give the
 * pool, read from fake cgroup trees (v1, v2, nested, container views,
 * none), the pool fitted at start, and kept within the room at run time:
 * pageblocks offline and back, reclaim, and the OOM killer for the host's
 * limit with real guests.
 */
#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mm/internal.h"
#include "tests/vmm/host_test.h"
#include "tests/runner.h"
#include "vmm/host/headroom.h"
#include "vmm/host/limits.h"

#define MiB (1ULL << 20)
#define V1_NO_LIMIT "9223372036854771712"

/* Each test's fake tree, in a directory the suite makes before forking
 * and removes after every test, however the test ended. */
static char base[64], root[96];

static void mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		mkdir(path, 0755);
		*p = '/';
	}
}

/* root/path = the text, replaced whole (rename): the host's thread may
 * be reading it meanwhile. */
static void put(const char *path, const char *fmt, ...)
{
	char full[PATH_MAX], tmp[PATH_MAX + 8];
	va_list ap;
	FILE *f;

	snprintf(full, sizeof(full), "%s%s", root, path);
	mkdirs(full);
	snprintf(tmp, sizeof(tmp), "%s.new", full);
	f = fopen(tmp, "w");
	ck_assert_ptr_nonnull(f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(rename(tmp, full), 0);
}

static void base_setup(void)
{
	snprintf(base, sizeof(base), "/tmp/vmm-limits.XXXXXX");
	if (!mkdtemp(base))
		base[0] = 0;
}

static void base_teardown(void)
{
	char cmd[128];

	if (base[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
		if (system(cmd))
			fprintf(stderr, "could not remove %s\n", base);
	}
}

static void tree_setup(void)
{
	ck_assert_msg(base[0], "no directory for the fake trees");
	snprintf(root, sizeof(root), "%s/tree.XXXXXX", base);
	ck_assert_ptr_nonnull(mkdtemp(root));
	put("/proc/meminfo", "MemTotal:       8388608 kB\n"
			     "MemFree:        4194304 kB\n"
			     "MemAvailable:   6291456 kB\n");
}

/* A hybrid host like this one: v1 memory, v2 without it. */
static void v1_tree(const char *path)
{
	put("/proc/self/cgroup",
	    "12:pids:/\n4:memory:%s\n1:cpu,cpuacct:/\n0::/\n", path);
	put("/proc/self/mountinfo",
	    "22 1 0:21 / /sys rw,nosuid - sysfs sysfs rw\n"
	    "31 22 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n"
	    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:15 - cgroup cgroup rw,memory\n"
	    "36 31 0:33 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
	    "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n");
}

/* A file of a cgroup directory under the mount at base. */
static void put_cg(const char *base, const char *dir, const char *file,
		   const char *text)
{
	char p[256];

	snprintf(p, sizeof(p), "%s%s/%s", base, dir, file);
	put(p, "%s", text);
}

static void v1_level(const char *dir, const char *limit, uint64_t usage,
		     uint64_t inactive)
{
	const char *m = "/sys/fs/cgroup/memory";
	char t[256];

	put_cg(m, dir, "memory.limit_in_bytes", limit);
	snprintf(t, sizeof(t), "%llu\n", (unsigned long long)usage);
	put_cg(m, dir, "memory.usage_in_bytes", t);
	snprintf(
		t, sizeof(t),
		"cache 0\nrss 0\ninactive_file 1\nhierarchical_memory_limit 0\n"
		"total_cache 0\ntotal_inactive_file %llu\ntotal_active_file 5\n",
		(unsigned long long)inactive);
	put_cg(m, dir, "memory.stat", t);
}

static void v2_tree(const char *path)
{
	put("/proc/self/cgroup", "0::%s\n", path);
	put("/proc/self/mountinfo",
	    "22 1 0:21 / /sys rw,nosuid - sysfs sysfs rw\n"
	    "30 22 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n");
}

static void v2_level(const char *dir, const char *max, const char *high,
		     uint64_t current, uint64_t inactive)
{
	const char *m = "/sys/fs/cgroup";
	char t[256];

	put_cg(m, dir, "memory.max", max);
	put_cg(m, dir, "memory.high", high);
	snprintf(t, sizeof(t), "%llu\n", (unsigned long long)current);
	put_cg(m, dir, "memory.current", t);
	snprintf(t, sizeof(t),
		 "anon 0\nfile 0\ninactive_anon 0\nactive_anon 0\n"
		 "inactive_file %llu\nactive_file 7\n",
		 (unsigned long long)inactive);
	put_cg(m, dir, "memory.stat", t);
}

static void read_tree(struct host_limits *hl)
{
	struct host_limits_src src;

	ck_assert_int_eq(host_limits_find(root, &src), 0);
	host_limits_read(&src, hl);
}

/* v1: the parent is tighter; the child has no limit; inactive file cache
 * is not in use; MemAvailable is a limit too. */
START_TEST(test_v1_nested)
{
	const struct host_limit *t;
	struct host_limits_src src;
	struct host_limits hl;

	v1_tree("/jobs/vmm");
	v1_level("/jobs/vmm", V1_NO_LIMIT, 100 * MiB, 20 * MiB);
	v1_level("/jobs", "314572800", 250 * MiB, 50 * MiB);
	v1_level("", V1_NO_LIMIT, 900 * MiB, 0);
	put("/proc/self/status", "Name:\tvmm\nVmPTE:\t     1024 kB\n"
				 "RssAnon:\t    3072 kB\n");

	/* Every level up to the hierarchies' roots, v1's and v2's. */
	ck_assert_int_eq(host_limits_find(root, &src), 0);
	ck_assert_uint_eq(src.n, 4);
	ck_assert_str_eq(src.cg[0].path, "/jobs/vmm");
	ck_assert_str_eq(src.cg[0].dir, "/sys/fs/cgroup/memory/jobs/vmm");
	ck_assert_str_eq(src.cg[1].path, "/jobs");
	ck_assert_str_eq(src.cg[2].path, "/");
	ck_assert_str_eq(src.cg[2].dir, "/sys/fs/cgroup/memory");
	ck_assert_int_eq(src.cg[2].version, 1);
	ck_assert_str_eq(src.cg[3].dir, "/sys/fs/cgroup/unified");
	ck_assert_int_eq(src.cg[3].version, 2);
	host_limits_read(&src, &hl);
	ck_assert_uint_eq(hl.n, 2);
	ck_assert_str_eq(hl.l[0].path, "/jobs");
	ck_assert_str_eq(hl.l[0].file, "memory.limit_in_bytes");
	ck_assert_uint_eq(hl.l[0].limit, 300 * MiB);
	ck_assert_uint_eq(hl.l[0].in_use, 200 * MiB);
	ck_assert_str_eq(hl.l[1].file, "MemAvailable");
	ck_assert_uint_eq(hl.own_bytes, 4 * MiB);

	/* 300 - (200 - 4 own - 30 pool) - 40 reserve */
	ck_assert_uint_eq(host_limits_pool_room(&hl, 30 * MiB, 40 * MiB, &t),
			  94 * MiB);
	ck_assert_ptr_eq(t, &hl.l[0]);
	ck_assert_uint_eq(host_limits_pool_room(&hl, 0, 40 * MiB, NULL),
			  64 * MiB);
	/* MemAvailable: 8 GiB - (2 GiB - 4 own) - 40 = 6 GiB - 36 MiB */
	hl.n = 1;
	hl.l[0] = hl.l[1];
	ck_assert_uint_eq(host_limits_pool_room(&hl, 0, 40 * MiB, &t),
			  6 * 1024 * MiB - 36 * MiB);
	/* vmm itself using more than the reserve: all of it is kept. */
	hl.own_bytes = 100 * MiB;
	ck_assert_uint_eq(host_limits_pool_room(&hl, 0, 40 * MiB, NULL),
			  6 * 1024 * MiB);
}
END_TEST

/* v2: "max" is no limit, memory.high counts when lower, the parent is
 * tighter than the child. */
START_TEST(test_v2_nested)
{
	const struct host_limit *t;
	struct host_limits hl;
	char what[256];

	v2_tree("/machine/vmm.service");
	v2_level("/machine/vmm.service", "1073741824", "536870912", 100 * MiB,
		 10 * MiB);
	v2_level("/machine", "419430400", "max", 350 * MiB, 30 * MiB);
	read_tree(&hl);
	ck_assert_uint_eq(hl.n, 3);
	ck_assert_str_eq(hl.l[0].path, "/machine/vmm.service");
	ck_assert_str_eq(hl.l[0].file, "memory.high");
	ck_assert_uint_eq(hl.l[0].limit, 512 * MiB);
	ck_assert_uint_eq(hl.l[0].in_use, 90 * MiB);
	ck_assert_str_eq(hl.l[1].file, "memory.max");
	ck_assert_uint_eq(hl.l[1].in_use, 320 * MiB);
	/* /machine: 400 - (320 - 50) - 32 = 98; the child: 512 - 40 - 32 */
	ck_assert_uint_eq(host_limits_pool_room(&hl, 50 * MiB, 32 * MiB, &t),
			  98 * MiB);
	ck_assert_ptr_eq(t, &hl.l[1]);
	host_limit_describe(t, what, sizeof(what));
	ck_assert_str_eq(
		what,
		"memory cgroup /machine: memory.max 400 MiB, 320 MiB in use");

	/* Both unlimited: no cgroup limit at all. */
	v2_level("/machine", "max", "max", 350 * MiB, 0);
	v2_level("/machine/vmm.service", "max", "max", 1, 0);
	read_tree(&hl);
	ck_assert_uint_eq(hl.n, 1);
	ck_assert_str_eq(hl.l[0].file, "MemAvailable");
}
END_TEST

/* No memory controller anywhere (v2 without it, no v1 mount), no
 * meminfo: no limit. */
START_TEST(test_no_controller)
{
	const struct host_limit *t = (void *)1;
	struct host_limits hl;
	char meminfo[128];

	v2_tree("/user.slice");
	put("/sys/fs/cgroup/user.slice/cgroup.controllers", "cpu io pids\n");
	read_tree(&hl);
	ck_assert_uint_eq(hl.n, 1); /* MemAvailable */
	snprintf(meminfo, sizeof(meminfo), "%s/proc/meminfo", root);
	ck_assert_int_eq(unlink(meminfo), 0);
	read_tree(&hl);
	ck_assert_uint_eq(hl.n, 0);
	ck_assert_uint_eq(host_limits_pool_room(&hl, 0, 32 * MiB, &t),
			  UINT64_MAX);
	ck_assert_ptr_null(t);
}
END_TEST

/* A container's view: the mount's root is its own cgroup, the path in
 * /proc/self/cgroup is the host's; a path outside the mount is not read.
 * Escaped spaces in mount points. */
START_TEST(test_container_view)
{
	struct host_limits_src src;
	struct host_limits hl;

	put("/proc/self/cgroup", "4:memory:/docker/abc/inner\n");
	put("/proc/self/mountinfo",
	    "35 31 0:32 /docker/abc /sys/fs/cgroup/my\\040mem rw - cgroup cgroup rw,memory\n");
	put("/sys/fs/cgroup/my mem/inner/memory.limit_in_bytes", "%llu\n",
	    256 * MiB);
	put("/sys/fs/cgroup/my mem/inner/memory.usage_in_bytes", "%llu\n",
	    16 * MiB);
	put("/sys/fs/cgroup/my mem/memory.limit_in_bytes", "%llu\n", 128 * MiB);
	put("/sys/fs/cgroup/my mem/memory.usage_in_bytes", "%llu\n", 64 * MiB);
	ck_assert_int_eq(host_limits_find(root, &src), 0);
	ck_assert_uint_eq(src.n, 2);
	ck_assert_str_eq(src.cg[0].dir, "/sys/fs/cgroup/my mem/inner");
	ck_assert_str_eq(src.cg[0].path, "/docker/abc/inner");
	ck_assert_str_eq(src.cg[1].dir, "/sys/fs/cgroup/my mem");
	ck_assert_str_eq(src.cg[1].path, "/docker/abc");
	host_limits_read(&src, &hl);
	ck_assert_uint_eq(hl.n, 3);
	ck_assert_uint_eq(hl.l[1].limit, 128 * MiB);
	ck_assert_uint_eq(hl.l[1].in_use, 64 * MiB);

	put("/proc/self/cgroup", "4:memory:/other/x\n");
	ck_assert_int_eq(host_limits_find(root, &src), 0);
	ck_assert_uint_eq(src.n, 0);
}
END_TEST

/* At start: an explicit pool that does not fit is refused, saying why
 * and what would; the default pool shrinks to fit. */
START_TEST(test_fit_pool)
{
	struct vmm_config cfg = { .pool_bytes = 1024 * MiB,
				  .nr_nodes = 1,
				  .host_root = root };
	uint64_t pool = cfg.pool_bytes;
	char note[1024], err[1024];

	v1_tree("/vmm");
	v1_level("/vmm", "314572800", 0, 0);
	ck_assert_int_eq(host_limits_fit_pool(&cfg, &pool, note, sizeof(note),
					      err, sizeof(err)),
			 -ENOMEM);
	ck_assert_uint_eq(pool, 1024 * MiB);
	ck_assert_msg(strstr(err, "a pool of 1024 MiB does not fit") &&
			      strstr(err, "memory.limit_in_bytes 300 MiB") &&
			      strstr(err, "0 MiB in use") &&
			      strstr(err, "largest pool that fits is 256 MiB"),
		      "%s", err);
	/* 256 + 32 + 256/32 = 296 <= 300; 260 + 32 + 8.1 > 300. */
	cfg.pool_default = true;
	ck_assert_int_eq(host_limits_fit_pool(&cfg, &pool, note, sizeof(note),
					      err, sizeof(err)),
			 0);
	ck_assert_uint_eq(pool, 256 * MiB);
	ck_assert_msg(strstr(note, "the default pool of 1024 MiB") &&
			      strstr(note, "the pool is 256 MiB"),
		      "%s", note);
	/* Two nodes: whole 4 MiB blocks each. */
	cfg.nr_nodes = 3;
	pool = 1024 * MiB;
	ck_assert_int_eq(host_limits_fit_pool(&cfg, &pool, note, sizeof(note),
					      err, sizeof(err)),
			 0);
	ck_assert_uint_eq(pool, 252 * MiB);
	/* A pool that fits is left alone, and says nothing. */
	pool = 128 * MiB;
	ck_assert_int_eq(host_limits_fit_pool(&cfg, &pool, note, sizeof(note),
					      err, sizeof(err)),
			 0);
	ck_assert_uint_eq(pool, 128 * MiB);
	ck_assert_str_eq(note, "");
	/* Not even the smallest pool fits: refused, default or not. */
	v1_level("/vmm", "41943040", 0, 0);
	pool = 1024 * MiB;
	ck_assert_int_eq(host_limits_fit_pool(&cfg, &pool, note, sizeof(note),
					      err, sizeof(err)),
			 -ENOMEM);
	ck_assert_msg(strstr(err, "nor does the smallest pool"), "%s", err);
	/* --host-reserve: what is kept is the user's. */
	cfg.pool_default = false;
	cfg.nr_nodes = 1;
	cfg.host_reserve_bytes = 8 * MiB;
	pool = 32 * MiB;
	ck_assert_int_eq(host_limits_fit_pool(&cfg, &pool, note, sizeof(note),
					      err, sizeof(err)),
			 0);
}
END_TEST

/* host_create: refused, shrunk, or not looked at (--host-limits off). */
START_TEST(test_host_create_fits)
{
	struct vmm_config cfg = { .pool_bytes = 1024 * MiB,
				  .nr_nodes = 1,
				  .host_root = root,
				  .balloon_off = true,
				  .compaction_off = true };
	struct vmm_host *h;
	char err[512];

	v1_tree("/vmm");
	v1_level("/vmm", "314572800", 0, 0);
	ck_assert_int_eq(host_create(&cfg, &h, err, sizeof(err)), -ENOMEM);
	ck_assert_ptr_null(h);
	ck_assert_ptr_nonnull(strstr(err, "does not fit"));
	cfg.pool_default = true;
	h = test_host_cfg(&cfg);
	ck_assert_uint_eq(h->pool->size, 256 * MiB);
	ck_assert_uint_eq(h->cfg.pool_bytes, 256 * MiB);
	test_host_done(h);
	cfg.pool_default = false;
	cfg.host_limits_off = true;
	h = test_host_cfg(&cfg);
	ck_assert_uint_eq(h->pool->size, 1024 * MiB);
	ck_assert(!h->headroom.running);
	test_host_done(h);
}
END_TEST

/* No cold tier: these tests are about the balloons and the kill that a
 * shrinking limit forces, which the tier would put off. */
static struct vmm_host *limited_host(unsigned int mib, const char *limit)
{
	struct vmm_config cfg = { .pool_bytes = (uint64_t)mib * MiB,
				  .nr_nodes = 1,
				  .host_root = root,
				  .host_reserve_bytes = 4 * MiB,
				  .swap_store_set = true };

	v1_tree("/vmm");
	v1_level("/vmm", limit, 0, 0);
	return test_host_cfg(&cfg);
}

static void set_limit(uint64_t bytes)
{
	put("/sys/fs/cgroup/memory/vmm/memory.limit_in_bytes", "%llu\n",
	    (unsigned long long)bytes);
}

/* At run time, without guests: the room shrinks, free pageblocks go
 * offline (the watermarks with them); it grows back, and so do they,
 * with slack. */
START_TEST(test_headroom_offline_online)
{
	struct vmm_host *h = limited_host(64, "1073741824");
	struct zone *z = h->pool->zones[0];
	unsigned long min = min_wmark_pages(z);
	char err[256];

	ck_assert(h->headroom.running);
	ck_assert_uint_eq(host_headroom_check(h), 0);
	/* Room 36 MiB (40 less the reserve of 4): 28 MiB offline. */
	set_limit(40 * MiB);
	ck_assert_uint_eq(host_headroom_check(h), 28 * 256);
	ck_assert_uint_eq(zone_managed_pages(z), 36 * 256);
	ck_assert_uint_lt(min_wmark_pages(z), min);
	ck_assert_msg(host_validate(h, err, sizeof(err)) == 0, "%s", err);
	/* 6 MiB more room: less than the slack (8 MiB), nothing comes. */
	set_limit(46 * MiB);
	ck_assert_uint_eq(host_headroom_check(h), 28 * 256);
	/* 20 MiB more: back online, but for half the slack. */
	set_limit(60 * MiB);
	ck_assert_uint_eq(host_headroom_check(h), 12 * 256);
	set_limit(1024 * MiB);
	ck_assert_uint_eq(host_headroom_check(h), 0);
	ck_assert_uint_eq(min_wmark_pages(z), min);
	ck_assert_msg(host_validate(h, err, sizeof(err)) == 0, "%s", err);
	/* The thread does the same by itself. */
	set_limit(40 * MiB);
	for (int i = 0; i < 200 && !pool_nr_offline_pages(h->pool); i++)
		usleep(10000);
	ck_assert_uint_eq(pool_nr_offline_pages(h->pool), 28 * 256);
	test_host_done(h);
}
END_TEST

/*
 * With guests: an idle guest's balloon gives what the smaller pool
 * needs, and it lives; a guest holding all it touched is OOM-killed for
 * the host's limit, and the other guest and vmm live.
 */
START_TEST(test_headroom_reclaim_then_kill)
{
	struct vmm_host *h = limited_host(128, "1073741824");
	unsigned int idle, busy;
	char detail[VM_DETAIL_MAX], err[256];

	idle = test_launch(h, "idle", 64, 1, 1,
			   "touch 48M; free 40M; hold 5s; verify", 0);
	busy = test_launch(h, "busy", 128, 1, 1, "touch 56M; hold 30s; verify",
			   0);
	test_wait_phases(h, idle, 2);
	test_wait_phases(h, busy, 1);
	/* Room 80 MiB: the busy guest's 56 and the idle one's 8 fit once
	 * its balloon takes the 40 it freed. */
	set_limit(84 * MiB);
	for (int i = 0; i < 500 && pool_nr_offline_pages(h->pool) < 48 * 256;
	     i++)
		usleep(10000);
	ck_assert_uint_ge(pool_nr_offline_pages(h->pool), 48 * 256);
	ck_assert_uint_eq(vm_event_sum(h->pool, OOM_KILL), 0);
	ck_assert_msg(host_validate(h, err, sizeof(err)) == 0, "%s", err);
	/* Room 40 MiB: the busy guest cannot stay. */
	set_limit(44 * MiB);
	ck_assert(test_wait_guest(h, busy, NULL) == VM_EXIT_OOM_KILL);
	vm_exit_reason(host_vm(h, busy), detail, sizeof(detail));
	ck_assert_msg(strstr(detail, "for the host's memory limit"), "%s",
		      detail);
	/* The killer counts once the victim is stopped, maybe just after
	 * its vCPUs left: give it a moment. */
	for (int i = 0; i < 200 && !READ_ONCE(h->headroom.kills); i++)
		usleep(10000);
	ck_assert_uint_eq(READ_ONCE(h->headroom.kills), 1);
	host_reap(h, busy);
	test_assert_clean(h, idle);
	ck_assert_uint_le(h->pool->nr_frames - pool_nr_offline_pages(h->pool),
			  40 * 256);
	ck_assert_msg(host_validate(h, err, sizeof(err)) == 0, "%s", err);
	test_host_done(h);
}
END_TEST

Suite *host_limits_suite(void)
{
	Suite *s = suite_create("host_limits");
	TCase *tc = tcase_create("trees");

	tcase_add_unchecked_fixture(tc, base_setup, base_teardown);
	tcase_add_checked_fixture(tc, tree_setup, NULL);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_v1_nested);
	tcase_add_test(tc, test_v2_nested);
	tcase_add_test(tc, test_no_controller);
	tcase_add_test(tc, test_container_view);
	tcase_add_test(tc, test_fit_pool);
	tcase_add_test(tc, test_host_create_fits);
	tcase_add_test(tc, test_headroom_offline_online);
	suite_add_tcase(s, tc);
	return s;
}

Suite *host_headroom_suite(void)
{
	Suite *s = suite_create("host_headroom");
	TCase *tc = tcase_create("kvm");

	tcase_add_unchecked_fixture(tc, base_setup, base_teardown);
	tcase_add_checked_fixture(tc, tree_setup, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_headroom_reclaim_then_kill);
	suite_add_tcase(s, tc);
	return s;
}
