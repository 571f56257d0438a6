// SPDX-License-Identifier: GPL-2.0
/*
 * Recursive descent over the command line:
 *   list := [stmt] { sep [stmt] }          sep := ';' | newline
 *   stmt := "repeat" N "{" list "}" | NAME { ARG }
 *   ARG  := KEY=VALUE | VALUE
 * Sizes and times in the grammar of guest/units.h, the host's too: sizes
 * take K/M/G/T (powers of 1024), times ns/us/ms/s/m/h (a unit is
 * required: "sleep 5" is ambiguous).  Each argument is a size or a time,
 * never either, so "1m" is a minute to hold and "1M" a MiB to touch.
 */
#include "guest/script.h"
#include "guest/abi.h"
#include "guest/console.h"
#include "guest/fill.h"
#include "guest/lib.h"
#include "guest/units.h"

struct parser {
	struct script *s;
	const struct script_env *env;
	const char *p, *start, *end;
	int depth;
};

static const char *const names[NR_CMDS] = {
	[CMD_TOUCH] = "touch",	   [CMD_HOLD] = "hold",
	[CMD_FREE] = "free",	   [CMD_CHURN] = "churn",
	[CMD_SLEEP] = "sleep",	   [CMD_REPEAT] = "repeat",
	[CMD_VERIFY] = "verify",   [CMD_CRASH] = "crash",
	[CMD_HALT] = "halt",	   [CMD_EXIT] = "exit",
	[CMD_BALLOON] = "balloon", [CMD_EVIL] = "evil",
	[CMD_POWER] = "power",
};

const char *script_cmd_name(unsigned int op)
{
	return op < NR_CMDS ? names[op] : "?";
}

static int fail(struct parser *ps, const char *what, const char *tok,
		size_t len)
{
	char t[33]; /* vsnprintf has no %.*s: copy the token */

	len = MIN(len, sizeof(t) - 1);
	memcpy(t, tok, len);
	t[len] = '\0';
	/* An error about no token in particular names none. */
	snprintf(ps->s->error, sizeof(ps->s->error),
		 len ? "@%d: %s '%s'" : "@%d: %s", (int)(ps->p - ps->start),
		 what, t);
	return -1;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool is_sep(char c)
{
	return c == ';' || c == '\n';
}

static bool at_end(struct parser *ps)
{
	return ps->p >= ps->end || !*ps->p;
}

/* Next whitespace-delimited token on this statement; len 0 at its end. */
static size_t token(struct parser *ps, const char **tok)
{
	const char *q;

	while (!at_end(ps) && is_space(*ps->p))
		ps->p++;
	q = ps->p;
	while (q < ps->end && *q && !is_space(*q) && !is_sep(*q) && *q != '{' &&
	       *q != '}')
		q++;
	*tok = ps->p;
	ps->p = q;
	return q - *tok;
}

/* Leading decimal digits; *used says how many. */
static bool parse_u64(const char *t, size_t len, uint64_t *v, size_t *used)
{
	uint64_t x = 0;
	size_t i = 0;

	for (; i < len && t[i] >= '0' && t[i] <= '9'; i++) {
		if (x > (UINT64_MAX - 9) / 10)
			return false;
		x = x * 10 + t[i] - '0';
	}
	*v = x;
	*used = i;
	return i > 0;
}

static bool suffix_is(const char *t, size_t len, const char *sfx)
{
	return strlen(sfx) == len && !strncmp(t, sfx, len);
}

static bool word_size(const char *t, size_t len, uint64_t *v)
{
	return units_parse_size(t, len, v) == UNITS_OK;
}

static bool word_time(const char *t, size_t len, uint64_t *ns)
{
	return units_parse_time(t, len, ns) == UNITS_OK;
}

static bool parse_count(const char *t, size_t len, uint64_t *v)
{
	size_t used;

	return parse_u64(t, len, v, &used) && used == len;
}

static int parse_list(struct parser *ps, bool in_block, int16_t *head);

/* What the guest can own: its RAM above the host's boot area. */
static uint64_t ram_owned(const struct parser *ps)
{
	uint64_t ram = ps->env->ram_size;

	return ram > GUEST_RAM_START ? ram - GUEST_RAM_START : 0;
}

/* A size to take: more than the guest can own never fits. */
static int check_fits(struct parser *ps, uint64_t size, const char *t,
		      size_t len)
{
	char what[48];

	if (size <= ram_owned(ps))
		return 0;
	snprintf(what, sizeof(what), "more than the %luM the guest can own",
		 ram_owned(ps) >> 20);
	return fail(ps, what, t, len);
}

/* KEY=VALUE: split, value in *val. */
static bool key_is(const char *t, size_t len, const char *key, const char **val,
		   size_t *vlen)
{
	size_t k = strlen(key);

	if (len <= k || strncmp(t, key, k) || t[k] != '=')
		return false;
	*val = t + k + 1;
	*vlen = len - k - 1;
	return true;
}

static int parse_args(struct parser *ps, struct cmd *c)
{
	bool have_size = false, have_ws = false, have_rate = false,
	     have_time = false, have_fill = false;
	const char *t, *v;
	size_t len, vlen;

	while ((len = token(ps, &t))) {
		uint64_t n = 0;
		bool ok = true;

		if (c->op == CMD_TOUCH && key_is(t, len, "node", &v, &vlen)) {
			ok = parse_count(v, vlen, &n) && n < NODE_ANY;
			if (ok && n >= ps->env->nr_nodes)
				return fail(ps, "the guest has no such node", t,
					    len);
			c->node = n;
		} else if ((c->op == CMD_TOUCH || c->op == CMD_CHURN) &&
			   key_is(t, len, "ratio", &v, &vlen)) {
			if (have_fill)
				return fail(ps, "one of pattern= and ratio=", t,
					    len);
			ok = have_fill = parse_count(v, vlen, &n) && n >= 1 &&
					 n <= FILL_RATIO_MAX;
			c->ratio = n;
		} else if (c->op == CMD_TOUCH &&
			   key_is(t, len, "pattern", &v, &vlen)) {
			if (have_fill)
				return fail(ps, "one of pattern= and ratio=", t,
					    len);
			have_fill = true;
			if (suffix_is(v, vlen, "full"))
				c->ratio = 1; /* every word random */
			else
				ok = suffix_is(v, vlen, "sparse");
		} else if (c->op == CMD_FREE &&
			   key_is(t, len, "every", &v, &vlen)) {
			ok = parse_count(v, vlen, &c->count) && c->count &&
			     c->count <= 0xffffffff;
		} else if (c->op == CMD_CHURN &&
			   key_is(t, len, "ws", &v, &vlen)) {
			ok = have_ws = word_size(v, vlen, &c->size);
			if (ok && check_fits(ps, c->size, t, len))
				return -1;
		} else if (c->op == CMD_CHURN &&
			   key_is(t, len, "rate", &v, &vlen)) {
			ok = have_rate = parse_count(v, vlen, &c->count) &&
					 c->count <= 1000000000;
		} else if (c->op == CMD_CHURN &&
			   key_is(t, len, "pick", &v, &vlen)) {
			if (suffix_is(v, vlen, "ws"))
				c->pick = CHURN_PICK_WS;
			else if (suffix_is(v, vlen, "all"))
				c->pick = CHURN_PICK_ALL;
			else
				ok = false;
		} else if (c->op == CMD_CHURN &&
			   key_is(t, len, "time", &v, &vlen)) {
			ok = have_time = word_time(v, vlen, &c->ns);
		} else if (have_size) {
			return fail(ps, "extra argument", t, len);
		} else if (c->op == CMD_TOUCH || c->op == CMD_FREE) {
			if (c->op == CMD_FREE && suffix_is(t, len, "all"))
				c->size = SIZE_ALL;
			else if ((ok = word_size(t, len, &c->size)) &&
				 c->op == CMD_TOUCH &&
				 check_fits(ps, c->size, t, len))
				return -1;
			have_size = true;
		} else if (c->op == CMD_EVIL) {
			have_size = true;
			if (suffix_is(t, len, "pfns"))
				c->count = 0;
			else if (suffix_is(t, len, "loop"))
				c->count = 1;
			else if (suffix_is(t, len, "outside"))
				c->count = 2;
			else
				ok = false;
		} else if (c->op == CMD_BALLOON) {
			have_size = true;
			if (suffix_is(t, len, "deaf"))
				c->count = 1;
			else if (suffix_is(t, len, "irq"))
				c->count = 2;
			else
				ok = suffix_is(t, len, "on");
		} else if (c->op == CMD_POWER) {
			have_size = true;
			if (suffix_is(t, len, "deaf"))
				c->count = 1;
			else
				ok = suffix_is(t, len, "on");
		} else if (c->op == CMD_HOLD || c->op == CMD_SLEEP) {
			ok = have_size = word_time(t, len, &c->ns);
		} else if (c->op == CMD_EXIT || c->op == CMD_REPEAT) {
			ok = have_size = parse_count(t, len, &c->count) &&
					 c->count <= 0xffffffff;
		} else {
			return fail(ps, "unexpected argument", t, len);
		}
		if (!ok)
			return fail(ps, "bad value", t, len);
	}
	switch (c->op) {
	case CMD_TOUCH:
	case CMD_FREE:
	case CMD_HOLD:
	case CMD_SLEEP:
	case CMD_EXIT:
	case CMD_REPEAT:
	case CMD_BALLOON:
	case CMD_EVIL:
	case CMD_POWER:
		if (!have_size)
			return fail(ps, "missing argument for", names[c->op],
				    strlen(names[c->op]));
		break;
	case CMD_CHURN:
		if (!have_ws || !have_rate || !have_time)
			return fail(ps, "churn needs ws= rate= time=", "", 0);
		break;
	}
	return 0;
}

static int parse_stmt(struct parser *ps, int16_t *idx)
{
	struct script *s = ps->s;
	struct cmd *c;
	const char *t;
	size_t len = token(ps, &t);
	int op;

	for (op = 0; op < NR_CMDS; op++)
		if (suffix_is(t, len, names[op]))
			break;
	if (op == NR_CMDS)
		return fail(ps, "unknown command", t, len);
	if (s->nr_cmds == SCRIPT_MAX_CMDS)
		return fail(ps, "too many commands at", t, len);
	*idx = s->nr_cmds++;
	c = &s->cmd[*idx];
	memset(c, 0, sizeof(*c));
	c->op = op;
	c->node = NODE_ANY;
	c->body = -1;
	c->next = -1;
	if (parse_args(ps, c))
		return -1;
	if (op != CMD_REPEAT)
		return 0;
	while (!at_end(ps) && is_space(*ps->p))
		ps->p++;
	if (at_end(ps) || *ps->p != '{')
		return fail(ps, "repeat needs '{' at", ps->p, 1);
	ps->p++;
	if (++ps->depth > 8)
		return fail(ps, "repeat nested too deep", "", 0);
	if (parse_list(ps, true, &c->body))
		return -1;
	ps->depth--;
	return 0;
}

static int parse_list(struct parser *ps, bool in_block, int16_t *head)
{
	int16_t tail = -1, idx;

	*head = -1;
	for (;;) {
		while (!at_end(ps) && (is_space(*ps->p) || is_sep(*ps->p)))
			ps->p++;
		if (at_end(ps)) {
			if (in_block)
				return fail(ps, "missing '}'", "", 0);
			return 0;
		}
		if (*ps->p == '}') {
			if (!in_block)
				return fail(ps, "unexpected", ps->p, 1);
			ps->p++;
			return 0;
		}
		if (parse_stmt(ps, &idx))
			return -1;
		if (tail < 0)
			*head = idx;
		else
			ps->s->cmd[tail].next = idx;
		tail = idx;
		while (!at_end(ps) && is_space(*ps->p))
			ps->p++;
		if (!at_end(ps) && !is_sep(*ps->p) && *ps->p != '}')
			return fail(ps, "expected ';' before", ps->p, 1);
	}
}

int script_parse(struct script *s, const char *text, size_t len,
		 const struct script_env *env)
{
	struct parser ps = { s, env, text, text, text + len, 0 };

	s->nr_cmds = 0;
	s->error[0] = '\0';
	return parse_list(&ps, false, &s->head);
}
