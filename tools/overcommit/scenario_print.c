// SPDX-License-Identifier: GPL-2.0
/* What a scenario will run, in words (overcommit --check). */
#include <inttypes.h>
#include <stdio.h>

#include "tools/overcommit/scenario.h"
#include "util/size.h"

void scenario_print(const struct scenario *sc, FILE *f)
{
	const struct vmm_config *cfg = &sc->cfg;
	const struct sc_expect *e = &sc->expect;
	uint64_t total = 0;
	char a[32], b[32];

	for (unsigned int i = 0; i < cfg->nr_guests; i++)
		total += cfg->guest[i].mem_bytes;
	fprintf(f, "scenario %s: %s\n", sc->name, sc->description);
	fprintf(f, "pool %s in %u node(s), guests %s in all (%.2fx)\n",
		format_size(cfg->pool_bytes, a, sizeof(a)), cfg->nr_nodes,
		format_size(total, b, sizeof(b)),
		(double)total / cfg->pool_bytes);
	for (unsigned int i = 0; i < cfg->nr_guests; i++) {
		const struct guest_spec *g = &cfg->guest[i];

		fprintf(f,
			"  at %7.3f s  %-16s %s, %u vCPU(s), %u node(s)%s, oom_score_adj %d: %s\n",
			sc->start_ns[i] / 1e9, g->name,
			format_size(g->mem_bytes, a, sizeof(a)), g->nr_vcpus,
			g->nr_vnodes, g->strict ? " strict" : "",
			g->oom_score_adj, g->script);
	}
	if (sc->duration_ns && sc->shutdown_timeout_ns)
		fprintf(f,
			"run: for %.3f s, then guests asked to shut down (killed after %.1f s)",
			sc->duration_ns / 1e9, sc->shutdown_timeout_ns / 1e9);
	else if (sc->duration_ns)
		fprintf(f, "run: for %.3f s, then guests stopped",
			sc->duration_ns / 1e9);
	else
		fprintf(f, "run: until every guest has ended");
	fprintf(f,
		", timeout %.1f s, a sample every %" PRIu64
		" ms, trace ring %u events\n",
		sc->timeout_ns / 1e9, sc->sample_ns / 1000000,
		sc->trace_events);
	fprintf(f, "expect:%s%s%s%s%s%s%s%s\n",
		e->no_oom ? " no OOM kill;" : "",
		e->victims_set ? " OOM victims as listed;" : "",
		e->integrity ? " integrity;" : "",
		e->completed ? " every guest completes;" : "",
		e->nr_bounds ? " latency bounds;" : "",
		e->nr_pressure ? " pressure bounds;" : "",
		e->returned_set ? " memory returned to the host;" : "",
		e->overcommit_set ? " an overcommit ratio" : "");
}
