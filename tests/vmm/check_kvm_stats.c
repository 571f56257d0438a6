// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/kvm/kvm_stats.c: the parser against files we write (good and broken),
 * and against a real VM's statistics fd (skipped without /dev/kvm).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/runner.h"
#include "vmm/kvm/kvm_stats.h"

#define NAME_SIZE 48

struct fake_desc {
	struct kvm_stats_desc d;
	char name[NAME_SIZE];
};

/* A statistics file as KVM lays it out: header, id, two descriptors
 * (pages_4k, pages_2m), data.  Each case breaks one thing. */
enum breakage {
	GOOD,
	NAME_SIZE_ZERO,
	TOO_MANY_DESC,
	TRUNCATED_DESC,
	NAME_UNTERMINATED,
	DESC_SIZE_ZERO,
	DATA_OUTSIDE,
	EMPTY,
};

static int stats_file(enum breakage b)
{
	struct kvm_stats_header h = {
		.name_size = NAME_SIZE,
		.num_desc = 2,
		.id_offset = sizeof(h),
		.desc_offset = sizeof(h) + NAME_SIZE,
		.data_offset =
			sizeof(h) + NAME_SIZE + 2 * sizeof(struct fake_desc),
	};
	struct fake_desc d[2] = { 0 };
	uint64_t data[2] = { 1234, 56 };
	char id[NAME_SIZE] = "kvm-test";
	int fd = memfd_create("stats", MFD_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	if (b == EMPTY)
		return fd;
	d[0].d.flags = KVM_STATS_TYPE_INSTANT;
	d[0].d.size = 1;
	d[0].d.offset = 0;
	snprintf(d[0].name, NAME_SIZE, "pages_4k");
	d[1] = d[0];
	d[1].d.offset = 8;
	snprintf(d[1].name, NAME_SIZE, "pages_2m");
	switch (b) {
	case NAME_SIZE_ZERO:
		h.name_size = 0;
		break;
	case TOO_MANY_DESC:
		h.num_desc = 100000;
		break;
	case NAME_UNTERMINATED:
		memset(d[1].name, 'a', NAME_SIZE);
		break;
	case DESC_SIZE_ZERO:
		d[0].d.size = 0;
		break;
	case DATA_OUTSIDE:
		d[1].d.offset = 1 << 20;
		break;
	default:
		break;
	}
	ck_assert_int_eq(pwrite(fd, &h, sizeof(h), 0), sizeof(h));
	ck_assert_int_eq(pwrite(fd, id, sizeof(id), h.id_offset), sizeof(id));
	if (b == TRUNCATED_DESC) {
		ck_assert_int_eq(pwrite(fd, d, sizeof(d[0]) + 10,
					sizeof(h) + NAME_SIZE),
				 sizeof(d[0]) + 10);
		return fd;
	}
	ck_assert_int_eq(pwrite(fd, d, sizeof(d), sizeof(h) + NAME_SIZE),
			 sizeof(d));
	ck_assert_int_eq(pwrite(fd, data, sizeof(data),
				sizeof(h) + NAME_SIZE + sizeof(d)),
			 sizeof(data));
	return fd;
}

START_TEST(test_parse_good)
{
	struct kvm_stats st;
	uint64_t v[4] = { 0 };

	ck_assert_int_eq(kvm_stats_parse(stats_file(GOOD), &st), 0);
	ck_assert_str_eq(st.id, "kvm-test");
	ck_assert_uint_eq(st.num_desc, 2);
	ck_assert_int_eq(kvm_stats_get(&st, "pages_4k", v, 4), 1);
	ck_assert_uint_eq(v[0], 1234);
	ck_assert_int_eq(kvm_stats_get(&st, "pages_2m", v, 1), 1);
	ck_assert_uint_eq(v[0], 56);
	ck_assert_int_eq(kvm_stats_get(&st, "pages_2m", NULL, 0), 1);
	ck_assert_int_eq(kvm_stats_get(&st, "pages_1g", v, 1), -ENOENT);
	ck_assert_int_eq(kvm_stats_get(&st, "pages_", v, 1), -ENOENT);
	kvm_stats_close(&st);
	ck_assert_int_eq(st.fd, -1);
}
END_TEST

static const struct {
	enum breakage b;
	int parse; /* what kvm_stats_parse says */
} broken[] = {
	{ NAME_SIZE_ZERO, -EBADMSG },
	{ TOO_MANY_DESC, -EBADMSG },
	{ TRUNCATED_DESC, -EBADMSG },
	{ NAME_UNTERMINATED, -EBADMSG },
	{ DESC_SIZE_ZERO, -EBADMSG },
	{ EMPTY, -EBADMSG },
	{ DATA_OUTSIDE, 0 /* the read fails, below */ },
};

START_TEST(test_parse_broken)
{
	struct kvm_stats st;
	uint64_t v = 0;

	ck_assert_int_eq(kvm_stats_parse(stats_file(broken[_i].b), &st),
			 broken[_i].parse);
	if (!broken[_i].parse) {
		ck_assert_int_eq(kvm_stats_get(&st, "pages_4k", &v, 1), 1);
		ck_assert_int_eq(kvm_stats_get(&st, "pages_2m", &v, 1),
				 -EBADMSG);
	}
	kvm_stats_close(&st);
	ck_assert_ptr_null(st.desc);
}
END_TEST

START_TEST(test_not_kvm)
{
	struct kvm_stats st;
	int fd = memfd_create("x", MFD_CLOEXEC);

	ck_assert_int_eq(kvm_stats_open(fd, &st), -ENOTTY);
	ck_assert_int_eq(kvm_stats_open(-1, &st), -EBADF);
	close(fd);
}
END_TEST

/* A real VM: the stats we use exist and read as counts. */
START_TEST(test_real_vm)
{
	struct kvm_page_stats ps = { 1, 1, 1 };
	const char *why;
	struct kvm_stats st;
	uint64_t v;
	int kvm, vm;

	if (!kvm_available(&why)) {
		printf("SKIP: kvm_stats on a real VM: %s\n", why);
		return;
	}
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	ck_assert_int_ge(vm, 0);
	ck_assert_int_eq(kvm_stats_open(vm, &st), 0);
	ck_assert_msg(!strncmp(st.id, "kvm-", 4), "id '%s'", st.id);
	ck_assert_int_eq(kvm_stats_get(&st, "pages_4k", &v, 1), 1);
	ck_assert_int_eq(kvm_stats_get(&st, "pages_2m", &v, 1), 1);
	ck_assert_int_eq(kvm_stats_get(&st, "no_such_stat", &v, 1), -ENOENT);
	kvm_stats_close(&st);
	/* Nothing mapped yet. */
	ck_assert_int_eq(kvm_vm_page_stats(vm, &ps), 0);
	ck_assert_uint_eq(ps.pages_4k + ps.pages_2m + ps.pages_1g, 0);
	ck_assert(kvm_page_stats_2m_share(&ps) == 0);
	close(vm);
	close(kvm);
}
END_TEST

Suite *kvm_stats_suite(void)
{
	Suite *s = suite_create("kvm_stats");
	TCase *tc = tcase_create("parse");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_parse_good);
	tcase_add_loop_test(tc, test_parse_broken, 0,
			    sizeof(broken) / sizeof(broken[0]));
	tcase_add_test(tc, test_not_kvm);
	tcase_add_test(tc, test_real_vm);
	suite_add_tcase(s, tc);
	return s;
}
