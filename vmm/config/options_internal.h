/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of the `vmm run` / `vmm host` option parser share,
 * privately: options.c (the getopt loop and the checks that need every
 * option), options_table.c and guest_keys.c (the tables, option.h),
 * options_guest.c (guest SPECs), options_usage.c (--help) and
 * options_print.c (-v).
 */
#ifndef VMM_OPTIONS_INTERNAL_H
#define VMM_OPTIONS_INTERNAL_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "vmm/config/option.h"

/* The message into err, and -EINVAL to return. */
static inline int __attribute__((format(printf, 3, 4)))
options_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* "name, mem, vcpus, ...": the guest SPEC keys, for messages. */
const char *options_guest_key_list(char *buf, size_t len);

#endif /* VMM_OPTIONS_INTERNAL_H */
