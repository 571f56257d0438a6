// SPDX-License-Identifier: GPL-2.0
/*
 * The options of `vmm run` and `vmm host`, one row each (option.h): the
 * getopt loop, --help, -v and a scenario's pool, reclaim, compaction and
 * run sections read them.  The order is --help's.  Defaults of the
 * reclaim and compaction knobs are the engines' own (mm/vmscan.c,
 * balloon/shrinker.c, mm/compaction.h, vmm/host/khugepaged.c), said here
 * for users and -v; tests/vmm/check_options.c checks that they agree.
 */
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "vmm/config/options.h"
#include "vmm/config/options_internal.h"
#include "util/size.h"

#define KB (1LL << 10)
#define MB (1LL << 20)
#define TB (1LL << 40)
#define MS 1000000LL
#define SEC (1000 * MS)
#define HOUR (3600 * SEC)
#define CFG(field) OPTION_FIELD(struct vmm_config, field)
#define BOTH (OPTION_RUN | OPTION_HOST)

/* --pool given: a pool that does not fit is refused, not shrunk. */
static void pool_given(void *base)
{
	((struct vmm_config *)base)->pool_default = false;
}

/* The pool as it runs: options_check() rounds it to whole blocks. */
static void show_pool(const void *base, char *buf, size_t len)
{
	const struct vmm_config *cfg = base;
	char a[32], b[32], c[32];

	snprintf(buf, len, "%s in %u node(s) of %s",
		 format_size(cfg->pool_bytes, a, sizeof(a)), cfg->nr_nodes,
		 format_size(cfg->pool_bytes / cfg->nr_nodes, b, sizeof(b)));
	if (cfg->pool_asked_bytes)
		snprintf(buf + strlen(buf), len - strlen(buf),
			 " (--pool %s, rounded down)",
			 format_size(cfg->pool_asked_bytes, c, sizeof(c)));
}

static int parse_distance(const struct option_desc *o, void *base,
			  const char *v, char *err, size_t errlen)
{
	struct vmm_config *cfg = base;
	char buf[512], *rsave = NULL, *row;
	unsigned int i = 0;

	if (strlen(v) >= sizeof(buf))
		return option_bad(o, v, err, errlen, "too long");
	strcpy(buf, v);
	memset(cfg->distance, 0, sizeof(cfg->distance));
	for (row = strtok_r(buf, "/;", &rsave); row;
	     row = strtok_r(NULL, "/;", &rsave), i++) {
		char *csave = NULL, *col;
		unsigned int j = 0;

		if (i >= VMM_MAX_POOL_NODES)
			return option_bad(o, v, err, errlen,
					  "more than %d rows",
					  VMM_MAX_POOL_NODES);
		for (col = strtok_r(row, ",", &csave); col;
		     col = strtok_r(NULL, ",", &csave), j++) {
			long d;

			if (j >= VMM_MAX_POOL_NODES ||
			    parse_int(col, o->min, o->max, &d))
				return option_bad(
					o, v, err, errlen,
					"'%s' is not a distance %lld..%lld",
					col, o->min, o->max);
			cfg->distance[i][j] = d;
		}
	}
	return 0;
}

static void show_distance(const void *base, char *buf, size_t len)
{
	const struct vmm_config *cfg = base;

	buf[0] = 0;
	for (unsigned int i = 0; i < VMM_MAX_POOL_NODES; i++)
		for (unsigned int j = 0; j < VMM_MAX_POOL_NODES; j++)
			if (cfg->distance[i][j])
				snprintf(buf + strlen(buf), len - strlen(buf),
					 "%s%u", !j ? (i ? "/" : "") : ",",
					 cfg->distance[i][j]);
}

static int add_guest(const struct option_desc *o, void *base, const char *v,
		     char *err, size_t errlen)
{
	struct vmm_config *cfg = base;
	int ret;

	if (cfg->nr_guests == VMM_MAX_GUESTS)
		return option_bad(o, v, err, errlen, "at most %d guests",
				  VMM_MAX_GUESTS);
	ret = options_parse_guest(v, &cfg->guest[cfg->nr_guests], err, errlen);
	if (!ret)
		cfg->nr_guests++;
	return ret;
}

/* 0 is Linux's "always compact": kept as 1, since our 0 means the
 * default. */
static void extfrag_given(void *base)
{
	struct vmm_config *cfg = base;

	if (!cfg->extfrag_threshold)
		cfg->extfrag_threshold = 1;
}

static void collapse_given(void *base)
{
	struct vmm_config *cfg = base;

	cfg->collapse_off = !cfg->collapse_interval_ms;
}

static int parse_metrics(const struct option_desc *o, void *base, const char *v,
			 char *err, size_t errlen)
{
	struct vmm_config *cfg = base;
	char why[192];

	if (listen_addr_parse(v, &cfg->metrics_addr, why, sizeof(why)))
		return option_bad(o, v, err, errlen, "%s", why);
	return 0;
}

static void show_metrics(const void *base, char *buf, size_t len)
{
	const struct vmm_config *cfg = base;

	listen_addr_format(&cfg->metrics_addr, buf, len);
}

static const char *const migrate_words[] = { "entries", "pause", NULL };
/* In enum zcomp_alg's order (swap/zcomp.h). */
static const char *const compressor_words[] = { "lz4", "zstd", NULL };

const struct option_desc vmm_options[] = {
	/* The pool */
	{ .name = "pool",
	  .type = OPTION_SIZE,
	  CFG(pool_bytes),
	  .dflt = "1G",
	  .after = pool_given,
	  .show = show_pool,
	  .key = "pool.size",
	  .where = BOTH,
	  .help = "host memory for all guests, rounded down to whole 4M "
		  "blocks per node" },
	{ .name = "nodes",
	  .type = OPTION_INT,
	  CFG(nr_nodes),
	  .min = 1,
	  .max = VMM_MAX_POOL_NODES,
	  .dflt = "1",
	  .key = "pool.nodes",
	  .where = BOTH,
	  .help = "pool NUMA nodes" },
	{ .name = "movable",
	  .type = OPTION_SIZE,
	  CFG(movable_bytes),
	  .dflt = "0",
	  .key = "pool.movable",
	  .where = BOTH,
	  .help = "ZONE_MOVABLE per node, like movablecore=" },
	{ .name = "min-free-kbytes",
	  .type = OPTION_INT,
	  CFG(min_free_kbytes),
	  .min = 128,
	  .max = 1L << 30,
	  .none = "sqrt(16 * pool KiB)",
	  .key = "pool.min_free_kbytes",
	  .where = BOTH,
	  .help = "min watermark, at most a quarter of the pool" },
	{ .name = "watermark-scale-factor",
	  .type = OPTION_INT,
	  CFG(watermark_scale_factor),
	  .min = 1,
	  .max = 3000,
	  .dflt = "10",
	  .key = "pool.watermark_scale_factor",
	  .where = BOTH,
	  .help = "gap between watermarks, in 1/10000 of a zone" },
	{ .name = "distance",
	  .type = OPTION_CUSTOM,
	  .arg = "ROWS",
	  .min = 10,
	  .max = 254,
	  .parse = parse_distance,
	  .show = show_distance,
	  .none = "10 local, 20 remote",
	  .key = "pool.distance",
	  .where = BOTH,
	  .help = "node distances, one row per node, '/'-separated: "
		  "10,20/20,10" },
	{ .name = "no-hugepages",
	  .type = OPTION_FLAG,
	  .negative = true,
	  CFG(hugepages),
	  .key = "pool.hugepages",
	  .where = BOTH,
	  .help = "do not ask the host for hugepages" },
	{ .name = "host-limits",
	  .type = OPTION_ON_OFF,
	  CFG(host_limits_off),
	  .invert = true,
	  .dflt = "on",
	  .where = BOTH,
	  .help = "fit the pool to what the host will give (memory "
		  "cgroup limits, MemAvailable): refuse a --pool that "
		  "does not fit, shrink the default one, and take pool "
		  "memory offline while running when the room shrinks; "
		  "docs/host_limits.md" },
	{ .name = "host-reserve",
	  .type = OPTION_SIZE,
	  CFG(host_reserve_bytes),
	  .min = 1 * MB,
	  .max = 1 * TB,
	  .none = "32M + 1/32 of the pool",
	  .where = BOTH,
	  .help = "kept for vmm itself beside the pool" },

	/* Guests */
	{ .name = "guest",
	  .type = OPTION_CUSTOM,
	  .arg = "SPEC",
	  .parse = add_guest,
	  .where = BOTH,
	  .help = "a guest (repeatable, up to 64; SPEC below)" },
	{ .name = "kernel",
	  .type = OPTION_STRING,
	  .arg = "FILE",
	  CFG(kernel_path),
	  .none = "the built-in guest",
	  .where = BOTH,
	  .help = "guest image for guests without kernel=" },

	/* Reclaim (docs/reclaim.md) */
	{ .name = "balloon",
	  .type = OPTION_ON_OFF,
	  CFG(balloon_off),
	  .invert = true,
	  .dflt = "on",
	  .key = "reclaim.balloon",
	  .where = BOTH,
	  .help = "reclaim through guest balloons" },
	{ .name = "balloon-floor",
	  .type = OPTION_SIZE,
	  CFG(balloon_floor_bytes),
	  .min = 4 * KB,
	  .max = 1 * TB,
	  .dflt = "8M",
	  .key = "reclaim.floor",
	  .where = BOTH,
	  .help = "never balloon a guest below this; a guest's floor= "
		  "overrides it" },
	{ .name = "balloon-step",
	  .type = OPTION_SIZE,
	  CFG(balloon_step_bytes),
	  .min = 4 * KB,
	  .max = 1 * TB,
	  .dflt = "2M",
	  .key = "reclaim.step",
	  .where = BOTH,
	  .help = "smallest request to one guest" },
	{ .name = "guest-timeout",
	  .type = OPTION_TIME,
	  CFG(guest_timeout_ms),
	  .min = 1 * MS,
	  .max = 60 * SEC,
	  .dflt = "100ms",
	  .key = "reclaim.guest_timeout",
	  .where = BOTH,
	  .help = "skip a guest that ignores a request this long" },
	{ .name = "direct-reclaim-timeout",
	  .type = OPTION_TIME,
	  CFG(direct_timeout_ms),
	  .min = 1 * MS,
	  .max = 60 * SEC,
	  .dflt = "20ms",
	  .key = "reclaim.direct_timeout",
	  .where = BOTH,
	  .help = "longest stall of a faulting vCPU" },
	{ .name = "kswapd-step",
	  .type = OPTION_TIME,
	  CFG(kswapd_step_ms),
	  .min = 1 * MS,
	  .max = 60 * SEC,
	  .dflt = "50ms",
	  .key = "reclaim.kswapd_step",
	  .where = BOTH,
	  .help = "kswapd's wait per round" },
	{ .name = "no-deflate",
	  .type = OPTION_FLAG,
	  .negative = true,
	  CFG(deflate_off),
	  .invert = true,
	  .key = "reclaim.deflate",
	  .where = BOTH,
	  .help = "never give memory back to balloons" },
	{ .name = "deflate-margin",
	  .type = OPTION_PERCENT,
	  CFG(deflate_margin_pct),
	  .min = 1,
	  .max = 100,
	  .unit = "of the node",
	  .dflt = "10",
	  .key = "reclaim.deflate_margin",
	  .where = BOTH,
	  .help = "deflate above HIGH + PCT% of the node" },
	{ .name = "deflate-step",
	  .type = OPTION_SIZE,
	  CFG(deflate_step_bytes),
	  .min = 4 * KB,
	  .max = 1 * TB,
	  .dflt = "64M",
	  .key = "reclaim.deflate_step",
	  .where = BOTH,
	  .help = "most given back per round" },
	{ .name = "release-interval",
	  .type = OPTION_TIME,
	  CFG(release_interval_ms),
	  .min = 10 * MS,
	  .max = 1 * HOUR,
	  .zero = "off",
	  .dflt = "1s",
	  .key = "reclaim.release_interval",
	  .where = BOTH,
	  .help = "give free pool memory back to the host" },

	/* Compaction (docs/compaction.md) */
	{ .name = "compaction",
	  .type = OPTION_ON_OFF,
	  CFG(compaction_off),
	  .invert = true,
	  .dflt = "on",
	  .key = "compaction.enabled",
	  .where = BOTH,
	  .help = "kcompactd and the collapse thread" },
	{ .name = "compaction-proactiveness",
	  .type = OPTION_INT,
	  CFG(proactiveness),
	  .min = 0,
	  .max = 100,
	  .hint = "0: none",
	  .dflt = "20",
	  .given = OPTION_GIVEN(struct vmm_config, proactiveness_set),
	  .key = "compaction.proactiveness",
	  .where = BOTH,
	  .help = "like vm.compaction_proactiveness" },
	{ .name = "extfrag-threshold",
	  .type = OPTION_INT,
	  CFG(extfrag_threshold),
	  .min = 0,
	  .max = 1000,
	  .dflt = "500",
	  .after = extfrag_given,
	  .key = "compaction.extfrag_threshold",
	  .where = BOTH,
	  .help = "compact only above this fragmentation index" },
	{ .name = "compact-batch",
	  .type = OPTION_INT,
	  CFG(compact_batch),
	  .min = 1,
	  .max = 512,
	  .unit = "pages",
	  .dflt = "32",
	  .key = "compaction.batch",
	  .where = BOTH,
	  .help = "pages per migration batch" },
	{ .name = "migrate",
	  .type = OPTION_ENUM,
	  CFG(migrate_by_pause),
	  .words = migrate_words,
	  .dflt = "entries",
	  .key = "compaction.migrate",
	  .where = BOTH,
	  .help = "how compaction moves guest pages" },
	{ .name = "collapse-interval",
	  .type = OPTION_TIME,
	  CFG(collapse_interval_ms),
	  .min = 10 * MS,
	  .max = 1 * HOUR,
	  .zero = "off",
	  .dflt = "1s",
	  .after = collapse_given,
	  .key = "compaction.collapse_interval",
	  .where = BOTH,
	  .help = "collapse scattered 2 MiB guest regions" },
	{ .name = "collapse-max",
	  .type = OPTION_INT,
	  CFG(collapse_max),
	  .min = 1,
	  .max = 65536,
	  .unit = "regions",
	  .dflt = "8",
	  .key = "compaction.collapse_max",
	  .where = BOTH,
	  .help = "regions collapsed per pass" },

	/* The cold tier (swap/, docs/cold_tier.md) */
	{ .name = "swap-store",
	  .type = OPTION_SIZE,
	  CFG(swap_store_bytes),
	  .given = OPTION_GIVEN(struct vmm_config, swap_store_set),
	  .max = 1 * TB,
	  .none = "20% of the pool",
	  .key = "reclaim.swap_store",
	  .where = BOTH,
	  .help = "the compressed store's memory at most, taken from the "
		  "pool as it fills (0: no cold tier: OOM after balloons)" },
	{ .name = "swap-file",
	  .type = OPTION_STRING,
	  .arg = "PATH",
	  CFG(swap_file_path),
	  .min = 1,
	  .none = "none",
	  .key = "reclaim.swap_file",
	  .where = BOTH,
	  .help = "a swap file below the store: a full store writes its "
		  "coldest pages there, and pages that do not compress go "
		  "there (created, or reused if it is vmm's; never one of "
		  "something else's)" },
	{ .name = "swap-file-size",
	  .type = OPTION_SIZE,
	  CFG(swap_file_bytes),
	  .given = OPTION_GIVEN(struct vmm_config, swap_file_size_set),
	  .min = 4 * MB,
	  .max = 16 * TB,
	  .multiple = 2 * MB,
	  .dflt = "1G",
	  .key = "reclaim.swap_file_size",
	  .where = BOTH,
	  .help = "the swap file's size, reserved at start" },
	{ .name = "swap-compressor",
	  .type = OPTION_ENUM,
	  CFG(swap_compressor),
	  .words = compressor_words,
	  .dflt = "lz4",
	  .key = "reclaim.swap_compressor",
	  .where = BOTH,
	  .help = "how the store compresses pages: lz4 (fast, on the "
		  "fault path) or zstd (denser, several times slower)" },
	/* Cold pages (docs/cold_pages.md) */
	{ .name = "cold-scan",
	  .type = OPTION_ON_OFF,
	  CFG(cold_scan_off),
	  .invert = true,
	  .dflt = "on",
	  .key = "cold.scan",
	  .where = BOTH,
	  .help = "sample which guest pages are idle" },
	{ .name = "cold-scan-interval",
	  .type = OPTION_TIME,
	  CFG(cold_scan_interval_ms),
	  .min = 100 * MS,
	  .max = 1 * HOUR,
	  .dflt = "10s",
	  .key = "cold.scan_interval",
	  .where = BOTH,
	  .help = "one sampling pass over each guest this often" },
	{ .name = "cold-age",
	  .type = OPTION_TIME,
	  CFG(cold_age_ms),
	  .min = 100 * MS,
	  .max = 24 * HOUR,
	  .dflt = "2m",
	  .key = "cold.age",
	  .where = BOTH,
	  .help = "untouched this long: cold (at most 255 passes)" },
	{ .name = "swap-proactive",
	  .type = OPTION_TIME,
	  .arg = "STALL",
	  CFG(swap_proactive_ms),
	  .min = 1 * MS,
	  .max = 6 * SEC,
	  .none = "off",
	  .key = "reclaim.swap_proactive",
	  .where = BOTH,
	  .help = "evict each guest's cold pages into the cold tier ahead "
		  "of need, at each scan pass, while its memory stall stays "
		  "under STALL per 6 s (as Senpai: 10ms)" },

	/* Running */
	{ .name = "irqchip",
	  .type = OPTION_ON_OFF,
	  CFG(irqchip_off),
	  .invert = true,
	  .dflt = "on",
	  .key = "run.irqchip",
	  .where = BOTH,
	  .help = "in-kernel irqchip, device interrupts by irqfd" },
	{ .name = "console",
	  .type = OPTION_ON_OFF,
	  CFG(console_off),
	  .invert = true,
	  .dflt = "on",
	  .where = BOTH,
	  .help = "show the guests' consoles on stdout" },
	{ .name = "stats",
	  .type = OPTION_TIME,
	  .arg = "INTERVAL",
	  CFG(stats_interval_ms),
	  .min = 10 * MS,
	  .max = 1 * HOUR,
	  .where = BOTH,
	  .help = "print pool and guest memory every INTERVAL" },
	{ .name = "trace",
	  .type = OPTION_STRING,
	  .arg = "FILE",
	  CFG(trace_path),
	  .where = BOTH,
	  .help = "write trace events there, streamed while vmm runs "
		  "(docs/latency.md)" },
	/* The overcommit runner keeps its own run.trace_events (a larger
	 * ring by default: it drains it at each sample). */
	{ .name = "trace-ring",
	  .type = OPTION_INT,
	  .arg = "EVENTS",
	  CFG(trace_events),
	  .min = 16,
	  .max = 1 << 24,
	  .unit = "events",
	  .dflt = "65536",
	  .where = BOTH,
	  .help = "trace ring size (56 bytes an event): the burst the "
		  "trace's writer absorbs before it drops events" },
	{ .name = "trace-page-events",
	  .type = OPTION_FLAG,
	  CFG(trace_page_events),
	  .key = "run.trace_page_events",
	  .where = BOTH,
	  .help = "trace mm_page_alloc and mm_page_free too (one per "
		  "allocation and free: millions)" },
	{ .name = "trace-sample",
	  .type = OPTION_TIME,
	  .arg = "INTERVAL",
	  CFG(trace_sample_ns),
	  .min = 10 * MS,
	  .max = 1 * HOUR,
	  .zero = "off",
	  .dflt = "100ms",
	  .where = BOTH,
	  .help = "sample free memory per node and each guest's memory and "
		  "balloon into the trace this often" },
	{ .name = "shutdown-timeout",
	  .type = OPTION_TIME,
	  CFG(shutdown_timeout_ns),
	  .max = 1 * HOUR,
	  .zero = "0",
	  .dflt = "10s",
	  .where = BOTH,
	  .help = "on SIGINT/SIGTERM, quit and stop: how long guests "
		  "may take to shut down before they are killed; 0: stop "
		  "them at once" },
	/* sun_path holds the path with its NUL. */
	{ .name = "socket",
	  .type = OPTION_STRING,
	  .arg = "PATH",
	  CFG(socket_path),
	  .min = 1,
	  .max = sizeof(((struct sockaddr_un *)0)->sun_path) - 1,
	  .unit = "a path",
	  .where = OPTION_RUN,
	  .help = "serve the control socket there too (vmmctl)" },
	{ .name = "socket",
	  .type = OPTION_STRING,
	  .arg = "PATH",
	  CFG(socket_path),
	  .min = 1,
	  .max = sizeof(((struct sockaddr_un *)0)->sun_path) - 1,
	  .unit = "a path",
	  .where = OPTION_HOST,
	  .none = "$VMM_SOCKET, else $XDG_RUNTIME_DIR/vmm/vmm.sock, else "
		  "/run/vmm/vmm.sock as root, /tmp/vmm-UID/vmm.sock",
	  .help = "the control socket" },
	{ .name = "metrics",
	  .type = OPTION_CUSTOM,
	  .arg = "[ADDR:]PORT",
	  .parse = parse_metrics,
	  .show = show_metrics,
	  .none = "off",
	  .where = BOTH,
	  .help = "serve Prometheus metrics at http://ADDR:PORT/metrics; "
		  "a port alone listens on 127.0.0.1 only, an IPv6 "
		  "address goes in brackets ([::1]:9100), port 0 is any "
		  "free one; docs/metrics.md" },
	{ .name = "verbose",
	  .short_name = 'v',
	  .type = OPTION_FLAG,
	  CFG(verbose),
	  .where = BOTH,
	  .help = "print the effective configuration" },
	{ .name = "help",
	  .short_name = 'h',
	  .type = OPTION_HELP,
	  .where = BOTH,
	  .help = "this text" },
	{ NULL },
};
