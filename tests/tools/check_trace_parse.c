// SPDX-License-Identifier: GPL-2.0
/* tools/trace/parse.c: trace lines, good, unknown and malformed. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/trace/parse.h"

static int parse(const char *s, struct trace_line *l, const char **why)
{
	char name[VMM_NAME_MAX];
	unsigned int vm;

	return trace_parse_line(s, l, &vm, name, sizeof(name), why);
}

START_TEST(test_good_lines)
{
	struct trace_line l;
	const char *why = NULL;

	ck_assert_int_eq(
		parse("ts=123 tid=45 event=vmm_fault vm=2 gpa=0x200000 order=9 ns=77\n",
		      &l, &why),
		TRACE_PARSE_EVENT);
	ck_assert_uint_eq(l.ts, 123);
	ck_assert_uint_eq(l.tid, 45);
	ck_assert_int_eq(l.type, TR_FAULT);
	ck_assert_str_eq(l.event, "vmm_fault");
	ck_assert_uint_eq(trace_val(&l, "gpa"), 0x200000);
	ck_assert_uint_eq(trace_val(&l, "ns"), 77);
	/* Blanks, tabs and CRLF are fine; unknown events and extra keys
	 * are kept. */
	ck_assert_int_eq(parse("  ts=1\ttid=2  event=new_thing a=1 b=0x10\r\n",
			       &l, &why),
			 TRACE_PARSE_EVENT);
	ck_assert_int_eq(l.type, -1);
	ck_assert_uint_eq(trace_val(&l, "b"), 16);
	ck_assert_int_eq(parse("ts=1 tid=2 event=vm_state vm=1 state=3 extra=9",
			       &l, &why),
			 TRACE_PARSE_EVENT);
	ck_assert_uint_eq(trace_val(&l, "extra"), 9);
	ck_assert_int_eq(parse("\n", &l, &why), TRACE_PARSE_SKIP);
	ck_assert_int_eq(parse("# a comment\n", &l, &why), TRACE_PARSE_SKIP);
}
END_TEST

START_TEST(test_name_comments)
{
	struct trace_line l;
	const char *why;
	char name[VMM_NAME_MAX];
	unsigned int vm = 0;

	ck_assert_int_eq(trace_parse_line("# vm=7 name=web-1\n", &l, &vm, name,
					  sizeof(name), &why),
			 TRACE_PARSE_NAME);
	ck_assert_uint_eq(vm, 7);
	ck_assert_str_eq(name, "web-1");
	/* Ids only grow: any that fits is one. */
	ck_assert_int_eq(trace_parse_line("# vm=4000000000 name=x\n", &l, &vm,
					  name, sizeof(name), &why),
			 TRACE_PARSE_NAME);
	ck_assert_uint_eq(vm, 4000000000U);
	/* Not a name: out of range, or a name with a blank in it. */
	ck_assert_int_eq(trace_parse_line("# vm=99999999999 name=x\n", &l, &vm,
					  name, sizeof(name), &why),
			 TRACE_PARSE_SKIP);
	ck_assert_int_eq(trace_parse_line("# vm=1 name=a b\n", &l, &vm, name,
					  sizeof(name), &why),
			 TRACE_PARSE_SKIP);
}
END_TEST

START_TEST(test_malformed)
{
	static const char *const bad[] = {
		"garbage",
		"tid=1 ts=2 event=vmm_fault",
		"ts=1 tid=2",
		"ts=1 tid=2 event=",
		"ts=-1 tid=2 event=x",
		"ts=1x tid=2 event=x",
		"ts=1 tid=99999999999 event=x",
		"ts=1 tid=2 event=x a=",
		"ts=1 tid=2 event=x =5",
		"ts=1 tid=2 event=x a=0xzz",
		"ts=99999999999999999999 tid=2 event=x",
		"ts=1 tid=2 event=vmm_fault vm=1 gpa=0x0 order=0",
		"ts=1 tid=2 event=x a=1 b=2 c=3 d=4 e=5 f=6 g=7 h=8 i=9",
	};
	struct trace_line l;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *why = NULL;

		ck_assert_msg(parse(bad[i], &l, &why) == -EINVAL, "'%s'",
			      bad[i]);
		ck_assert_ptr_nonnull(why);
	}
}
END_TEST

/* The reader counts lines of each kind and names the bad ones. */
START_TEST(test_reader)
{
	static const char text[] = "# vm=3 name=db\n"
				   "ts=10 tid=1 event=vm_state vm=3 state=1\n"
				   "bad line\n"
				   "\n"
				   "ts=11 tid=1 event=unknown_yet\n"
				   "ts=12 tid=1 event=vm_state vm=3\n";
	char *errbuf = NULL;
	size_t errlen = 0;
	FILE *in = fmemopen((void *)text, sizeof(text) - 1, "r");
	FILE *err = open_memstream(&errbuf, &errlen);
	struct trace_reader r;
	struct trace_line l;

	trace_reader_init(&r, in, "t.trace", err);
	ck_assert_int_eq(trace_reader_next(&r, &l), 1);
	ck_assert_int_eq(l.type, TR_VM_STATE);
	ck_assert_str_eq(trace_reader_vm_name(&r, 3), "db");
	ck_assert_int_eq(trace_reader_next(&r, &l), 1);
	ck_assert_int_eq(l.type, -1);
	ck_assert_int_eq(trace_reader_next(&r, &l), 0);
	ck_assert_int_eq(trace_reader_next(&r, &l), 0);
	ck_assert_uint_eq(r.events, 2);
	ck_assert_uint_eq(r.unknown, 1);
	ck_assert_uint_eq(r.malformed, 2);
	ck_assert_uint_eq(r.comments, 1);
	ck_assert_uint_eq(r.lineno, 6);
	fclose(err);
	ck_assert_ptr_nonnull(strstr(errbuf, "t.trace:3: malformed line"));
	ck_assert_ptr_nonnull(strstr(errbuf, "t.trace:6: malformed line"));
	free(errbuf);
	trace_reader_destroy(&r);
	fclose(in);
}
END_TEST

Suite *trace_parse_suite(void)
{
	Suite *s = suite_create("trace_parse");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_good_lines);
	tcase_add_test(tc, test_name_comments);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_reader);
	suite_add_tcase(s, tc);
	return s;
}
