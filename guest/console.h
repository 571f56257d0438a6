/* SPDX-License-Identifier: GPL-2.0 */
/* Formatted output: vsnprintf and the 8250 serial console on 0x3f8. */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H

#include "guest/types.h"

#if __STDC_HOSTED__
#include <stdio.h> /* the host's build of script.c */
#else
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#endif
/* One call writes one whole message (callers end lines with \n). */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "1.50 GiB" style: for byte counts in messages. */
const char *fmt_size(char *buf, size_t size, uint64_t bytes);

#endif /* GUEST_CONSOLE_H */
