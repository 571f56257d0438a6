// SPDX-License-Identifier: GPL-2.0
/*
 * query-validate: the pool's invariant checker (mm_validate(): free lists,
 * counts, every frame covered once, each owned frame mapped by its guest
 * at its gpa) on a running vmm, as the tests run it after each step.  It
 * holds every allocator lock for its walk (a few milliseconds per GiB),
 * so it runs on the worker thread, not the loop's.  A broken invariant is
 * a result ("ok": false and what), not a command error.
 */
#include <stdlib.h>

#include "mm/mm.h"
#include "vmm/ctl/cmd.h"
#include "vmm/host/host.h"

struct validate_job {
	struct ctl_req *req;
	struct vmm_host *h;
	int ret;
	uint64_t ns;
	char problem[CTL_DESC_MAX];
};

static void validate_work(void *arg)
{
	struct validate_job *j = arg;
	uint64_t t0 = trace_clock_ns();

	j->ret = host_validate(j->h, j->problem, sizeof(j->problem));
	j->ns = trace_clock_ns() - t0;
}

static void validate_done(struct ctl_server *s, void *arg)
{
	struct validate_job *j = arg;
	json_t *r = json_pack("{s:b,s:I,s:I}", "ok", !j->ret, "frames",
			      (json_int_t)j->h->pool->nr_frames, "duration-ns",
			      (json_int_t)j->ns);

	(void)s;
	if (j->ret)
		json_object_set_new(r, "problem", json_string(j->problem));
	ctl_reply(j->req, r, NULL);
	free(j);
}

static int cmd_query_validate(struct ctl_req *req, json_t *args, json_t **ret,
			      struct ctl_error *e)
{
	struct validate_job *j = calloc(1, sizeof(*j));

	(void)args, (void)ret;
	if (!j)
		return ctl_fail(e, CTL_ERR_GENERIC, "out of memory");
	j->h = ctl_host(req->s);
	if (ctl_work_defer(req, &j->req, validate_work, validate_done, j)) {
		free(j);
		return ctl_fail(e, CTL_ERR_GENERIC, "out of memory");
	}
	return CTL_DEFERRED;
}

const struct ctl_cmd ctl_validate_cmds[] = {
	{ "query-validate", cmd_query_validate,
	  (const struct ctl_arg[]){ { NULL } },
	  "check the pool's invariants now (free lists, counts, frame owners against the guests' mappings)" },
	{ NULL },
};
