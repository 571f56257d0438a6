// SPDX-License-Identifier: GPL-2.0
/* vmm/size.c and vmm/options.c: what users type, good and bad. */
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "vmm/options.h"
#include "vmm/size.h"

START_TEST(test_sizes)
{
	uint64_t v;

	ck_assert_int_eq(parse_size("4096", &v), 0);
	ck_assert_uint_eq(v, 4096);
	ck_assert_int_eq(parse_size("64K", &v), 0);
	ck_assert_uint_eq(v, 64 << 10);
	ck_assert_int_eq(parse_size("512m", &v), 0);
	ck_assert_uint_eq(v, 512ULL << 20);
	ck_assert_int_eq(parse_size("2GiB", &v), 0);
	ck_assert_uint_eq(v, 2ULL << 30);
	ck_assert_int_eq(parse_size("1tb", &v), 0);
	ck_assert_uint_eq(v, 1ULL << 40);
	ck_assert_int_eq(parse_size("16777215T", &v), 0);
	ck_assert_int_eq(parse_size("16777216T", &v), -ERANGE);
	ck_assert_int_eq(parse_size("18446744073709551615", &v), 0);
	ck_assert_int_eq(parse_size("18446744073709551616", &v), -ERANGE);
	ck_assert_int_eq(parse_size("18446744073709551615K", &v), -ERANGE);
	ck_assert_int_eq(parse_size("", &v), -EINVAL);
	ck_assert_int_eq(parse_size("-1M", &v), -EINVAL);
	ck_assert_int_eq(parse_size("1.5G", &v), -EINVAL);
	ck_assert_int_eq(parse_size("12Q", &v), -EINVAL);
	ck_assert_int_eq(parse_size("M", &v), -EINVAL);
	ck_assert_int_eq(parse_size(" 1M", &v), -EINVAL);
	ck_assert_int_eq(parse_size("1M ", &v), -EINVAL);
	ck_assert_int_eq(parse_size("0x10", &v), -EINVAL);
	ck_assert_int_eq(parse_size(NULL, &v), -EINVAL);
}
END_TEST

START_TEST(test_durations_and_ints)
{
	uint64_t ns;
	long n;
	char buf[32];

	ck_assert_int_eq(parse_duration_ns("250ms", &ns), 0);
	ck_assert_uint_eq(ns, 250000000);
	ck_assert_int_eq(parse_duration_ns("2s", &ns), 0);
	ck_assert_uint_eq(ns, 2000000000ULL);
	ck_assert_int_eq(parse_duration_ns("1m", &ns), 0);
	ck_assert_uint_eq(ns, 60000000000ULL);
	ck_assert_int_eq(parse_duration_ns("100", &ns), -EINVAL);
	ck_assert_int_eq(parse_duration_ns("5h", &ns), -EINVAL);
	ck_assert_int_eq(parse_duration_ns("99999999999999999999s", &ns),
			 -ERANGE);
	ck_assert_int_eq(parse_int("12", 1, 16, &n), 0);
	ck_assert_int_eq(n, 12);
	ck_assert_int_eq(parse_int("17", 1, 16, &n), -ERANGE);
	ck_assert_int_eq(parse_int("-1000", -1000, 1000, &n), 0);
	ck_assert_int_eq(parse_int("1x", 1, 16, &n), -EINVAL);
	ck_assert_int_eq(parse_int("", 1, 16, &n), -EINVAL);
	ck_assert_str_eq(format_size(3ULL << 29, buf, sizeof(buf)), "1.5 GiB");
	ck_assert_str_eq(format_size(4096, buf, sizeof(buf)), "4 KiB");
	ck_assert_str_eq(format_size(17, buf, sizeof(buf)), "17 B");
}
END_TEST

static int run_args(struct vmm_config *cfg, char *err, const char *a0, ...)
{
	char *argv[64];
	int argc = 0;
	va_list ap;

	va_start(ap, a0);
	argv[argc++] = "run";
	for (const char *a = a0; a && argc < 63; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	return options_parse_run(argc, argv, cfg, err, OPTIONS_ERR_MAX);
}

static struct vmm_config cfg;

START_TEST(test_defaults)
{
	char err[OPTIONS_ERR_MAX];

	ck_assert_int_eq(run_args(&cfg, err, NULL), 0);
	ck_assert_uint_eq(cfg.pool_bytes, 1ULL << 30);
	ck_assert_uint_eq(cfg.nr_nodes, 1);
	ck_assert_uint_eq(cfg.nr_guests, 1);
	ck_assert_str_eq(cfg.guest[0].name, "demo");
	ck_assert_str_eq(cfg.guest[0].script, DEMO_SCRIPT);
	ck_assert(cfg.hugepages);
	ck_assert_uint_eq(cfg.shutdown_timeout_ns, 10000000000ULL);
	/* The default pool may shrink to what the host gives. */
	ck_assert(cfg.pool_default);
	ck_assert(!cfg.host_limits_off);
	options_free(&cfg);
}
END_TEST

START_TEST(test_full_command_line)
{
	char err[OPTIONS_ERR_MAX];

	ck_assert_msg(
		run_args(
			&cfg, err, "--pool", "2G", "--nodes", "2", "--movable",
			"256M", "--min-free-kbytes", "8192",
			"--watermark-scale-factor", "100", "--distance",
			"10,30/30,10", "--no-hugepages", "--stats", "500ms",
			"--trace", "/tmp/t", "--guest",
			"name=a,mem=512M,vcpus=2,nodes=2,map=0:1/1:0,strict,pinned=16M,floor=128M,oom_score_adj=-500,script=touch 1M; verify, again",
			"--guest", "mem=64M", "-v", "--balloon", "off",
			"--balloon-floor", "16M", "--guest-timeout", "50ms",
			"--direct-reclaim-timeout", "5ms", "--kswapd-step",
			"20ms", "--no-deflate", "--balloon-step", "4M",
			"--deflate-step", "32M", "--deflate-margin", "20",
			"--migrate", "pause", "--shutdown-timeout", "30s",
			"--host-limits", "off", "--host-reserve", "64M",
			NULL) == 0,
		"%s", err);
	ck_assert_uint_eq(cfg.pool_bytes, 2ULL << 30);
	ck_assert(!cfg.pool_default);
	ck_assert(cfg.host_limits_off);
	ck_assert_uint_eq(cfg.host_reserve_bytes, 64 << 20);
	ck_assert_uint_eq(cfg.nr_nodes, 2);
	ck_assert_uint_eq(cfg.movable_bytes, 256 << 20);
	ck_assert_uint_eq(cfg.min_free_kbytes, 8192);
	ck_assert_uint_eq(cfg.watermark_scale_factor, 100);
	ck_assert_uint_eq(cfg.distance[0][1], 30);
	ck_assert(!cfg.hugepages);
	ck_assert_uint_eq(cfg.stats_interval_ms, 500);
	ck_assert_uint_eq(cfg.shutdown_timeout_ns, 30000000000ULL);
	ck_assert_str_eq(cfg.trace_path, "/tmp/t");
	ck_assert(cfg.verbose);
	ck_assert_uint_eq(cfg.nr_guests, 2);
	ck_assert_str_eq(cfg.guest[0].name, "a");
	ck_assert_uint_eq(cfg.guest[0].mem_bytes, 512 << 20);
	ck_assert_uint_eq(cfg.guest[0].nr_vcpus, 2);
	ck_assert_uint_eq(cfg.guest[0].nr_vnodes, 2);
	ck_assert_int_eq(cfg.guest[0].vnode_to_pnode[0], 1);
	ck_assert_int_eq(cfg.guest[0].vnode_to_pnode[1], 0);
	ck_assert(cfg.guest[0].strict);
	ck_assert_uint_eq(cfg.guest[0].pinned_bytes, 16 << 20);
	ck_assert(cfg.guest[0].floor_set);
	ck_assert_uint_eq(cfg.guest[0].floor_bytes, 128 << 20);
	ck_assert(!cfg.guest[1].floor_set);
	ck_assert_int_eq(cfg.guest[0].oom_score_adj, -500);
	ck_assert_str_eq(cfg.guest[0].script, "touch 1M; verify, again");
	ck_assert_str_eq(cfg.guest[1].name, "guest2");
	ck_assert(cfg.balloon_off);
	ck_assert(cfg.migrate_by_pause);
	ck_assert(cfg.deflate_off);
	ck_assert_uint_eq(cfg.balloon_floor_bytes, 16 << 20);
	ck_assert_uint_eq(cfg.guest_timeout_ms, 50);
	ck_assert_uint_eq(cfg.direct_timeout_ms, 5);
	ck_assert_uint_eq(cfg.kswapd_step_ms, 20);
	ck_assert_uint_eq(cfg.balloon_step_bytes, 4 << 20);
	ck_assert_uint_eq(cfg.deflate_step_bytes, 32 << 20);
	ck_assert_uint_eq(cfg.deflate_margin_pct, 20);
	options_free(&cfg);
}
END_TEST

/* Every bad argument: an error that names the option and the value. */
START_TEST(test_bad_arguments)
{
	static const struct {
		const char *opt, *val, *needle;
	} bad[] = {
		{ "--pool", "lots", "--pool lots" },
		{ "--pool", "1M", "at least 16M" },
		{ "--pool", "99999999999T", "--pool" },
		{ "--nodes", "0", "--nodes 0" },
		{ "--nodes", "9", "--nodes 9" },
		{ "--movable", "2G", "--movable" },
		{ "--min-free-kbytes", "1", "--min-free-kbytes 1" },
		{ "--watermark-scale-factor", "5000", "3000" },
		{ "--distance", "10,x", "'x'" },
		{ "--distance", "10,300/300,10", "10..254" },
		{ "--stats", "1ns", "--stats 1ns" },
		{ "--stats", "often", "--stats often" },
		{ "--shutdown-timeout", "2h", "--shutdown-timeout 2h" },
		{ "--shutdown-timeout", "-1s", "--shutdown-timeout -1s" },
		{ "--guest", "mem=3M", "mem=3M" },
		{ "--guest", "mem=abc", "mem=abc" },
		{ "--guest", "mem=1T", "mem=1T" },
		{ "--guest", "vcpus=0", "vcpus=0" },
		{ "--guest", "vcpus=99", "vcpus=99" },
		{ "--guest", "nodes=9", "nodes=9" },
		{ "--guest", "map=0-1", "GUEST_NODE:POOL_NODE" },
		{ "--guest", "map=0:1", "pool node 1" },
		{ "--guest", "nodes=2,map=0:0/0:0", "mapped twice" },
		{ "--guest", "map=3:0", "guest node 3" },
		{ "--guest", "pinned=1G,mem=64M", "does not fit" },
		{ "--guest", "pinned=100", "whole 4K" },
		{ "--guest", "floor=1G,mem=64M",
		  "floor=1024M is more than mem=64M" },
		{ "--guest", "floor=lots", "guest floor=lots: a size" },
		{ "--guest", "oom_score_adj=2000", "-1000..1000" },
		{ "--guest", "colour=blue", "unknown key 'colour'" },
		{ "--guest", "name", "needs a value" },
		{ "--guest", "name=a b", "no spaces" },
		{ "--guest", "", "empty" },
		{ "--balloon", "maybe", "--balloon maybe" },
		{ "--migrate", "copy", "entries or pause" },
		{ "--balloon-floor", "x", "--balloon-floor x" },
		{ "--guest-timeout", "5", "--guest-timeout 5" },
		{ "--direct-reclaim-timeout", "2h", "1ms to 60s" },
		{ "--balloon-step", "1", "4K to 1T" },
		{ "--deflate-margin", "0", "--deflate-margin 0" },
		{ "--host-limits", "maybe", "--host-limits maybe: on or off" },
		{ "--host-reserve", "1K", "--host-reserve 1K: a size from 1M" },
		{ "--bogus", NULL, "unknown option '--bogus'" },
		{ "--pool", NULL, "needs a value" },
		{ "extra", NULL, "unexpected argument 'extra'" },
	};
	char err[OPTIONS_ERR_MAX];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = run_args(&cfg, err, bad[i].opt, bad[i].val, NULL);

		ck_assert_msg(ret == -EINVAL, "%s %s: accepted", bad[i].opt,
			      bad[i].val ? bad[i].val : "");
		ck_assert_msg(strstr(err, bad[i].needle), "%s %s: '%s'",
			      bad[i].opt, bad[i].val ? bad[i].val : "", err);
	}
	/* Needs both options to see it. */
	ck_assert_int_eq(run_args(&cfg, err, "--guest", "name=x", "--guest",
				  "name=x", NULL),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "two guests are named 'x'"));
	ck_assert_int_eq(run_args(&cfg, err, "--nodes", "2", "--distance",
				  "10,20/30,10", NULL),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not symmetric"));
}
END_TEST

Suite *options_suite(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_sizes);
	tcase_add_test(tc, test_durations_and_ints);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_full_command_line);
	tcase_add_test(tc, test_bad_arguments);
	suite_add_tcase(s, tc);
	return s;
}
