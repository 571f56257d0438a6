// SPDX-License-Identifier: GPL-2.0
/*
 * Memory pressure commands of the control socket (docs/pressure.md):
 * query-pressure (each guest's and pool node's PSI, as numbers and as
 * /proc/pressure/memory's text), pressure-trigger and
 * pressure-trigger-delete (PSI triggers, which fire PRESSURE events).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/ctl/cmd.h"
#include "vmm/host/host.h"

json_t *ctl_pressure_json(const struct psi_stats *st)
{
	json_t *o = json_object();

	for (int s = 0; s < NR_PSI_STATES; s++)
		json_object_set_new(
			o, psi_state_name(s),
			json_pack("{s:f,s:f,s:f,s:I}", "avg10",
				  psi_avg_percent(st->avg[s][PSI_AVG10]),
				  "avg60",
				  psi_avg_percent(st->avg[s][PSI_AVG60]),
				  "avg300",
				  psi_avg_percent(st->avg[s][PSI_AVG300]),
				  "total-us", (json_int_t)st->total_us[s]));
	return o;
}

/* /proc/pressure/memory's two lines, as one string. */
static json_t *pressure_text(const struct psi_stats *st)
{
	struct ctl_text t;

	if (!ctl_text_open(&t))
		return NULL;
	psi_show(st, t.f);
	return ctl_text_close(&t);
}

/* A group's figures, text and triggers into o. */
static void group_json(json_t *o, struct psi_group *g,
		       const struct psi_stats *st)
{
	struct psi_trigger t[PSI_GROUP_TRIGGERS];
	unsigned int n = psi_trigger_list(g, t, PSI_GROUP_TRIGGERS);
	json_t *triggers = json_array();

	json_t *figures = ctl_pressure_json(st);

	json_object_update(o, figures);
	json_decref(figures);
	json_object_set_new(o, "text", pressure_text(st));
	for (unsigned int i = 0; i < n && i < PSI_GROUP_TRIGGERS; i++)
		json_array_append_new(
			triggers,
			json_pack("{s:i,s:s,s:I,s:I}", "trigger", (int)t[i].id,
				  "kind", psi_state_name(t[i].state),
				  "threshold-us",
				  (json_int_t)(t[i].threshold / 1000),
				  "window-us",
				  (json_int_t)(t[i].win.size / 1000)));
	json_object_set_new(o, "triggers", triggers);
}

static json_t *guest_pressure(struct vmm_host *h, struct vm *vm)
{
	json_t *o = json_pack("{s:i,s:s}", "id", (int)vm->id, "name", vm->name);
	struct psi_stats st;

	if (host_guest_pressure(h, vm->id, &st))
		return NULL;
	group_json(o, &vm->psi, &st);
	return o;
}

static json_t *node_pressure(struct vmm_host *h, int nid)
{
	json_t *o = json_pack("{s:i}", "node", nid);
	struct psi_stats st;

	host_node_pressure(h, nid, &st);
	group_json(o, &h->pressure.node[nid], &st);
	return o;
}

static const struct ctl_arg query_args[] = {
	{ "guest", CTL_ARG_GUEST, true },
	{ "node", CTL_ARG_INT, true },
	{ NULL },
};

/* Every guest and node, or the guest and/or node named. */
static int cmd_query_pressure(struct ctl_req *req, json_t *args, json_t **ret,
			      struct ctl_error *e)
{
	struct vmm_host *h = ctl_host(req->s);
	json_t *guest = json_object_get(args, "guest");
	json_t *node = json_object_get(args, "node");
	json_t *guests = json_array(), *nodes = json_array();
	struct vm *vm = NULL, *all[VMM_MAX_GUESTS];
	unsigned int nr = 0;
	int nid = -1;

	if (guest && !(vm = ctl_find_guest(req->s, guest, e)))
		goto fail;
	if (node && (nid = ctl_node_arg(req->s, node, e)) < 0)
		goto fail;
	/* Guests are freed only on this thread: they stay. */
	if (vm) {
		all[nr++] = vm;
	} else if (!node) {
		pthread_mutex_lock(&h->lock);
		for (unsigned int slot = 1; slot <= VMM_MAX_GUESTS; slot++)
			if (h->vm[slot])
				all[nr++] = h->vm[slot];
		pthread_mutex_unlock(&h->lock);
	}
	for (unsigned int i = 0; i < nr; i++)
		json_array_append_new(guests, guest_pressure(h, all[i]));
	if (node)
		json_array_append_new(nodes, node_pressure(h, nid));
	else if (!guest)
		for (unsigned int n = 0; n < h->pool->nr_nodes; n++)
			json_array_append_new(nodes, node_pressure(h, (int)n));
	*ret = json_pack("{s:o,s:o}", "guests", guests, "nodes", nodes);
	return 0;
fail:
	json_decref(guests);
	json_decref(nodes);
	return -1;
}

static const struct ctl_arg trigger_args[] = {
	{ "guest", CTL_ARG_GUEST, true },
	{ "node", CTL_ARG_INT, true },
	{ "kind", CTL_ARG_STRING, false },
	{ "threshold-us", CTL_ARG_INT, false },
	{ "window-us", CTL_ARG_INT, false },
	{ NULL },
};

static int cmd_pressure_trigger(struct ctl_req *req, json_t *args, json_t **ret,
				struct ctl_error *e)
{
	struct vmm_host *h = ctl_host(req->s);
	json_t *guest = json_object_get(args, "guest");
	json_t *node = json_object_get(args, "node");
	const char *kind = json_string_value(json_object_get(args, "kind"));
	json_int_t thr =
		json_integer_value(json_object_get(args, "threshold-us"));
	json_int_t win = json_integer_value(json_object_get(args, "window-us"));
	int state = psi_state_lookup(kind), nid = -1, rc;
	unsigned int trigger;
	struct vm *vm = NULL;

	if (!guest == !node)
		return ctl_fail(e, CTL_ERR_GENERIC,
				"name a guest or a node (one of them)");
	if (guest && !(vm = ctl_find_guest(req->s, guest, e)))
		return -1;
	if (node && (nid = ctl_node_arg(req->s, node, e)) < 0)
		return -1;
	if (state < 0)
		return ctl_fail(e, CTL_ERR_GENERIC, "kind '%s': some or full",
				kind);
	if (win < (json_int_t)PSI_WINDOW_MIN_US ||
	    win > (json_int_t)PSI_WINDOW_MAX_US)
		return ctl_fail(
			e, CTL_ERR_GENERIC,
			"window-us %" JSON_INTEGER_FORMAT
			": a window of %llu to %llu microseconds (500 ms to 10 s)",
			win, PSI_WINDOW_MIN_US, PSI_WINDOW_MAX_US);
	if (thr <= 0 || thr > win)
		return ctl_fail(e, CTL_ERR_GENERIC,
				"threshold-us %" JSON_INTEGER_FORMAT
				": more than 0, and at most the window",
				thr);
	rc = host_pressure_trigger_add(h, vm ? vm->id : 0, nid, state,
				       (uint64_t)thr, (uint64_t)win, &trigger);
	if (rc == -ENOSPC)
		return ctl_fail(e, CTL_ERR_GENERIC,
				"%s has %d triggers already",
				vm ? vm->name : "the node", PSI_GROUP_TRIGGERS);
	if (rc)
		return ctl_fail(e, CTL_ERR_GENERIC, "trigger: %s",
				strerror(-rc));
	*ret = json_pack("{s:i,s:s,s:I,s:I}", "trigger", (int)trigger, "kind",
			 kind, "threshold-us", thr, "window-us", win);
	if (vm) {
		json_object_set_new(*ret, "id", json_integer(vm->id));
		json_object_set_new(*ret, "name", json_string(vm->name));
	} else {
		json_object_set_new(*ret, "node", json_integer(nid));
	}
	return 0;
}

static const struct ctl_arg trigger_delete_args[] = {
	{ "trigger", CTL_ARG_INT, false },
	{ NULL },
};

static int cmd_pressure_trigger_delete(struct ctl_req *req, json_t *args,
				       json_t **ret, struct ctl_error *e)
{
	json_int_t id = json_integer_value(json_object_get(args, "trigger"));

	(void)ret;
	if (id <= 0 || id > UINT32_MAX ||
	    host_pressure_trigger_del(ctl_host(req->s), (unsigned int)id))
		return ctl_fail(e, CTL_ERR_GENERIC,
				"no trigger %" JSON_INTEGER_FORMAT, id);
	return 0;
}

const struct ctl_cmd ctl_pressure_cmds[] = {
	{ "query-pressure", cmd_query_pressure, query_args,
	  "memory pressure stall information of each guest and pool node, as /proc/pressure/memory" },
	{ "pressure-trigger", cmd_pressure_trigger, trigger_args,
	  "a PSI trigger on a guest or node: a PRESSURE event when threshold-us of stall accumulate within window-us" },
	{ "pressure-trigger-delete", cmd_pressure_trigger_delete,
	  trigger_delete_args, "remove a PSI trigger" },
	{ NULL },
};
