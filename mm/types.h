/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Basic types and constants of the pool allocator.  A pfn numbers a 4 KiB
 * frame of the pool (pool offset >> PAGE_SHIFT); a gpa_t is a guest-physical
 * address.  They are different types so that passing one for the other
 * does not compile.
 */
#ifndef MM_TYPES_H
#define MM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define MAX_ORDER 11 /* orders 0 .. MAX_ORDER-1: blocks up to 4 MiB */
#define MAX_ORDER_NR_PAGES (1UL << (MAX_ORDER - 1))
#define pageblock_order 9 /* 2 MiB: one host hugepage */
#define pageblock_nr_pages (1UL << pageblock_order)
#define PAGE_ALLOC_COSTLY_ORDER 3
#define MAX_NUMNODES 8

typedef uint32_t pfn_t;
#define PFN_NONE ((pfn_t)~0U)

typedef struct {
	uint64_t val;
} gpa_t;

static inline gpa_t gpa(uint64_t v)
{
	return (gpa_t){ v };
}

typedef unsigned int gfp_t;

/* A set of pool nodes, as nodemask_t. */
typedef struct {
	uint32_t bits;
} nodemask_t;

_Static_assert(MAX_NUMNODES <= 32, "nodemask_t holds 32 nodes");

static inline bool node_isset(int nid, const nodemask_t *m)
{
	return m->bits & (1U << nid);
}

static inline void node_set(int nid, nodemask_t *m)
{
	m->bits |= 1U << nid;
}

static inline nodemask_t nodemask_of_node(int nid)
{
	return (nodemask_t){ 1U << nid };
}

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __must_check __attribute__((warn_unused_result))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define ALIGN_UP(x, a) ALIGN_DOWN((x) + (a)-1, (a))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)
#define BUILD_BUG_ON(c) _Static_assert(!(c), #c)
#define READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

#endif /* MM_TYPES_H */
