// SPDX-License-Identifier: GPL-2.0
/* Messages from mm/: to stderr (or mm_set_printk()'s file) with a prefix,
 * never fatal. */
#include <stdarg.h>
#include <stdio.h>

#include "mm/internal.h"

void mm_set_printk(struct mm_pool *pool, FILE *f)
{
	__atomic_store_n(&pool->printk_file, f, __ATOMIC_RELEASE);
}

FILE *mm_printk_file(struct mm_pool *pool)
{
	FILE *f = pool ? __atomic_load_n(&pool->printk_file, __ATOMIC_ACQUIRE) :
			 NULL;

	return f ? f : stderr;
}

void mm_printk(struct mm_pool *pool, const char *level, const char *fmt, ...)
{
	FILE *f = mm_printk_file(pool);
	va_list ap;

	if (pool && pool->quiet && !level)
		return;
	va_start(ap, fmt);
	flockfile(f);
	fprintf(f, "mm: %s%s", level ? level : "", level ? ": " : "");
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	funlockfile(f);
	va_end(ap);
}
