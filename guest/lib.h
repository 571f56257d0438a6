/* SPDX-License-Identifier: GPL-2.0 */
/* The few libc-like helpers the guest needs (the compiler may call mem*). */
#ifndef GUEST_LIB_H
#define GUEST_LIB_H

#include "guest/types.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define CHUNK_PAGES 512 /* one 2 MiB run */
#define CHUNK_SIZE (CHUNK_PAGES * PAGE_SIZE)
#define ALIGN_UP(x, a) (((x) + (a)-1) & ~((uint64_t)(a)-1))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if __STDC_HOSTED__
#include <string.h> /* the host's build of units.c and script.c */
#else
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);
size_t strlcpy(char *d, const char *s, size_t size);
#endif

/* Small fast PRNG (xorshift64*), one state per user. */
static inline uint64_t rand_next(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

#endif /* GUEST_LIB_H */
