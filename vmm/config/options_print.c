// SPDX-License-Identifier: GPL-2.0
/* The effective configuration, as `vmm run -v` and `vmm host -v` print it. */
#include <inttypes.h>
#include <stdio.h>

#include "vmm/config/options.h"
#include "util/size.h"

void options_print_notes(const struct vmm_config *cfg, FILE *f)
{
	char a[32], b[32], c[32];

	if (cfg->pool_asked_bytes)
		fprintf(f,
			"vmm: --pool %s runs as %s: %u node(s) of %s, each a whole number of 4 MiB blocks\n",
			format_size(cfg->pool_asked_bytes, a, sizeof(a)),
			format_size(cfg->pool_bytes, b, sizeof(b)),
			cfg->nr_nodes,
			format_size(cfg->pool_bytes / cfg->nr_nodes, c,
				    sizeof(c)));
}

void options_print(const struct vmm_config *cfg, FILE *f)
{
	char a[32], b[32], c[32];

	fprintf(f,
		"pool                   %s in %u node(s), ZONE_MOVABLE %s per node\n",
		format_size(cfg->pool_bytes, a, sizeof(a)), cfg->nr_nodes,
		format_size(cfg->movable_bytes, b, sizeof(b)));
	if (cfg->pool_asked_bytes)
		fprintf(f, "                       (--pool %s, rounded down)\n",
			format_size(cfg->pool_asked_bytes, a, sizeof(a)));
	if (cfg->host_limits_off)
		fprintf(f, "host limits            off\n");
	else if (cfg->host_reserve_bytes)
		fprintf(f, "host limits            on, %s kept for vmm\n",
			format_size(cfg->host_reserve_bytes, a, sizeof(a)));
	else
		fprintf(f,
			"host limits            on, 32 MiB + 1/32 of the pool kept for vmm\n");
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
		if (g->cpu_max_pct)
			fprintf(f, "      cpu_max %u%% of one host CPU\n",
				g->cpu_max_pct);
		fprintf(f, "      script %s\n", g->script);
	}
}
