/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Growable arrays: room for one more element, the capacity doubling when
 * it runs out (amortised O(1) appends), as the trace tools keep their
 * per-thread, per-guest and per-request tables.
 */
#ifndef UTIL_ARRAY_H
#define UTIL_ARRAY_H

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

/*
 * Room for element nr of the array arr, whose capacity is cap elements
 * (unsigned int): when nr has reached it, twice as many (first for an
 * empty one).  0, or -ENOMEM with arr and cap as they were.
 */
#define array_grow(arr, nr, cap, first) \
	__array_grow((void **)&(arr), &(cap), (nr), sizeof(*(arr)), (first))

static inline int __array_grow(void **arr, unsigned int *cap, unsigned int nr,
			       size_t size, unsigned int first)
{
	unsigned int n;
	void *p;

	if (nr < *cap)
		return 0;
	n = *cap ? *cap * 2 : first;
	p = realloc(*arr, (size_t)n * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

#endif /* UTIL_ARRAY_H */
