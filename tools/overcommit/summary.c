// SPDX-License-Identifier: GPL-2.0
/* summary.txt and summary.json (summary.h). */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "mm/mmzone.h"
#include "tools/overcommit/files.h"
#include "tools/overcommit/summary.h"
#include "tools/trace/dist_json.h"
#include "util/size.h"

#define MIB (1024.0 * 1024.0)

const char *oc_verdict(const struct oc_result *r, const struct oc_checks *c)
{
	if (r->host_error || r->interrupted)
		return "ERROR";
	return c->failed ? "FAIL" : "PASS";
}

int oc_exit_status(const struct oc_result *r, const struct oc_checks *c)
{
	if (r->host_error || r->interrupted)
		return 2;
	return c->failed ? 1 : 0;
}

static const char *how_the_run_ended(const struct oc_result *r)
{
	if (r->host_error)
		return "error";
	if (r->interrupted)
		return "interrupted";
	if (r->timed_out)
		return "timed out";
	if (r->duration_reached)
		return "duration reached";
	return "every guest ended";
}

static uint64_t guest_ram_total(const struct oc_result *r)
{
	uint64_t total = 0;

	for (unsigned int i = 0; i < r->nr_guests; i++)
		total += r->guest[i].spec->mem_bytes;
	return total;
}

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / b : 0;
}

static double secs(uint64_t ns)
{
	return ns / 1e9;
}

static void text_memory(const struct oc_result *r, FILE *f)
{
	char a[32], b[32];

	fprintf(f, "\nmemory\n");
	fprintf(f,
		"  pool                  %s in %u node(s), host hugepages %s\n",
		format_size(r->pool_bytes, a, sizeof(a)), r->nr_nodes,
		r->hugepages ? "yes" : "no");
	fprintf(f, "  guest RAM             %s in all, %.2fx the pool\n",
		format_size(guest_ram_total(r), a, sizeof(a)),
		ratio(guest_ram_total(r), r->pool_bytes));
	fprintf(f,
		"  overcommit, nominal   %.2fx  most RAM of guests running at once / pool\n",
		ratio(r->peak_nominal_bytes, r->pool_bytes));
	fprintf(f,
		"  overcommit, achieved  %.2fx  sum of every guest's peak memory held (backed or in the cold tier) / pool\n",
		oc_overcommit_achieved(r));
	fprintf(f,
		"  pool use at peak      %.2f   most guest memory backed at once / pool\n",
		ratio(r->peak_resident_bytes, r->pool_bytes));
	fprintf(f,
		"  host footprint        peak %s, at the end %s (memfd blocks, from the kernel)\n",
		format_size(r->footprint_peak, a, sizeof(a)),
		format_size(r->footprint_end, b, sizeof(b)));
	fprintf(f,
		"  returned to the host  %s  (the footprint's decreases between samples; %" PRIu64
		" pageblocks released)\n",
		format_size(r->returned_bytes, a, sizeof(a)),
		r->released_pageblocks);
	for (unsigned int n = 0; n < r->nr_nodes; n++)
		fprintf(f,
			"  node%-3u               %.0f MiB: min %.1f, low %.1f, high %.1f MiB; lowest free %.1f MiB, %.1f s below low; its kswapd deflated %.1f MiB\n",
			n, r->node_pages[n] / 256.0,
			r->wmark[n][WMARK_MIN] / 256.0,
			r->wmark[n][WMARK_LOW] / 256.0,
			r->wmark[n][WMARK_HIGH] / 256.0,
			r->node_min_free[n] / 256.0,
			secs(r->node_below_low_ns[n]),
			r->node_deflated[n] / 256.0);
}

static void text_guests(const struct oc_result *r, FILE *f)
{
	char buf[512], a[32];
	unsigned int ooms = 0;

	fprintf(f, "\nOOM kills\n");
	for (unsigned int i = 0; i < r->nr_guests; i++) {
		const struct oc_guest *g = &r->guest[i];

		if (oc_oom_killed(g) ||
		    (g->state == OC_ENDED && g->why == VM_EXIT_OOM)) {
			fprintf(f, "  %s at %.3f s: %s\n", g->spec->name,
				secs(g->ended_ns),
				oc_ending(g, buf, sizeof(buf)));
			ooms++;
		}
	}
	if (!ooms)
		fprintf(f, "  none\n");
	fprintf(f, "\nguests\n");
	for (unsigned int i = 0; i < r->nr_guests; i++) {
		const struct oc_guest *g = &r->guest[i];

		fprintf(f, "  %-16s %s, started %.3f s, ended %.3f s: %s\n",
			g->spec->name,
			format_size(g->spec->mem_bytes, a, sizeof(a)),
			secs(g->started_ns), secs(g->ended_ns),
			oc_ending(g, buf, sizeof(buf)));
		if (g->state != OC_ENDED)
			continue;
		fprintf(f,
			"  %16s integrity %s (%u verify, %" PRIu64
			" pages checked, %" PRIu64 " bad, %u corrupt)\n",
			"", oc_integrity(g), g->sum.nr_verify,
			g->sum.verify_checked, g->sum.verify_bad,
			g->sum.nr_corrupt);
		fprintf(f,
			"  %16s peak backed %.1f MiB, peak balloon %.1f MiB, %" PRIu64
			" pages inflated, %" PRIu64 " deflated, %" PRIu64
			" faults\n",
			"", g->mem.peak_pages / 256.0,
			g->peak_balloon_pages / 256.0,
			g->balloon.c.inflated_pages,
			g->balloon.c.deflated_pages, g->mem.faults);
	}
}

/* Each guest's and node's PSI (pressure.h). */
static void text_pressure(const struct oc_result *r, FILE *f)
{
	fprintf(f,
		"\npressure (PSI, docs/pressure.md: highest avg10/avg60/avg300 sampled, total at the end)\n");
	for (unsigned int i = 0; i < r->nr_guests; i++) {
		if (!r->guest[i].psi.sampled)
			continue;
		fprintf(f, "  %-16s ", r->guest[i].spec->name);
		oc_pressure_line(&r->guest[i].psi, f);
		fputc('\n', f);
	}
	for (unsigned int n = 0; n < r->nr_nodes; n++) {
		fprintf(f, "  node%-12u ", n);
		oc_pressure_line(&r->node_psi[n], f);
		fputc('\n', f);
	}
}

static void text_latency(struct oc_result *r, FILE *f)
{
	char a[32];

	fprintf(f,
		"\nevents\n  kswapd wake-ups %lu, direct reclaim stalls %lu, compaction stalls %lu, OOM kills %lu, balloon pages inflated %lu, deflated %lu\n",
		r->vmstat[PAGEOUTRUN],
		r->vmstat[ALLOCSTALL_NORMAL] + r->vmstat[ALLOCSTALL_MOVABLE],
		r->vmstat[COMPACTSTALL], r->vmstat[OOM_KILL],
		r->vmstat[BALLOON_INFLATE], r->vmstat[BALLOON_DEFLATE]);
	fprintf(f,
		"\nlatency (%" PRIu64 " trace events, %" PRIu64
		" lost; latency.txt has the histograms)\n",
		r->trace_events, r->trace_lost);
	if (!r->analyzed) {
		fprintf(f, "  not analyzed\n");
		return;
	}
	for (int i = 0; i < NR_LAT_DISTS; i++) {
		struct dist *d = &r->lat.d[i];

		fprintf(f, "  %-16s count %6zu", lat_key[i], d->n);
		if (d->n) {
#define X(p10, name)                 \
	fprintf(f, "  %s %8s", name, \
		fmt_ns(dist_percentile(d, p10), a, sizeof(a)));
			DIST_PERCENTILES(X)
#undef X
			fprintf(f, "  max %8s",
				fmt_ns(dist_max(d), a, sizeof(a)));
		}
		fputc('\n', f);
	}
	if (r->trace_lost)
		fprintf(f,
			"  WARNING: the trace ring overwrote %" PRIu64
			" events before they were read: raise run.trace_events or lower run.sample_interval\n",
			r->trace_lost);
}

void oc_summary_text(struct oc_result *r, const struct oc_checks *c, FILE *f)
{
	const struct scenario *sc = r->sc;

	fprintf(f, "overcommit: scenario %s: %s (%u of %u checks passed)\n",
		sc->name, oc_verdict(r, c), c->n - c->failed, c->n);
	if (sc->description[0])
		fprintf(f, "  %s\n", sc->description);
	fprintf(f, "run: %.3f s, %s, %lu samples every %" PRIu64 " ms\n",
		secs(r->elapsed_ns), how_the_run_ended(r), r->samples,
		r->sample_ns / 1000000);
	if (r->host_error)
		fprintf(f, "error: %s\n", r->error);
	fprintf(f, "\nexpectations\n");
	for (unsigned int i = 0; i < c->n; i++)
		fprintf(f, "  %s  %-58s %s\n", c->c[i].pass ? "PASS" : "FAIL",
			c->c[i].expect, c->c[i].observed);
	text_memory(r, f);
	text_guests(r, f);
	text_pressure(r, f);
	oc_tier_text(r, f);
	text_latency(r, f);
}

static json_t *guest_json(const struct oc_guest *g)
{
	char buf[512];
	const char *state[] = { [OC_PENDING] = "pending",
				[OC_RUNNING] = "running",
				[OC_ENDED] = "ended",
				[OC_LAUNCH_FAILED] = "launch failed",
				[OC_NOT_STARTED] = "not started" };
	json_t *o = json_pack("{s:s,s:f,s:s,s:s,s:b}", "name", g->spec->name,
			      "mem_mib", g->spec->mem_bytes / MIB, "state",
			      state[g->state], "ending",
			      oc_ending(g, buf, sizeof(buf)),
			      "stopped_by_runner", g->stopped_by_runner);

	json_object_set_new(o, "start_s", json_real(secs(g->start_ns)));
	json_object_set_new(o, "pressure", oc_pressure_json(&g->psi));
	oc_tier_guest_json(o, g);
	if (g->state != OC_ENDED)
		return o;
	json_object_set_new(o, "started_s", json_real(secs(g->started_ns)));
	json_object_set_new(o, "ended_s", json_real(secs(g->ended_ns)));
	json_object_set_new(o, "exit_reason",
			    json_string(vm_exit_reason_name(g->why)));
	json_object_set_new(o, "exit_detail", json_string(g->detail));
	if (g->sum.exited)
		json_object_set_new(o, "exit_status",
				    json_integer(g->sum.exit_status));
	json_object_set_new(o, "oom_killed", json_boolean(oc_oom_killed(g)));
	json_object_set_new(o, "integrity",
			    json_pack("{s:s,s:i,s:I,s:I,s:i}", "result",
				      oc_integrity(g), "verify",
				      g->sum.nr_verify, "pages_checked",
				      (json_int_t)g->sum.verify_checked, "bad",
				      (json_int_t)g->sum.verify_bad, "corrupt",
				      g->sum.nr_corrupt));
	json_object_set_new(o, "peak_backed_mib",
			    json_real(g->mem.peak_pages / 256.0));
	json_object_set_new(o, "peak_balloon_mib",
			    json_real(g->peak_balloon_pages / 256.0));
	json_object_set_new(o, "faults", json_integer(g->mem.faults));
	json_object_set_new(o, "huge_maps", json_integer(g->mem.huge_maps));
	json_object_set_new(o, "balloon_inflated_pages",
			    json_integer(g->balloon.c.inflated_pages));
	json_object_set_new(o, "balloon_deflated_pages",
			    json_integer(g->balloon.c.deflated_pages));
	return o;
}

static json_t *memory_json(const struct oc_result *r)
{
	json_t *nodes = json_array();

	for (unsigned int n = 0; n < r->nr_nodes; n++)
		json_array_append_new(
			nodes,
			json_pack(
				"{s:i,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:o}", "node",
				n, "size_mib", r->node_pages[n] / 256.0,
				"min_mib", r->wmark[n][WMARK_MIN] / 256.0,
				"low_mib", r->wmark[n][WMARK_LOW] / 256.0,
				"high_mib", r->wmark[n][WMARK_HIGH] / 256.0,
				"lowest_free_mib", r->node_min_free[n] / 256.0,
				"below_low_s", secs(r->node_below_low_ns[n]),
				"kswapd_deflated_mib",
				r->node_deflated[n] / 256.0, "pressure",
				oc_pressure_json(&r->node_psi[n])));
	return json_pack(
		"{s:f,s:i,s:b,s:f,s:{s:f,s:f,s:f},s:{s:f,s:f,s:f,s:I},s:o}",
		"pool_mib", r->pool_bytes / MIB, "nodes", r->nr_nodes,
		"host_hugepages", r->hugepages, "guest_ram_mib",
		guest_ram_total(r) / MIB, "overcommit", "nominal",
		ratio(r->peak_nominal_bytes, r->pool_bytes), "achieved",
		oc_overcommit_achieved(r), "pool_use_at_peak",
		ratio(r->peak_resident_bytes, r->pool_bytes), "host",
		"footprint_peak_mib", r->footprint_peak / MIB,
		"footprint_end_mib", r->footprint_end / MIB, "returned_mib",
		r->returned_bytes / MIB, "released_pageblocks",
		(json_int_t)r->released_pageblocks, "node", nodes);
}

static json_t *latency_summary_json(struct oc_result *r)
{
	json_t *o = json_object();

	if (!r->analyzed)
		return o;
	for (int i = 0; i < NR_LAT_DISTS; i++) {
		struct dist *d = &r->lat.d[i];
		json_t *v = json_pack("{s:s}", "unit", "ns");

		dist_json_figures(v, d);
		json_object_set_new(o, lat_key[i], v);
	}
	return o;
}

json_t *oc_summary_json(struct oc_result *r, const struct oc_checks *c)
{
	const struct scenario *sc = r->sc;
	json_t *o = json_object(), *checks = json_array(),
	       *guests = json_array();
	json_t *oom = json_array();
	char buf[512];

	json_object_set_new(o, "scenario", json_string(sc->name));
	json_object_set_new(o, "file", json_string(sc->path));
	json_object_set_new(o, "description", json_string(sc->description));
	json_object_set_new(o, "result", json_string(oc_verdict(r, c)));
	json_object_set_new(o, "exit_status",
			    json_integer(oc_exit_status(r, c)));
	json_object_set_new(o, "run",
			    json_pack("{s:f,s:s,s:I,s:I,s:s}", "elapsed_s",
				      secs(r->elapsed_ns), "ended",
				      how_the_run_ended(r), "samples",
				      (json_int_t)r->samples,
				      "sample_interval_ms",
				      (json_int_t)(r->sample_ns / 1000000),
				      "error", r->host_error ? r->error : ""));
	for (unsigned int i = 0; i < c->n; i++)
		json_array_append_new(
			checks,
			json_pack("{s:s,s:s,s:O,s:s,s:b}", "key", c->c[i].key,
				  "expect", c->c[i].expect, "observed",
				  c->c[i].value ? c->c[i].value : json_null(),
				  "observed_text", c->c[i].observed, "pass",
				  c->c[i].pass));
	json_object_set_new(o, "expectations", checks);
	json_object_set_new(o, "memory", memory_json(r));
	for (unsigned int i = 0; i < r->nr_guests; i++) {
		const struct oc_guest *g = &r->guest[i];

		json_array_append_new(guests, guest_json(g));
		if (oc_oom_killed(g))
			json_array_append_new(
				oom, json_pack("{s:s,s:f,s:s}", "guest",
					       g->spec->name, "at_s",
					       secs(g->ended_ns), "reason",
					       oc_ending(g, buf, sizeof(buf))));
	}
	json_object_set_new(o, "oom_kills", oom);
	json_object_set_new(o, "guests", guests);
	json_object_set_new(
		o, "events",
		json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "kswapd_wake",
			  (json_int_t)r->vmstat[PAGEOUTRUN], "direct_reclaim",
			  (json_int_t)(r->vmstat[ALLOCSTALL_NORMAL] +
				       r->vmstat[ALLOCSTALL_MOVABLE]),
			  "compaction_stall",
			  (json_int_t)r->vmstat[COMPACTSTALL], "oom_kill",
			  (json_int_t)r->vmstat[OOM_KILL],
			  "balloon_inflated_pages",
			  (json_int_t)r->vmstat[BALLOON_INFLATE],
			  "balloon_deflated_pages",
			  (json_int_t)r->vmstat[BALLOON_DEFLATE]));
	json_object_set_new(o, "cold_tier", oc_tier_json(r));
	json_object_set_new(o, "latency", latency_summary_json(r));
	json_object_set_new(o, "latency_by_guest",
			    r->analyzed ?
				    lat_guests_json(&r->lat.guests, lat_key) :
				    json_array());
	json_object_set_new(o, "trace",
			    json_pack("{s:I,s:I,s:I,s:i}", "events",
				      (json_int_t)r->trace_events, "lost",
				      (json_int_t)r->trace_lost, "malformed",
				      (json_int_t)r->trace_malformed, "ring",
				      r->trace_ring));
	return o;
}

int oc_write_summary(struct oc_result *r, const struct oc_checks *c, char *err,
		     size_t errlen)
{
	FILE *f = oc_fopen(r->dir, "summary.txt", err, errlen);
	json_t *o;
	int ret;

	if (!f)
		return -EIO;
	oc_summary_text(r, c, f);
	ret = oc_fclose(&f);
	f = oc_fopen(r->dir, "summary.json", err, errlen);
	if (!f)
		return -EIO;
	o = oc_summary_json(r, c);
	ret |= !o || json_dumpf(o, f, JSON_INDENT(2));
	fputc('\n', f);
	json_decref(o);
	ret |= oc_fclose(&f);
	if (ret)
		snprintf(err, errlen, "%s: writing the summary failed", r->dir);
	return ret ? -EIO : 0;
}
