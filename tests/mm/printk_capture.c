// SPDX-License-Identifier: GPL-2.0
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mm/mm.h"
#include "tests/mm/printk_capture.h"

void printk_capture_start(struct printk_capture *c, struct mm_pool *pool)
{
	free(c->text);
	*c = (struct printk_capture){ .pool = pool };
	c->f = open_memstream(&c->text, &c->len);
	ck_assert_ptr_nonnull(c->f);
	mm_set_printk(pool, c->f);
}

const char *printk_capture_end(struct printk_capture *c)
{
	mm_set_printk(c->pool, NULL);
	fclose(c->f);
	c->f = NULL;
	return c->text;
}

/* The message may come from another thread (a fault handler): wait. */
static bool captured(struct printk_capture *c, const char *needle)
{
	bool found;

	flockfile(c->f);
	fflush(c->f);
	found = c->text && strstr(c->text, needle);
	funlockfile(c->f);
	return found;
}

void printk_capture_expect(struct printk_capture *c, const char *needle)
{
	const char *text;

	for (int i = 0; i < 2000 && !captured(c, needle); i++)
		usleep(1000);
	text = printk_capture_end(c);

	ck_assert_msg(strstr(text, needle), "mm printed '%s', not '%s'", text,
		      needle);
	free(c->text);
	c->text = NULL;
}
