/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest is freestanding and built with -nostdinc: the fixed-width
 * types come from the compiler's predefined macros instead of libc.  The
 * few guest files the host builds too (units.c, script.c) get libc's.
 */
#ifndef GUEST_TYPES_H
#define GUEST_TYPES_H

#if __STDC_HOSTED__
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#else

typedef __UINT8_TYPE__ uint8_t;
typedef __UINT16_TYPE__ uint16_t;
typedef __UINT32_TYPE__ uint32_t;
typedef __UINT64_TYPE__ uint64_t;
typedef __INT8_TYPE__ int8_t;
typedef __INT16_TYPE__ int16_t;
typedef __INT32_TYPE__ int32_t;
typedef __INT64_TYPE__ int64_t;
typedef __UINTPTR_TYPE__ uintptr_t;
typedef __SIZE_TYPE__ size_t;
typedef __PTRDIFF_TYPE__ ptrdiff_t;
typedef _Bool bool;
typedef __builtin_va_list va_list;

#define true 1
#define false 0
#define NULL ((void *)0)
#define UINT64_MAX (~(uint64_t)0)

#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_arg(ap, type) __builtin_va_arg(ap, type)
#define va_end(ap) __builtin_va_end(ap)
#endif

#endif /* GUEST_TYPES_H */
