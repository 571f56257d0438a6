/* SPDX-License-Identifier: GPL-2.0 */
/* The report directory's files: opened by name, closed with a verdict. */
#ifndef TOOLS_OVERCOMMIT_FILES_H
#define TOOLS_OVERCOMMIT_FILES_H

#include <stddef.h>
#include <stdio.h>

/* dir/name for writing; NULL with "path: reason" in err. */
FILE *oc_fopen(const char *dir, const char *name, char *err, size_t errlen);
/* Close *f (if open) and clear it: 0, or -EIO if anything was lost. */
int oc_fclose(FILE **f);
/* dir/name into buf. */
const char *oc_path(char *buf, size_t len, const char *dir, const char *name);

#endif /* TOOLS_OVERCOMMIT_FILES_H */
