// SPDX-License-Identifier: GPL-2.0
/*
 * Real guests on /dev/kvm: boot, workload phases, several guests at once,
 * multi-vCPU touch, crash/halt/bad script, corruption detection, pause
 * and resume, stop from the host.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lz4.h>

#include "guest/fill.h"
#include "guest/script.h"
#include "tests/runner.h"
#include "vmm/kvm/cpu_cgroup.h"
#include "vmm/kvm/vm.h"
#include "vmm/kvm/vm_mem.h"

extern const char guest_image_start[], guest_image_end[];

struct result {
	enum vm_exit_reason why;
	char detail[VM_DETAIL_MAX];
	struct vm_summary s;
};

static struct vm *boot(const char *name, const char *script,
		       unsigned int mem_mb, unsigned int vcpus,
		       unsigned int nodes)
{
	struct guest_spec spec = {
		.mem_bytes = (uint64_t)mem_mb << 20,
		.nr_vcpus = vcpus,
		.nr_vnodes = nodes,
		.script = (char *)script,
	};
	struct vm *vm;
	char err[200];
	int ret;

	snprintf(spec.name, sizeof(spec.name), "%s", name);
	ret = vm_create_msg(&spec, 0, guest_image_start,
			    guest_image_end - guest_image_start, &vm, err,
			    sizeof(err));
	ck_assert_msg(!ret, "vm_create %s: %s: %s", name, err, strerror(-ret));
	vm->serial.quiet = getenv("VMM_TEST_CONSOLE") == NULL;
	ck_assert_int_eq(vm_start(vm), 0);
	return vm;
}

/* Wait for the stop eventfd (or stop it after timeout_ms), collect,
 * destroy. */
static void finish(struct vm *vm, int timeout_ms, struct result *r)
{
	struct pollfd p = { .fd = vm->stop_efd, .events = POLLIN };

	if (poll(&p, 1, timeout_ms) != 1)
		vm_stop(vm, VM_EXIT_STOPPED, "test timeout");
	ck_assert_int_eq(vm_wait(vm), 0);
	r->why = vm_exit_reason(vm, r->detail, sizeof(r->detail));
	vm_get_summary(vm, &r->s);
	vm_destroy(vm);
}

static void assert_clean_exit(const struct result *r, const char *who)
{
	ck_assert_msg(r->why == VM_EXIT_GUEST_EXIT, "%s: %s (%s), panic '%s'",
		      who, vm_exit_reason_name(r->why), r->detail, r->s.panic);
	ck_assert_msg(r->s.exit_status == 0, "%s: status %d", who,
		      r->s.exit_status);
	ck_assert_uint_eq(r->s.verify_bad, 0);
	ck_assert_uint_eq(r->s.nr_corrupt, 0);
	ck_assert_uint_eq(r->s.nr_panics, 0);
}

START_TEST(test_default_guest)
{
	struct result r;

	finish(boot("default",
		    "touch 32M; hold 10ms; verify; free 16M; verify; "
		    "touch 8M pattern=full; churn ws=24M rate=20000 "
		    "time=50ms; verify",
		    64, 1, 1),
	       5000, &r);
	assert_clean_exit(&r, "default");
	ck_assert(r.s.booted);
	ck_assert_uint_eq(r.s.nr_phases, 8);
	ck_assert_str_eq(r.s.phase[0].name, "touch");
	ck_assert_uint_eq(r.s.phase[0].bytes, 32UL << 20);
	ck_assert_uint_eq(r.s.phase[3].bytes, 16UL << 20); /* free */
	ck_assert_uint_ge(r.s.phase[1].ns, 10000000); /* hold 10ms */
	/* verify 1: 8192 pages, verify 2: 4096, churn: its pages, verify 3:
	 * 24 MiB = 6144. */
	ck_assert_uint_eq(r.s.nr_verify, 4);
	ck_assert_uint_gt(r.s.phase[6].bytes, 0);
	ck_assert_uint_eq(r.s.phase[7].bytes, 24UL << 20);
	printf("vm: boot to GR_BOOTED %.2f ms, to first phase %.2f ms; "
	       "touch 32 MiB %.2f GiB/s (1 vCPU)\n",
	       r.s.boot_ns / 1e6, r.s.first_phase_ns / 1e6,
	       (32.0 / 1024) / (r.s.phase[0].ns / 1e9));
}
END_TEST

/* 2 and 4 guests at once, each with its own script and node count. */
START_TEST(test_concurrent_guests)
{
	unsigned int n = _i;
	struct vm *vm[4];
	struct result r[4];
	char name[16], script[128];

	for (unsigned int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "g%u", i);
		snprintf(script, sizeof(script),
			 "touch %uM; verify; repeat 2 { free 4M; touch 4M }; "
			 "verify",
			 8 * (i + 1));
		vm[i] = boot(name, script, 64, 1 + i % 2, 1 + i % 3);
	}
	for (unsigned int i = 0; i < n; i++) {
		finish(vm[i], 10000, &r[i]);
		assert_clean_exit(&r[i], "concurrent");
		ck_assert_uint_eq(r[i].s.phase[0].bytes, 8UL * (i + 1) << 20);
	}
}
END_TEST

START_TEST(test_multi_vcpu_touch)
{
	struct result r;
	uint64_t sum = 0;

	finish(boot("smp", "touch 256M; verify", 320, 2, 2), 10000, &r);
	assert_clean_exit(&r, "smp");
	for (unsigned int i = 0; i < 2; i++) {
		ck_assert_msg(r.s.touched_by_vcpu[i] > 0,
			      "vCPU %u touched nothing", i);
		sum += r.s.touched_by_vcpu[i];
	}
	ck_assert_uint_eq(sum, 256UL << 20 >> 12);
	ck_assert_uint_eq(r.s.verify_checked, sum);
	printf("vm: touch 256 MiB on 2 vCPUs: %.2f GiB/s (%lu + %lu pages), "
	       "verify %.2f GiB/s\n",
	       0.25 / (r.s.phase[0].ns / 1e9), r.s.touched_by_vcpu[0],
	       r.s.touched_by_vcpu[1], 0.25 / (r.s.phase[1].ns / 1e9));
}
END_TEST

START_TEST(test_crash_beside_healthy)
{
	struct vm *bad = boot("crash", "touch 8M; crash; touch 8M", 32, 2, 1);
	struct vm *good =
		boot("good", "touch 32M; hold 50ms; verify", 64, 1, 1);
	struct result rb, rg;

	finish(bad, 5000, &rb);
	finish(good, 5000, &rg);
	ck_assert_msg(rb.why == VM_EXIT_SHUTDOWN, "crash ended with %s (%s)",
		      vm_exit_reason_name(rb.why), rb.detail);
	ck_assert_uint_eq(rb.s.nr_phases, 1); /* only the first touch */
	assert_clean_exit(&rg, "good");
}
END_TEST

START_TEST(test_halt)
{
	struct result r;

	finish(boot("halt", "sleep 1ms; halt; exit 3", 32, 2, 1), 5000, &r);
	ck_assert_msg(r.why == VM_EXIT_HALT, "halt ended with %s (%s)",
		      vm_exit_reason_name(r.why), r.detail);
	ck_assert(!r.s.exited);
}
END_TEST

static const struct {
	const char *script, *why;
} bad_scripts[] = {
	{ "touch 8M; frobnicate", "unknown command" },
	{ "touch 12Q", "bad value" },
	{ "repeat 2 { touch 1M", "missing '}'" },
	{ "sleep 5", "bad value" },
	{ "churn ws=4M time=1s", "churn needs" },
	{ "touch 1M }", "unexpected" },
	{ "touch 4M; free all every=0", "bad value" },
	{ "touch 4M every=2", "extra argument" },
	{ "hold 1d", "bad value" },
	{ "hold 5124096h", "bad value" }, /* more than UINT64_MAX ns */
	{ "churn ws=4M rate=0 time=2", "bad value" },
	{ "touch 32M", "more than the 30M the guest can own" },
	{ "touch 4M node=1", "no such node" },
};

START_TEST(test_bad_script)
{
	const struct script_env env = { 32ULL << 20, 1 };
	char host[GUEST_REPORT_TEXT + 32];
	struct script *s;
	struct result r;

	finish(boot("bad", bad_scripts[_i].script, 32, 1, 1), 5000, &r);
	ck_assert_int_eq(r.why, VM_EXIT_GUEST_EXIT);
	ck_assert_int_eq(r.s.exit_status, 2);
	ck_assert_uint_eq(r.s.nr_panics, 1);
	ck_assert_uint_eq(r.s.nr_phases, 0); /* nothing ran */
	ck_assert_msg(strstr(r.s.panic, bad_scripts[_i].why),
		      "'%s': panic '%s' lacks '%s'", bad_scripts[_i].script,
		      r.s.panic, bad_scripts[_i].why);
	/* The host's copy of the parser says the same, word for word. */
	s = malloc(sizeof(*s));
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(script_parse(s, bad_scripts[_i].script,
				      strlen(bad_scripts[_i].script), &env),
			 -1);
	snprintf(host, sizeof(host), "script %s", s->error);
	free(s);
	ck_assert_str_eq(r.s.panic, host);
	/* And the panic is in the reason the guest stopped. */
	snprintf(host, sizeof(host), "status 2; guest panic: %s", r.s.panic);
	ck_assert_str_eq(r.detail, host);
}
END_TEST

/* The host's time grammar (guest/units.h): ns to h, any case. */
START_TEST(test_time_units)
{
	struct result r;

	finish(boot("units", "hold 0m; sleep 0H; hold 5MS; sleep 1us; exit 0",
		    32, 1, 1),
	       5000, &r);
	assert_clean_exit(&r, "units");
	ck_assert_uint_ge(r.s.nr_phases, 4);
	ck_assert_str_eq(r.s.phase[2].name, "hold");
	ck_assert_uint_ge(r.s.phase[2].ns, 5000000);
	ck_assert_uint_lt(r.s.phase[0].ns, 5000000);
}
END_TEST

START_TEST(test_out_of_memory)
{
	const char *oom = "status 3; guest panic: touch: out of memory after ";
	struct result r;

	finish(boot("oom", "touch 24M; touch 24M; verify", 32, 1, 1), 5000, &r);
	ck_assert_int_eq(r.why, VM_EXIT_GUEST_EXIT);
	ck_assert_int_eq(r.s.exit_status, 3);
	ck_assert_uint_eq(r.s.nr_panics, 1);
	ck_assert_msg(!strncmp(r.detail, oom, strlen(oom)), "detail '%s'",
		      r.detail);
}
END_TEST

/* The highest page whose first word is non-zero: the last one touched. */
static uint64_t last_touched(struct vm *vm, uint64_t below)
{
	for (uint64_t gpa = below - 4096; gpa >= 2UL << 20; gpa -= 4096) {
		uint64_t *p = vm_mem_hva(vm, gpa, 4096);

		if (p[0])
			return gpa;
	}
	return 0;
}

/* Did the guest report a corrupt byte at gpa (compared under mask)? */
static bool corrupt_at(const struct vm_summary *s, uint64_t gpa, uint64_t mask)
{
	for (unsigned int i = 0; i < s->nr_corrupt && i < VM_MAX_CORRUPT; i++)
		if ((s->corrupt_gpa[i] & mask) == gpa)
			return true;
	return false;
}

START_TEST(test_corruption_detected)
{
	struct vm *vm =
		boot("corrupt", "touch 16M; hold 400ms; verify", 64, 1, 1);
	struct vm_summary s;
	uint64_t gpa1, gpa2;
	struct result r;

	/* Wait until the touch phase has ended, then damage two pages. */
	for (int i = 0; i < 2000; i++) {
		vm_get_summary(vm, &s);
		if (s.nr_phases >= 1)
			break;
		usleep(1000);
	}
	ck_assert_uint_ge(s.nr_phases, 1);
	gpa1 = last_touched(vm, vm->ram_size);
	ck_assert_uint_ne(gpa1, 0);
	gpa2 = gpa1 - 5 * 4096;
	*(uint64_t *)vm_mem_hva(vm, gpa1, 8) ^= 0x100; /* a flipped bit */
	memset(vm_mem_hva(vm, gpa2, 4096), 0, 4096); /* a lost page */
	finish(vm, 5000, &r);
	ck_assert_int_eq(r.why, VM_EXIT_GUEST_EXIT);
	ck_assert_int_eq(r.s.exit_status, 1);
	ck_assert_uint_eq(r.s.verify_bad, 2);
	ck_assert_uint_eq(r.s.nr_corrupt, 2);
	ck_assert_uint_eq(r.s.verify_first_bad, gpa2);
	/* The first bad byte: the flipped bit is in byte 1 of word 0; the
	 * lost page's first bad byte is in its word 0. */
	ck_assert(corrupt_at(&r.s, gpa1 + 1, ~0UL));
	ck_assert(corrupt_at(&r.s, gpa2, ~7UL));
}
END_TEST

/* Wait until the guest has ended its first phase. */
static void wait_first_phase(struct vm *vm)
{
	struct vm_summary s;

	for (int i = 0; i < 5000; i++) {
		vm_get_summary(vm, &s);
		if (s.nr_phases >= 1)
			return;
		usleep(1000);
	}
	ck_abort_msg("the first phase never ended");
}

/*
 * touch ratio=3: every page holds what guest/fill.h makes of its GPA and
 * generation, which lz4 compresses about 3:1, and verify checks every
 * byte of it, with a churn rewriting pages in between.
 */
START_TEST(test_ratio_pages)
{
	struct vm *vm = boot("ratio",
			     "touch 16M ratio=3; hold 300ms; verify; "
			     "churn ws=16M rate=0 time=50ms; verify",
			     64, 2, 1);
	uint64_t gpa, in = 0, out = 0;
	unsigned int pages = 0;
	static char dst[LZ4_COMPRESSBOUND(4096)];
	uint64_t want[512];
	struct result r;

	wait_first_phase(vm);
	gpa = last_touched(vm, vm->ram_size);
	ck_assert_uint_ne(gpa, 0);
	for (; pages < 256; gpa -= 4096, pages++) {
		const uint64_t *p = vm_mem_hva(vm, gpa, 4096);
		int n;

		fill_page(want, gpa, 1, 3);
		ck_assert_msg(!memcmp(p, want, 4096),
			      "page 0x%lx is not fill_page(gpa, 1, 3)", gpa);
		n = LZ4_compress_default((const char *)p, dst, 4096,
					 sizeof(dst));
		ck_assert_int_gt(n, 0);
		in += 4096;
		out += n;
	}
	printf("vm: touch ratio=3: lz4 compresses the guest's pages %.2f:1\n",
	       (double)in / out);
	ck_assert_msg(in > 2.4 * out && in < 3.6 * out, "ratio %.2f",
		      (double)in / out);
	finish(vm, 10000, &r);
	assert_clean_exit(&r, "ratio");
	ck_assert_uint_eq(r.s.phase[2].bytes, 16UL << 20); /* verify */
	ck_assert_uint_eq(r.s.phase[4].bytes, 16UL << 20);
}
END_TEST

/* A churn fills the pages it touches first at its ratio= too, and its
 * rewrites keep them so. */
START_TEST(test_ratio_churn)
{
	struct vm *vm = boot("ratio-churn",
			     "churn ws=8M rate=0 time=50ms ratio=2; "
			     "hold 300ms; verify",
			     64, 1, 1);
	static char dst[LZ4_COMPRESSBOUND(4096)];
	uint64_t gpa, in = 0, out = 0;
	struct result r;

	wait_first_phase(vm);
	gpa = last_touched(vm, vm->ram_size);
	ck_assert_uint_ne(gpa, 0);
	for (unsigned int i = 0; i < 128; i++, gpa -= 4096) {
		int n = LZ4_compress_default(vm_mem_hva(vm, gpa, 4096), dst,
					     4096, sizeof(dst));

		ck_assert_int_gt(n, 0);
		in += 4096;
		out += n;
	}
	ck_assert_msg(in > 1.6 * out && in < 2.4 * out, "ratio %.2f",
		      (double)in / out);
	finish(vm, 10000, &r);
	assert_clean_exit(&r, "ratio-churn");
	ck_assert_uint_eq(r.s.phase[2].bytes, 8UL << 20);
}
END_TEST

/*
 * Every byte of a ratio page is checked, not only signature words: a
 * byte changed among the zeros of one page and among the random words of
 * another are both found, and the report names the very byte.
 */
START_TEST(test_ratio_corruption)
{
	struct vm *vm = boot("ratio-corrupt",
			     "touch 16M ratio=4; hold 400ms; verify", 64, 1, 1);
	uint64_t gpa1, gpa2;
	struct result r;
	uint8_t *p;

	wait_first_phase(vm);
	gpa1 = last_touched(vm, vm->ram_size);
	ck_assert_uint_ne(gpa1, 0);
	gpa2 = gpa1 - 7 * 4096;
	/* Byte 3000 is in block 11's zeros (about 8 random words a block
	 * at ratio 4, 32 words each); byte 5 in word 0, random. */
	p = vm_mem_hva(vm, gpa1, 4096);
	ck_assert_uint_eq(p[3000], 0);
	p[3000] = 0x20;
	p = vm_mem_hva(vm, gpa2, 4096);
	p[5] ^= 0x01;
	finish(vm, 5000, &r);
	ck_assert_int_eq(r.why, VM_EXIT_GUEST_EXIT);
	ck_assert_int_eq(r.s.exit_status, 1);
	ck_assert_uint_eq(r.s.verify_bad, 2);
	ck_assert_uint_eq(r.s.nr_corrupt, 2);
	ck_assert_uint_eq(r.s.verify_first_bad, gpa2);
	ck_assert(corrupt_at(&r.s, gpa1 + 3000, ~0UL));
	ck_assert(corrupt_at(&r.s, gpa2 + 5, ~0UL));
}
END_TEST

START_TEST(test_pause_resume)
{
	struct vm *vm = boot("pause",
			     "touch 64M; churn ws=64M rate=0 time=600ms; "
			     "sleep 100ms; verify",
			     128, 2, 1);
	uint64_t max = 0, sum = 0, t0, dt;
	unsigned int n = 0;
	struct result r;

	usleep(20000);
	for (; n < 30; n++) {
		t0 = vm_now_ns();
		ck_assert_int_eq(vm_pause(vm), 0);
		dt = vm_now_ns() - t0;
		ck_assert(__atomic_load_n(&vm->state, __ATOMIC_SEQ_CST) ==
				  VM_STOPPED ||
			  __atomic_load_n(&vm->nr_out, __ATOMIC_SEQ_CST) ==
				  vm->nr_vcpus);
		usleep(2000);
		vm_resume(vm);
		max = dt > max ? dt : max;
		sum += dt;
		usleep(10000);
	}
	finish(vm, 10000, &r);
	assert_clean_exit(&r, "pause");
	printf("vm: pause latency over %u pauses under load: avg %.1f us, "
	       "max %.1f us\n",
	       n, sum / 1e3 / n, max / 1e3);
}
END_TEST

START_TEST(test_host_stop)
{
	struct vm *vm = boot("stop", "touch 8M; hold 30s", 32, 2, 1);
	struct result r;
	uint64_t t0;

	usleep(30000);
	t0 = vm_now_ns();
	vm_stop(vm, VM_EXIT_OOM_KILL, "test kill %d", 7);
	vm_stop(vm, VM_EXIT_STOPPED, "second reason loses");
	finish(vm, 2000, &r);
	ck_assert_int_eq(r.why, VM_EXIT_OOM_KILL);
	ck_assert_str_eq(r.detail, "test kill 7");
	ck_assert_uint_lt(vm_now_ns() - t0, 1000000000ULL);
}
END_TEST

/* Where the request finds the guest: parked, churning, touching. */
static const char *const shutdown_scripts[] = {
	"touch 8M; hold 1m; verify",
	"touch 16M; churn ws=16M rate=0 time=30s; verify",
	"touch 8M; repeat 1000000 { touch 2M; free 2M }",
};

/*
 * vm_request_shutdown(): the guest leaves what it is doing at its next
 * safe point, verifies everything it holds in a phase "shutdown" and
 * exits; the VM stops with VM_EXIT_STOPPED, not VM_EXIT_GUEST_EXIT.
 * Asking a stopped VM is -ESRCH.
 */
START_TEST(test_shutdown_request)
{
	struct vm *vm = boot("shutdown", shutdown_scripts[_i], 64, 2, 1);
	struct pollfd p = { .fd = vm->stop_efd, .events = POLLIN };
	const struct vm_phase *last;
	struct result r;
	uint64_t t0;

	usleep(300000);
	ck_assert(!vm_shutdown_requested(vm));
	t0 = vm_now_ns();
	ck_assert_int_eq(vm_request_shutdown(vm, 0), 0);
	ck_assert(vm_shutdown_requested(vm));
	/* No time-out: never overdue. */
	ck_assert(!vm_shutdown_overdue(vm, UINT64_MAX));
	ck_assert_int_eq(poll(&p, 1, 5000), 1);
	ck_assert_int_eq(vm_request_shutdown(vm, 1000), -ESRCH);
	finish(vm, 0, &r);
	ck_assert_msg(r.why == VM_EXIT_STOPPED, "%s (%s)",
		      vm_exit_reason_name(r.why), r.detail);
	ck_assert_str_eq(r.detail, "shut down when asked, status 0");
	ck_assert_uint_lt(vm_now_ns() - t0, 5000000000ULL);
	ck_assert_int_eq(r.s.exit_status, 0);
	ck_assert_uint_ge(r.s.nr_verify, 1);
	ck_assert_uint_gt(r.s.verify_checked, 0);
	ck_assert_uint_eq(r.s.verify_bad, 0);
	ck_assert_uint_eq(r.s.nr_panics, 0);
	/* The summary keeps the first VM_MAX_PHASES phases: the last
	 * one, where it is kept, is the shutdown's verify. */
	ck_assert_uint_gt(r.s.nr_phases, 0);
	if (r.s.nr_phases <= VM_MAX_PHASES) {
		last = &r.s.phase[r.s.nr_phases - 1];
		ck_assert_str_eq(last->name, "shutdown");
		ck_assert_uint_gt(last->bytes, 0);
		ck_assert_uint_le(last->bytes, 64 << 20);
	}
}
END_TEST

/* A deadline: overdue once it passes, and only while the VM runs. */
START_TEST(test_shutdown_deadline)
{
	struct vm *vm =
		boot("deaf", "power deaf; touch 4M; hold 30s", 32, 1, 1);
	struct result r;

	/* Past `power deaf` and the touch: two phases done. */
	for (int i = 0; i < 1000; i++) {
		vm_get_summary(vm, &r.s);
		if (r.s.nr_phases >= 2)
			break;
		usleep(5000);
	}
	ck_assert_uint_ge(r.s.nr_phases, 2);
	ck_assert_int_eq(vm_request_shutdown(vm, 200000000ULL), 0);
	ck_assert(!vm_shutdown_overdue(vm, vm_now_ns()));
	usleep(400000);
	/* It did not listen. */
	ck_assert(vm_shutdown_overdue(vm, vm_now_ns()));
	vm_stop(vm, VM_EXIT_KILLED, "overdue");
	finish(vm, 2000, &r);
	ck_assert_int_eq(r.why, VM_EXIT_KILLED);
}
END_TEST

/* Sizes in the refusals are in units people read. */
START_TEST(test_bad_sizes)
{
	struct guest_spec spec = { .mem_bytes = 3 << 20,
				   .nr_vcpus = 1,
				   .nr_vnodes = 1,
				   .script = "" };
	struct vm *vm;
	char err[200];

	ck_assert_int_eq(vm_create_msg(&spec, 1, guest_image_start,
				       guest_image_end - guest_image_start, &vm,
				       err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(
		err, "memory 3 MiB: need a 2 MiB multiple, 4 MiB .. 256 GiB");
	spec.mem_bytes = 4 << 20;
	spec.nr_vnodes = 4;
	ck_assert_int_eq(vm_create_msg(&spec, 1, guest_image_start,
				       guest_image_end - guest_image_start, &vm,
				       err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "4 nodes of whole 2 MiB do not fit in 4 MiB");
}
END_TEST

static unsigned int count_lines(const char *path)
{
	unsigned int n = 0;
	char line[64];
	FILE *f = fopen(path, "re");

	while (f && fgets(line, sizeof(line), f))
		n++;
	if (f)
		fclose(f);
	return n;
}

/*
 * cpu_max=: each vCPU thread is in the guest's cgroup from its start and
 * the cgroup goes with the guest; one that cannot be made fails the
 * launch, saying where.
 */
START_TEST(test_cpu_max)
{
	struct guest_spec spec = {
		.name = "bounded",
		.mem_bytes = 64 << 20,
		.nr_vcpus = 2,
		.nr_vnodes = 1,
		.cpu_max_pct = 50,
		.script = "touch 8M; hold 500ms; verify",
	};
	char err[256], dir[512], tasks[600], taken[64];
	struct cpu_cgroup *cg;
	struct result r;
	struct vm *vm;
	int ret;

	ret = vm_create_msg(&spec, 7, guest_image_start,
			    guest_image_end - guest_image_start, &vm, err,
			    sizeof(err));
	if (ret == -EOPNOTSUPP || ret == -EACCES || ret == -EROFS) {
		printf("SKIP: cpu_max: %s\n", err);
		return;
	}
	ck_assert_msg(!ret, "%s", err);
	snprintf(dir, sizeof(dir), "%s", cpu_cgroup_path(vm->cpu_cg));
	ck_assert_ptr_nonnull(strstr(dir, "/vmm-"));
	ck_assert_ptr_nonnull(strstr(dir, "-7-bounded"));
	snprintf(tasks, sizeof(tasks), "%s/tasks", dir); /* v1 */
	if (access(tasks, F_OK))
		snprintf(tasks, sizeof(tasks), "%s/cgroup.threads", dir);
	vm->serial.quiet = getenv("VMM_TEST_CONSOLE") == NULL;
	ck_assert_int_eq(vm_start(vm), 0);
	for (int i = 0; i < 200 && count_lines(tasks) < 2; i++)
		usleep(5000);
	ck_assert_uint_ge(count_lines(tasks), 2);
	finish(vm, 10000, &r);
	assert_clean_exit(&r, "bounded");
	ck_assert_msg(access(dir, F_OK), "%s left behind", dir);

	/* Its cgroup's name taken: the launch fails, and says so. */
	snprintf(taken, sizeof(taken), "vmm-%d-8-taken", (int)getpid());
	*strrchr(dir, '/') = '\0';
	ck_assert_int_eq(
		cpu_cgroup_create(dir, taken, 100, &cg, err, sizeof(err)), 0);
	snprintf(spec.name, sizeof(spec.name), "taken");
	ret = vm_create_msg(&spec, 8, guest_image_start,
			    guest_image_end - guest_image_start, &vm, err,
			    sizeof(err));
	cpu_cgroup_destroy(cg);
	ck_assert_int_eq(ret, -EEXIST);
	ck_assert_msg(strstr(err, "cannot create cgroup") && strstr(err, taken),
		      "%s", err);
}
END_TEST

Suite *vm_suite(void)
{
	Suite *s = suite_create("vm");
	TCase *tc = tcase_create("guest");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_default_guest);
	tcase_add_loop_test(tc, test_concurrent_guests, 2, 5);
	tcase_add_test(tc, test_multi_vcpu_touch);
	tcase_add_test(tc, test_crash_beside_healthy);
	tcase_add_test(tc, test_halt);
	tcase_add_loop_test(tc, test_bad_script, 0,
			    sizeof(bad_scripts) / sizeof(bad_scripts[0]));
	tcase_add_test(tc, test_time_units);
	tcase_add_test(tc, test_out_of_memory);
	tcase_add_test(tc, test_corruption_detected);
	tcase_add_test(tc, test_ratio_pages);
	tcase_add_test(tc, test_ratio_churn);
	tcase_add_test(tc, test_ratio_corruption);
	tcase_add_test(tc, test_pause_resume);
	tcase_add_test(tc, test_host_stop);
	tcase_add_loop_test(tc, test_shutdown_request, 0,
			    sizeof(shutdown_scripts) /
				    sizeof(shutdown_scripts[0]));
	tcase_add_test(tc, test_shutdown_deadline);
	tcase_add_test(tc, test_cpu_max);
	tcase_add_test(tc, test_bad_sizes);
	suite_add_tcase(s, tc);
	return s;
}
