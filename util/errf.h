/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one way the VMM's functions say what went wrong: a message into the
 * caller's buffer and the -errno to return, in one statement:
 *
 *	return errf(err, errlen, -ENOENT, "no guest '%s'", name);
 */
#ifndef VMM_ERRF_H
#define VMM_ERRF_H

#include <stddef.h>

/* Write the message (if err has room) and return ret. */
int errf(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* VMM_ERRF_H */
