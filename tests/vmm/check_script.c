// SPDX-License-Identifier: GPL-2.0
/*
 * guest/script.c and guest/units.c, the guest's own files as the host
 * builds them: what the host's launch check accepts and refuses is what
 * the guest would (check_vm.c's bad scripts compare the two on a real
 * guest).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "guest/script.h"

static const struct script_env env64 = { 64ULL << 20, 2 };

static struct script *parse(const char *text, const struct script_env *env,
			    int *ret)
{
	struct script *s = malloc(sizeof(*s));

	ck_assert_ptr_nonnull(s);
	*ret = script_parse(s, text, strlen(text), env);
	return s;
}

START_TEST(test_good_script)
{
	int ret;
	struct script *s = parse(
		"touch 8MiB node=1 pattern=full; hold 1m\n"
		"repeat 3 { churn ws=4M rate=0 time=2H; free all every=2 }; "
		"sleep 250US; exit 0",
		&env64, &ret);
	const struct cmd *c;

	ck_assert_msg(ret == 0, "%s", s->error);
	ck_assert_int_eq(s->nr_cmds, 7);
	c = &s->cmd[s->head];
	ck_assert_uint_eq(c->op, CMD_TOUCH);
	ck_assert_uint_eq(c->size, 8ULL << 20);
	ck_assert_uint_eq(c->node, 1);
	ck_assert_uint_eq(c->ratio, 1); /* pattern=full: incompressible */
	c = &s->cmd[c->next];
	ck_assert_uint_eq(c->op, CMD_HOLD);
	ck_assert_uint_eq(c->ns, 60000000000ULL); /* a minute, not a MiB */
	c = &s->cmd[c->next];
	ck_assert_uint_eq(c->op, CMD_REPEAT);
	ck_assert_uint_eq(c->count, 3);
	ck_assert_uint_eq(s->cmd[c->body].op, CMD_CHURN);
	ck_assert_uint_eq(s->cmd[c->body].ns, 7200000000000ULL);
	ck_assert_uint_eq(s->cmd[c->body].size, 4ULL << 20);
	ck_assert_uint_eq(s->cmd[s->cmd[c->body].next].size, SIZE_ALL);
	c = &s->cmd[c->next];
	ck_assert_uint_eq(c->op, CMD_SLEEP);
	ck_assert_uint_eq(c->ns, 250000);
	ck_assert_str_eq(script_cmd_name(s->cmd[c->next].op), "exit");
	free(s);
}
END_TEST

static const struct {
	const char *script, *error;
} bad[] = {
	{ "touhc 32M", "@5: unknown command 'touhc'" },
	{ "touch 8M; hold 2", "@16: bad value '2'" },
	{ "sleep 1d", "@8: bad value '1d'" },
	{ "hold 5124096h", "@13: bad value '5124096h'" }, /* > 2^64 ns */
	{ "touch 16777216T", "@15: bad value '16777216T'" },
	{ "touch 12Q", "@9: bad value '12Q'" },
	{ "repeat 2 { touch 1M", "@19: missing '}'" },
	{ "churn ws=4M time=1s", "@19: churn needs ws= rate= time=" },
	{ "touch 4M every=2", "@16: extra argument 'every=2'" },
	{ "touch", "@5: missing argument for 'touch'" },
	/* Against the guest it is for: 64M of RAM, 2 nodes. */
	{ "touch 63M", "@9: more than the 62M the guest can own '63M'" },
	{ "churn ws=1G rate=0 time=1s",
	  "@11: more than the 62M the guest can own 'ws=1G'" },
	{ "touch 4M node=2", "@15: the guest has no such node 'node=2'" },
	{ "touch 4M ratio=0", "@16: bad value 'ratio=0'" },
	{ "touch 4M ratio=9", "@16: bad value 'ratio=9'" },
	{ "touch 4M ratio=2.5", "@18: bad value 'ratio=2.5'" },
	{ "touch 4M pattern=full ratio=3",
	  "@29: one of pattern= and ratio= 'ratio=3'" },
	{ "churn ws=4M rate=0 time=1s pattern=full",
	  "@39: unexpected argument 'pattern=full'" },
	{ "free 4M ratio=3", "@15: extra argument 'ratio=3'" },
	{ "churn ws=4M rate=0 time=1s pick=hot", "@35: bad value 'pick=hot'" },
	{ "touch 4M pick=ws", "@16: extra argument 'pick=ws'" },
};

START_TEST(test_bad_script)
{
	int ret;
	struct script *s = parse(bad[_i].script, &env64, &ret);

	ck_assert_msg(ret == -1, "'%s' accepted", bad[_i].script);
	ck_assert_str_eq(s->error, bad[_i].error);
	free(s);
}
END_TEST

/* ratio=R: what the pages a touch or a churn fills hold (guest/fill.h). */
START_TEST(test_ratio)
{
	int ret;
	struct script *s = parse("touch 8M ratio=3; touch 4M ratio=8 node=1; "
				 "churn ws=16M rate=0 time=1s ratio=1; "
				 "touch 4M pattern=sparse; touch 4M",
				 &env64, &ret);
	const struct cmd *c;
	static const uint8_t want[] = { 3, 8, 1, 0, 0 };
	unsigned int i = 0;

	ck_assert_msg(ret == 0, "%s", s->error);
	for (c = &s->cmd[s->head];; c = &s->cmd[c->next]) {
		ck_assert_uint_eq(c->ratio, want[i++]);
		if (c->next < 0)
			break;
	}
	ck_assert_uint_eq(i, 5);
	free(s);
}
END_TEST

/* pick=: what a churn re-touches; everything it owns unless told. */
START_TEST(test_pick)
{
	int ret;
	struct script *s = parse("churn ws=8M rate=0 time=1s; "
				 "churn ws=8M rate=0 time=1s pick=ws; "
				 "churn pick=all ws=8M rate=0 time=1s",
				 &env64, &ret);
	const struct cmd *c;

	ck_assert_msg(ret == 0, "%s", s->error);
	c = &s->cmd[s->head];
	ck_assert_uint_eq(c->pick, CHURN_PICK_ALL);
	c = &s->cmd[c->next];
	ck_assert_uint_eq(c->pick, CHURN_PICK_WS);
	ck_assert_uint_eq(c->size, 8ULL << 20);
	c = &s->cmd[c->next];
	ck_assert_uint_eq(c->pick, CHURN_PICK_ALL);
	free(s);
}
END_TEST

/* Sizes are checked against the guest's RAM, not a fixed bound. */
START_TEST(test_env)
{
	static const struct script_env big = { 1ULL << 30, 1 };
	int ret;
	struct script *s = parse("touch 62M; touch 62M", &env64, &ret);

	ck_assert_msg(ret == 0, "%s", s->error); /* each fits on its own */
	free(s);
	s = parse("touch 900M; touch 4M node=0", &big, &ret);
	ck_assert_msg(ret == 0, "%s", s->error);
	free(s);
	s = parse("touch 4M node=1", &big, &ret);
	ck_assert_int_eq(ret, -1);
	free(s);
}
END_TEST

Suite *script_suite(void)
{
	Suite *s = suite_create("script");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_good_script);
	tcase_add_loop_test(tc, test_bad_script, 0,
			    sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_env);
	tcase_add_test(tc, test_ratio);
	tcase_add_test(tc, test_pick);
	suite_add_tcase(s, tc);
	return s;
}
