// SPDX-License-Identifier: GPL-2.0
/* Messages from mm/: to stderr with a prefix, never fatal. */
#include <stdarg.h>
#include <stdio.h>

#include "mm/internal.h"

void mm_printk(struct mm_pool *pool, const char *level, const char *fmt, ...)
{
	va_list ap;

	if (pool && pool->quiet && !level)
		return;
	va_start(ap, fmt);
	flockfile(stderr);
	fprintf(stderr, "mm: %s%s", level ? level : "", level ? ": " : "");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	funlockfile(stderr);
	va_end(ap);
}

int mm_errf(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}
