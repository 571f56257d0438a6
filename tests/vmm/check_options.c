// SPDX-License-Identifier: GPL-2.0
/*
 * util/size.c and vmm/config/: what users type, good and bad; the option
 * tables themselves (option.h), their defaults against the engines' own,
 * and -v read back as a command line.
 */
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "balloon/shrinker.h"
#include "mm/vmscan.h"
#include "mm/compaction.h"
#include "mm/types.h"
#include "vmm/config/option.h"
#include "vmm/host/cold.h"
#include "vmm/config/options.h"
#include "util/size.h"

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
	ck_assert_int_eq(parse_duration_ns("90M", &ns), 0); /* minutes */
	ck_assert_uint_eq(ns, 5400000000000ULL);
	ck_assert_int_eq(parse_duration_ns("5h", &ns), 0);
	ck_assert_uint_eq(ns, 18000000000000ULL);
	ck_assert_int_eq(parse_duration_ns("7US", &ns), 0);
	ck_assert_uint_eq(ns, 7000);
	ck_assert_int_eq(parse_duration_ns("0ns", &ns), 0);
	ck_assert_uint_eq(ns, 0);
	ck_assert_int_eq(parse_duration_ns("100", &ns), -EINVAL);
	ck_assert_int_eq(parse_duration_ns("5d", &ns), -EINVAL);
	ck_assert_int_eq(parse_duration_ns("1min", &ns), -EINVAL);
	ck_assert_int_eq(parse_duration_ns("1.5s", &ns), -EINVAL);
	ck_assert_int_eq(parse_duration_ns("s", &ns), -EINVAL);
	ck_assert_int_eq(parse_duration_ns("-1s", &ns), -EINVAL);
	ck_assert_int_eq(parse_duration_ns("1s ", &ns), -EINVAL);
	ck_assert_int_eq(parse_duration_ns(NULL, &ns), -EINVAL);
	/* UINT64_MAX ns is 5124095.6 h. */
	ck_assert_int_eq(parse_duration_ns("5124095h", &ns), 0);
	ck_assert_int_eq(parse_duration_ns("5124096h", &ns), -ERANGE);
	ck_assert_int_eq(parse_duration_ns("18446744073709551615ns", &ns), 0);
	ck_assert_uint_eq(ns, UINT64_MAX);
	ck_assert_int_eq(parse_duration_ns("18446744073709551616ns", &ns),
			 -ERANGE);
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

static int run_va(struct vmm_config *cfg, char *err, const char *a0, va_list ap)
{
	char *argv[64];
	int argc = 0;

	argv[argc++] = "run";
	for (const char *a = a0; a && argc < 63; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	argv[argc] = NULL;
	return options_parse_run(argc, argv, cfg, err, OPTIONS_ERR_MAX);
}

static int run_args(struct vmm_config *cfg, char *err, const char *a0, ...)
{
	va_list ap;
	int ret;

	va_start(ap, a0);
	ret = run_va(cfg, err, a0, ap);
	va_end(ap);
	return ret;
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
			"name=a,mem=512M,vcpus=2,nodes=2,map=0:1/1:0,strict,pinned=16M,floor=128M,oom_score_adj=-500,cpu_max=150%,script=touch 1M; hold 1m; verify",
			"--guest",
			"mem=64M,kernel=/boot/k.elf,script=root=/dev/vda, quiet",
			"-v", "--balloon", "off", "--balloon-floor", "16M",
			"--guest-timeout", "50ms", "--direct-reclaim-timeout",
			"5ms", "--kswapd-step", "20ms", "--no-deflate",
			"--balloon-step", "4M", "--deflate-step", "32M",
			"--deflate-margin", "20", "--migrate", "pause",
			"--shutdown-timeout", "30s", "--host-limits", "off",
			"--host-reserve", "64M", NULL) == 0,
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
	ck_assert_uint_eq(cfg.guest[0].cpu_max_pct, 150);
	ck_assert_uint_eq(cfg.guest[1].cpu_max_pct, 0);
	ck_assert_str_eq(cfg.guest[0].script, "touch 1M; hold 1m; verify");
	ck_assert_str_eq(cfg.guest[1].name, "guest2");
	/* script= takes the rest, commas and all; another kernel's command
	 * line is not checked by our guest's grammar. */
	ck_assert_str_eq(cfg.guest[1].script, "root=/dev/vda, quiet");
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
		{ "--pool", "1M", "--pool 1 MiB: at least 16 MiB" },
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
		{ "--guest", "cpu_max=0", "cpu_max=0: a percentage" },
		{ "--guest", "cpu_max=1.5", "1..1600" },
		{ "--guest", "colour=blue", "unknown key 'colour'" },
		{ "--guest", "name", "needs a value" },
		{ "--guest", "name=a b", "no spaces" },
		{ "--guest", "", "empty" },
		/* Duplicate keys would lose a value; script without '='
		 * would be an empty script. */
		{ "--guest", "name=a,name=b,script=exit 0",
		  "guest key 'name' given twice" },
		{ "--guest", "mem=64M,vcpus=2,mem=32M,script=exit 0",
		  "guest key 'mem' given twice" },
		{ "--guest", "name=a,script", "guest key 'script' needs '='" },
		{ "--guest", "strict=yes,script=exit 0",
		  "guest key 'strict' is a flag" },
		/* The built-in guest's script, checked by its own parser
		 * with the text of the guest's panic. */
		{ "--guest", "mem=64M,script=touhc 32M",
		  "guest guest1: script @5: unknown command 'touhc'" },
		{ "--guest", "name=w,script=touch 8M; hold 2",
		  "guest w: script @16: bad value '2'" },
		{ "--guest", "mem=32M,script=touch 32M",
		  "script @9: more than the 30M the guest can own '32M'" },
		{ "--guest", "mem=32M,script=churn ws=1G rate=0 time=1s",
		  "more than the 30M the guest can own 'ws=1G'" },
		{ "--guest", "nodes=2,script=touch 4M node=2",
		  "script @15: the guest has no such node 'node=2'" },
		{ "--guest", "mem=64M", "guest guest1: no script=" },
		{ "--guest", "mem=64M,script=", "guest guest1: no script=" },
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
	ck_assert_int_eq(run_args(&cfg, err, "--guest", "name=x,script=exit 0",
				  "--guest", "name=x,script=exit 0", NULL),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "two guests are named 'x'"));
	/* Another kernel (--kernel, after the SPEC) has its own command
	 * line: none is fine. */
	ck_assert_int_eq(run_args(&cfg, err, "--guest", "mem=64M", "--kernel",
				  "/boot/k.elf", NULL),
			 0);
	options_free(&cfg);
	ck_assert_int_eq(run_args(&cfg, err, "--nodes", "2", "--distance",
				  "10,20/30,10", NULL),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not symmetric"));
}
END_TEST

static void assert_refused(const char *needle, const char *a0, ...)
{
	char err[OPTIONS_ERR_MAX];
	va_list ap;
	int ret;

	va_start(ap, a0);
	ret = run_va(&cfg, err, a0, ap);
	va_end(ap);
	ck_assert_int_eq(ret, -EINVAL);
	ck_assert_msg(strstr(err, needle), "'%s' lacks '%s'", err, needle);
}

/*
 * What runs is what -v shows: the pool rounded down to whole 4 MiB
 * blocks per node, said once; --min-free-kbytes leaves a pool to use;
 * --distance gives exactly one row of one distance per node.
 */
START_TEST(test_pool_checks)
{
	char err[OPTIONS_ERR_MAX], *text;
	size_t len;
	FILE *f;

	ck_assert_int_eq(
		run_args(&cfg, err, "--pool", "100M", "--nodes", "3", NULL), 0);
	ck_assert_uint_eq(cfg.pool_bytes, 96ULL << 20);
	ck_assert_uint_eq(cfg.pool_asked_bytes, 100ULL << 20);
	f = open_memstream(&text, &len);
	options_print_notes(&cfg, f);
	options_print(&cfg, f);
	fclose(f);
	ck_assert_msg(
		strstr(text,
		       "vmm: --pool 100 MiB runs as 96 MiB: 3 node(s) of 32 MiB"),
		"%s", text);
	ck_assert_msg(strstr(text,
			     "pool                   96 MiB in 3 node(s)"),
		      "%s", text);
	free(text);
	options_free(&cfg);
	ck_assert_int_eq(
		run_args(&cfg, err, "--pool", "96M", "--nodes", "3", NULL), 0);
	ck_assert_uint_eq(cfg.pool_asked_bytes, 0);
	options_free(&cfg);

	ck_assert_int_eq(run_args(&cfg, err, "--pool", "64M",
				  "--min-free-kbytes", "16384", NULL),
			 0);
	options_free(&cfg);
	assert_refused(
		"--min-free-kbytes 16385: at most 16384 for a pool of 64 MiB",
		"--pool", "64M", "--min-free-kbytes", "16385", NULL);
	assert_refused("--min-free-kbytes 65536: at most 16384", "--pool",
		       "64M", "--min-free-kbytes", "65536", NULL);
	assert_refused("--pool 20 MiB is too small for 8 nodes (4 MiB each",
		       "--pool", "20M", "--nodes", "8", NULL);
	assert_refused(
		"--movable 30 MiB leaves no ZONE_NORMAL in nodes of 32 MiB",
		"--pool", "64M", "--nodes", "2", "--movable", "30M", NULL);

	assert_refused("3 row(s) of up to 2 distance(s) for 2 node(s)",
		       "--nodes", "2", "--distance", "10,20/20,10/30,30", NULL);
	assert_refused("2 row(s) of up to 2 distance(s) for 3 node(s)",
		       "--nodes", "3", "--distance", "10,20/20,10", NULL);
	assert_refused("2 row(s) of up to 3 distance(s) for 2 node(s)",
		       "--nodes", "2", "--distance", "10,20,30/20,10,30", NULL);
	assert_refused("row 1 has no distance to node 1", "--nodes", "2",
		       "--distance", "10,20/20", NULL);
	/* --nodes after --distance is the same. */
	ck_assert_int_eq(run_args(&cfg, err, "--distance", "10,20/20,10",
				  "--nodes", "2", NULL),
			 0);
	options_free(&cfg);
}
END_TEST

/* The store a row's type needs: a size in a uint64_t, and so on. */
static bool store_fits(const struct option_desc *o)
{
	switch (o->type) {
	case OPTION_SIZE:
		return o->store == OPTION_STORE_U64;
	case OPTION_TIME:
		return o->store == OPTION_STORE_UINT ||
		       o->store == OPTION_STORE_U64;
	case OPTION_INT:
	case OPTION_PERCENT:
		return o->store == OPTION_STORE_UINT ||
		       o->store == OPTION_STORE_INT ||
		       o->store == OPTION_STORE_U64;
	case OPTION_FLAG:
	case OPTION_ON_OFF:
	case OPTION_ENUM:
		return o->store == OPTION_STORE_BOOL ||
		       (o->type == OPTION_ENUM &&
			o->store == OPTION_STORE_UINT);
	case OPTION_STRING:
		return o->store == OPTION_STORE_STR;
	case OPTION_CUSTOM:
		return o->parse != NULL;
	default:
		return true;
	}
}

static void check_table(const struct option_desc *table, void *base)
{
	size_t n = 0;

	for (const struct option_desc *o = table; o->name; o++, n++) {
		ck_assert_msg(o->help && o->where, "%s: no help or where",
			      o->name);
		ck_assert_msg(store_fits(o), "%s: type and field differ",
			      o->name);
		ck_assert_msg(o->type != OPTION_ENUM || o->words, "%s",
			      o->name);
		/* Its default is a value of its own type and range. */
		ck_assert_msg(option_set_default(o, base) == 0,
			      "%s: default '%s'", o->name, o->dflt);
		for (const struct option_desc *p = table; p < o; p++) {
			ck_assert_msg(strcmp(p->name, o->name) ||
					      !(p->where & o->where),
				      "%s twice", o->name);
			ck_assert_msg(!o->key || !p->key ||
					      strcmp(p->key, o->key),
				      "scenario key %s twice", o->key);
		}
	}
	ck_assert_uint_lt(n, 64); /* options.c's MAX_OPTIONS */
}

/* Every row: a field of the right type, a default that parses, one name
 * per command, in --help within 80 columns. */
START_TEST(test_tables)
{
	struct guest_spec g;
	const char *const cmds[] = { "run", "host" };
	char *text, line[128];
	size_t len;
	FILE *f;

	memset(&cfg, 0, sizeof(cfg));
	check_table(vmm_options, &cfg);
	memset(&g, 0, sizeof(g));
	check_table(guest_keys, &g);
	ck_assert_uint_lt(sizeof(((struct guest_spec *)0)->name), 64);
	for (int c = 0; c < 2; c++) {
		f = open_memstream(&text, &len);
		if (c)
			options_usage_host(f);
		else
			options_usage_run(f);
		fclose(f);
		for (const char *p = text; *p; p += strcspn(p, "\n") + 1)
			ck_assert_msg(strcspn(p, "\n") <= 80,
				      "vmm %s --help: '%.*s'", cmds[c],
				      (int)strcspn(p, "\n"), p);
		for (const struct option_desc *o = vmm_options; o->name; o++) {
			snprintf(line, sizeof(line), "--%s", o->name);
			ck_assert_msg((o->where &
				       (c ? OPTION_HOST : OPTION_RUN)) == 0 ||
					      strstr(text, line),
				      "vmm %s --help: no %s", cmds[c], line);
		}
		free(text);
	}
	options_free(&cfg);
	options_guest_free(&g);
}
END_TEST

/* What the rows' ranges say at their edges. */
START_TEST(test_row_edges)
{
	char err[OPTIONS_ERR_MAX];

	/* kernel= is a file: not empty; script= may be (another kernel's
	 * command line). */
	assert_refused("guest key 'kernel' needs a value", "--guest",
		       "kernel=,mem=64M", NULL);
	ck_assert_msg(run_args(&cfg, err, "--guest",
			       "kernel=/k,script=", NULL) == 0,
		      "%s", err);
	ck_assert_str_eq(cfg.guest[0].script, "");
	options_free(&cfg);
	/* A time's 0 needs no unit; where 0 is allowed it has a word. */
	ck_assert_msg(run_args(&cfg, err, "--release-interval", "0",
			       "--collapse-interval", "off",
			       "--shutdown-timeout", "0", NULL) == 0,
		      "%s", err);
	ck_assert_uint_eq(cfg.release_interval_ms, 0);
	ck_assert(cfg.collapse_off);
	ck_assert_uint_eq(cfg.shutdown_timeout_ns, 0);
	options_free(&cfg);
	ck_assert_msg(run_args(&cfg, err, "--cold-scan", "off", "--cold-age",
			       "30s", "--cold-scan-interval", "500ms",
			       NULL) == 0,
		      "%s", err);
	ck_assert(cfg.cold_scan_off);
	ck_assert_uint_eq(cfg.cold_age_ms, 30000);
	ck_assert_uint_eq(cfg.cold_scan_interval_ms, 500);
	options_free(&cfg);
	assert_refused("--cold-scan-interval 10ms: 100ms to 1h",
		       "--cold-scan-interval", "10ms", NULL);
	assert_refused("--stats 0: 10ms to 1h", "--stats", "0", NULL);
	assert_refused("--balloon-floor 2T: a size from 4K to 1T",
		       "--balloon-floor", "2T", NULL);
	assert_refused("--socket '': a path of 1 to 107 bytes", "--socket", "",
		       NULL);
	ck_assert_int_eq(run_args(&cfg, err, "--deflate-margin", "20%", NULL),
			 0);
	ck_assert_uint_eq(cfg.deflate_margin_pct, 20);
	options_free(&cfg);
}
END_TEST

/*
 * The defaults --help and -v say are the ones the engines use when a
 * configuration leaves a knob 0 (tests and tools build such ones).
 */
START_TEST(test_engine_defaults)
{
	struct balloon_tunables bt;
	struct vmscan_tunables t;

	options_defaults(&cfg);
	balloon_default_tunables(&bt);
	vmscan_default_tunables(&t);
	ck_assert_uint_eq(cfg.balloon_floor_bytes >> PAGE_SHIFT,
			  bt.policy.floor_pages);
	ck_assert_uint_eq(cfg.balloon_step_bytes >> PAGE_SHIFT,
			  bt.policy.min_step);
	/* The engine's batch is the balloon's step (host_reclaim_start()). */
	ck_assert_uint_eq(cfg.balloon_step_bytes >> PAGE_SHIFT, t.batch_pages);
	ck_assert_uint_eq(cfg.deflate_step_bytes >> PAGE_SHIFT,
			  bt.policy.max_deflate_step);
	ck_assert_uint_eq(cfg.deflate_margin_pct, t.deflate_margin_pct);
	ck_assert_uint_eq(cfg.guest_timeout_ms, bt.guest_timeout_ms);
	ck_assert_uint_eq(cfg.direct_timeout_ms, t.direct_timeout_ms);
	ck_assert_uint_eq(cfg.kswapd_step_ms, t.step_timeout_ms);
	ck_assert(cfg.deflate_off != t.deflate);
	ck_assert_uint_eq(cfg.proactiveness, COMPACTION_PROACTIVENESS_DEFAULT);
	ck_assert_uint_eq(cfg.extfrag_threshold, EXTFRAG_THRESHOLD_DEFAULT);
	ck_assert_uint_eq(cfg.compact_batch, COMPACT_CLUSTER_MAX);
	ck_assert_int_eq(option_find(vmm_options, "compact-batch")->max,
			 COMPACT_CLUSTER_MAX_LIMIT);
	/* vmm/host/khugepaged.c's, for a 0 there. */
	ck_assert_uint_eq(cfg.collapse_interval_ms, 1000);
	ck_assert_uint_eq(cfg.collapse_max, 8);
	/* vmm/host/cold.h's. */
	ck_assert(!cfg.cold_scan_off);
	ck_assert_uint_eq(cfg.cold_scan_interval_ms,
			  COLD_SCAN_INTERVAL_MS_DEFAULT);
	ck_assert_uint_eq(cfg.cold_age_ms, COLD_AGE_MS_DEFAULT);
	ck_assert_uint_eq(host_cold_min_age(cfg.cold_age_ms,
					    cfg.cold_scan_interval_ms),
			  12);
	/* Ages are at most 255 passes; an age below the interval is one. */
	ck_assert_uint_eq(host_cold_min_age(24 * 3600 * 1000, 100), 255);
	ck_assert_uint_eq(host_cold_min_age(100, 10000), 1);
	options_free(&cfg);
}
END_TEST

/* -v of cfg, as text (malloc'ed). */
static char *verbose_text(const struct vmm_config *c)
{
	char *text;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	options_print(c, f);
	fclose(f);
	return text;
}

/* argv[argc] = a copy of word (tests: a static pool of words). */
static void push(char **argv, int *argc, const char *word)
{
	static char words[96][512];

	ck_assert_int_lt(*argc, 94);
	argv[*argc] = strcpy(words[*argc], word);
	++*argc;
}

/* -v's lines as the command line that says them ("pool" aside: it sums
 * up what runs). */
static int verbose_argv(char *text, char **argv)
{
	char *line, *save = NULL;
	int argc = 0;

	push(argv, &argc, "run");
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[64], opt[72];
		const char *value;
		const struct option_desc *o;

		ck_assert_int_eq(sscanf(line, "%63s", name), 1);
		value = line + strlen(name) + strspn(line + strlen(name), " ");
		if (!strcmp(name, "guest")) {
			value += strcspn(value, " ");
			push(argv, &argc, "--guest");
			push(argv, &argc, value + strspn(value, " "));
			continue;
		}
		o = option_find(vmm_options, name);
		ck_assert_msg(o, "-v: '%s'", line);
		if (!strcmp(name, "pool") || !strcmp(value, "-") ||
		    (o->none && !strcmp(value, o->none)) ||
		    (o->type == OPTION_FLAG && !strcmp(value, "no")))
			continue;
		snprintf(opt, sizeof(opt), "--%s", name);
		push(argv, &argc, opt);
		if (o->type != OPTION_FLAG)
			push(argv, &argc, value);
	}
	argv[argc] = NULL;
	return argc;
}

/*
 * -v says every option as it is typed: read back as a command line, it
 * makes the same configuration.
 */
START_TEST(test_verbose_reads_back)
{
	char *args[] = {
		"run",
		"--pool",
		"256M",
		"--nodes",
		"2",
		"--movable",
		"16M",
		"--min-free-kbytes",
		"4096",
		"--distance",
		"10,30/30,10",
		"--no-hugepages",
		"--stats",
		"500ms",
		"--no-deflate",
		"--balloon-step",
		"4M",
		"--compaction-proactiveness",
		"0",
		"--collapse-interval",
		"off",
		"--migrate",
		"pause",
		"--shutdown-timeout",
		"0",
		"--release-interval",
		"2s",
		"--guest",
		"name=a,mem=64M,nodes=2,map=0:1,strict,pinned=8K,floor=0,oom_score_adj=-5,cpu_max=150%,script=touch 1M; verify",
		NULL
	};
	char err[OPTIONS_ERR_MAX], *first, *second, *argv[96];
	int argc;

	ck_assert_msg(options_parse_run(sizeof(args) / sizeof(args[0]) - 1,
					args, &cfg, err, sizeof(err)) == 0,
		      "%s", err);
	first = verbose_text(&cfg);
	ck_assert_msg(
		strstr(first,
		       "guest a                name=a,mem=64M,vcpus=1,nodes=2,map=0:1/1:1,strict,pinned=8K,floor=0,oom_score_adj=-5,cpu_max=150,script=touch 1M; verify\n"),
		"%s", first);
	ck_assert_msg(strstr(first, "\ncollapse-interval      off\n"), "%s",
		      first);
	options_free(&cfg);
	argc = verbose_argv(first, argv);
	push(argv, &argc, "--pool");
	push(argv, &argc, "256M");
	argv[argc] = NULL;
	ck_assert_msg(options_parse_run(argc, argv, &cfg, err, sizeof(err)) ==
			      0,
		      "%s", err);
	second = verbose_text(&cfg);
	options_free(&cfg);
	free(first);
	ck_assert_int_eq(options_parse_run(sizeof(args) / sizeof(args[0]) - 1,
					   args, &cfg, err, sizeof(err)),
			 0);
	first = verbose_text(&cfg);
	ck_assert_str_eq(second, first);
	free(first);
	free(second);
	options_free(&cfg);
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
	tcase_add_test(tc, test_pool_checks);
	tcase_add_test(tc, test_tables);
	tcase_add_test(tc, test_row_edges);
	tcase_add_test(tc, test_engine_defaults);
	tcase_add_test(tc, test_verbose_reads_back);
	suite_add_tcase(s, tc);
	return s;
}
