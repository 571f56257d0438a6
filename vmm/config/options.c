// SPDX-License-Identifier: GPL-2.0
/*
 * `vmm run` and `vmm host` options (see options.h): the defaults, the
 * getopt loop over the table (options_table.c) and the checks that need
 * every option.  Guest SPECs are in options_guest.c, the usage texts in
 * options_usage.c and the -v printer in options_print.c.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "mm/types.h"
#include "vmm/config/options.h"
#include "vmm/config/options_internal.h"
#include "util/size.h"

#define MIN_POOL_BYTES (16ULL << 20)
#define MAX_OPTIONS 64 /* more than vmm_options[] has */
#define OPT_ROW 256 /* getopt's value for row i: OPT_ROW + i */

void options_defaults(struct vmm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (const struct option_desc *o = vmm_options; o->name; o++)
		option_set_default(o, cfg);
	cfg->pool_default = true;
}

/* getopt_long()'s view of the rows that apply to where. */
struct getopt_table {
	struct option opts[MAX_OPTIONS + 1];
	char shorts[2 * MAX_OPTIONS];
};

static void getopt_table(unsigned int where, struct getopt_table *t)
{
	unsigned int n = 0;
	char *s = t->shorts;

	*s++ = '+'; /* stop at the first argument that is not an option */
	*s++ = ':'; /* a missing value is ':', not '?' */
	for (const struct option_desc *o = vmm_options;
	     o->name && n < MAX_OPTIONS; o++) {
		if (!(o->where & where))
			continue;
		t->opts[n++] = (struct option){
			.name = o->name,
			.has_arg = o->type == OPTION_FLAG ||
						   o->type == OPTION_HELP ?
					   no_argument :
					   required_argument,
			.val = OPT_ROW + (int)(o - vmm_options),
		};
		if (o->short_name)
			*s++ = o->short_name;
	}
	t->opts[n] = (struct option){ 0 };
	*s = 0;
}

/* The row getopt_long() returned c for, or NULL for an error. */
static const struct option_desc *getopt_row(int c, unsigned int where)
{
	for (const struct option_desc *o = vmm_options; o->name; o++)
		if ((o->where & where) &&
		    (c == OPT_ROW + (int)(o - vmm_options) ||
		     (o->short_name && c == o->short_name)))
			return o;
	return NULL;
}

static void usage(unsigned int where)
{
	if (where == OPTION_HOST)
		options_usage_host(stdout);
	else
		options_usage_run(stdout);
}

/* The options, each into cfg: 0, 1 for --help, or -EINVAL. */
static int parse_options(int argc, char **argv, unsigned int where,
			 struct vmm_config *cfg, char *err, size_t errlen)
{
	struct getopt_table t;
	int c;

	getopt_table(where, &t);
	optind = 0; /* restart getopt: tests parse many times */
	opterr = 0;
	while ((c = getopt_long(argc, argv, t.shorts, t.opts, NULL)) != -1) {
		const struct option_desc *o = getopt_row(c, where);
		int ret;

		if (c == ':')
			return options_error(err, errlen, "%s needs a value",
					     argv[optind - 1]);
		if (!o)
			return options_error(err, errlen, "unknown option '%s'",
					     argv[optind - 1]);
		if (o->type == OPTION_HELP) {
			usage(where);
			return 1;
		}
		ret = option_set(o, cfg, optarg, err, errlen);
		if (ret)
			return ret;
	}
	if (optind < argc)
		return options_error(err, errlen, "unexpected argument '%s'",
				     argv[optind]);
	return 0;
}

/* What follows from all the options: the demo guest, names, --kernel. */
static int complete_guests(struct vmm_config *cfg, bool host_mode, char *err,
			   size_t errlen)
{
	if (!cfg->nr_guests && !host_mode) {
		options_guest_init(&cfg->guest[0]);
		snprintf(cfg->guest[0].name, VMM_NAME_MAX, "demo");
		cfg->guest[0].script = strdup(DEMO_SCRIPT);
		cfg->nr_guests = 1;
		if (!cfg->guest[0].script)
			return options_error(err, errlen, "out of memory");
	}
	for (unsigned int i = 0; i < cfg->nr_guests; i++) {
		struct guest_spec *g = &cfg->guest[i];

		if (!g->name[0])
			snprintf(g->name, VMM_NAME_MAX, "guest%u", i + 1);
		if (cfg->kernel_path && !g->kernel_path) {
			g->kernel_path = strdup(cfg->kernel_path);
			if (!g->kernel_path)
				return options_error(err, errlen,
						     "out of memory");
		}
	}
	return 0;
}

static int parse_cmdline(int argc, char **argv, unsigned int where,
			 struct vmm_config *cfg, char *err, size_t errlen)
{
	int ret;

	options_defaults(cfg);
	cfg->host_mode = where == OPTION_HOST;
	ret = parse_options(argc, argv, where, cfg, err, errlen);
	if (!ret)
		ret = complete_guests(cfg, cfg->host_mode, err, errlen);
	if (!ret)
		ret = options_check(cfg, err, errlen);
	if (ret)
		options_free(cfg);
	return ret;
}

int options_parse_run(int argc, char **argv, struct vmm_config *cfg, char *err,
		      size_t errlen)
{
	return parse_cmdline(argc, argv, OPTION_RUN, cfg, err, errlen);
}

int options_parse_host(int argc, char **argv, struct vmm_config *cfg, char *err,
		       size_t errlen)
{
	return parse_cmdline(argc, argv, OPTION_HOST, cfg, err, errlen);
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
		return options_error(
			err, errlen,
			"--distance: %u row(s) of up to %u distance(s) for %u node(s) (--nodes): give one row per node, one distance per node in each",
			rows, cols, n);
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = 0; j < n; j++)
			if (!cfg->distance[i][j])
				return options_error(
					err, errlen,
					"--distance: row %u has no distance to node %u: give one row per node, one distance per node in each",
					i, j);
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = 0; j < n; j++)
			if (cfg->distance[i][j] != cfg->distance[j][i])
				return options_error(
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
		return options_error(err, errlen, "--pool %s: at least %s",
				     format_size(cfg->pool_bytes, a, sizeof(a)),
				     format_size(MIN_POOL_BYTES, b, sizeof(b)));
	node_bytes = cfg->pool_bytes / cfg->nr_nodes / block * block;
	if (node_bytes < block)
		return options_error(
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
		return options_error(
			err, errlen,
			"--movable %s leaves no ZONE_NORMAL in nodes of %s",
			format_size(cfg->movable_bytes, a, sizeof(a)),
			format_size(node_bytes, b, sizeof(b)));
	/* MIN at a quarter of the pool leaves LOW and HIGH (a quarter of
	 * MIN above each other) well below the top: memory to use. */
	min_free_max = (cfg->pool_bytes >> 10) / 4;
	if (cfg->min_free_kbytes > min_free_max)
		return options_error(
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
				return options_error(
					err, errlen,
					"two guests are named '%s'", g->name);
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
