// SPDX-License-Identifier: GPL-2.0
/* Expectations, checked (expect.h). */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "tools/overcommit/expect.h"
#include "util/size.h"

static struct oc_check *add(struct oc_checks *cs, const char *key,
			    const char *expect)
{
	struct oc_check *c = &cs->c[cs->n++];

	memset(c, 0, sizeof(*c));
	snprintf(c->key, sizeof(c->key), "%s", key);
	snprintf(c->expect, sizeof(c->expect), "%s", expect);
	return c;
}

static void __attribute__((format(printf, 3, 4)))
observed(struct oc_check *c, bool pass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->observed, sizeof(c->observed), fmt, ap);
	va_end(ap);
	c->pass = pass;
}

/* Append ", name" to a list in buf. */
static void list_add(char *buf, size_t len, const char *name)
{
	size_t n = strlen(buf);

	snprintf(buf + n, len - n, "%s%s", n ? ", " : "", name);
}

static bool expected_victim(const struct sc_expect *e, const char *name)
{
	for (unsigned int i = 0; i < e->nr_victims; i++)
		if (!strcmp(e->victim[i], name))
			return true;
	return false;
}

static void check_run(const struct oc_result *r, struct oc_checks *cs)
{
	struct oc_check *c;
	char failed[512] = "";

	c = add(cs, "run.timeout", "the run ends before its timeout");
	if (r->timed_out)
		observed(c, false, "timed out after %.1f s",
			 r->elapsed_ns / 1e9);
	else
		observed(c, true, "ended after %.1f s", r->elapsed_ns / 1e9);
	c->value = json_real(r->elapsed_ns / 1e9);

	c = add(cs, "guests", "every guest is launched");
	for (unsigned int i = 0; i < r->nr_guests; i++)
		if (r->guest[i].error[0])
			list_add(failed, sizeof(failed),
				 r->guest[i].spec->name);
	if (failed[0])
		observed(c, false, "not launched: %s", failed);
	else
		observed(c, true, "%u launched", r->nr_guests);
	c->value = json_string(failed);
}

static void check_oom(const struct oc_result *r, struct oc_checks *cs)
{
	const struct sc_expect *e = &r->sc->expect;
	char killed[512] = "", starved[512] = "", want[256] = "";
	unsigned int nr_killed = 0;
	bool match = true;
	struct oc_check *c;
	json_t *names = json_array();

	for (unsigned int i = 0; i < r->nr_guests; i++) {
		const struct oc_guest *g = &r->guest[i];

		if (oc_oom_killed(g)) {
			list_add(killed, sizeof(killed), g->spec->name);
			json_array_append_new(names,
					      json_string(g->spec->name));
			nr_killed++;
			if (!expected_victim(e, g->spec->name))
				match = false;
		}
		if (g->state == OC_ENDED && g->why == VM_EXIT_OOM)
			list_add(starved, sizeof(starved), g->spec->name);
	}
	if (e->no_oom) {
		c = add(cs, "expect.no_oom",
			"no OOM kill, nobody out of memory");
		observed(c, !nr_killed && !starved[0], "%u killed%s%s%s%s",
			 nr_killed, killed[0] ? ": " : "", killed,
			 starved[0] ? "; out of memory: " : "", starved);
		c->value = json_integer(nr_killed);
	}
	if (e->victims_set) {
		for (unsigned int i = 0; i < e->nr_victims; i++)
			list_add(want, sizeof(want), e->victim[i]);
		c = add(cs, "expect.oom_victims", "");
		snprintf(c->expect, sizeof(c->expect), "OOM victims: %s",
			 want[0] ? want : "none");
		observed(c, match && nr_killed == e->nr_victims, "killed: %s",
			 killed[0] ? killed : "none");
		c->value = json_incref(names);
	}
	json_decref(names);
}

static void check_guests(const struct oc_result *r, struct oc_checks *cs)
{
	const struct sc_expect *e = &r->sc->expect;
	char bad[512] = "", unverified[512] = "", unfinished[512] = "";
	struct oc_check *c;

	for (unsigned int i = 0; i < r->nr_guests; i++) {
		const struct oc_guest *g = &r->guest[i];
		bool by_itself = g->state == OC_ENDED &&
				 g->why == VM_EXIT_GUEST_EXIT;
		/* Stopped by design at the end of the scenario. */
		bool at_the_end = g->stopped_by_runner && r->duration_reached &&
				  !r->timed_out && !r->interrupted;

		if (g->state == OC_ENDED &&
		    (g->sum.nr_corrupt || g->sum.verify_bad))
			list_add(bad, sizeof(bad), g->spec->name);
		else if (by_itself && !g->sum.nr_verify)
			list_add(unverified, sizeof(unverified), g->spec->name);
		if (!expected_victim(e, g->spec->name) &&
		    !(by_itself && !g->sum.exit_status) && !at_the_end)
			list_add(unfinished, sizeof(unfinished), g->spec->name);
	}
	if (e->integrity) {
		c = add(cs, "expect.integrity",
			"no bad page in any guest; every guest that ends verifies");
		if (bad[0] || unverified[0])
			observed(c, false, "%s%s%s%s",
				 bad[0] ? "bad pages: " : "", bad,
				 unverified[0] ? " never verified: " : "",
				 unverified);
		else
			observed(c, true, "clean");
		c->value = json_string(bad);
	}
	if (e->completed) {
		c = add(cs, "expect.completed",
			"every guest not expected to die completes its script (status 0)");
		if (unfinished[0])
			observed(c, false, "did not complete: %s", unfinished);
		else
			observed(c, true, "all completed");
		c->value = json_string(unfinished);
	}
}

static void check_latency(struct oc_result *r, struct oc_checks *cs)
{
	const struct sc_expect *e = &r->sc->expect;

	for (unsigned int i = 0; i < e->nr_bounds; i++) {
		const struct sc_latency_bound *b = &e->bound[i];
		struct dist *d = &r->lat.d[b->dist];
		const char *p = sc_percentile_name(b->p10);
		struct oc_check *c;
		char key[64], what[128], x[32], y[32];
		uint64_t v;

		snprintf(key, sizeof(key), "expect.latency.%s.%s",
			 lat_key[b->dist], p);
		snprintf(what, sizeof(what), "%s %s <= %s", lat_key[b->dist], p,
			 fmt_ns(b->max_ns, x, sizeof(x)));
		c = add(cs, key, what);
		if (!r->analyzed) {
			observed(c, false, "no trace to measure it from");
			continue;
		}
		if (!d->n) {
			observed(c, true, "nothing to measure (0 samples)");
			c->value = json_null();
			continue;
		}
		v = dist_percentile(d, b->p10);
		observed(c, v <= b->max_ns, "%s (%zu samples)",
			 fmt_ns(v, y, sizeof(y)), d->n);
		c->value = json_integer(v);
	}
}

static void check_memory(const struct oc_result *r, struct oc_checks *cs)
{
	const struct sc_expect *e = &r->sc->expect;
	struct oc_check *c;
	char x[32], y[32], what[128];

	if (e->returned_set) {
		snprintf(what, sizeof(what),
			 "memory returned to the host >= %s",
			 format_size(e->returned_min, x, sizeof(x)));
		c = add(cs, "expect.returned_to_host_min", what);
		observed(c, r->returned_bytes >= e->returned_min, "%s",
			 format_size(r->returned_bytes, y, sizeof(y)));
		c->value = json_integer(r->returned_bytes);
	}
	if (e->overcommit_set) {
		double v = oc_overcommit_achieved(r);

		snprintf(what, sizeof(what), "achieved overcommit >= %.2fx",
			 e->overcommit_min);
		c = add(cs, "expect.overcommit_min", what);
		observed(c, v >= e->overcommit_min, "%.2fx", v);
		c->value = json_real(v);
	}
}

/* What a pressure bound looks at: an average's highest sample
 * (hundredths of a percent), or the total at the end (microseconds). */
static uint64_t pressure_figure(const struct oc_pressure *p,
				const struct sc_pressure_bound *b)
{
	return b->avg >= 0 ? p->peak[b->state][b->avg] :
			     p->last.total_us[b->state];
}

static const char *pressure_str(const struct sc_pressure_bound *b, uint64_t v,
				char *buf, size_t len)
{
	if (b->avg >= 0)
		snprintf(buf, len, "%u.%02u%%", (unsigned int)(v / 100),
			 (unsigned int)(v % 100));
	else
		fmt_ns(v * 1000, buf, len);
	return buf;
}

/*
 * Each bound on a guest's or node's PSI: its figure, or the highest
 * among the guests (nodes) it covers, against the bound.  A guest that
 * never ran has no figure: nothing to measure.
 */
static void check_pressure(const struct oc_result *r, struct oc_checks *cs)
{
	static const char *const avgs[NR_PSI_AVGS] = { "avg10", "avg60",
						       "avg300" };
	const struct sc_expect *e = &r->sc->expect;

	for (unsigned int i = 0; i < e->nr_pressure; i++) {
		const struct sc_pressure_bound *b = &e->pressure[i];
		const char *fig = b->avg >= 0 ? avgs[b->avg] : "total";
		uint64_t max = b->avg >= 0 ? b->max_avg : b->max_total_us;
		bool every = b->guest[0] ? !strcmp(b->guest, SC_EVERY) :
					   b->node < 0;
		char who[64], where[64], key[96], what[128], x[32], y[32];
		const char *worst_name = NULL;
		uint64_t worst = 0, v;
		struct oc_check *c;

		if (b->guest[0]) {
			snprintf(who, sizeof(who), "guests.%s", b->guest);
			snprintf(where, sizeof(where), "guest %s", b->guest);
		} else if (every) {
			snprintf(who, sizeof(who), "nodes.%s", SC_EVERY);
		} else {
			snprintf(who, sizeof(who), "nodes.%d", b->node);
			snprintf(where, sizeof(where), "node %d", b->node);
		}
		if (every)
			snprintf(where, sizeof(where), "every %s",
				 b->guest[0] ? "guest" : "node");
		snprintf(key, sizeof(key), "expect.pressure.%s.%s.%s", who,
			 psi_state_name(b->state), fig);
		snprintf(what, sizeof(what), "%s: %s %s <= %s", where,
			 psi_state_name(b->state), fig,
			 pressure_str(b, max, x, sizeof(x)));
		c = add(cs, key, what);
		for (unsigned int g = 0; b->guest[0] && g < r->nr_guests; g++) {
			const struct oc_guest *og = &r->guest[g];

			if ((every || !strcmp(b->guest, og->spec->name)) &&
			    og->psi.sampled &&
			    (v = pressure_figure(&og->psi, b)) >= worst) {
				worst = v;
				worst_name = og->spec->name;
			}
		}
		for (unsigned int n = 0; !b->guest[0] && n < r->nr_nodes; n++)
			if ((every || (int)n == b->node) &&
			    r->node_psi[n].sampled &&
			    (v = pressure_figure(&r->node_psi[n], b)) >=
				    worst) {
				worst = v;
				snprintf(who, sizeof(who), "node %u", n);
				worst_name = who;
			}
		if (!worst_name) {
			observed(c, true, "nothing to measure (never ran)");
			c->value = json_null();
			continue;
		}
		observed(c, worst <= max, "%s%s%s%s",
			 pressure_str(b, worst, y, sizeof(y)),
			 b->avg >= 0 ? " at the highest sample" : " at the end",
			 every ? ", the most: " : "", every ? worst_name : "");
		c->value = b->avg >= 0 ? json_real(worst / 100.0) :
					 json_integer(worst);
	}
}

void oc_expect(struct oc_result *r, struct oc_checks *cs)
{
	memset(cs, 0, sizeof(*cs));
	check_run(r, cs);
	check_oom(r, cs);
	check_guests(r, cs);
	check_latency(r, cs);
	check_memory(r, cs);
	check_pressure(r, cs);
	for (unsigned int i = 0; i < cs->n; i++)
		cs->failed += !cs->c[i].pass;
}

void oc_checks_free(struct oc_checks *cs)
{
	for (unsigned int i = 0; i < cs->n; i++)
		json_decref(cs->c[i].value);
	cs->n = 0;
}
