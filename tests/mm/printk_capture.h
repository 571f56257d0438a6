/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A test that makes mm fail on purpose captures what mm prints for it
 * (mm_set_printk()) and checks the message, so that the output of
 * `make test` shows error text only for real failures.
 */
#ifndef TESTS_PRINTK_CAPTURE_H
#define TESTS_PRINTK_CAPTURE_H

#include <stdio.h>

struct mm_pool;

struct printk_capture {
	struct mm_pool *pool;
	FILE *f;
	char *text;
	size_t len;
};

/* From now on the pool's messages go into c. */
void printk_capture_start(struct printk_capture *c, struct mm_pool *pool);
/* Back to stderr; what was captured (c's until the next start). */
const char *printk_capture_end(struct printk_capture *c);
/* Wait (2 s at most) until needle was printed, end, ck_assert it was. */
void printk_capture_expect(struct printk_capture *c, const char *needle);

#endif
