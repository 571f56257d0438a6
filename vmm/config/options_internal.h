/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of the `vmm run` / `vmm host` option parser share,
 * privately: options.c (the getopt loop and the checks that need every
 * option) and options_guest.c (guest SPECs).  The usage texts are in
 * options_usage.c and the -v printer in options_print.c.
 */
#ifndef VMM_OPTIONS_INTERNAL_H
#define VMM_OPTIONS_INTERNAL_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* The message into err, and -EINVAL to return. */
static inline int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

#endif /* VMM_OPTIONS_INTERNAL_H */
