// SPDX-License-Identifier: GPL-2.0
/*
 * `vmm run` and `vmm host` options (see options.h): the defaults, the
 * getopt loop and the checks that need every option.  Guest SPECs are in
 * options_guest.c, the usage texts in options_usage.c and the -v printer
 * in options_print.c.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "mm/types.h"
#include "vmm/ctl/path.h"
#include "vmm/config/options.h"
#include "vmm/config/options_internal.h"
#include "util/size.h"

#define MIN_POOL_BYTES (16ULL << 20)

void options_defaults(struct vmm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->pool_bytes = 1ULL << 30;
	cfg->pool_default = true;
	cfg->nr_nodes = 1;
	cfg->watermark_scale_factor = 10;
	cfg->hugepages = true;
	cfg->release_interval_ms = 1000;
	cfg->shutdown_timeout_ns = 10ULL * 1000000000ULL;
}

static int parse_distance(const char *v, struct vmm_config *cfg, char *err,
			  size_t errlen)
{
	char buf[512], *rsave = NULL, *row;
	unsigned int i = 0;

	if (strlen(v) >= sizeof(buf))
		return fail(err, errlen, "--distance: too long");
	strcpy(buf, v);
	for (row = strtok_r(buf, "/;", &rsave); row;
	     row = strtok_r(NULL, "/;", &rsave), i++) {
		char *csave = NULL, *col;
		unsigned int j = 0;

		if (i >= VMM_MAX_POOL_NODES)
			return fail(err, errlen,
				    "--distance: more than %d rows",
				    VMM_MAX_POOL_NODES);
		for (col = strtok_r(row, ",", &csave); col;
		     col = strtok_r(NULL, ",", &csave), j++) {
			long d;

			if (j >= VMM_MAX_POOL_NODES ||
			    parse_int(col, 10, 254, &d))
				return fail(
					err, errlen,
					"--distance %s: '%s' is not a distance 10..254",
					v, col);
			cfg->distance[i][j] = d;
		}
	}
	return 0;
}

enum {
	OPT_POOL = 256,
	OPT_NODES,
	OPT_MOVABLE,
	OPT_MIN_FREE,
	OPT_WSF,
	OPT_DISTANCE,
	OPT_NO_HUGE,
	OPT_GUEST,
	OPT_KERNEL,
	OPT_TRACE,
	OPT_STATS,
	OPT_BALLOON,
	OPT_IRQCHIP,
	OPT_BALLOON_FLOOR,
	OPT_GUEST_TIMEOUT,
	OPT_DIRECT_TIMEOUT,
	OPT_KSWAPD_STEP,
	OPT_NO_DEFLATE,
	OPT_RELEASE,
	OPT_SHUTDOWN_TIMEOUT,
	OPT_BALLOON_STEP,
	OPT_DEFLATE_STEP,
	OPT_DEFLATE_MARGIN,
	OPT_SOCKET,
	OPT_CONSOLE,
	OPT_MIGRATE,
	OPT_COMPACTION,
	OPT_PROACTIVENESS,
	OPT_EXTFRAG,
	OPT_COMPACT_BATCH,
	OPT_COLLAPSE_INTERVAL,
	OPT_COLLAPSE_MAX,
	OPT_HOST_LIMITS,
	OPT_HOST_RESERVE,
};

static const struct option run_opts[] = {
	{ "pool", required_argument, NULL, OPT_POOL },
	{ "nodes", required_argument, NULL, OPT_NODES },
	{ "movable", required_argument, NULL, OPT_MOVABLE },
	{ "min-free-kbytes", required_argument, NULL, OPT_MIN_FREE },
	{ "watermark-scale-factor", required_argument, NULL, OPT_WSF },
	{ "distance", required_argument, NULL, OPT_DISTANCE },
	{ "no-hugepages", no_argument, NULL, OPT_NO_HUGE },
	{ "guest", required_argument, NULL, OPT_GUEST },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "trace", required_argument, NULL, OPT_TRACE },
	{ "stats", required_argument, NULL, OPT_STATS },
	{ "balloon", required_argument, NULL, OPT_BALLOON },
	{ "irqchip", required_argument, NULL, OPT_IRQCHIP },
	{ "balloon-floor", required_argument, NULL, OPT_BALLOON_FLOOR },
	{ "guest-timeout", required_argument, NULL, OPT_GUEST_TIMEOUT },
	{ "direct-reclaim-timeout", required_argument, NULL,
	  OPT_DIRECT_TIMEOUT },
	{ "kswapd-step", required_argument, NULL, OPT_KSWAPD_STEP },
	{ "no-deflate", no_argument, NULL, OPT_NO_DEFLATE },
	{ "release-interval", required_argument, NULL, OPT_RELEASE },
	{ "shutdown-timeout", required_argument, NULL, OPT_SHUTDOWN_TIMEOUT },
	{ "balloon-step", required_argument, NULL, OPT_BALLOON_STEP },
	{ "deflate-step", required_argument, NULL, OPT_DEFLATE_STEP },
	{ "deflate-margin", required_argument, NULL, OPT_DEFLATE_MARGIN },
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "console", required_argument, NULL, OPT_CONSOLE },
	{ "migrate", required_argument, NULL, OPT_MIGRATE },
	{ "compaction", required_argument, NULL, OPT_COMPACTION },
	{ "compaction-proactiveness", required_argument, NULL,
	  OPT_PROACTIVENESS },
	{ "extfrag-threshold", required_argument, NULL, OPT_EXTFRAG },
	{ "compact-batch", required_argument, NULL, OPT_COMPACT_BATCH },
	{ "collapse-interval", required_argument, NULL, OPT_COLLAPSE_INTERVAL },
	{ "collapse-max", required_argument, NULL, OPT_COLLAPSE_MAX },
	{ "host-limits", required_argument, NULL, OPT_HOST_LIMITS },
	{ "host-reserve", required_argument, NULL, OPT_HOST_RESERVE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int parse_cmdline(int argc, char **argv, bool host_mode,
			 struct vmm_config *cfg, char *err, size_t errlen)
{
	char *kernel = NULL;
	uint64_t ns;
	long n;
	int c;

	options_defaults(cfg);
	cfg->host_mode = host_mode;
	optind = 0; /* restart getopt: tests parse many times */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:vh", run_opts, NULL)) != -1) {
		const char *a = optarg;
		int ret = 0;

		switch (c) {
		case OPT_POOL:
			if (parse_size(a, &cfg->pool_bytes))
				ret = fail(
					err, errlen,
					"--pool %s: not a size (e.g. 512M, 4G)",
					a);
			cfg->pool_default = false;
			break;
		case OPT_NODES:
			if (parse_int(a, 1, VMM_MAX_POOL_NODES, &n))
				ret = fail(err, errlen, "--nodes %s: 1..%d", a,
					   VMM_MAX_POOL_NODES);
			cfg->nr_nodes = n;
			break;
		case OPT_MOVABLE:
			if (parse_size(a, &cfg->movable_bytes))
				ret = fail(err, errlen,
					   "--movable %s: not a size", a);
			break;
		case OPT_MIN_FREE:
			if (parse_int(a, 128, 1L << 30, &n))
				ret = fail(err, errlen,
					   "--min-free-kbytes %s: 128..%ld", a,
					   1L << 30);
			cfg->min_free_kbytes = n;
			break;
		case OPT_WSF:
			if (parse_int(a, 1, 3000, &n))
				ret = fail(
					err, errlen,
					"--watermark-scale-factor %s: 1..3000",
					a);
			cfg->watermark_scale_factor = n;
			break;
		case OPT_DISTANCE:
			ret = parse_distance(a, cfg, err, errlen);
			break;
		case OPT_NO_HUGE:
			cfg->hugepages = false;
			break;
		case OPT_GUEST:
			if (cfg->nr_guests == VMM_MAX_GUESTS) {
				ret = fail(err, errlen,
					   "--guest: at most %d guests",
					   VMM_MAX_GUESTS);
				break;
			}
			ret = options_parse_guest(
				a, &cfg->guest[cfg->nr_guests], err, errlen);
			if (!ret)
				cfg->nr_guests++;
			break;
		case OPT_KERNEL:
			kernel = optarg;
			break;
		case OPT_TRACE:
			free(cfg->trace_path);
			cfg->trace_path = strdup(a);
			break;
		case OPT_STATS:
			if (parse_duration_ns(a, &ns) || ns < 10000000ULL ||
			    ns > 3600000000000ULL)
				ret = fail(
					err, errlen,
					"--stats %s: an interval from 10ms to 1h (e.g. 500ms, 2s)",
					a);
			cfg->stats_interval_ms = ns / 1000000;
			break;
		case OPT_BALLOON:
			if (!strcmp(a, "on") || !strcmp(a, "off"))
				cfg->balloon_off = !strcmp(a, "off");
			else
				ret = fail(err, errlen,
					   "--balloon %s: on or off", a);
			break;
		case OPT_IRQCHIP:
			if (!strcmp(a, "on") || !strcmp(a, "off"))
				cfg->irqchip_off = !strcmp(a, "off");
			else
				ret = fail(err, errlen,
					   "--irqchip %s: on or off", a);
			break;
		case OPT_MIGRATE:
			if (!strcmp(a, "entries") || !strcmp(a, "pause"))
				cfg->migrate_by_pause = !strcmp(a, "pause");
			else
				ret = fail(err, errlen,
					   "--migrate %s: entries or pause", a);
			break;
		case OPT_BALLOON_FLOOR:
			if (parse_size(a, &cfg->balloon_floor_bytes) ||
			    cfg->balloon_floor_bytes < 4096)
				ret = fail(
					err, errlen,
					"--balloon-floor %s: a size of 4K or more",
					a);
			break;
		case OPT_GUEST_TIMEOUT:
		case OPT_DIRECT_TIMEOUT:
		case OPT_KSWAPD_STEP: {
			unsigned int *ms = c == OPT_GUEST_TIMEOUT ?
						   &cfg->guest_timeout_ms :
					   c == OPT_DIRECT_TIMEOUT ?
						   &cfg->direct_timeout_ms :
						   &cfg->kswapd_step_ms;

			if (parse_duration_ns(a, &ns) || ns < 1000000ULL ||
			    ns > 60000000000ULL)
				ret = fail(err, errlen,
					   "%s %s: a time from 1ms to 60s",
					   argv[optind - 2], a);
			*ms = ns / 1000000;
			break;
		}
		case OPT_NO_DEFLATE:
			cfg->deflate_off = true;
			break;
		case OPT_BALLOON_STEP:
		case OPT_DEFLATE_STEP: {
			uint64_t *v = c == OPT_BALLOON_STEP ?
					      &cfg->balloon_step_bytes :
					      &cfg->deflate_step_bytes;

			if (parse_size(a, v) || *v < 4096 || *v > (1ULL << 40))
				ret = fail(err, errlen,
					   "%s %s: a size from 4K to 1T",
					   argv[optind - 2], a);
			break;
		}
		case OPT_DEFLATE_MARGIN:
			if (parse_int(a, 1, 100, &n))
				ret = fail(
					err, errlen,
					"--deflate-margin %s: 1..100 (percent of the node)",
					a);
			cfg->deflate_margin_pct = n;
			break;
		case OPT_COMPACTION:
			if (!strcmp(a, "on") || !strcmp(a, "off"))
				cfg->compaction_off = !strcmp(a, "off");
			else
				ret = fail(err, errlen,
					   "--compaction %s: on or off", a);
			break;
		case OPT_PROACTIVENESS:
			if (parse_int(a, 0, 100, &n))
				ret = fail(
					err, errlen,
					"--compaction-proactiveness %s: 0..100 (0: none)",
					a);
			cfg->proactiveness = n;
			cfg->proactiveness_set = true;
			break;
		case OPT_EXTFRAG:
			if (parse_int(a, 0, 1000, &n))
				ret = fail(err, errlen,
					   "--extfrag-threshold %s: 0..1000",
					   a);
			/* 0 is Linux's "always compact": kept as 1, since
			 * our 0 means the default. */
			cfg->extfrag_threshold = n ? n : 1;
			break;
		case OPT_COMPACT_BATCH:
			if (parse_int(a, 1, 512, &n))
				ret = fail(err, errlen,
					   "--compact-batch %s: 1..512 pages",
					   a);
			cfg->compact_batch = n;
			break;
		case OPT_COLLAPSE_INTERVAL:
			if (!strcmp(a, "off")) {
				cfg->collapse_off = true;
				break;
			}
			if (parse_duration_ns(a, &ns) || ns < 10000000ULL ||
			    ns > 3600000000000ULL)
				ret = fail(
					err, errlen,
					"--collapse-interval %s: 10ms to 1h, or off",
					a);
			cfg->collapse_off = false;
			cfg->collapse_interval_ms = ns / 1000000;
			break;
		case OPT_COLLAPSE_MAX:
			if (parse_int(a, 1, 65536, &n))
				ret = fail(
					err, errlen,
					"--collapse-max %s: 1..65536 regions",
					a);
			cfg->collapse_max = n;
			break;
		case OPT_HOST_LIMITS:
			if (!strcmp(a, "on") || !strcmp(a, "off"))
				cfg->host_limits_off = !strcmp(a, "off");
			else
				ret = fail(err, errlen,
					   "--host-limits %s: on or off", a);
			break;
		case OPT_HOST_RESERVE:
			if (parse_size(a, &cfg->host_reserve_bytes) ||
			    cfg->host_reserve_bytes < (1ULL << 20) ||
			    cfg->host_reserve_bytes > (1ULL << 40))
				ret = fail(
					err, errlen,
					"--host-reserve %s: a size from 1M to 1T",
					a);
			break;
		case OPT_RELEASE:
			if (!strcmp(a, "0") || !strcmp(a, "off")) {
				cfg->release_interval_ms = 0;
				break;
			}
			if (parse_duration_ns(a, &ns) || ns < 10000000ULL ||
			    ns > 3600000000000ULL)
				ret = fail(
					err, errlen,
					"--release-interval %s: 10ms to 1h, or off",
					a);
			cfg->release_interval_ms = ns / 1000000;
			break;
		case OPT_SHUTDOWN_TIMEOUT:
			if (!strcmp(a, "0")) {
				cfg->shutdown_timeout_ns = 0;
				break;
			}
			if (parse_duration_ns(a, &ns) || ns > 3600000000000ULL)
				ret = fail(
					err, errlen,
					"--shutdown-timeout %s: a time up to 1h (e.g. 30s), or 0",
					a);
			cfg->shutdown_timeout_ns = ns;
			break;
		case OPT_SOCKET:
			/* sun_path holds 108 bytes with the NUL. */
			if (!*a || strlen(a) >= CTL_SOCKET_PATH_MAX) {
				ret = fail(
					err, errlen,
					"--socket '%s': a path of 1 to %d bytes",
					a, CTL_SOCKET_PATH_MAX - 1);
				break;
			}
			free(cfg->socket_path);
			cfg->socket_path = strdup(a);
			cfg->socket_default = false;
			break;
		case OPT_CONSOLE:
			if (!strcmp(a, "on") || !strcmp(a, "off"))
				cfg->console_off = !strcmp(a, "off");
			else
				ret = fail(err, errlen,
					   "--console %s: on or off", a);
			break;
		case 'v':
			cfg->verbose = true;
			break;
		case 'h':
			if (host_mode)
				options_usage_host(stdout);
			else
				options_usage_run(stdout);
			options_free(cfg);
			return 1;
		case ':':
			ret = fail(err, errlen, "%s needs a value",
				   argv[optind - 1]);
			break;
		default:
			ret = fail(err, errlen, "unknown option '%s'",
				   argv[optind - 1]);
			break;
		}
		if (ret) {
			options_free(cfg);
			return ret;
		}
	}
	if (optind < argc) {
		fail(err, errlen, "unexpected argument '%s'", argv[optind]);
		options_free(cfg);
		return -EINVAL;
	}
	if (host_mode && !cfg->socket_path) {
		char path[CTL_SOCKET_PATH_MAX];
		int ours = ctl_default_socket(path, sizeof(path));

		if (ours < 0) {
			fail(err, errlen,
			     "no default socket path fits in %d bytes: use --socket",
			     CTL_SOCKET_PATH_MAX - 1);
			options_free(cfg);
			return -EINVAL;
		}
		cfg->socket_path = strdup(path);
		cfg->socket_default = ours;
	}
	if (kernel) {
		cfg->kernel_path = strdup(kernel);
		if (!cfg->kernel_path) {
			fail(err, errlen, "out of memory");
			options_free(cfg);
			return -ENOMEM;
		}
	}
	if (!cfg->nr_guests && !host_mode) {
		options_guest_init(&cfg->guest[0]);
		snprintf(cfg->guest[0].name, VMM_NAME_MAX, "demo");
		cfg->guest[0].script = strdup(DEMO_SCRIPT);
		cfg->nr_guests = 1;
	}
	for (unsigned int i = 0; i < cfg->nr_guests; i++) {
		if (!cfg->guest[i].name[0])
			snprintf(cfg->guest[i].name, VMM_NAME_MAX, "guest%u",
				 i + 1);
		if (kernel && !cfg->guest[i].kernel_path)
			cfg->guest[i].kernel_path = strdup(kernel);
	}
	if (options_check(cfg, err, errlen)) {
		options_free(cfg);
		return -EINVAL;
	}
	return 0;
}

int options_parse_run(int argc, char **argv, struct vmm_config *cfg, char *err,
		      size_t errlen)
{
	return parse_cmdline(argc, argv, false, cfg, err, errlen);
}

int options_parse_host(int argc, char **argv, struct vmm_config *cfg, char *err,
		       size_t errlen)
{
	return parse_cmdline(argc, argv, true, cfg, err, errlen);
}

/*
 * The matrix --distance gave, if any, must be one row of one distance per
 * node: no row or column beyond --nodes, none missing.
 */
static int check_distance(const struct vmm_config *cfg, char *err,
			  size_t errlen)
{
	unsigned int n = cfg->nr_nodes, rows = 0, cols = 0;

	for (unsigned int i = 0; i < VMM_MAX_POOL_NODES; i++)
		for (unsigned int j = 0; j < VMM_MAX_POOL_NODES; j++)
			if (cfg->distance[i][j]) {
				rows = i + 1 > rows ? i + 1 : rows;
				cols = j + 1 > cols ? j + 1 : cols;
			}
	if (!rows)
		return 0;
	if (rows != n || cols != n)
		return fail(
			err, errlen,
			"--distance: %u row(s) of up to %u distance(s) for %u node(s) (--nodes): give one row per node, one distance per node in each",
			rows, cols, n);
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = 0; j < n; j++)
			if (!cfg->distance[i][j])
				return fail(
					err, errlen,
					"--distance: row %u has no distance to node %u: give one row per node, one distance per node in each",
					i, j);
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = 0; j < n; j++)
			if (cfg->distance[i][j] != cfg->distance[j][i])
				return fail(
					err, errlen,
					"--distance: not symmetric at %u,%u", i,
					j);
	return 0;
}

int options_check(struct vmm_config *cfg, char *err, size_t errlen)
{
	/* mm/pool.c: each node a whole number of MAX_ORDER blocks. */
	const uint64_t block = MAX_ORDER_NR_PAGES * PAGE_SIZE;
	uint64_t node_bytes, min_free_max;
	char a[32], b[32];
	int ret;

	if (cfg->pool_bytes < MIN_POOL_BYTES)
		return fail(err, errlen, "--pool %s: at least %s",
			    format_size(cfg->pool_bytes, a, sizeof(a)),
			    format_size(MIN_POOL_BYTES, b, sizeof(b)));
	node_bytes = cfg->pool_bytes / cfg->nr_nodes / block * block;
	if (node_bytes < block)
		return fail(
			err, errlen,
			"--pool %s is too small for %u nodes (%s each at least)",
			format_size(cfg->pool_bytes, a, sizeof(a)),
			cfg->nr_nodes, format_size(block, b, sizeof(b)));
	/* What runs: the pool rounded down to that (said by main). */
	if (node_bytes * cfg->nr_nodes != cfg->pool_bytes) {
		cfg->pool_asked_bytes = cfg->pool_bytes;
		cfg->pool_bytes = node_bytes * cfg->nr_nodes;
	}
	if (cfg->movable_bytes + (4ULL << 20) > node_bytes)
		return fail(err, errlen,
			    "--movable %s leaves no ZONE_NORMAL in nodes of %s",
			    format_size(cfg->movable_bytes, a, sizeof(a)),
			    format_size(node_bytes, b, sizeof(b)));
	/* MIN at a quarter of the pool leaves LOW and HIGH (a quarter of
	 * MIN above each other) well below the top: memory to use. */
	min_free_max = (cfg->pool_bytes >> 10) / 4;
	if (cfg->min_free_kbytes > min_free_max)
		return fail(
			err, errlen,
			"--min-free-kbytes %" PRIu64 ": at most %" PRIu64
			" for a pool of %s (a quarter of it, so that the watermarks leave memory to use)",
			cfg->min_free_kbytes, min_free_max,
			format_size(cfg->pool_bytes, a, sizeof(a)));
	ret = check_distance(cfg, err, errlen);
	if (ret)
		return ret;
	for (unsigned int k = 0; k < cfg->nr_guests; k++) {
		struct guest_spec *g = &cfg->guest[k];
		int ret = options_check_guest(cfg, g, k, err, errlen);

		if (ret)
			return ret;
		for (unsigned int o = 0; o < k; o++)
			if (!strcmp(cfg->guest[o].name, g->name))
				return fail(err, errlen,
					    "two guests are named '%s'",
					    g->name);
	}
	return 0;
}

void options_free(struct vmm_config *cfg)
{
	for (unsigned int i = 0; i < VMM_MAX_GUESTS; i++) {
		free(cfg->guest[i].script);
		free(cfg->guest[i].kernel_path);
		cfg->guest[i].script = cfg->guest[i].kernel_path = NULL;
	}
	free(cfg->trace_path);
	free(cfg->socket_path);
	free(cfg->kernel_path);
	cfg->trace_path = cfg->socket_path = cfg->kernel_path = NULL;
}
