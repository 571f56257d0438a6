// SPDX-License-Identifier: GPL-2.0
/*
 * tools/overcommit/scenario.c: a full scenario read back field by field,
 * every scenario of the library loads, and each kind of mistake is
 * rejected with a message that names the JSON path.
 */
#include <check.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/overcommit/expect.h"
#include "tools/overcommit/scenario.h"
#include "vmm/config/options.h"

/* Write text to a temporary .json file; its path in buf. */
static const char *temp_json(char *buf, size_t len, const char *text)
{
	FILE *f;
	int fd;

	snprintf(buf, len, "/tmp/check-scenario-XXXXXX.json");
	fd = mkstemps(buf, 5);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return buf;
}

static int load_text(const char *text, struct scenario *sc, char *err,
		     size_t errlen)
{
	char path[64];
	int ret;

	ret = scenario_load(temp_json(path, sizeof(path), text), sc, err,
			    errlen);
	unlink(path);
	return ret;
}

static const char full[] =
	"{\n"
	"  \"name\": \"full\",\n"
	"  \"description\": \"every key\",\n"
	"  \"pool\": { \"size\": \"1G\", \"nodes\": 2, \"movable\": \"64M\",\n"
	"            \"min_free_kbytes\": 4096, \"watermark_scale_factor\": 50,\n"
	"            \"distance\": [[10, 30], [30, 10]], \"hugepages\": false },\n"
	"  \"reclaim\": { \"balloon\": true, \"deflate\": false, \"floor\": \"16M\",\n"
	"               \"step\": \"4M\", \"deflate_step\": \"32M\", \"deflate_margin\": 20,\n"
	"               \"guest_timeout\": \"200ms\", \"direct_timeout\": \"10ms\",\n"
	"               \"kswapd_step\": \"25ms\", \"release_interval\": \"off\" },\n"
	"  \"compaction\": { \"enabled\": true, \"proactiveness\": 0,\n"
	"                  \"extfrag_threshold\": 300, \"batch\": 64,\n"
	"                  \"migrate\": \"pause\", \"collapse_interval\": \"250ms\",\n"
	"                  \"collapse_max\": 4 },\n"
	"  \"run\": { \"duration\": \"10s\", \"timeout\": \"20s\", \"sample_interval\": \"50ms\",\n"
	"           \"trace_events\": 4096, \"trace_page_events\": true,\n"
	"           \"irqchip\": false },\n"
	"  \"guests\": [\n"
	"    { \"name\": \"web\", \"count\": 3, \"stagger\": \"500ms\", \"start\": \"1s\",\n"
	"      \"mem\": \"256M\", \"vcpus\": 2, \"nodes\": 2, \"map\": [1, 0], \"strict\": true,\n"
	"      \"pinned\": \"8M\", \"floor\": \"32M\", \"oom_score_adj\": -100, \"cpu_max\": 150,\n"
	"      \"script\": [\"touch 100M\", \"verify\"] },\n"
	"    { \"name\": \"db\", \"mem\": 134217728, \"script\": \"touch 64M; hold 1s\" }\n"
	"  ],\n"
	"  \"expect\": { \"oom_victims\": [\"db\"], \"integrity\": true, \"completed\": true,\n"
	"              \"latency\": { \"direct_reclaim\": { \"p99\": \"5ms\", \"max\": \"1s\" },\n"
	"                           \"kswapd_response\": { \"p50\": \"100us\" } },\n"
	"              \"returned_to_host_min\": \"64M\", \"overcommit_min\": 1.25,\n"
	"              \"pressure\": { \"guests\": { \"db\": { \"some\": { \"avg10\": 12.5,\n"
	"                                                   \"total\": \"2s\" } },\n"
	"                                       \"*\": { \"full\": { \"avg300\": 1 } } },\n"
	"                            \"nodes\": { \"1\": { \"full\": { \"avg60\": 0.25 } } } } }\n"
	"}\n";

START_TEST(test_full_scenario)
{
	struct scenario sc;
	struct vmm_config *c = &sc.cfg;
	char err[SC_ERR_MAX];

	ck_assert_msg(load_text(full, &sc, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(sc.name, "full");
	ck_assert_str_eq(sc.description, "every key");
	ck_assert_uint_eq(c->pool_bytes, 1ULL << 30);
	ck_assert_uint_eq(c->nr_nodes, 2);
	ck_assert_uint_eq(c->movable_bytes, 64ULL << 20);
	ck_assert_uint_eq(c->min_free_kbytes, 4096);
	ck_assert_uint_eq(c->watermark_scale_factor, 50);
	ck_assert_uint_eq(c->distance[0][1], 30);
	ck_assert(!c->hugepages);
	ck_assert(!c->balloon_off);
	ck_assert(c->deflate_off);
	ck_assert_uint_eq(c->balloon_floor_bytes, 16ULL << 20);
	ck_assert_uint_eq(c->balloon_step_bytes, 4ULL << 20);
	ck_assert_uint_eq(c->deflate_step_bytes, 32ULL << 20);
	ck_assert_uint_eq(c->deflate_margin_pct, 20);
	ck_assert_uint_eq(c->guest_timeout_ms, 200);
	ck_assert_uint_eq(c->direct_timeout_ms, 10);
	ck_assert_uint_eq(c->kswapd_step_ms, 25);
	ck_assert_uint_eq(c->release_interval_ms, 0);
	ck_assert(!c->compaction_off);
	ck_assert(c->proactiveness_set);
	ck_assert_uint_eq(c->proactiveness, 0);
	ck_assert_uint_eq(c->extfrag_threshold, 300);
	ck_assert_uint_eq(c->compact_batch, 64);
	ck_assert(c->migrate_by_pause);
	ck_assert(!c->collapse_off);
	ck_assert_uint_eq(c->collapse_interval_ms, 250);
	ck_assert_uint_eq(c->collapse_max, 4);
	ck_assert_uint_eq(sc.duration_ns, 10000000000ULL);
	ck_assert_uint_eq(sc.timeout_ns, 20000000000ULL);
	ck_assert_uint_eq(sc.sample_ns, 50000000ULL);
	ck_assert_uint_eq(sc.trace_events, 4096);
	ck_assert(sc.cfg.trace_page_events);
	ck_assert(c->irqchip_off);
	/* count 3 gives web-1..web-3, a stagger apart. */
	ck_assert_uint_eq(c->nr_guests, 4);
	ck_assert_str_eq(c->guest[0].name, "web-1");
	ck_assert_str_eq(c->guest[2].name, "web-3");
	ck_assert_uint_eq(sc.start_ns[0], 1000000000ULL);
	ck_assert_uint_eq(sc.start_ns[2], 2000000000ULL);
	ck_assert_uint_eq(c->guest[1].nr_vcpus, 2);
	ck_assert_uint_eq(c->guest[1].nr_vnodes, 2);
	ck_assert_int_eq(c->guest[1].vnode_to_pnode[0], 1);
	ck_assert_int_eq(c->guest[1].vnode_to_pnode[1], 0);
	ck_assert(c->guest[1].strict);
	ck_assert_uint_eq(c->guest[1].pinned_bytes, 8ULL << 20);
	ck_assert(c->guest[1].floor_set);
	ck_assert_uint_eq(c->guest[1].floor_bytes, 32ULL << 20);
	ck_assert(!c->guest[3].floor_set); /* db */
	ck_assert_int_eq(c->guest[1].oom_score_adj, -100);
	ck_assert_uint_eq(c->guest[1].cpu_max_pct, 150);
	ck_assert_uint_eq(c->guest[3].cpu_max_pct, 0); /* db */
	ck_assert_str_eq(c->guest[1].script, "touch 100M; verify");
	ck_assert_str_eq(c->guest[3].name, "db");
	ck_assert_uint_eq(c->guest[3].mem_bytes, 128ULL << 20);
	ck_assert_uint_eq(sc.start_ns[3], 0);
	ck_assert_str_eq(c->guest[3].script, "touch 64M; hold 1s");
	/* Expectations. */
	ck_assert(sc.expect.victims_set);
	ck_assert_uint_eq(sc.expect.nr_victims, 1);
	ck_assert_str_eq(sc.expect.victim[0], "db");
	ck_assert(sc.expect.integrity && sc.expect.completed);
	ck_assert(!sc.expect.no_oom);
	ck_assert_uint_eq(sc.expect.nr_bounds, 3);
	ck_assert_int_eq(sc.expect.bound[0].dist, LAT_DIRECT_RECLAIM);
	ck_assert_uint_eq(sc.expect.bound[0].p10, 990);
	ck_assert_uint_eq(sc.expect.bound[0].max_ns, 5000000);
	ck_assert_uint_eq(sc.expect.bound[1].p10, 1000);
	ck_assert_int_eq(sc.expect.bound[2].dist, LAT_KSWAPD);
	ck_assert_uint_eq(sc.expect.bound[2].max_ns, 100000);
	ck_assert(sc.expect.returned_set);
	ck_assert_uint_eq(sc.expect.returned_min, 64ULL << 20);
	ck_assert(sc.expect.overcommit_set);
	ck_assert(sc.expect.overcommit_min == 1.25);
	ck_assert_uint_eq(sc.expect.nr_pressure, 4);
	ck_assert_str_eq(sc.expect.pressure[0].guest, "db");
	ck_assert_int_eq(sc.expect.pressure[0].state, PSI_MEM_SOME);
	ck_assert_int_eq(sc.expect.pressure[0].avg, PSI_AVG10);
	ck_assert_uint_eq(sc.expect.pressure[0].max_avg, 1250);
	ck_assert_int_eq(sc.expect.pressure[1].avg, -1);
	ck_assert_uint_eq(sc.expect.pressure[1].max_total_us, 2000000);
	ck_assert_str_eq(sc.expect.pressure[2].guest, "*");
	ck_assert_int_eq(sc.expect.pressure[2].state, PSI_MEM_FULL);
	ck_assert_int_eq(sc.expect.pressure[2].avg, PSI_AVG300);
	ck_assert_uint_eq(sc.expect.pressure[2].max_avg, 100);
	ck_assert_str_eq(sc.expect.pressure[3].guest, "");
	ck_assert_int_eq(sc.expect.pressure[3].node, 1);
	ck_assert_uint_eq(sc.expect.pressure[3].max_avg, 25);
	scenario_free(&sc);
}
END_TEST

/* Defaults, and the name from the file when the scenario has none. */
START_TEST(test_defaults)
{
	struct scenario sc;
	char err[SC_ERR_MAX];

	ck_assert_msg(
		load_text(
			"{\"pool\": {\"size\": \"256M\"}, \"guests\": "
			"[{\"name\": \"g\", \"mem\": \"64M\", \"script\": \"exit 0\"}]}",
			&sc, err, sizeof(err)) == 0,
		"%s", err);
	ck_assert(!strncmp(sc.name, "check-scenario-", 15));
	ck_assert_uint_eq(sc.cfg.nr_nodes, 1);
	ck_assert(sc.cfg.hugepages);
	ck_assert_uint_eq(sc.cfg.release_interval_ms, 1000);
	ck_assert_uint_eq(sc.timeout_ns, 60000000000ULL);
	ck_assert_uint_eq(sc.sample_ns, 100000000ULL);
	ck_assert_uint_eq(sc.duration_ns, 0);
	ck_assert_uint_eq(sc.shutdown_timeout_ns, 10000000000ULL);
	ck_assert(!sc.cfg.irqchip_off);
	ck_assert_uint_eq(sc.cfg.guest[0].nr_vcpus, 1);
	ck_assert_int_eq(sc.cfg.guest[0].vnode_to_pnode[0], -1);
	ck_assert(!sc.expect.no_oom && !sc.expect.integrity);
	scenario_free(&sc);
}
END_TEST

/* Another kernel's command line is its own: not our guest's grammar. */
START_TEST(test_kernel_script_unchecked)
{
	struct scenario sc;
	char err[SC_ERR_MAX];

	ck_assert_msg(
		load_text(
			"{\"pool\": {\"size\": \"256M\"}, \"guests\": "
			"[{\"name\": \"g\", \"mem\": \"64M\", \"kernel\": "
			"\"/proc/self/exe\", \"script\": \"console=ttyS0 quiet\"}]}",
			&sc, err, sizeof(err)) == 0,
		"%s", err);
	ck_assert_str_eq(sc.cfg.guest[0].script, "console=ttyS0 quiet");
	scenario_free(&sc);
}
END_TEST

/* Every scenario shipped in tools/scenarios/ is valid. */
START_TEST(test_library_loads)
{
	glob_t g;

	ck_assert_int_eq(glob("tools/scenarios/*.json", 0, NULL, &g), 0);
	ck_assert_uint_ge(g.gl_pathc, 5);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct scenario sc;
		char err[SC_ERR_MAX];

		ck_assert_msg(scenario_load(g.gl_pathv[i], &sc, err,
					    sizeof(err)) == 0,
			      "%s", err);
		ck_assert_uint_gt(sc.cfg.nr_guests, 0);
		ck_assert(sc.description[0]);
		scenario_free(&sc);
	}
	globfree(&g);
}
END_TEST

#define POOL "\"pool\": {\"size\": \"256M\"}"
#define GUEST "{\"name\": \"g\", \"mem\": \"64M\", \"script\": \"touch 1M\"}"
#define GUESTS "\"guests\": [" GUEST "]"

static const struct {
	const char *json, *msg;
} bad[] = {
	{ "{", ".json:1:1: string or '}' expected" }, /* line, column */
	{ "[]", "(top level): must be an object" },
	{ "{" POOL ", " GUESTS ", \"pool\": {}}", "duplicate" },
	{ "{" POOL ", " GUESTS ", \"extra\": 1}",
	  "extra: unknown key (known here: name, description, pool" },
	{ "{" GUESTS "}", "pool: missing" },
	{ "{\"pool\": {\"size\": \"12Q\"}, " GUESTS "}",
	  "pool.size: \"12Q\" is not a size" },
	{ "{\"pool\": {\"size\": true}, " GUESTS "}",
	  "pool.size: must be a size (\"256M\" or bytes), not a boolean" },
	{ "{\"pool\": {\"size\": \"8M\"}, " GUESTS "}",
	  "pool.size: must be a multiple of 2M, 16M at least" },
	{ "{\"pool\": {\"size\": \"256M\", \"nodes\": 9}, " GUESTS "}",
	  "pool.nodes: 9 is not in 1..8" },
	{ "{\"pool\": {\"size\": \"256M\", \"nodes\": 2, \"distance\": [[10, 20], [30, 10]]}, " GUESTS
	  "}",
	  "pool.distance: not symmetric" },
	{ "{\"pool\": {\"size\": \"256M\", \"movable\": \"254M\"}, " GUESTS "}",
	  "pool.movable: leaves less than 4M" },
	{ "{" POOL ", \"reclaim\": {\"floor\": \"1K\"}, " GUESTS "}",
	  "reclaim.floor: must be from 4K to 1T" },
	{ "{" POOL ", \"reclaim\": {\"guest_timeout\": \"100\"}, " GUESTS "}",
	  "reclaim.guest_timeout: \"100\" is not a time" },
	{ "{" POOL ", \"compaction\": {\"proactiveness\": 101}, " GUESTS "}",
	  "compaction.proactiveness" },
	{ "{" POOL ", \"compaction\": {\"migrate\": \"teleport\"}, " GUESTS "}",
	  "compaction.migrate: must be \"entries\" or \"pause\"" },
	{ "{" POOL ", \"compaction\": {\"collapse_interval\": \"1us\"}, " GUESTS
	  "}",
	  "compaction.collapse_interval: must be from 10ms to 1h" },
	{ "{" POOL ", \"compaction\": {\"speed\": 1}, " GUESTS "}",
	  "compaction.speed: unknown key (known here: enabled" },
	{ "{" POOL ", \"reclaim\": {\"release_interval\": 5}, " GUESTS "}",
	  "reclaim.release_interval: must be a time such as \"250ms\", not an integer" },
	{ "{" POOL ", \"run\": {\"duration\": \"70s\"}, " GUESTS "}",
	  "run.duration: must be shorter than run.timeout (60 s)" },
	{ "{" POOL ", \"run\": {\"shutdown_timeout\": \"7200s\"}, " GUESTS "}",
	  "run.shutdown_timeout: must be 1h at most" },
	{ "{" POOL ", \"run\": {\"shutdown_timeout\": 3}, " GUESTS "}",
	  "run.shutdown_timeout: must be a time such as \"250ms\", not an integer" },
	{ "{" POOL ", \"run\": {\"sample_interval\": \"1ms\"}, " GUESTS "}",
	  "run.sample_interval: must be from 10ms to 10s" },
	{ "{" POOL ", \"guests\": []}", "guests: must be a non-empty array" },
	{ "{" POOL ", \"guests\": [" GUEST
	  ", {\"name\": \"h\", \"script\": \"\"}]}",
	  "guests[1].mem: missing" },
	{ "{" POOL
	  ", \"guests\": [{\"name\": \"g\", \"mem\": \"63M\", \"script\": \"\"}]}",
	  "guests[0].mem: must be a multiple of 2M from 8M to 256G" },
	{ "{" POOL
	  ", \"guests\": [{\"name\": \"a b\", \"mem\": \"64M\", \"script\": \"\"}]}",
	  "guests[0].name: \"a b\": 1 to 31 characters" },
	{ "{" POOL
	  ", \"guests\": [{\"name\": \"g\", \"mem\": \"64M\", \"scrip\": \"\"}]}",
	  "guests[0].scrip: unknown key" },
	{ "{" POOL ", \"guests\": [{\"name\": \"g\", \"mem\": \"64M\"}]}",
	  "guests[0].script: missing" },
	/* The guest's own parser, with the text of the guest's panic. */
	{ "{" POOL
	  ", \"guests\": [{\"name\": \"g\", \"mem\": \"64M\", \"script\": \"touhc 32M\"}]}",
	  "guests[0].script: script @5: unknown command 'touhc'" },
	{ "{" POOL
	  ", \"guests\": [{\"name\": \"g\", \"mem\": \"64M\", \"script\": [\"touch 8M\", \"hold 2\"]}]}",
	  "guests[0].script: script @16: bad value '2'" },
	{ "{" POOL
	  ", \"guests\": [{\"name\": \"g\", \"mem\": \"32M\", \"script\": \"touch 32M\"}]}",
	  "guests[0].script: script @9: more than the 30M the guest can own '32M'" },
	{ "{" POOL
	  ", \"guests\": [{\"name\": \"g\", \"mem\": \"64M\", \"script\": \"\"}]}",
	  "guests[0].script: no script=" },
	{ "{" POOL
	  ", \"guests\": [{\"name\": \"g\", \"mem\": \"64M\", \"mem\": \"32M\", \"script\": \"exit 0\"}]}",
	  "duplicate object key near '\"mem\"'" },
	{ "{" POOL
	  ", \"guests\": [{\"name\": \"g\", \"mem\": \"64M\", \"script\": [\"touch 1M\", 3]}]}",
	  "guests[0].script[1]: must be a string, not an integer" },
	{ "{" POOL
	  ", \"guests\": [{\"name\": \"g\", \"mem\": \"64M\", \"vcpus\": 0, \"script\": \"\"}]}",
	  "guests[0].vcpus: 0 is not in 1..16" },
	{ "{" POOL
	  ", \"guests\": [{\"name\": \"g\", \"mem\": \"64M\", \"map\": [1], \"script\": \"\"}]}",
	  "guests[0].map[0]: 1 is not in 0..0" },
	{ "{" POOL
	  ", \"guests\": [{\"name\": \"g\", \"mem\": \"64M\", \"nodes\": 2, \"map\": [0], \"script\": \"\"}]}",
	  "guests[0].map: must list the pool node of each of the guest's 2 node(s)" },
	{ "{" POOL
	  ", \"guests\": [{\"name\": \"g\", \"mem\": \"64M\", \"pinned\": \"63M\", \"script\": \"\"}]}",
	  "guests[0].pinned: must be whole 4K pages" },
	{ "{" POOL
	  ", \"guests\": [{\"name\": \"g\", \"mem\": \"64M\", \"floor\": \"65M\", \"script\": \"\"}]}",
	  "guests[0].floor: must be at most mem" },
	{ "{" POOL
	  ", \"guests\": [{\"name\": \"g\", \"mem\": \"64M\", \"oom_score_adj\": 1001, \"script\": \"\"}]}",
	  "guests[0].oom_score_adj: 1001 is not in -1000..1000" },
	{ "{" POOL
	  ", \"guests\": [{\"name\": \"g\", \"mem\": \"64M\", \"cpu_max\": 0, \"script\": \"\"}]}",
	  "guests[0].cpu_max: 0 is not in 1..1600" },
	{ "{" POOL
	  ", \"guests\": [{\"name\": \"g\", \"mem\": \"64M\", \"start\": \"2m\", \"script\": \"\"}]}",
	  "guests[0].start: every guest must start before run.timeout" },
	{ "{" POOL
	  ", \"guests\": [{\"name\": \"g\", \"mem\": \"64M\", \"kernel\": \"/nonexistent\", \"script\": \"\"}]}",
	  "guests[0].kernel: /nonexistent: No such file or directory" },
	{ "{" POOL ", \"guests\": [" GUEST ", " GUEST "]}",
	  "guests: two guests are called \"g\"" },
	{ "{" POOL
	  ", \"guests\": [{\"name\": \"g\", \"count\": 65, \"mem\": \"64M\", \"script\": \"\"}]}",
	  "guests[0].count: 65 is not in 1..64" },
	{ "{" POOL ", " GUESTS ", \"expect\": {\"oom_victims\": [\"x\"]}}",
	  "expect.oom_victims[0]: no guest is called \"x\"" },
	{ "{" POOL ", " GUESTS
	  ", \"expect\": {\"no_oom\": true, \"oom_victims\": [\"g\"]}}",
	  "expect.oom_victims: contradicts expect.no_oom" },
	{ "{" POOL ", " GUESTS
	  ", \"expect\": {\"latency\": {\"reclaim\": {\"p99\": \"1ms\"}}}}",
	  "expect.latency.reclaim: unknown distribution (known: direct_reclaim" },
	{ "{" POOL ", " GUESTS
	  ", \"expect\": {\"latency\": {\"fault\": {\"p95\": \"1ms\"}}}}",
	  "expect.latency.fault.p95: unknown bound (p50, p90, p99, p99.9 or max)" },
	{ "{" POOL ", " GUESTS
	  ", \"expect\": {\"latency\": {\"fault\": {\"p99\": 5}}}}",
	  "expect.latency.fault.p99: must be a time" },
	{ "{" POOL ", " GUESTS ", \"expect\": {\"overcommit_min\": \"2x\"}}",
	  "expect.overcommit_min: must be a positive number" },
	{ "{" POOL ", " GUESTS ", \"expect\": {\"integrity\": 1}}",
	  "expect.integrity: must be true or false, not an integer" },
	{ "{" POOL ", " GUESTS ", \"expect\": {\"pressure\": {\"cpu\": {}}}}",
	  "expect.pressure.cpu: unknown key (known here: guests, nodes)" },
	{ "{" POOL ", " GUESTS
	  ", \"expect\": {\"pressure\": {\"guests\": {\"x\": {}}}}}",
	  "expect.pressure.guests.x: no guest is called \"x\"" },
	{ "{" POOL ", " GUESTS
	  ", \"expect\": {\"pressure\": {\"guests\": [\"g\"]}}}",
	  "expect.pressure.guests: must be an object of guest names" },
	{ "{" POOL ", " GUESTS
	  ", \"expect\": {\"pressure\": {\"nodes\": {\"1\": {}}}}}",
	  "expect.pressure.nodes.1: no node \"1\" (the pool has 0..0, or \"*\")" },
	{ "{" POOL ", " GUESTS
	  ", \"expect\": {\"pressure\": {\"guests\": {\"g\": {\"cpu\": {}}}}}}",
	  "expect.pressure.guests.g.cpu: unknown state (some or full)" },
	{ "{" POOL ", " GUESTS
	  ", \"expect\": {\"pressure\": {\"guests\": {\"g\": {\"some\": {\"avg5\": 1}}}}}}",
	  "expect.pressure.guests.g.some.avg5: unknown figure (avg10, avg60, avg300 or total)" },
	{ "{" POOL ", " GUESTS
	  ", \"expect\": {\"pressure\": {\"nodes\": {\"*\": {\"full\": {\"avg10\": 101}}}}}}",
	  "expect.pressure.nodes.*.full.avg10: must be a percentage, 0 to 100" },
	{ "{" POOL ", " GUESTS
	  ", \"expect\": {\"pressure\": {\"guests\": {\"*\": {\"some\": {\"total\": 5}}}}}}",
	  "expect.pressure.guests.*.some.total: must be a time" },
	{ "{" POOL ", " GUESTS
	  ", \"expect\": {\"pressure\": {\"guests\": {\"g\": {\"some\": 5}}}}}",
	  "expect.pressure.guests.g.some: must be an object of bounds" },
};

/*
 * Pressure bounds against what a run measured (made up here): an
 * average's highest sample or a total against its bound; "*" judges the
 * worst guest (node) and names it; a guest that never ran has nothing
 * to measure.
 */
START_TEST(test_pressure_checks)
{
	static const char text[] =
		"{" POOL ", \"guests\": [\n"
		"  {\"name\": \"g1\", \"mem\": \"64M\", \"script\": \"exit 0\"},\n"
		"  {\"name\": \"g2\", \"mem\": \"64M\", \"script\": \"exit 0\"},\n"
		"  {\"name\": \"g3\", \"mem\": \"64M\", \"script\": \"exit 0\"}],\n"
		" \"expect\": {\"pressure\": {\n"
		"  \"guests\": {\"g1\": {\"some\": {\"avg10\": 10},\n"
		"                        \"full\": {\"total\": \"100ms\"}},\n"
		"              \"*\": {\"some\": {\"avg60\": 5}},\n"
		"              \"g3\": {\"some\": {\"total\": \"1ns\"}}},\n"
		"  \"nodes\": {\"0\": {\"some\": {\"total\": \"1s\"}},\n"
		"             \"*\": {\"full\": {\"avg300\": 0.5}}}}}}";
	static const struct {
		const char *key;
		bool pass;
		const char *observed;
	} want[] = {
		{ "expect.pressure.guests.g1.some.avg10", true,
		  "10.00% at the highest sample" },
		{ "expect.pressure.guests.g1.full.total", false,
		  "150 ms at the end" },
		{ "expect.pressure.guests.*.some.avg60", false,
		  "6.00% at the highest sample, the most: g2" },
		{ "expect.pressure.guests.g3.some.total", true,
		  "nothing to measure (never ran)" },
		{ "expect.pressure.nodes.0.some.total", true,
		  "1 s at the end" },
		{ "expect.pressure.nodes.*.full.avg300", false,
		  "0.51% at the highest sample, the most: node 0" },
	};
	static struct oc_result r;
	struct oc_checks cs;
	struct scenario sc;
	struct psi_stats st = { 0 };
	char err[SC_ERR_MAX];
	unsigned int seen = 0;

	ck_assert_msg(load_text(text, &sc, err, sizeof(err)) == 0, "%s", err);
	memset(&r, 0, sizeof(r));
	r.sc = &sc;
	r.nr_guests = 3;
	r.nr_nodes = 1;
	for (unsigned int i = 0; i < 3; i++) {
		r.guest[i].spec = &sc.cfg.guest[i];
		r.guest[i].state = i < 2 ? OC_ENDED : OC_LAUNCH_FAILED;
	}
	/* g1: 10% at its highest, then lower; 150 ms of full stall. */
	st.avg[PSI_MEM_SOME][PSI_AVG10] = 1000;
	oc_pressure_add(&r.guest[0].psi, &st);
	st.avg[PSI_MEM_SOME][PSI_AVG10] = 300;
	st.total_us[PSI_MEM_FULL] = 150000;
	oc_pressure_add(&r.guest[0].psi, &st);
	memset(&st, 0, sizeof(st));
	st.avg[PSI_MEM_SOME][PSI_AVG60] = 600;
	oc_pressure_add(&r.guest[1].psi, &st);
	memset(&st, 0, sizeof(st));
	st.total_us[PSI_MEM_SOME] = 1000000;
	st.avg[PSI_MEM_FULL][PSI_AVG300] = 51;
	oc_pressure_add(&r.node_psi[0], &st);

	oc_expect(&r, &cs);
	for (unsigned int i = 0; i < cs.n; i++)
		for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
			if (strcmp(cs.c[i].key, want[w].key))
				continue;
			ck_assert_msg(cs.c[i].pass == want[w].pass, "%s: %s",
				      cs.c[i].key, cs.c[i].observed);
			ck_assert_str_eq(cs.c[i].observed, want[w].observed);
			seen++;
		}
	ck_assert_uint_eq(seen, sizeof(want) / sizeof(want[0]));
	ck_assert_uint_eq(cs.failed, 3);
	oc_checks_free(&cs);
	scenario_free(&sc);
}
END_TEST

/*
 * A guest is what --guest would make of the same keys: the same checks
 * (vmm/config/options_guest.c), so the same guests are refused.
 */
START_TEST(test_guest_checks_as_spec)
{
	static const struct {
		const char *spec, *json;
		bool ok;
	} g[] = {
		{ "mem=64M", "\"mem\": \"64M\"", true },
		{ "mem=10M,nodes=4", "\"mem\": \"10M\", \"nodes\": 4", true },
		{ "mem=6M,nodes=4", "\"mem\": \"6M\", \"nodes\": 4", false },
		{ "mem=63M", "\"mem\": \"63M\"", false },
		{ "mem=64M,pinned=62M", "\"mem\": \"64M\", \"pinned\": \"62M\"",
		  true },
		{ "mem=64M,pinned=63M", "\"mem\": \"64M\", \"pinned\": \"63M\"",
		  false },
		{ "mem=64M,floor=64M", "\"mem\": \"64M\", \"floor\": \"64M\"",
		  true },
		{ "mem=64M,floor=65M", "\"mem\": \"64M\", \"floor\": \"65M\"",
		  false },
		{ "mem=64M,vcpus=17", "\"mem\": \"64M\", \"vcpus\": 17",
		  false },
		{ "mem=64M,cpu_max=1600", "\"mem\": \"64M\", \"cpu_max\": 1600",
		  true },
		{ "mem=64M,cpu_max=1601", "\"mem\": \"64M\", \"cpu_max\": 1601",
		  false },
		{ "name=123,mem=64M", "\"name\": \"123\", \"mem\": \"64M\"",
		  false },
		{ "name=a=b,mem=64M", "\"name\": \"a=b\", \"mem\": \"64M\"",
		  false },
	};

	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		char spec[128], json[256], err[SC_ERR_MAX];
		struct guest_spec gs;
		struct scenario sc;
		int ret;

		snprintf(spec, sizeof(spec), "%s,script=exit 0", g[i].spec);
		ret = options_parse_guest(spec, &gs, err, sizeof(err));
		ck_assert_msg(!ret == g[i].ok, "--guest %s: %s", spec,
			      ret ? err : "accepted");
		if (!ret)
			options_guest_free(&gs);
		snprintf(json, sizeof(json),
			 "{" POOL
			 ", \"guests\": [{%s%s, \"script\": \"exit 0\"}]}",
			 strstr(g[i].json, "\"name\"") ? "" :
							 "\"name\": \"g\", ",
			 g[i].json);
		ret = load_text(json, &sc, err, sizeof(err));
		ck_assert_msg(!ret == g[i].ok, "%s: %s", json,
			      ret ? err : "accepted");
		if (!ret)
			scenario_free(&sc);
	}
}
END_TEST

/* pool.size is a given pool, as --pool: refused, not shrunk, when the
 * host cannot give it (docs/host_limits.md). */
START_TEST(test_pool_is_given)
{
	struct scenario sc;
	char err[SC_ERR_MAX];

	ck_assert_msg(load_text("{" POOL ", " GUESTS "}", &sc, err,
				sizeof(err)) == 0,
		      "%s", err);
	ck_assert(!sc.cfg.pool_default);
	scenario_free(&sc);
}
END_TEST

START_TEST(test_bad_scenarios)
{
	struct scenario sc;
	char err[SC_ERR_MAX];

	ck_assert_msg(load_text(bad[_i].json, &sc, err, sizeof(err)) == -EINVAL,
		      "accepted: %s", bad[_i].json);
	ck_assert_msg(strstr(err, bad[_i].msg) != NULL,
		      "for %s\n  got: %s\n  want: %s", bad[_i].json, err,
		      bad[_i].msg);
	/* Every message starts with the file. */
	ck_assert(!strncmp(err, "/tmp/check-scenario-", 20));
}
END_TEST

START_TEST(test_missing_file)
{
	struct scenario sc;
	char err[SC_ERR_MAX];

	ck_assert_int_eq(scenario_load("/nonexistent.json", &sc, err,
				       sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent.json: unable to open"));
}
END_TEST

Suite *overcommit_scenario_suite(void)
{
	Suite *s = suite_create("overcommit_scenario");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_full_scenario);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_kernel_script_unchecked);
	tcase_add_test(tc, test_library_loads);
	tcase_add_loop_test(tc, test_bad_scenarios, 0,
			    sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_guest_checks_as_spec);
	tcase_add_test(tc, test_pool_is_given);
	tcase_add_test(tc, test_pressure_checks);
	suite_add_tcase(s, tc);
	return s;
}
