// SPDX-License-Identifier: GPL-2.0
/* What the benchmarks that run guests share (bench.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/bench/bench.h"
#include "util/errf.h"

bool bench_have_kvm(const struct bench *b)
{
	if (!access("/dev/kvm", R_OK | W_OK))
		return true;
	printf("SKIP: %s needs /dev/kvm: %s\n", b->prog, strerror(errno));
	return false;
}

int bench_host_create(struct bench *b, const struct vmm_config *cfg)
{
	int ret;

	b->h = NULL;
	b->null = fopen("/dev/null", "we");
	if (!b->null)
		return errf(b->err, sizeof(b->err), -errno, "/dev/null: %s",
			    strerror(errno));
	ret = host_create(cfg, &b->h, b->err, sizeof(b->err));
	if (ret) {
		fclose(b->null);
		b->null = NULL;
		return ret;
	}
	host_set_output(b->h, b->null, NULL, NULL);
	b->res =
		(struct vm_resources){ .pool = host_pool(b->h), .quiet = true };
	return 0;
}

void bench_host_destroy(struct bench *b)
{
	if (!b->h)
		return;
	host_stop_all(b->h, "benchmark done");
	host_destroy(b->h);
	fclose(b->null);
	b->h = NULL;
	b->null = NULL;
}

int bench_fail(const struct bench *b)
{
	fprintf(stderr, "%s: %s\n", b->prog, b->err);
	return 1;
}

void bench_spec(struct guest_spec *spec, const char *name, uint64_t mib,
		const char *script)
{
	*spec = (struct guest_spec){ .mem_bytes = mib << 20,
				     .nr_vcpus = 1,
				     .nr_vnodes = 1,
				     .vnode_to_pnode = { 0 },
				     .script = (char *)script };
	snprintf(spec->name, sizeof(spec->name), "%s", name);
}

int bench_launch_spec(struct bench *b, const struct guest_spec *spec,
		      const struct vm_resources *res, unsigned int *id)
{
	return host_launch(b->h, spec, res ? res : &b->res, id, b->err,
			   sizeof(b->err));
}

int bench_launch(struct bench *b, const char *name, uint64_t mib,
		 const char *script, unsigned int *id)
{
	struct guest_spec spec;

	bench_spec(&spec, name, mib, script);
	return bench_launch_spec(b, &spec, NULL, id);
}

int bench_start(struct bench *b, const char *name, uint64_t mib,
		const char *script, unsigned int n, unsigned int *id)
{
	int ret = bench_launch(b, name, mib, script, id);

	return ret ? ret : bench_wait_phases(b, *id, n, BENCH_WAIT_MS);
}

int bench_wait_phases(struct bench *b, unsigned int id, unsigned int n,
		      unsigned int timeout_ms)
{
	struct host_guest_info gi;
	struct vm_summary s;
	int ret;

	for (unsigned int ms = 0;; ms++) {
		if (host_guest_summary(b->h, id, &s))
			return errf(b->err, sizeof(b->err), -ENOENT,
				    "no guest %u", id);
		if (s.nr_phases >= n)
			return 0;
		if (s.exited || ms >= timeout_ms)
			break;
		usleep(1000);
	}
	ret = s.exited ? -ESRCH : -ETIMEDOUT;
	host_guest_info(b->h, id, &gi);
	if (ret == -ESRCH)
		return errf(b->err, sizeof(b->err), ret, "guest %s ended early",
			    gi.name);
	return errf(b->err, sizeof(b->err), ret,
		    "guest %s never got to phase %u", gi.name, n);
}

int bench_wait_end(struct bench *b, unsigned int id, int timeout_ms)
{
	int ret = host_guest_wait(b->h, id, timeout_ms);

	if (ret != -ETIMEDOUT)
		return ret;
	host_guest_stop(b->h, id, VM_EXIT_STOPPED, "benchmark timeout");
	host_guest_wait(b->h, id, -1);
	return errf(b->err, sizeof(b->err), ret,
		    "guest %u still ran after %d ms", id, timeout_ms);
}

bool bench_guest_ok(struct bench *b, unsigned int id, unsigned int min_verify)
{
	struct vm_summary s;

	if (bench_wait_end(b, id, BENCH_WAIT_MS) ||
	    host_guest_summary(b->h, id, &s))
		return false;
	return s.exited && s.exit_status == 0 && !s.verify_bad &&
	       !s.nr_corrupt && s.nr_verify >= min_verify;
}

bool bench_validate(struct bench *b)
{
	if (!host_validate(b->h, b->err, sizeof(b->err)))
		return true;
	bench_fail(b);
	return false;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}
