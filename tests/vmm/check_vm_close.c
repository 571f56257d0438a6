// SPDX-License-Identifier: GPL-2.0
/*
 * A VM with an irqchip is closed on a thread of its own (vm_destroy()),
 * and the process does not exit while that close runs: the close waits,
 * uninterruptibly, for KVM's worker task of the VM to stop, and a leak
 * checker at exit (LeakSanitizer) stops every task of the process with
 * ptrace, the worker too, then waits for the closing thread to stop,
 * forever.  Here a handler registered before main(), as the sanitizers
 * register theirs, looks for a task of the process in the kernel's
 * uninterruptible sleep while it runs.
 */
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/runner.h"
#include "vmm/kvm/vm.h"

extern const char guest_image_start[], guest_image_end[];

static bool check_at_exit;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The tid of a task of this process in state D, or 0. */
static long task_in_d_state(void)
{
	DIR *d = opendir("/proc/self/task");
	long found = 0;

	for (struct dirent *e; d && !found && (e = readdir(d));) {
		char path[300], buf[512], *close_paren;
		FILE *f;

		if (e->d_name[0] == '.' || atol(e->d_name) == gettid())
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/stat",
			 e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue; /* gone meanwhile */
		if (fgets(buf, sizeof(buf), f) &&
		    (close_paren = strrchr(buf, ')')) &&
		    close_paren[1] == ' ' && close_paren[2] == 'D')
			found = atol(e->d_name);
		fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

/*
 * Where the sanitizers' check would run: for 50 ms (a close takes about
 * 14 ms, mostly asleep in D), no other task may sleep uninterruptibly.
 */
static void exit_check(void)
{
	double end = now_s() + 0.05;

	if (!check_at_exit)
		return;
	do {
		long tid = task_in_d_state();

		if (tid) {
			fprintf(stderr, "task %ld in D state at exit\n", tid);
			_exit(3);
		}
		usleep(200);
	} while (now_s() < end);
}

__attribute__((constructor)) static void register_exit_check(void)
{
	atexit(exit_check);
}

/* Boot a guest that exits at once, destroy it, exit(0). */
static void child(void)
{
	struct guest_spec spec = {
		.mem_bytes = 32 << 20,
		.nr_vcpus = 1,
		.nr_vnodes = 1,
		.script = "touch 1M; exit 0",
	};
	struct vm *vm;
	char err[200];

	snprintf(spec.name, sizeof(spec.name), "closing");
	if (vm_create_msg(&spec, 0, guest_image_start,
			  guest_image_end - guest_image_start, &vm, err,
			  sizeof(err))) {
		fprintf(stderr, "vm_create: %s\n", err);
		_exit(2);
	}
	vm->serial.quiet = true;
	if (vm_start(vm) || vm_wait(vm)) {
		fprintf(stderr, "the guest did not run\n");
		_exit(2);
	}
	if (!vm->irqchip) {
		fprintf(stderr, "no irqchip: the close is not the slow one\n");
		_exit(2);
	}
	vm_destroy(vm);
	check_at_exit = true;
	exit(0);
}

START_TEST(test_exit_waits_for_close)
{
	double end = now_s() + 20;
	pid_t pid, done;
	int status;

	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid)
		child();
	while (!(done = waitpid(pid, &status, WNOHANG)) && now_s() < end)
		usleep(10000);
	if (!done) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		ck_abort_msg("the process did not exit in 20 s");
	}
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "the process ended with status %#x", status);
}
END_TEST

Suite *vm_close_suite(void)
{
	Suite *s = suite_create("vm_close");
	TCase *tc = tcase_create("kvm");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_exit_waits_for_close);
	suite_add_tcase(s, tc);
	return s;
}
