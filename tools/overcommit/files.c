// SPDX-License-Identifier: GPL-2.0
/* Report files (files.h). */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "tools/overcommit/files.h"

/* Through a va_list: a long path cuts the message, it does not warn. */
static void __attribute__((format(printf, 3, 4)))
say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

const char *oc_path(char *buf, size_t len, const char *dir, const char *name)
{
	say(buf, len, "%s/%s", dir, name);
	return buf;
}

FILE *oc_fopen(const char *dir, const char *name, char *err, size_t errlen)
{
	char path[4096];
	FILE *f = fopen(oc_path(path, sizeof(path), dir, name), "we");

	if (!f)
		say(err, errlen, "%s: %s", path, strerror(errno));
	return f;
}

int oc_fclose(FILE **f)
{
	int ret = 0;

	if (*f && (ferror(*f) | fclose(*f)))
		ret = -EIO;
	*f = NULL;
	return ret;
}
