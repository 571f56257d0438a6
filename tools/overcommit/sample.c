// SPDX-License-Identifier: GPL-2.0
/* Time series and the progress line of an overcommit run (sample.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "mm/mm.h"
#include "tools/overcommit/files.h"
#include "tools/overcommit/sample.h"
#include "vmm/host/trace_events.h"

static double mib(uint64_t pages)
{
	return pages / 256.0;
}

/* pool.csv's columns of the cold tier: meminfo's Zswap and Zswapped and
 * the pages in the swap file, in MiB; vmstat's counters, in pages. */
#define TIER_CSV_COLUMNS                                       \
	"zswap_mib,zswapped_mib,swap_file_mib,zswpout,zswpin," \
	"zswpwb,pswpout,pswpin,workingset_refault_anon"

static const enum vm_event_item tier_events[] = {
	ZSWPOUT, ZSWPIN, ZSWPWB, PSWPOUT, PSWPIN, WORKINGSET_REFAULT_ANON,
};

/* pool.csv's tier columns, the peaks of the tier's gauges. */
static void tier_sample(struct sampler *s, struct vmm_host *h,
			struct oc_result *r, const struct host_tier_stats *ts)
{
	struct mm_pool *pool = host_pool(h);

	r->tier = ts->present;
	if (ts->zswap > r->peak_zswap_pages)
		r->peak_zswap_pages = ts->zswap;
	if (ts->zswapped > r->peak_zswapped_pages)
		r->peak_zswapped_pages = ts->zswapped;
	if (ts->in_file > r->peak_in_file_pages)
		r->peak_in_file_pages = ts->in_file;
	r->swap_total_pages = ts->swap_total;
	fprintf(s->pool, ",%.3f,%.3f,%.3f", mib(ts->zswap), mib(ts->zswapped),
		mib(ts->in_file));
	for (size_t i = 0; i < sizeof(tier_events) / sizeof(tier_events[0]);
	     i++)
		fprintf(s->pool, ",%lu", vm_event_sum(pool, tier_events[i]));
}

static FILE *open_csv(const char *dir, const char *name, const char *header,
		      char *err, size_t errlen)
{
	FILE *f = oc_fopen(dir, name, err, errlen);

	if (f)
		fputs(header, f);
	return f;
}

int sampler_open(struct sampler *s, const char *dir, FILE *progress, char *err,
		 size_t errlen)
{
	struct winsize ws;

	memset(s, 0, sizeof(*s));
	s->nodes = open_csv(
		dir, "nodes.csv",
		"time_s,node,free_mib,min_mib,low_mib,high_mib,frag_score," OC_PSI_CSV_COLUMNS
		"\n",
		err, errlen);
	s->guests = open_csv(
		dir, "guests.csv",
		"time_s,guest,id,resident_mib,balloon_mib,balloon_target_mib,swap_mib,swap_stored_mib,swap_file_mib,refaulted_pages," OC_PSI_CSV_COLUMNS
		"\n",
		err, errlen);
	s->pool = open_csv(
		dir, "pool.csv",
		"time_s,pool_free_mib,guest_resident_mib,host_resident_mib,host_hugepage_mib,returned_mib,kvm_mapped_mib,kvm_2m_pct,whole_pageblock_mib," TIER_CSV_COLUMNS
		"\n",
		err, errlen);
	if (!s->nodes || !s->guests || !s->pool) {
		sampler_close(s);
		return -EIO;
	}
	s->progress = progress;
	s->width = 120;
	if (progress && isatty(fileno(progress))) {
		s->tty = true;
		if (!ioctl(fileno(progress), TIOCGWINSZ, &ws) && ws.ws_col > 20)
			s->width = ws.ws_col;
	}
	return 0;
}

static void node_sample(struct sampler *s, struct vmm_host *h,
			struct oc_result *r, unsigned int nid,
			const struct host_node_stats *ns, double t, uint64_t dt)
{
	const unsigned long *w = r->wmark[nid];
	unsigned long free = ns->free;
	struct psi_stats psi = { 0 };

	if (free < r->node_min_free[nid])
		r->node_min_free[nid] = free;
	if (free < w[WMARK_LOW])
		r->node_below_low_ns[nid] += dt;
	if (!host_node_pressure(h, (int)nid, &psi))
		oc_pressure_add(&r->node_psi[nid], &psi);
	fprintf(s->nodes, "%.3f,%u,%.3f,%.3f,%.3f,%.3f,%u", t, nid, mib(free),
		mib(w[WMARK_MIN]), mib(w[WMARK_LOW]), mib(w[WMARK_HIGH]),
		ns->frag_score);
	oc_pressure_csv(s->nodes, &psi);
	fputc('\n', s->nodes);
	trace_event(host_trace_ring(h), TR_NODE_FREE, nid, free, w[WMARK_LOW],
		    w[WMARK_HIGH]);
}

/* KVM's mappings of guest id (its own statistics) into sum; a guest
 * whose statistics cannot be read adds nothing.  A statistics fd opened
 * and read per guest per sample: 7 to 40 us each on a 2-core host. */
static void kvm_add(struct vmm_host *h, unsigned int id,
		    struct kvm_page_stats *sum)
{
	struct kvm_page_stats ps;

	if (host_guest_kvm_pages(h, id, &ps))
		return;
	sum->pages_4k += ps.pages_4k;
	sum->pages_2m += ps.pages_2m;
	sum->pages_1g += ps.pages_1g;
}

static double kvm_mapped_mib(const struct kvm_page_stats *ps)
{
	return ps->pages_4k / 256.0 + ps->pages_2m * 2.0 +
	       ps->pages_1g * 1024.0;
}

void sampler_take(struct sampler *s, struct vmm_host *h, struct oc_result *r,
		  uint64_t now_ns)
{
	double t = now_ns / 1e9;
	uint64_t nominal = 0, resident = 0, whole = 0, dt = r->sample_ns;
	struct kvm_page_stats kvm = { 0 };
	struct pool_footprint fp = { 0 };
	struct host_guest_info gi;
	struct host_stats st;

	host_get_stats(h, &st);
	r->frag_score_low = st.frag_score_low;
	r->frag_score_high = st.frag_score_high;
	for (unsigned int nid = 0; nid < r->nr_nodes; nid++)
		node_sample(s, h, r, nid, &st.node[nid], t, dt);
	for (unsigned int i = 0; i < r->nr_guests; i++) {
		struct oc_guest *g = &r->guest[i];
		const struct balloon_info *bi = &gi.balloon;
		struct psi_stats psi = { 0 };

		if (g->state != OC_RUNNING || host_guest_info(h, g->id, &gi))
			continue;
		if (!host_guest_pressure(h, g->id, &psi))
			oc_pressure_add(&g->psi, &psi);
		if (bi->actual > g->peak_balloon_pages)
			g->peak_balloon_pages = bi->actual;
		if (gi.mem.swapped > g->peak_swap_pages)
			g->peak_swap_pages = gi.mem.swapped;
		if (gi.mem.pages + gi.mem.swapped > g->peak_held_pages)
			g->peak_held_pages = gi.mem.pages + gi.mem.swapped;
		nominal += gi.ram_bytes;
		resident += gi.mem.pages << PAGE_SHIFT;
		whole += gi.mem.huge_maps;
		kvm_add(h, g->id, &kvm);
		fprintf(s->guests,
			"%.3f,%s,%u,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%" PRIu64, t,
			g->spec->name, g->id, mib(gi.mem.pages),
			mib(bi->actual), mib(bi->target), mib(gi.mem.swapped),
			gi.swap.stored_bytes / 1048576.0,
			gi.swap.file_bytes / 1048576.0, gi.mem.swap_in);
		oc_pressure_csv(s->guests, &psi);
		fputc('\n', s->guests);
		trace_event(host_trace_ring(h), TR_VM_MEM, g->id, gi.mem.pages,
			    bi->actual, bi->target);
	}
	if (nominal > r->peak_nominal_bytes)
		r->peak_nominal_bytes = nominal;
	if (resident > r->peak_resident_bytes)
		r->peak_resident_bytes = resident;
	/* The host's view: memfd blocks, from the kernel. */
	if (!pool_footprint(host_pool(h), &fp)) {
		if (r->samples && fp.resident_bytes < r->last_footprint)
			r->returned_bytes +=
				r->last_footprint - fp.resident_bytes;
		r->last_footprint = fp.resident_bytes;
		r->footprint_end = fp.resident_bytes;
		if (fp.resident_bytes > r->footprint_peak)
			r->footprint_peak = fp.resident_bytes;
	}
	fprintf(s->pool, "%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.1f,%.0f", t,
		mib(st.free), resident / 1048576.0,
		fp.resident_bytes / 1048576.0, fp.hugepage_bytes / 1048576.0,
		r->returned_bytes / 1048576.0, kvm_mapped_mib(&kvm),
		100 * kvm_page_stats_2m_share(&kvm), whole * 2.0);
	tier_sample(s, h, r, &st.tier);
	fputc('\n', s->pool);
	r->samples++;
}

/* Append to buf (bounded). */
static void __attribute__((format(printf, 3, 4)))
add(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n >= len - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

void sampler_progress(struct sampler *s, struct vmm_host *h,
		      struct oc_result *r, uint64_t now_ns, bool force)
{
	uint64_t every = s->tty ? 200000000ULL : 1000000000ULL;
	unsigned int running = 0, pending = 0;
	uint64_t balloons = 0;
	char line[1024] = "", guests[512] = "";
	struct mm_pool *pool = host_pool(h);
	struct host_stats st;

	if (!s->progress ||
	    (!force && s->last_progress && now_ns - s->last_progress < every))
		return;
	s->last_progress = now_ns;
	host_get_stats(h, &st);
	/* Most telling first: a narrow terminal cuts the end. */
	add(line, sizeof(line), "[%7.2f s]", now_ns / 1e9);
	for (unsigned int nid = 0; nid < r->nr_nodes; nid++)
		add(line, sizeof(line),
		    " node%u free %.0f MiB (min %.0f low %.0f high %.0f) |",
		    nid, mib(st.node[nid].free), mib(r->wmark[nid][WMARK_MIN]),
		    mib(r->wmark[nid][WMARK_LOW]),
		    mib(r->wmark[nid][WMARK_HIGH]));
	add(line, sizeof(line),
	    " kswapd %lu, direct %lu, compaction %lu, OOM %lu |",
	    vm_event_sum(pool, PAGEOUTRUN),
	    vm_event_sum(pool, ALLOCSTALL_NORMAL) +
		    vm_event_sum(pool, ALLOCSTALL_MOVABLE),
	    vm_event_sum(pool, COMPACTSTALL), vm_event_sum(pool, OOM_KILL));
	for (unsigned int i = 0; i < r->nr_guests; i++) {
		struct oc_guest *g = &r->guest[i];
		struct balloon_info bi = { 0 };

		pending += g->state == OC_PENDING;
		if (g->state != OC_RUNNING)
			continue;
		running++;
		host_balloon_info(h, g->id, &bi);
		balloons += bi.actual;
		add(guests, sizeof(guests), " %s %.0f", g->spec->name,
		    mib(bi.actual));
	}
	add(line, sizeof(line), " %u running, %u to start | balloons %.0f MiB",
	    running, pending, mib(balloons));
	if (running && running <= 6)
		add(line, sizeof(line), ":%s", guests);
	if (s->tty) {
		/* One line, refreshed: never wider than the terminal. */
		if (strlen(line) >= s->width)
			line[s->width - 1] = 0;
		fprintf(s->progress, "\r%s\033[K", line);
		s->line_open = true;
	} else {
		fprintf(s->progress, "%s\n", line);
	}
	fflush(s->progress);
}

void sampler_break_line(struct sampler *s)
{
	if (s->line_open) {
		fputc('\n', s->progress);
		s->line_open = false;
	}
}

int sampler_close(struct sampler *s)
{
	int ret = 0;
	FILE **f[] = { &s->nodes, &s->guests, &s->pool };

	sampler_break_line(s);
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (oc_fclose(f[i]))
			ret = -EIO;
	return ret;
}
