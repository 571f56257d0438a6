/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the benchmarks that run guests share (tools/bench_*.c): a host
 * whose guests' reports go nowhere, guests launched with the benchmarks'
 * defaults, waits for their phases and their end, and medians.
 *
 * Functions return 0 or -errno with what went wrong in b->err; the
 * programs decide to stop (bench_fail()).  Context: the thread that
 * created the host (it owns it: guests are reaped there).
 */
#ifndef TOOLS_BENCH_BENCH_H
#define TOOLS_BENCH_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vmm/host/api.h"

/* How long a guest may take to get to a phase, or to end. */
#define BENCH_WAIT_MS 60000

struct bench {
	const char *prog; /* for messages: "bench_compact" */
	struct vmm_host *h;
	FILE *null; /* /dev/null: the guests' reports */
	/* What bench_launch() gives a guest: the host's pool, quiet
	 * consoles (set by bench_host_create(); the program may change
	 * it). */
	struct vm_resources res;
	char err[320];
};

/* /dev/kvm is there to use: true, or false with "SKIP: prog needs
 * /dev/kvm: why" on stdout (the benchmark prints no figures). */
bool bench_have_kvm(const struct bench *b);
/*
 * A host for cfg, its guests' reports to /dev/null (the OOM killer and
 * warnings stay on stderr: host_set_output() to change that).  b->prog
 * is the caller's; the rest of b is set here.
 */
int bench_host_create(struct bench *b, const struct vmm_config *cfg);
/* Stop every guest, free the host and what bench_host_create() opened. */
void bench_host_destroy(struct bench *b);
/* "prog: err" on stderr; 1, the programs' exit status for it. */
int bench_fail(const struct bench *b);

/* A guest of mib MiB running script: 1 vCPU, one guest node on pool
 * node 0.  The caller may change the rest before launching it. */
void bench_spec(struct guest_spec *spec, const char *name, uint64_t mib,
		const char *script);
/* Launch spec with res (NULL: b->res); its id in *id. */
int bench_launch_spec(struct bench *b, const struct guest_spec *spec,
		      const struct vm_resources *res, unsigned int *id);
/* bench_spec() and b->res. */
int bench_launch(struct bench *b, const char *name, uint64_t mib,
		 const char *script, unsigned int *id);
/* bench_launch(), then bench_wait_phases() for its first n phases. */
int bench_start(struct bench *b, const char *name, uint64_t mib,
		const char *script, unsigned int n, unsigned int *id);

/*
 * Wait, checking every millisecond for up to about timeout_ms, until
 * the guest has ended n phases of its script: 0, -ETIMEDOUT, or
 * -ESRCH if it ended first.
 */
int bench_wait_phases(struct bench *b, unsigned int id, unsigned int n,
		      unsigned int timeout_ms);
/*
 * Wait up to timeout_ms for the guest to end by itself, and join it: 0,
 * or -ETIMEDOUT when it had to be stopped ("benchmark timeout").
 */
int bench_wait_end(struct bench *b, unsigned int id, int timeout_ms);
/*
 * The guest ends by itself (within BENCH_WAIT_MS) with status 0, after
 * at least min_verify checks of its memory, none of them bad.
 */
bool bench_guest_ok(struct bench *b, unsigned int id, unsigned int min_verify);
/* host_validate(): true, or false with the broken invariant on stderr. */
bool bench_validate(struct bench *b);

/* The median of v[0..n), n > 0 (sorted in place; even n: the upper of
 * the two middle values). */
double bench_median(double *v, int n);

#endif /* TOOLS_BENCH_BENCH_H */
