// SPDX-License-Identifier: GPL-2.0
/* What lost events mean for the distributions (see lost.h). */
#include <inttypes.h>
#include <string.h>

#include "tools/trace/lost.h"

bool latency_short(const struct latency *lat, enum lat_dist i)
{
	const struct trace_session *s;

	if (!lat->names)
		return false;
	s = &lat->names->session;
	for (unsigned int k = 0; k < s->nr_loss; k++)
		if (trace_loss_hits(&s->loss[k], lat_events[i]))
			return true;
	/* The end line counts losses its file has no line for. */
	return trace_session_lost(s) > s->lost;
}

/* "direct_reclaim, slowpath": the short distributions; how many. */
static unsigned int short_list(const struct latency *lat, char *buf, size_t len)
{
	unsigned int n = 0;
	size_t used = 0;

	buf[0] = 0;
	for (int i = 0; i < NR_LAT_DISTS; i++)
		if (latency_short(lat, i) && used < len) {
			used += snprintf(buf + used, len - used, "%s%s",
					 n ? ", " : "", lat_key[i]);
			n++;
		}
	return n;
}

/* "mm_page_free 31000, vmm_fault 637 and 3 of no known type" */
static const char *types_text(const struct trace_session *s, char *buf,
			      size_t len)
{
	size_t n;

	trace_counts_text(s->lost_by_type, buf, len);
	n = strlen(buf);
	if (s->lost_untyped && n < len)
		snprintf(buf + n, len - n, "%s%" PRIu64 " of no known type",
			 n ? " and " : "", s->lost_untyped);
	return buf;
}

bool latency_warn(const struct latency *lat, const struct trace_reader *r,
		  const char *prog, FILE *f)
{
	const struct trace_session *s = &r->session;
	uint64_t lost = trace_session_lost(s);
	char types[512], dists[256];
	bool any = false;

	if (lost) {
		fprintf(f,
			"%s: warning: %s: %" PRIu64
			" events lost in %u place%s (%s): vmm's writer did not keep up with its ring; the trace's '# lost' lines say where\n",
			prog, r->path, lost, s->nr_loss,
			s->nr_loss == 1 ? "" : "s",
			types_text(s, types, sizeof(types)));
		if (short_list(lat, dists, sizeof(dists)))
			fprintf(f,
				"%s: warning: distributions short of events, their counts are lower bounds: %s\n",
				prog, dists);
		else
			fprintf(f,
				"%s: note: no distribution is made of the events lost\n",
				prog);
		any = true;
	}
	if (s->has_start && !s->has_end) {
		fprintf(f,
			"%s: warning: %s: no end line: the trace was cut short or is still being written, and may lack events at its end\n",
			prog, r->path);
		any = true;
	}
	return any;
}

void latency_print_session(const struct latency *lat,
			   const struct trace_reader *r, FILE *f)
{
	const struct trace_session *s = &r->session;
	uint64_t lost = trace_session_lost(s);
	char a[32], types[512], dists[256];
	const char *sep = "";

	if (s->has_start) {
		fprintf(f, "session: ");
		if (s->has_end)
			fprintf(f, "%s",
				fmt_ns(s->end_ts - s->start_ts, a, sizeof(a)));
		else
			fprintf(f, "no end line (cut short?)");
		fprintf(f, ", ring of %" PRIu64 " events", s->ring);
		if (s->off) {
			fprintf(f, "; not recorded: ");
			for (int t = 0; t < NR_TRACE_EVENTS; t++)
				if (s->off & TRACE_BIT(t)) {
					fprintf(f, "%s%s", sep,
						trace_event_name(t));
					sep = ", ";
				}
		}
		fputc('\n', f);
	}
	if (!lost) {
		if (s->has_end)
			fprintf(f, "lost: none\n");
		return;
	}
	fprintf(f, "LOST: %" PRIu64 " events in %u place%s: %s\n", lost,
		s->nr_loss, s->nr_loss == 1 ? "" : "s",
		types_text(s, types, sizeof(types)));
	if (short_list(lat, dists, sizeof(dists)))
		fprintf(f, "short of events (counts are lower bounds): %s\n",
			dists);
}

json_t *latency_session_json(const struct latency *lat,
			     const struct trace_reader *r)
{
	const struct trace_session *s = &r->session;
	json_t *o = json_object(), *off = json_array(), *by = json_object();
	json_t *losses = json_array(), *sh = json_array();

	if (s->has_start) {
		json_object_set_new(o, "start_ns", json_integer(s->start_ts));
		json_object_set_new(o, "ring", json_integer(s->ring));
	}
	if (s->has_end)
		json_object_set_new(o, "end_ns", json_integer(s->end_ts));
	json_object_set_new(o, "complete",
			    json_boolean(!s->has_start || s->has_end));
	for (int t = 0; t < NR_TRACE_EVENTS; t++) {
		if (s->off & TRACE_BIT(t))
			json_array_append_new(off,
					      json_string(trace_event_name(t)));
		if (s->lost_by_type[t])
			json_object_set_new(by, trace_event_name(t),
					    json_integer(s->lost_by_type[t]));
	}
	json_object_set_new(o, "not_recorded", off);
	json_object_set_new(o, "lost", json_integer(trace_session_lost(s)));
	json_object_set_new(o, "lost_by_event", by);
	json_object_set_new(o, "lost_untyped", json_integer(s->lost_untyped));
	for (unsigned int k = 0; k < s->nr_loss; k++)
		json_array_append_new(
			losses, json_pack("{s:I,s:I,s:I}", "from_ns",
					  (json_int_t)s->loss[k].from_ts,
					  "to_ns", (json_int_t)s->loss[k].to_ts,
					  "n", (json_int_t)s->loss[k].n));
	json_object_set_new(o, "losses", losses);
	for (int i = 0; i < NR_LAT_DISTS; i++)
		if (latency_short(lat, i))
			json_array_append_new(sh, json_string(lat_key[i]));
	json_object_set_new(o, "short", sh);
	return o;
}
