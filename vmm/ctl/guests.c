// SPDX-License-Identifier: GPL-2.0
/*
 * Guest commands of the control socket: query-guests, guest-launch,
 * guest-stop, guest-kill, balloon-set.
 *
 * A launch is checked at once (the same rules as --guest), then the guest
 * is created on the worker thread (its boot memory may wait for reclaim,
 * which this loop serves) and started back on the loop, where the reply
 * goes out.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/virtio/balloon.h"
#include "mm/mm.h"
#include "vmm/ctl/cmd.h"
#include "vmm/guest_mem/guest_mem.h"
#include "vmm/host/host.h"
#include "vmm/host/balloon.h"
#include "vmm/config/option.h"
#include "vmm/config/options.h"
#include "util/size.h"

/* ------------------------------------------------------------------ */
/* query-guests                                                         */

/* The balloon as balloon-set and query-guests show it (bytes). */
static json_t *balloon_json(struct vm *vm, struct vm_balloon *b)
{
	struct balloon_info bi;

	balloon_get_info(&b->vb, &bi);
	return json_pack("{s:I,s:I,s:I,s:I,s:s}", "target",
			 (json_int_t)bi.target << PAGE_SHIFT, "actual",
			 (json_int_t)bi.actual << PAGE_SHIFT, "user-target",
			 (json_int_t)b->user_target << PAGE_SHIFT, "mem",
			 (json_int_t)(vm->ram_size -
				      ((uint64_t)bi.target << PAGE_SHIFT)),
			 "driver",
			 bi.needs_reset ? "needs-reset" :
			 bi.driver_ok	? "ok" :
					  "none");
}

static json_t *guest_json(struct vmm_host *h, struct vm *vm,
			  struct vm_balloon *b)
{
	struct guest_mem_stats ms = { 0 };
	struct host_guest_swap sw;
	struct guest_mem *mem = vm->mem;
	char detail[VM_DETAIL_MAX];
	enum vm_exit_reason why = vm_exit_reason(vm, detail, sizeof(detail));
	json_t *g, *nodes = json_array(), *pnodes = json_array(), *balloon;
	uint64_t ballooned = 0;
	struct psi_stats psi;

	if (mem)
		guest_mem_get_stats(mem, &ms);
	for (unsigned int n = 0; n < vm->nr_nodes; n++)
		json_array_append_new(
			nodes, json_pack("{s:i,s:i,s:I,s:I}", "node", (int)n,
					 "pool-node", vm->pnode[n], "start",
					 (json_int_t)vm->node[n].start, "size",
					 (json_int_t)vm->node[n].size));
	for (unsigned int k = 0; mem && k < h->pool->nr_nodes; k++)
		json_array_append_new(
			pnodes,
			json_pack("{s:i,s:I}", "node", (int)k, "faulted-in",
				  (json_int_t)READ_ONCE(mem->pages_node[k])
					  << PAGE_SHIFT));
	if (b) {
		balloon = balloon_json(vm, b);
		ballooned = (uint64_t)json_integer_value(
			json_object_get(balloon, "actual"));
	} else {
		balloon = json_null();
	}
	g = json_pack(
		"{s:i,s:s,s:s,s:i,s:i,s:b,s:I,s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I},s:o,s:o,s:o}",
		"id", (int)vm->id, "name", vm->name, "state",
		why != VM_EXIT_NONE	  ? "stopping" :
		vm_shutdown_requested(vm) ? "shutting-down" :
					    "running",
		"vcpus", (int)vm->nr_vcpus, "oom-score-adj",
		vm->spec.oom_score_adj, "strict", vm->spec.strict, "uptime-ms",
		(json_int_t)((vm_now_ns() - vm->start_ns) / 1000000), "memory",
		"size", (json_int_t)vm->ram_size, "faulted-in",
		(json_int_t)(ms.pages << PAGE_SHIFT), "peak",
		(json_int_t)(ms.peak_pages << PAGE_SHIFT), "huge-2m",
		(json_int_t)(ms.huge_maps << (PAGE_SHIFT + pageblock_order)),
		"pinned", (json_int_t)vm->spec.pinned_bytes, "ballooned",
		(json_int_t)ballooned, "faults", (json_int_t)ms.faults,
		"balloon", balloon, "nodes", nodes, "pool-nodes", pnodes);
	/* Its memory pressure (query-pressure has the rest).  h->lock
	 * held: the group itself, not host_guest_pressure(). */
	psi_group_read(&vm->psi, clock_now_ns(&clock_monotonic), &psi);
	if (g)
		json_object_set_new(g, "pressure", ctl_pressure_json(&psi));
	/* The cold tier: what it holds of the guest now (VmSwap), the
	 * pages it took and gave back, and its bound (swap=, null: none). */
	if (g) {
		json_t *m = json_object_get(g, "memory");

		json_object_set_new(
			m, "swapped",
			json_integer((json_int_t)(ms.swapped << PAGE_SHIFT)));
		json_object_set_new(m, "swap-out",
				    json_integer((json_int_t)ms.swap_out));
		json_object_set_new(m, "swap-in",
				    json_integer((json_int_t)ms.swap_in));
		/* What its pages take there (compressed in the stores, in
		 * the swap file) and what its faults brought back. */
		__host_vm_swap(h, vm, &ms, &sw);
		json_object_set_new(m, "swap-stored",
				    json_integer((json_int_t)sw.stored_bytes));
		json_object_set_new(m, "swap-file",
				    json_integer((json_int_t)sw.file_bytes));
		json_object_set_new(
			m, "swap-refaulted",
			json_integer((json_int_t)sw.refaulted_bytes));
		json_object_set_new(
			m, "swap-max",
			vm->spec.swap_set ?
				json_integer((json_int_t)vm->spec.swap_bytes) :
				json_null());
	}
	/* Its own reclaim floor (floor=), or null: the host's. */
	if (g)
		json_object_set_new(
			json_object_get(g, "memory"), "floor",
			vm->spec.floor_set ?
				json_integer((json_int_t)vm->spec.floor_bytes) :
				json_null());
	if (g && why != VM_EXIT_NONE) {
		json_object_set_new(g, "stop-reason",
				    json_string(vm_exit_reason_name(why)));
		json_object_set_new(g, "stop-detail", json_string(detail));
	}
	return g;
}

static int cmd_query_guests(struct ctl_req *req, json_t *args, json_t **ret,
			    struct ctl_error *e)
{
	struct vmm_host *h = ctl_host(req->s);
	json_t *list = json_array();

	(void)args, (void)e;
	/* Guests are freed only by this thread (host_reap): the lock keeps
	 * the other fields steady, not the VM alive. */
	pthread_mutex_lock(&h->lock);
	for (unsigned int slot = 1; slot <= VMM_MAX_GUESTS; slot++)
		if (h->vm[slot])
			json_array_append_new(list,
					      guest_json(h, h->vm[slot],
							 h->balloon[slot]));
	pthread_mutex_unlock(&h->lock);
	*ret = list;
	return 0;
}

/* ------------------------------------------------------------------ */
/* guest-launch                                                         */

struct launch_job {
	struct ctl_req *req;
	struct vmm_host *h;
	struct guest_spec spec;
	struct host_launch hl;
	int ret;
	char err[256];
};

static bool name_in_use(struct vmm_host *h, const char *name)
{
	bool used = false;

	pthread_mutex_lock(&h->lock);
	for (unsigned int slot = 1; slot <= VMM_MAX_GUESTS && !used; slot++)
		used = h->vm[slot] && !strcmp(h->vm[slot]->name, name);
	pthread_mutex_unlock(&h->lock);
	return used;
}

static const struct ctl_arg launch_args[] = {
	{ "spec", CTL_ARG_STRING, true },
	{ NULL },
};

/* Each guest SPEC key is a member too, of the JSON type its row says. */
static bool launch_member(const char *name, struct ctl_arg *a)
{
	const struct option_desc *o = option_find(guest_keys, name);

	if (!o)
		return false;
	*a = (struct ctl_arg){ o->name, CTL_ARG_STRING, true };
	if (o->type == OPTION_SIZE)
		a->type = CTL_ARG_SIZE;
	else if (o->type == OPTION_INT || o->type == OPTION_PERCENT)
		a->type = CTL_ARG_INT;
	else if (o->type == OPTION_FLAG)
		a->type = CTL_ARG_BOOL;
	return true;
}

/* The JSON form: each member through the same setter as a SPEC key. */
static int spec_from_members(json_t *args, struct guest_spec *g, char *err,
			     size_t errlen)
{
	const char *key;
	json_t *v;
	int ret;

	options_guest_init(g);
	json_object_foreach(args, key, v) {
		char num[32];
		const char *val = num;

		if (json_is_boolean(v)) { /* a flag: strict */
			if (json_is_false(v))
				continue;
			val = NULL;
		} else if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
				 json_integer_value(v));
		} else {
			val = json_string_value(v);
		}
		ret = options_guest_set(g, key, val, err, errlen);
		if (ret)
			goto fail;
	}
	ret = options_guest_finish(g, err, errlen);
	if (!ret)
		return 0;
fail:
	options_guest_free(g);
	return ret;
}

static void launch_work(void *arg)
{
	struct launch_job *j = arg;

	j->ret = host_launch_prepare(j->h, &j->spec, NULL, &j->hl, j->err,
				     sizeof(j->err));
}

static void launch_done(struct ctl_server *s, void *arg)
{
	struct launch_job *j = arg;
	const struct ctl_ops *ops = ctl_ops(s);
	struct ctl_error e = { .cls = CTL_ERR_GENERIC };
	unsigned int id = j->hl.id, slot = j->hl.slot;
	json_t *r;

	if (j->ret) {
		snprintf(e.desc, sizeof(e.desc), "%s", j->err);
	} else if (ctl_stopping(s) ||
		   (ops->quitting && ops->quitting(ops->priv))) {
		host_launch_abort(j->h, &j->hl);
		snprintf(e.desc, sizeof(e.desc), "vmm is shutting down");
	} else if (name_in_use(j->h, j->spec.name)) {
		/* Launched meanwhile by another request. */
		host_launch_abort(j->h, &j->hl);
		snprintf(e.desc, sizeof(e.desc), "a guest named '%s' exists",
			 j->spec.name);
	} else {
		j->ret = host_launch_commit(j->h, &j->hl, j->err,
					    sizeof(j->err));
		/* Started or not, a published guest is watched and reaped. */
		if (READ_ONCE(j->h->vm[slot]))
			ops->watch_guest(ops->priv, id);
		if (j->ret)
			snprintf(e.desc, sizeof(e.desc), "%s", j->err);
	}
	if (e.desc[0]) {
		ctl_reply(j->req, NULL, &e);
	} else {
		r = json_pack("{s:i,s:s}", "id", (int)id, "name", j->spec.name);
		if (r && j->hl.warning[0])
			json_object_set_new(r, "warning",
					    json_string(j->hl.warning));
		ctl_reply(j->req, r, NULL);
	}
	options_guest_free(&j->spec);
	free(j);
}

static int cmd_guest_launch(struct ctl_req *req, json_t *args, json_t **ret,
			    struct ctl_error *e)
{
	struct vmm_host *h = ctl_host(req->s);
	json_t *spec = json_object_get(args, "spec");
	struct launch_job *j;
	char err[256];
	int rc;

	(void)ret;
	if (spec && json_object_size(args) > 1)
		return ctl_fail(
			e, CTL_ERR_GENERIC,
			"'spec' is the whole guest: give it alone, or the keys alone");
	if (ctl_stopping(req->s) ||
	    (ctl_ops(req->s)->quitting &&
	     ctl_ops(req->s)->quitting(ctl_ops(req->s)->priv)))
		return ctl_fail(e, CTL_ERR_GENERIC, "vmm is shutting down");
	j = calloc(1, sizeof(*j));
	if (!j)
		return ctl_fail(e, CTL_ERR_GENERIC, "out of memory");
	rc = spec ? options_parse_guest(json_string_value(spec), &j->spec, err,
					sizeof(err)) :
		    spec_from_members(args, &j->spec, err, sizeof(err));
	if (rc) {
		free(j);
		return ctl_fail(e, CTL_ERR_GENERIC, "%s", err);
	}
	if (options_check_guest(&h->cfg, &j->spec, host_nr_running(h), err,
				sizeof(err))) {
		ctl_fail(e, CTL_ERR_GENERIC, "%s", err);
		goto fail;
	}
	/* Paths are resolved by vmm, whose working directory is not the
	 * client's: only absolute ones mean the same to both. */
	if (j->spec.kernel_path && j->spec.kernel_path[0] != '/') {
		ctl_fail(
			e, CTL_ERR_GENERIC,
			"kernel=%s: give an absolute path (vmm's working directory is not yours)",
			j->spec.kernel_path);
		goto fail;
	}
	if (!j->spec.kernel_path && h->cfg.kernel_path)
		j->spec.kernel_path = strdup(h->cfg.kernel_path);
	for (unsigned int n = 1; !j->spec.name[0]; n++) {
		char name[VMM_NAME_MAX];

		snprintf(name, sizeof(name), "guest%u", n);
		if (!name_in_use(h, name))
			snprintf(j->spec.name, sizeof(j->spec.name), "%s",
				 name);
	}
	if (name_in_use(h, j->spec.name)) {
		ctl_fail(e, CTL_ERR_GENERIC, "a guest named '%s' exists",
			 j->spec.name);
		goto fail;
	}
	j->h = h;
	if (ctl_work_defer(req, &j->req, launch_work, launch_done, j)) {
		ctl_fail(e, CTL_ERR_GENERIC, "out of memory");
		goto fail;
	}
	return CTL_DEFERRED;
fail:
	options_guest_free(&j->spec);
	free(j);
	return -1;
}

/* ------------------------------------------------------------------ */
/* guest-stop, guest-kill, balloon-set                                 */

static const struct ctl_arg guest_arg[] = {
	{ "guest", CTL_ARG_GUEST, false },
	{ NULL },
};

static int stop_guest(struct ctl_req *req, json_t *args,
		      enum vm_exit_reason why, struct ctl_error *e)
{
	struct vm *vm =
		ctl_find_guest(req->s, json_object_get(args, "guest"), e);

	if (!vm)
		return -1;
	/* The loop reaps it when its vCPUs are out: GUEST_STOPPED. */
	vm_stop(vm, why, "over the control socket");
	return 0;
}

static const struct ctl_arg stop_args[] = {
	{ "guest", CTL_ARG_GUEST, false },
	{ "timeout", CTL_ARG_DURATION, true },
	{ NULL },
};

/*
 * Ask the guest to shut down; the server's tick stops it by force when
 * the time-out passes (server.c).  A time-out of 0 stops it at once.
 * The default is vmm's --shutdown-timeout.
 */
static int cmd_guest_stop(struct ctl_req *req, json_t *args, json_t **ret,
			  struct ctl_error *e)
{
	struct vmm_host *h = ctl_host(req->s);
	json_t *t = json_object_get(args, "timeout");
	uint64_t timeout = h->cfg.shutdown_timeout_ns;
	struct vm *vm;

	(void)ret;
	if (t && ctl_arg_duration(t, "timeout", &timeout, e))
		return -1;
	if (!timeout)
		return stop_guest(req, args, VM_EXIT_STOPPED, e);
	vm = ctl_find_guest(req->s, json_object_get(args, "guest"), e);
	if (!vm)
		return -1;
	/* -ESRCH: already on its way out, which is what was asked. */
	vm_request_shutdown(vm, timeout);
	return 0;
}

static int cmd_guest_kill(struct ctl_req *req, json_t *args, json_t **ret,
			  struct ctl_error *e)
{
	(void)ret;
	return stop_guest(req, args, VM_EXIT_KILLED, e);
}

static const struct ctl_arg balloon_args[] = {
	{ "guest", CTL_ARG_GUEST, false },
	{ "target", CTL_ARG_SIZE, true },
	{ "mem", CTL_ARG_SIZE, true },
	{ NULL },
};

/*
 * The balloon's size from either argument: target (what the balloon
 * holds) or mem (what the guest may use: RAM - target, as virsh setmem
 * and QEMU's balloon take it).  *mem tells which; -1 with e on bad text.
 */
static int balloon_arg(json_t *args, uint64_t *bytes, bool *mem,
		       struct ctl_error *e)
{
	json_t *t = json_object_get(args, "target");
	json_t *m = json_object_get(args, "mem");

	if (!t == !m)
		return ctl_fail(e, CTL_ERR_GENERIC,
				t ? "give 'target' or 'mem', not both" :
				    "Parameter 'target' or 'mem' is missing");
	*mem = !t;
	return ctl_arg_size(t ? t : m, t ? "target" : "mem", bytes, e);
}

/* ... as a target in pages for a guest of ram bytes; -1 with e when it
 * does not fit. */
static long balloon_pages(uint64_t bytes, bool mem, uint64_t ram,
			  struct ctl_error *e)
{
	char a[32], b[32];

	if (bytes > ram)
		return ctl_fail(e, CTL_ERR_GENERIC,
				"%s %s is more than the guest's %s of RAM",
				mem ? "mem" : "target",
				format_size(bytes, a, sizeof(a)),
				format_size(ram, b, sizeof(b)));
	if (!mem)
		return (long)(bytes >> PAGE_SHIFT);
	if (bytes < PAGE_SIZE)
		return ctl_fail(e, CTL_ERR_GENERIC,
				"mem %s would leave the guest no memory",
				format_size(bytes, a, sizeof(a)));
	return (long)((ram >> PAGE_SHIFT) - (bytes >> PAGE_SHIFT));
}

static int cmd_balloon_set(struct ctl_req *req, json_t *args, json_t **ret,
			   struct ctl_error *e)
{
	struct vmm_host *h = ctl_host(req->s);
	struct vm_balloon *b;
	uint64_t bytes;
	bool mem = false;
	long pages;
	struct vm *vm;

	if (balloon_arg(args, &bytes, &mem, e))
		return -1;
	vm = ctl_find_guest(req->s, json_object_get(args, "guest"), e);
	if (!vm)
		return -1;
	/* Its RAM never changes: checked without the lock. */
	pages = balloon_pages(bytes, mem, vm->ram_size, e);
	if (pages < 0)
		return -1;
	pthread_mutex_lock(&h->lock);
	b = h->balloon[vm->slot];
	if (b) {
		host_balloon_set_user_target(b, (unsigned long)pages);
		*ret = balloon_json(vm, b);
	}
	pthread_mutex_unlock(&h->lock);
	if (!b)
		return ctl_fail(e, CTL_ERR_GENERIC,
				"guest %u has no balloon (--balloon off)",
				vm->id);
	return 0;
}

const struct ctl_cmd ctl_guest_cmds[] = {
	{ "query-guests", cmd_query_guests,
	  (const struct ctl_arg[]){ { NULL } },
	  "every guest: state, memory, balloon, node placement" },
	{ "guest-launch", cmd_guest_launch, launch_args,
	  "start a guest: {\"spec\": SPEC} or its keys (name, mem, ..., script)",
	  launch_member },
	{ "guest-stop", cmd_guest_stop, stop_args,
	  "ask a guest to shut down, by force after 'timeout' (--shutdown-timeout, 10 s; 0: at once); GUEST_STOPPED follows" },
	{ "guest-kill", cmd_guest_kill, guest_arg,
	  "kill a guest (reason 'killed'); GUEST_STOPPED follows" },
	{ "balloon-set", cmd_balloon_set, balloon_args,
	  "set a guest's balloon by hand: 'target' (bytes the balloon holds) or 'mem' (bytes the guest may use); reclaim keeps it (0 target: reclaim's again)" },
	{ NULL },
};
