// SPDX-License-Identifier: GPL-2.0
/*
 * Host events as the control socket sends them (docs/control.md):
 *
 *   {"event": "GUEST_STOPPED", "data": {...},
 *    "timestamp": {"seconds": 1700000000, "microseconds": 123456}}
 *
 * Memory is in bytes, durations in nanoseconds, keys in QMP's
 * lower-case-with-dashes.
 */
#include <ctype.h>
#include <string.h>

#include "mm/mm.h"
#include "vmm/ctl/cmd.h"
#include "vmm/host/compact.h"
#include "vmm/host/events.h"

static const char *const exit_codes[NR_VM_EXIT_REASONS] = {
#define X(name, text) [VM_EXIT_##name] = #name,
	VM_EXIT_REASONS(X)
#undef X
};

/* VM_EXIT_OOM_KILL -> "oom-kill": the reason for programs. */
static json_t *exit_code(enum vm_exit_reason why)
{
	char buf[32];
	const char *n = why < NR_VM_EXIT_REASONS ? exit_codes[why] : "NONE";
	size_t i;

	for (i = 0; i < sizeof(buf) - 1 && n[i]; i++)
		buf[i] = n[i] == '_' ? '-' : (char)tolower((unsigned char)n[i]);
	buf[i] = 0;
	return json_string(buf);
}

static const char *const compact_results[] = {
	[COMPACT_NOT_SUITABLE_ZONE] = "not-suitable-zone",
	[COMPACT_SKIPPED] = "skipped",
	[COMPACT_DEFERRED] = "deferred",
	[COMPACT_NO_SUITABLE_PAGE] = "no-suitable-page",
	[COMPACT_CONTINUE] = "continue",
	[COMPACT_COMPLETE] = "complete",
	[COMPACT_PARTIAL_SKIPPED] = "partial-skipped",
	[COMPACT_CONTENDED] = "contended",
	[COMPACT_SUCCESS] = "success",
};

const char *compact_result_name(int result)
{
	return result >= 0 && (size_t)result < ARRAY_SIZE(compact_results) &&
			       compact_results[result] ?
		       compact_results[result] :
		       "unknown";
}

static const char *const compact_kinds[] = {
	[HOST_COMPACT_DIRECT] = "direct",
	[HOST_COMPACT_KCOMPACTD] = "kcompactd",
	[HOST_COMPACT_PROACTIVE] = "proactive",
	[HOST_COMPACT_MANUAL] = "manual",
};

/* Text from outside (a guest's panic message) may not be UTF-8. */
static json_t *text(const char *s)
{
	char buf[HOST_EVENT_TEXT];
	json_t *j = json_string(s);

	if (j)
		return j;
	snprintf(buf, sizeof(buf), "%s", s);
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
	return json_string(buf);
}

static json_t *bytes(uint64_t pages)
{
	return json_integer((json_int_t)(pages << PAGE_SHIFT));
}

static json_t *guest_data(const struct host_event *ev)
{
	return json_pack("{s:i,s:o}", "id", (int)ev->guest, "name",
			 text(ev->name));
}

/* The guest that made it happen, where one did (its fault). */
static void guest_of(json_t *d, const struct host_event *ev)
{
	if (!ev->guest)
		return;
	json_object_set_new(d, "id", json_integer(ev->guest));
	json_object_set_new(d, "name", text(ev->name));
}

static json_t *data_of(const struct host_event *ev)
{
	json_t *d = NULL;

	switch (ev->type) {
	case HEV_GUEST_STARTED:
		d = guest_data(ev);
		json_object_set_new(d, "mem",
				    json_integer(ev->started.mem_bytes));
		json_object_set_new(d, "vcpus",
				    json_integer(ev->started.vcpus));
		json_object_set_new(d, "nodes",
				    json_integer(ev->started.vnodes));
		break;
	case HEV_GUEST_STOPPED:
		d = guest_data(ev);
		json_object_set_new(d, "reason", exit_code(ev->stopped.reason));
		json_object_set_new(
			d, "description",
			json_string(vm_exit_reason_name(ev->stopped.reason)));
		json_object_set_new(d, "detail", text(ev->text));
		json_object_set_new(d, "exit-status",
				    json_integer(ev->stopped.exit_status));
		json_object_set_new(d, "integrity",
				    json_string(!ev->stopped.integrity_ok ?
							"failed" :
						ev->stopped.integrity_checked ?
							"ok" :
							"not checked"));
		json_object_set_new(d, "peak",
				    json_integer(ev->stopped.peak_bytes));
		break;
	case HEV_OOM_KILL:
		d = guest_data(ev);
		json_object_set_new(d, "frames", json_integer(ev->oom.frames));
		json_object_set_new(d, "bytes", bytes(ev->oom.frames));
		json_object_set_new(d, "badness",
				    json_integer(ev->oom.badness));
		json_object_set_new(d, "oom-score-adj",
				    json_integer(ev->oom.oom_score_adj));
		json_object_set_new(d, "order", json_integer(ev->oom.order));
		json_object_set_new(d, "detail", text(ev->text));
		break;
	case HEV_KSWAPD_WAKE:
		d = json_pack("{s:i,s:o,s:o,s:o}", "node", ev->kswapd_wake.node,
			      "free", bytes(ev->kswapd_wake.free), "low",
			      bytes(ev->kswapd_wake.low), "high",
			      bytes(ev->kswapd_wake.high));
		break;
	case HEV_KSWAPD_SLEEP:
		d = json_pack("{s:i,s:o,s:o,s:I}", "node",
			      ev->kswapd_sleep.node, "free",
			      bytes(ev->kswapd_sleep.free), "reclaimed",
			      bytes(ev->kswapd_sleep.reclaimed), "duration-ns",
			      (json_int_t)ev->kswapd_sleep.ns);
		break;
	case HEV_DIRECT_RECLAIM:
		d = json_pack("{s:o,s:I}", "reclaimed",
			      bytes(ev->direct.reclaimed), "duration-ns",
			      (json_int_t)ev->direct.ns);
		guest_of(d, ev);
		break;
	case HEV_BALLOON_CHANGE:
		d = guest_data(ev);
		json_object_set_new(d, "target", bytes(ev->balloon.target));
		json_object_set_new(d, "actual", bytes(ev->balloon.actual));
		break;
	case HEV_COMPACTION: {
		const struct host_compact_event *c = &ev->compact;

		d = json_pack("{s:s,s:s,s:i,s:i}", "kind",
			      c->kind < ARRAY_SIZE(compact_kinds) ?
				      compact_kinds[c->kind] :
				      "unknown",
			      "phase", c->end ? "end" : "begin", "node",
			      c->node, "order", c->order);
		if (c->score >= 0)
			json_object_set_new(d, "score", json_integer(c->score));
		guest_of(d, ev);
		if (!c->end)
			break;
		if (c->result >= 0)
			json_object_set_new(
				d, "result",
				json_string(compact_result_name(c->result)));
		json_object_set_new(d, "duration-ns",
				    json_integer(c->duration_ns));
		if (c->kind == HOST_COMPACT_MANUAL) {
			json_object_set_new(d, "migrated",
					    json_integer(c->migrated));
			json_object_set_new(d, "failed",
					    json_integer(c->failed));
			json_object_set_new(d, "free-in-blocks",
					    json_integer(c->free_in_blocks));
		}
		break;
	}
	case HEV_TRACE:
		d = json_pack("{s:s,s:o}", "state", ev->trace.on ? "on" : "off",
			      "file", text(ev->text));
		if (!ev->trace.on) {
			json_object_set_new(d, "events",
					    json_integer(ev->trace.events));
			json_object_set_new(d, "lost",
					    json_integer(ev->trace.lost));
		}
		if (ev->trace.error)
			json_object_set_new(
				d, "error",
				json_string(strerror(-ev->trace.error)));
		break;
	case HEV_SHUTDOWN:
		d = json_pack("{s:o}", "reason", text(ev->text));
		break;
	case HEV_PRESSURE: {
		const struct psi_trigger_event *pe = &ev->pressure.ev;

		d = json_pack("{s:i,s:s,s:I,s:I,s:I,s:I}", "trigger",
			      (int)pe->id, "kind", psi_state_name(pe->state),
			      "threshold-us", (json_int_t)pe->threshold_us,
			      "window-us", (json_int_t)pe->window_us,
			      "stall-us", (json_int_t)pe->growth_us, "total-us",
			      (json_int_t)pe->total_us);
		if (ev->guest)
			guest_of(d, ev);
		else
			json_object_set_new(d, "node",
					    json_integer(ev->pressure.node));
		break;
	}
	case NR_HOST_EVENTS:
		break;
	}
	return d ? d : json_object();
}

json_t *ctl_event_new(const char *name, json_t *data, uint64_t wall_ns)
{
	struct timespec ts;

	if (!wall_ns) {
		clock_gettime(CLOCK_REALTIME, &ts);
		wall_ns = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	}
	return json_pack("{s:s,s:o,s:{s:I,s:I}}", "event", name, "data",
			 data ? data : json_object(), "timestamp", "seconds",
			 (json_int_t)(wall_ns / 1000000000ULL), "microseconds",
			 (json_int_t)(wall_ns / 1000 % 1000000));
}

json_t *ctl_event_json(const struct host_event *ev)
{
	return ctl_event_new(host_event_name(ev->type), data_of(ev),
			     ev->wall_ns);
}

const char *ctl_event_name(int type)
{
	return type == CTL_EVENTS_DROPPED ? "EVENTS_DROPPED" :
					    host_event_name(type);
}

int ctl_event_lookup(const char *name)
{
	for (int t = 0; t < NR_CTL_EVENTS; t++)
		if (!strcmp(ctl_event_name(t), name))
			return t;
	return -1;
}
