// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's command table, argument checking, and the commands
 * about the protocol and the host itself: qmp_capabilities,
 * query-version, query-status, query-commands, query-events, quit.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mm/mm.h"
#include "vmm/ctl/cmd.h"
#include "vmm/host/host.h"
#include "vmm/host/events.h"
#include "util/size.h"
#include "util/version.h"

static const char *const class_names[] = {
	[CTL_ERR_GENERIC] = "GenericError",
	[CTL_ERR_COMMAND_NOT_FOUND] = "CommandNotFound",
	[CTL_ERR_DEVICE_NOT_FOUND] = "DeviceNotFound",
};

const char *ctl_error_class_name(enum ctl_error_class cls)
{
	return cls < ARRAY_SIZE(class_names) ? class_names[cls] :
					       "GenericError";
}

int ctl_fail(struct ctl_error *e, enum ctl_error_class cls, const char *fmt,
	     ...)
{
	va_list ap;

	e->cls = cls;
	va_start(ap, fmt);
	vsnprintf(e->desc, sizeof(e->desc), fmt, ap);
	va_end(ap);
	return -1;
}

static const struct ctl_cmd *const tables[] = {
	ctl_core_cmds,	   ctl_guest_cmds,    ctl_stats_cmds,
	ctl_validate_cmds, ctl_pressure_cmds,
};

const struct ctl_cmd *ctl_cmd_find(const char *name)
{
	for (size_t t = 0; t < ARRAY_SIZE(tables); t++)
		for (const struct ctl_cmd *c = tables[t]; c->name; c++)
			if (!strcmp(c->name, name))
				return c;
	return NULL;
}

static const char *type_name(enum ctl_arg_type t)
{
	switch (t) {
	case CTL_ARG_STRING:
		return "string";
	case CTL_ARG_INT:
		return "integer";
	case CTL_ARG_BOOL:
		return "boolean";
	case CTL_ARG_SIZE:
		return "size (integer or string)";
	case CTL_ARG_GUEST:
		return "guest (id or name)";
	case CTL_ARG_STRINGS:
		return "array of strings";
	case CTL_ARG_DURATION:
		return "duration (seconds, or a string like '500ms')";
	}
	return "?";
}

static bool type_ok(enum ctl_arg_type t, json_t *v)
{
	size_t i;
	json_t *x;

	switch (t) {
	case CTL_ARG_STRING:
		return json_is_string(v);
	case CTL_ARG_INT:
		return json_is_integer(v);
	case CTL_ARG_BOOL:
		return json_is_boolean(v);
	case CTL_ARG_SIZE:
		return (json_is_integer(v) && json_integer_value(v) >= 0) ||
		       json_is_string(v);
	case CTL_ARG_GUEST:
		return (json_is_integer(v) && json_integer_value(v) > 0) ||
		       json_is_string(v);
	case CTL_ARG_DURATION:
		return (json_is_integer(v) && json_integer_value(v) >= 0) ||
		       json_is_string(v);
	case CTL_ARG_STRINGS:
		if (!json_is_array(v))
			return false;
		json_array_foreach(v, i, x)
			if (!json_is_string(x))
				return false;
		return true;
	}
	return false;
}

int ctl_check_args(const struct ctl_cmd *cmd, json_t *args, struct ctl_error *e)
{
	const char *key;
	json_t *v;

	json_object_foreach(args, key, v) {
		const struct ctl_arg *a = cmd->args;
		struct ctl_arg more;

		while (a && a->name && strcmp(a->name, key))
			a++;
		if ((!a || !a->name) && cmd->more_args &&
		    cmd->more_args(key, &more))
			a = &more;
		if (!a || !a->name)
			return ctl_fail(e, CTL_ERR_GENERIC,
					"Parameter '%s' is unexpected", key);
		if (!type_ok(a->type, v))
			return ctl_fail(
				e, CTL_ERR_GENERIC,
				"Invalid parameter type for '%s', expected: %s",
				key, type_name(a->type));
	}
	for (const struct ctl_arg *a = cmd->args; a && a->name; a++)
		if (!a->optional && !json_object_get(args, a->name))
			return ctl_fail(e, CTL_ERR_GENERIC,
					"Parameter '%s' is missing", a->name);
	return 0;
}

int ctl_arg_size(json_t *v, const char *name, uint64_t *out,
		 struct ctl_error *e)
{
	if (json_is_integer(v)) {
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (parse_size(json_string_value(v), out))
		return ctl_fail(
			e, CTL_ERR_GENERIC,
			"Parameter '%s': '%s' is not a size (bytes, or with K/M/G/T)",
			name, json_string_value(v));
	return 0;
}

int ctl_arg_duration(json_t *v, const char *name, uint64_t *ns,
		     struct ctl_error *e)
{
	if (json_is_integer(v)) {
		if (json_integer_value(v) >
		    (json_int_t)(UINT64_MAX / 1000000000))
			return ctl_fail(e, CTL_ERR_GENERIC,
					"Parameter '%s': too long", name);
		*ns = (uint64_t)json_integer_value(v) * 1000000000;
		return 0;
	}
	if (parse_duration_ns(json_string_value(v), ns))
		return ctl_fail(
			e, CTL_ERR_GENERIC,
			"Parameter '%s': '%s' is not a duration (a number with ns, us, ms, s or m)",
			name, json_string_value(v));
	return 0;
}

int ctl_node_arg(struct ctl_server *s, json_t *v, struct ctl_error *e)
{
	unsigned int nr = ctl_host(s)->pool->nr_nodes;
	json_int_t nid = json_integer_value(v);

	if (nid < 0 || nid >= nr)
		return ctl_fail(e, CTL_ERR_GENERIC,
				"node %" JSON_INTEGER_FORMAT
				": the pool has nodes 0..%u",
				nid, nr - 1);
	return (int)nid;
}

FILE *ctl_text_open(struct ctl_text *t)
{
	t->buf = NULL;
	t->len = 0;
	t->f = open_memstream(&t->buf, &t->len);
	return t->f;
}

json_t *ctl_text_close(struct ctl_text *t)
{
	json_t *j = NULL;

	if (!fclose(t->f))
		j = json_stringn(t->buf, t->len);
	free(t->buf);
	return j;
}

struct vm *ctl_find_guest(struct ctl_server *s, json_t *v, struct ctl_error *e)
{
	struct vmm_host *h = ctl_host(s);
	struct vm *found = NULL;

	pthread_mutex_lock(&h->lock);
	for (unsigned int slot = 1; slot <= VMM_MAX_GUESTS && !found; slot++) {
		struct vm *vm = h->vm[slot];

		if (!vm)
			continue;
		if (json_is_integer(v) ?
			    json_integer_value(v) == vm->id :
			    !strcmp(vm->name, json_string_value(v)))
			found = vm;
	}
	pthread_mutex_unlock(&h->lock);
	if (!found) {
		/* Ids are never reused: an old one names nobody now. */
		if (json_is_integer(v))
			ctl_fail(e, CTL_ERR_DEVICE_NOT_FOUND,
				 "no such guest: id %lld",
				 (long long)json_integer_value(v));
		else
			ctl_fail(e, CTL_ERR_DEVICE_NOT_FOUND,
				 "no such guest: '%s'", json_string_value(v));
	}
	return found;
}

/* ------------------------------------------------------------------ */

static const struct ctl_arg caps_args[] = {
	{ "enable", CTL_ARG_STRINGS, true },
	{ NULL },
};

/* Optional here (QMP requires it): nothing to negotiate yet. */
static int cmd_capabilities(struct ctl_req *req, json_t *args, json_t **ret,
			    struct ctl_error *e)
{
	json_t *list = json_object_get(args, "enable"), *v;
	size_t i;

	(void)req, (void)ret;
	json_array_foreach(list, i, v)
		return ctl_fail(e, CTL_ERR_GENERIC,
				"Capability '%s' not available",
				json_string_value(v));
	return 0;
}

static json_t *version(void)
{
	return json_pack("{s:{s:i,s:i,s:i},s:s}", "vmm", "major",
			 VMM_VERSION_MAJOR, "minor", VMM_VERSION_MINOR, "micro",
			 VMM_VERSION_MICRO, "package", "vmm " VMM_VERSION);
}

static int cmd_query_version(struct ctl_req *req, json_t *args, json_t **ret,
			     struct ctl_error *e)
{
	(void)req, (void)args, (void)e;
	*ret = version();
	return 0;
}

static int cmd_query_status(struct ctl_req *req, json_t *args, json_t **ret,
			    struct ctl_error *e)
{
	struct ctl_server *s = req->s;
	struct vmm_host *h = ctl_host(s);
	const struct ctl_ops *ops = ctl_ops(s);
	bool quitting = ops->quitting && ops->quitting(ops->priv);
	struct pool_footprint fp = { 0 };
	const char *trace = host_trace_path(h);

	(void)args, (void)e;
	pool_footprint(h->pool, &fp);
	*ret = json_pack(
		"{s:s,s:b,s:s,s:s,s:i,s:I,s:s,s:i,s:i,s:{s:I,s:i,s:I,s:I,s:I,s:b},s:o,s:b}",
		"status", quitting ? "shutting-down" : "running", "running",
		!quitting, "mode", ops->mode, "version", VMM_VERSION, "pid",
		(int)getpid(), "uptime-ms",
		(json_int_t)((trace_clock_ns() - ctl_start_ns(s)) / 1000000),
		"socket", ctl_socket_path(s), "clients", (int)ctl_nr_clients(s),
		"guests", (int)host_nr_running(h), "pool", "size",
		(json_int_t)h->pool->size, "nodes", (int)h->pool->nr_nodes,
		"free", (json_int_t)mm_nr_free_pages(h->pool) << PAGE_SHIFT,
		"host-resident", (json_int_t)fp.resident_bytes, "host-returned",
		(json_int_t)fp.returned_bytes, "hugepages", h->pool->hugepages,
		"trace", trace ? json_string(trace) : json_null(), "compaction",
		host_compaction_available(h));
	return 0;
}

static int cmd_query_commands(struct ctl_req *req, json_t *args, json_t **ret,
			      struct ctl_error *e)
{
	json_t *list = json_array();

	(void)req, (void)args, (void)e;
	for (size_t t = 0; t < ARRAY_SIZE(tables); t++)
		for (const struct ctl_cmd *c = tables[t]; c->name; c++)
			json_array_append_new(list, json_pack("{s:s,s:s}",
							      "name", c->name,
							      "help", c->help));
	*ret = list;
	return 0;
}

static int cmd_query_events(struct ctl_req *req, json_t *args, json_t **ret,
			    struct ctl_error *e)
{
	json_t *list = json_array();

	(void)req, (void)args, (void)e;
	for (int t = 0; t < NR_CTL_EVENTS; t++)
		json_array_append_new(list, json_pack("{s:s}", "name",
						      ctl_event_name(t)));
	*ret = list;
	return 0;
}

static const struct ctl_arg watch_args[] = {
	{ "events", CTL_ARG_STRINGS, true },
	{ NULL },
};

/*
 * This connection listens: no idle time-out, never closed to make room
 * for a new client; only the events named (default: all).  Again: a new
 * choice of events.
 */
static int cmd_watch_events(struct ctl_req *req, json_t *args, json_t **ret,
			    struct ctl_error *e)
{
	json_t *list = json_object_get(args, "events"), *v;
	uint64_t mask = list ? 0 : ~0ULL;
	size_t i;

	(void)ret;
	json_array_foreach(list, i, v) {
		int t = ctl_event_lookup(json_string_value(v));

		if (t < 0)
			return ctl_fail(
				e, CTL_ERR_GENERIC,
				"no event '%s' (query-events lists them)",
				json_string_value(v));
		mask |= 1ULL << t;
	}
	return ctl_watch(req->s, req->client, mask, e);
}

static const struct ctl_arg quit_args[] = {
	{ "timeout", CTL_ARG_DURATION, true },
	{ NULL },
};

/* Guests are asked to shut down, and killed after 'timeout' (vmm's
 * --shutdown-timeout; 0: stopped at once). */
static int cmd_quit(struct ctl_req *req, json_t *args, json_t **ret,
		    struct ctl_error *e)
{
	const struct ctl_ops *ops = ctl_ops(req->s);
	const char *why = "quit over the control socket";
	uint64_t timeout = ctl_host(req->s)->cfg.shutdown_timeout_ns;
	json_t *t = json_object_get(args, "timeout");

	(void)ret;
	if (t && ctl_arg_duration(t, "timeout", &timeout, e))
		return -1;
	host_event_shutdown(ctl_host(req->s), why);
	ops->quit(ops->priv, why, timeout);
	return 0;
}

static const struct ctl_arg no_args[] = { { NULL } };

const struct ctl_cmd ctl_core_cmds[] = {
	{ "qmp_capabilities", cmd_capabilities, caps_args,
	  "negotiate capabilities (optional; none are offered)" },
	{ "query-version", cmd_query_version, no_args, "vmm's version" },
	{ "query-status", cmd_query_status, no_args,
	  "the host: mode, uptime, pool, guests, clients, tracing" },
	{ "query-commands", cmd_query_commands, no_args,
	  "the commands, with one line of help each" },
	{ "query-events", cmd_query_events, no_args,
	  "the events a client may receive" },
	{ "watch-events", cmd_watch_events, watch_args,
	  "this connection listens for events (only those of 'events', names from query-events): no idle time-out" },
	{ "quit", cmd_quit, quit_args,
	  "ask every guest to shut down (killed after 'timeout', --shutdown-timeout; 0: at once) and end vmm (the reply comes first)" },
	{ NULL },
};
