// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/kvm/kvm.c: why /dev/kvm cannot be used, in words that say what to do.
 * Runs without KVM (the device is opened only where it works).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/runner.h"
#include "vmm/kvm/kvm.h"

static void expect_error(const char *path, int want, const char *needle)
{
	char err[256] = "";
	int ret = kvm_open_dev(path, err, sizeof(err));

	ck_assert_msg(ret == want, "%s: %d (%s), want %d", path, ret, err,
		      want);
	ck_assert_msg(strstr(err, needle), "'%s' lacks '%s'", err, needle);
}

START_TEST(test_missing_and_not_kvm)
{
	expect_error(
		"/nonexistent/kvm", -ENOENT,
		"cannot open /nonexistent/kvm: No such file or directory: is the kvm module loaded?");
	expect_error("/dev/null", -ENODEV, "/dev/null is not KVM");
}
END_TEST

/* Not root: the permission error says who may open it. */
START_TEST(test_permission_denied)
{
	struct stat st;
	pid_t pid;
	int status;

	if (geteuid() || stat(KVM_DEV, &st) || (st.st_mode & S_IROTH)) {
		printf("SKIP: %s as another user: not root, or no %s, or open to all\n",
		       KVM_DEV, KVM_DEV);
		return;
	}
	/* A child of our own: the test process keeps its privileges. */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		char err[256] = "";
		int ret;

		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(3);
		ret = kvm_open_dev(KVM_DEV, err, sizeof(err));
		if (ret == -EACCES &&
		    strstr(err, "Permission denied: run as root"))
			_exit(0);
		fprintf(stderr, "as nobody: %d, '%s'\n", ret, err);
		_exit(1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "status %#x", status);
}
END_TEST

START_TEST(test_opens_kvm)
{
	const char *why;
	char err[256] = "";
	int fd;

	if (!kvm_available(&why)) {
		printf("SKIP: opening %s: %s\n", KVM_DEV, why);
		return;
	}
	fd = kvm_open_dev(KVM_DEV, err, sizeof(err));
	ck_assert_msg(fd >= 0, "%s", err);
	close(fd);
}
END_TEST

Suite *kvm_suite(void)
{
	Suite *s = suite_create("kvm");
	TCase *tc = tcase_create("dev");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_missing_and_not_kvm);
	tcase_add_test(tc, test_permission_denied);
	tcase_add_test(tc, test_opens_kvm);
	suite_add_tcase(s, tc);
	return s;
}
