// SPDX-License-Identifier: GPL-2.0
/* `vmm run` and `vmm host` options (see options.h and the usage texts). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/ctl_path.h"
#include "vmm/options.h"
#include "vmm/size.h"

#define MIN_GUEST_BYTES (8ULL << 20)
#define MIN_POOL_BYTES (16ULL << 20)
#define HUGE (2ULL << 20)

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void options_defaults(struct vmm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->pool_bytes = 1ULL << 30;
	cfg->nr_nodes = 1;
	cfg->watermark_scale_factor = 10;
	cfg->hugepages = true;
	cfg->release_interval_ms = 1000;
	cfg->shutdown_timeout_ns = 10ULL * 1000000000ULL;
}

static void guest_defaults(struct guest_spec *g)
{
	memset(g, 0, sizeof(*g));
	g->mem_bytes = 256ULL << 20;
	g->nr_vcpus = 1;
	g->nr_vnodes = 1;
	for (int i = 0; i < GUEST_MAX_NODES; i++)
		g->vnode_to_pnode[i] = -1;
}

static void usage_options(FILE *f)
{
	fputs("  --pool SIZE                host memory for all guests (default 1G)\n"
	      "  --nodes N                  pool NUMA nodes, 1..8 (default 1)\n"
	      "  --movable SIZE             ZONE_MOVABLE per node, like movablecore= (0)\n"
	      "  --min-free-kbytes N        min watermark (default: sqrt(16 * pool KiB))\n"
	      "  --watermark-scale-factor N gap between watermarks, 1..3000 (default 10)\n"
	      "  --distance ROWS            node distances, rows '/'-separated: 10,20/20,10\n"
	      "  --no-hugepages             do not ask the host for hugepages\n"
	      "  --guest SPEC               a guest (repeatable, up to 64)\n"
	      "  --kernel FILE              guest image for guests without kernel=\n"
	      "  --trace FILE               write trace events there at exit\n"
	      "  --stats INTERVAL           print pool and guest memory every INTERVAL (e.g. 1s)\n"
	      "  --balloon on|off           reclaim through guest balloons (default on)\n"
	      "  --balloon-floor SIZE       never balloon a guest below this (8M; a guest's\n"
	      "                             floor= overrides it)\n"
	      "  --guest-timeout TIME       skip a guest that ignores a request this long (100ms)\n"
	      "  --direct-reclaim-timeout TIME  longest stall of a faulting vCPU (20ms)\n"
	      "  --kswapd-step TIME         kswapd's wait per round (50ms)\n"
	      "  --balloon-step SIZE        smallest request to one guest (2M)\n"
	      "  --no-deflate               never give memory back to balloons\n"
	      "  --irqchip on|off           in-kernel irqchip, device interrupts by irqfd (on)\n"
	      "  --deflate-margin PCT       deflate above HIGH + PCT% of the node (10)\n"
	      "  --deflate-step SIZE        most given back per round (64M)\n"
	      "  --release-interval TIME|off  give free pool memory back to the host (1s)\n"
	      "  --shutdown-timeout TIME|0  on SIGINT/SIGTERM, quit and stop: how long guests\n"
	      "                             may take to shut down before they are killed;\n"
	      "                             0: stop them at once (10s)\n"
	      "  --console on|off           show the guests' consoles on stdout (on)\n"
	      "  --migrate entries|pause    how compaction moves guest pages (entries)\n"
	      "  --compaction on|off        kcompactd and the collapse thread (on)\n"
	      "  --compaction-proactiveness N  0..100, like vm.compaction_proactiveness (20)\n"
	      "  --extfrag-threshold N      compact only above this fragmentation index (500)\n"
	      "  --compact-batch N          pages per migration batch, 1..512 (32)\n"
	      "  --collapse-interval TIME|off  collapse scattered 2 MiB guest regions (1s)\n"
	      "  --collapse-max N           regions collapsed per pass (8)\n",
	      f);
}

static void usage_spec(FILE *f)
{
	fputs("  -v, --verbose              print the effective configuration\n"
	      "  -h, --help                 this text\n"
	      "\n"
	      "SPEC is comma-separated key=value, script= last (it takes the rest):\n"
	      "  name=NAME mem=SIZE vcpus=N nodes=N map=G:P/G:P strict pinned=SIZE floor=SIZE\n"
	      "  oom_score_adj=N kernel=FILE script=COMMANDS\n"
	      "e.g. --guest 'name=web,mem=512M,vcpus=2,nodes=2,map=0:0/1:1,script=touch 256M; verify'\n"
	      "Sizes take K/M/G/T (binary); times ns/us/ms/s.  Script grammar: docs/guest.md.\n",
	      f);
}

void options_usage_run(FILE *f)
{
	fputs("usage: vmm run [options]\n"
	      "\n"
	      "Boot guests whose RAM comes from one pool of host memory, until the\n"
	      "last one ends.  With no --guest, one demo guest runs a short workload.\n"
	      "\n",
	      f);
	usage_options(f);
	fputs("  --socket PATH              serve the control socket there too (vmmctl)\n",
	      f);
	usage_spec(f);
}

void options_usage_host(FILE *f)
{
	fputs("usage: vmm host [options]\n"
	      "\n"
	      "Keep a pool of host memory and run guests in it until told to quit\n"
	      "(vmmctl quit, SIGINT or SIGTERM).  Guests come from --guest at start and\n"
	      "from the control socket at any time (vmmctl launch); the pool stays when\n"
	      "none is left.  Protocol: docs/control.md.\n"
	      "\n",
	      f);
	usage_options(f);
	fputs("  --socket PATH              the control socket (default: $VMM_SOCKET, else\n"
	      "                             $XDG_RUNTIME_DIR/vmm/vmm.sock, else\n"
	      "                             /run/vmm/vmm.sock as root, /tmp/vmm-UID/vmm.sock)\n",
	      f);
	usage_spec(f);
}

static int parse_map(const char *v, struct guest_spec *g, char *err,
		     size_t errlen)
{
	char buf[128], *save = NULL, *tok;
	bool seen[GUEST_MAX_NODES] = { false };

	if (strlen(v) >= sizeof(buf))
		return fail(err, errlen, "map=%s: too long", v);
	strcpy(buf, v);
	for (tok = strtok_r(buf, "/", &save); tok;
	     tok = strtok_r(NULL, "/", &save)) {
		long gn, pn;
		char *colon = strchr(tok, ':');

		if (!colon)
			return fail(err, errlen,
				    "map=%s: '%s' is not GUEST_NODE:POOL_NODE",
				    v, tok);
		*colon = 0;
		if (parse_int(tok, 0, GUEST_MAX_NODES - 1, &gn) ||
		    parse_int(colon + 1, 0, VMM_MAX_POOL_NODES - 1, &pn))
			return fail(
				err, errlen,
				"map=%s: node numbers are 0..%d (guest) and 0..%d (pool)",
				v, GUEST_MAX_NODES - 1, VMM_MAX_POOL_NODES - 1);
		if (seen[gn])
			return fail(err, errlen,
				    "map=%s: guest node %ld mapped twice", v,
				    gn);
		seen[gn] = true;
		g->vnode_to_pnode[gn] = (int)pn;
	}
	return 0;
}

void options_guest_init(struct guest_spec *g)
{
	guest_defaults(g);
}

void options_guest_free(struct guest_spec *g)
{
	free(g->script);
	free(g->kernel_path);
	g->script = g->kernel_path = NULL;
}

/* Names appear in SPECs, file names and JSON, and stand for a guest
 * where an id could (vmmctl stop NAME|ID). */
static bool name_ok(const char *name)
{
	if (strlen(name) >= VMM_NAME_MAX || !name[strspn(name, "0123456789")])
		return false;
	for (const char *p = name; *p; p++)
		if (*p <= ' ' || *p > '~' || strchr("/,=", *p))
			return false;
	return true;
}

int options_guest_set(struct guest_spec *g, const char *kv, const char *val,
		      char *err, size_t errlen)
{
	long n;

	if (!strcmp(kv, "strict") && !val) {
		g->strict = true;
	} else if (!strcmp(kv, "script")) {
		/* An empty script is a guest that boots and exits. */
		free(g->script);
		g->script = strdup(val ? val : "");
		if (!g->script)
			return fail(err, errlen, "out of memory");
	} else if (!val || !*val) {
		return fail(err, errlen,
			    "guest key '%s' needs a value (key=value)", kv);
	} else if (!strcmp(kv, "name")) {
		if (!name_ok(val))
			return fail(
				err, errlen,
				"guest name '%s': 1 to %d printable ASCII characters, not all digits (an id), no spaces, '/', ',' or '='",
				val, VMM_NAME_MAX - 1);
		snprintf(g->name, sizeof(g->name), "%s", val);
	} else if (!strcmp(kv, "mem")) {
		if (parse_size(val, &g->mem_bytes))
			return fail(err, errlen,
				    "guest mem=%s: not a size (e.g. 256M, 1G)",
				    val);
		if (g->mem_bytes % HUGE || g->mem_bytes < MIN_GUEST_BYTES ||
		    g->mem_bytes > GUEST_RAM_MAX)
			return fail(
				err, errlen,
				"guest mem=%s: must be a multiple of 2M from 8M to 256G",
				val);
	} else if (!strcmp(kv, "vcpus")) {
		if (parse_int(val, 1, VMM_MAX_VCPUS, &n))
			return fail(err, errlen, "guest vcpus=%s: 1..%d", val,
				    VMM_MAX_VCPUS);
		g->nr_vcpus = n;
	} else if (!strcmp(kv, "nodes")) {
		if (parse_int(val, 1, GUEST_MAX_NODES, &n))
			return fail(err, errlen, "guest nodes=%s: 1..%d", val,
				    GUEST_MAX_NODES);
		g->nr_vnodes = n;
	} else if (!strcmp(kv, "map")) {
		return parse_map(val, g, err, errlen);
	} else if (!strcmp(kv, "pinned")) {
		if (parse_size(val, &g->pinned_bytes) || g->pinned_bytes % 4096)
			return fail(err, errlen,
				    "guest pinned=%s: a size in whole 4K pages",
				    val);
	} else if (!strcmp(kv, "floor")) {
		if (parse_size(val, &g->floor_bytes))
			return fail(err, errlen, "guest floor=%s: a size", val);
		g->floor_set = true;
	} else if (!strcmp(kv, "oom_score_adj")) {
		if (parse_int(val, -1000, 1000, &n))
			return fail(err, errlen,
				    "guest oom_score_adj=%s: -1000..1000", val);
		g->oom_score_adj = n;
	} else if (!strcmp(kv, "kernel")) {
		free(g->kernel_path);
		g->kernel_path = strdup(val);
		if (!g->kernel_path)
			return fail(err, errlen, "out of memory");
	} else {
		return fail(
			err, errlen,
			"guest: unknown key '%s' (name, mem, vcpus, nodes, map, strict, pinned, floor, oom_score_adj, kernel, script)",
			kv);
	}
	return 0;
}

int options_guest_finish(struct guest_spec *g, char *err, size_t errlen)
{
	if (g->nr_vnodes > 1 && g->mem_bytes / g->nr_vnodes < HUGE)
		return fail(err, errlen,
			    "guest mem=%" PRIu64
			    "M cannot be split into %u nodes of 2M",
			    g->mem_bytes >> 20, g->nr_vnodes);
	if (g->pinned_bytes + HUGE > g->mem_bytes)
		return fail(err, errlen,
			    "guest pinned=%" PRIu64
			    "K does not fit in mem=%" PRIu64
			    "M (the first 2M is the guest kernel's)",
			    g->pinned_bytes >> 10, g->mem_bytes >> 20);
	if (g->floor_set && g->floor_bytes > g->mem_bytes)
		return fail(err, errlen,
			    "guest floor=%" PRIu64 "M is more than mem=%" PRIu64
			    "M",
			    g->floor_bytes >> 20, g->mem_bytes >> 20);
	if (!g->script) {
		g->script = strdup("");
		if (!g->script)
			return fail(err, errlen, "out of memory");
	}
	return 0;
}

int options_parse_guest(const char *spec, struct guest_spec *g, char *err,
			size_t errlen)
{
	char *copy = strdup(spec), *p = copy, *kv;
	int ret = 0;

	guest_defaults(g);
	if (!copy)
		return fail(err, errlen, "out of memory");
	if (!spec[0])
		ret = fail(err, errlen, "empty guest SPEC");
	while (!ret && p && *p) {
		char *val;

		/* script= takes the rest, commas and all. */
		if (!strncmp(p, "script=", 7)) {
			ret = options_guest_set(g, "script", p + 7, err,
						errlen);
			break;
		}
		kv = strsep(&p, ",");
		val = strchr(kv, '=');
		if (val)
			*val++ = 0;
		ret = options_guest_set(g, kv, val, err, errlen);
		/* Say which SPEC, for a command line with several. */
		if (ret && strlen(err) + strlen(spec) + 16 < errlen) {
			char *msg = strdup(err);

			if (msg) {
				snprintf(err, errlen, "%s (in '%s')", msg,
					 spec);
				free(msg);
			}
		}
	}
	free(copy);
	if (!ret)
		ret = options_guest_finish(g, err, errlen);
	if (ret)
		options_guest_free(g);
	return ret;
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
		guest_defaults(&cfg->guest[0]);
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

int options_check(struct vmm_config *cfg, char *err, size_t errlen)
{
	uint64_t node_bytes;

	if (cfg->pool_bytes < MIN_POOL_BYTES)
		return fail(err, errlen, "--pool: at least 16M");
	node_bytes = cfg->pool_bytes / cfg->nr_nodes;
	if (node_bytes < (4ULL << 20))
		return fail(err, errlen,
			    "--pool %" PRIu64
			    "M is too small for %u nodes (4M each at least)",
			    cfg->pool_bytes >> 20, cfg->nr_nodes);
	if (cfg->movable_bytes + (4ULL << 20) > node_bytes)
		return fail(err, errlen,
			    "--movable %" PRIu64
			    "M leaves no ZONE_NORMAL in %" PRIu64 "M nodes",
			    cfg->movable_bytes >> 20, node_bytes >> 20);
	for (unsigned int i = 0; i < cfg->nr_nodes; i++)
		for (unsigned int j = 0; j < cfg->nr_nodes; j++)
			if (cfg->distance[i][j] != cfg->distance[j][i])
				return fail(
					err, errlen,
					"--distance: not symmetric at %u,%u", i,
					j);
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

int options_check_guest(const struct vmm_config *cfg, struct guest_spec *g,
			unsigned int idx, char *err, size_t errlen)
{
	for (unsigned int n = 0; n < GUEST_MAX_NODES; n++) {
		if (g->vnode_to_pnode[n] < 0)
			continue;
		if (n >= g->nr_vnodes)
			return fail(
				err, errlen,
				"guest %s: map= names guest node %u, it has %u",
				g->name, n, g->nr_vnodes);
		if (g->vnode_to_pnode[n] >= (int)cfg->nr_nodes)
			return fail(
				err, errlen,
				"guest %s: map= names pool node %d, the pool has %u (--nodes)",
				g->name, g->vnode_to_pnode[n], cfg->nr_nodes);
	}
	if (g->strict)
		for (unsigned int n = 0; n < g->nr_vnodes; n++)
			if (g->vnode_to_pnode[n] < 0)
				g->vnode_to_pnode[n] =
					(idx + n) % cfg->nr_nodes;
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

void options_print(const struct vmm_config *cfg, FILE *f)
{
	char a[32], b[32], c[32];

	fprintf(f,
		"pool                   %s in %u node(s), ZONE_MOVABLE %s per node\n",
		format_size(cfg->pool_bytes, a, sizeof(a)), cfg->nr_nodes,
		format_size(cfg->movable_bytes, b, sizeof(b)));
	fprintf(f, "min_free_kbytes        %s\n",
		cfg->min_free_kbytes ? "set" : "computed (sqrt(16 * KiB))");
	if (cfg->min_free_kbytes)
		fprintf(f, "                       %" PRIu64 "\n",
			cfg->min_free_kbytes);
	fprintf(f, "watermark_scale_factor %u\n", cfg->watermark_scale_factor);
	fprintf(f, "hugepages              %s\n",
		cfg->hugepages ? "yes" : "no");
	fprintf(f, "trace                  %s\n",
		cfg->trace_path ? cfg->trace_path : "-");
	fprintf(f, "stats interval         %u ms\n", cfg->stats_interval_ms);
	fprintf(f, "shutdown timeout       %" PRIu64 " ms\n",
		cfg->shutdown_timeout_ns / 1000000);
	fprintf(f, "balloon                %s%s\n",
		cfg->balloon_off ? "off" : "on",
		cfg->deflate_off ? ", no deflation" : "");
	fprintf(f, "irqchip                %s\n",
		cfg->irqchip_off ? "off (no interrupts; HLT exits)" :
				   "on (irqfd interrupts)");
	fprintf(f, "migrate                %s\n",
		cfg->migrate_by_pause ? "pause" : "entries");
	if (cfg->compaction_off)
		fprintf(f,
			"compaction             off (direct compaction only)\n");
	else
		fprintf(f,
			"compaction             kcompactd, proactiveness %u, extfrag_threshold %u, batch %u\n",
			cfg->proactiveness_set ? cfg->proactiveness : 20,
			cfg->extfrag_threshold ? cfg->extfrag_threshold : 500,
			cfg->compact_batch ? cfg->compact_batch : 32);
	if (cfg->compaction_off || cfg->collapse_off)
		fprintf(f, "collapse               off\n");
	else
		fprintf(f,
			"collapse               every %u ms, up to %u regions\n",
			cfg->collapse_interval_ms ? cfg->collapse_interval_ms :
						    1000,
			cfg->collapse_max ? cfg->collapse_max : 8);
	for (unsigned int i = 0; i < cfg->nr_guests; i++) {
		const struct guest_spec *g = &cfg->guest[i];

		fprintf(f,
			"guest %-16s mem %s, %u vCPU(s), %u node(s)%s, pinned %s, floor %s, oom_score_adj %d, kernel %s\n",
			g->name, format_size(g->mem_bytes, a, sizeof(a)),
			g->nr_vcpus, g->nr_vnodes, g->strict ? " strict" : "",
			format_size(g->pinned_bytes, b, sizeof(b)),
			g->floor_set ?
				format_size(g->floor_bytes, c, sizeof(c)) :
				"the host's",
			g->oom_score_adj,
			g->kernel_path ? g->kernel_path : "(built in)");
		fprintf(f, "      script %s\n", g->script);
	}
}
