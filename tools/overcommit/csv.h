/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading back the report's own CSVs (the plots reshape them): a header
 * line naming the columns, then rows of fields separated by commas, never
 * quoted (names and numbers only).  Columns are found by name, so that a
 * column added to a file later moves nothing.
 */
#ifndef TOOLS_OVERCOMMIT_CSV_H
#define TOOLS_OVERCOMMIT_CSV_H

#include <stdbool.h>
#include <stdio.h>

#define CSV_MAX_FIELDS 64

struct csv {
	FILE *f;
	char *head, *line; /* the header, the current row (split in place) */
	size_t head_cap, line_cap;
	char *name[CSV_MAX_FIELDS]; /* the header's fields */
	char *field[CSV_MAX_FIELDS]; /* the current row's */
	unsigned int nr_names, nr_fields;
};

/* dir/name and its header: 0, or -errno (-ENODATA: no header line). */
int csv_open(struct csv *c, const char *dir, const char *name);
void csv_close(struct csv *c);
/* The column called name, or -1. */
int csv_column(const struct csv *c, const char *name);
/* The next row: false at the end of the file. */
bool csv_next(struct csv *c);
/* Field col of the current row: "" when the row has none (col -1 too). */
const char *csv_str(const struct csv *c, int col);
/* ... as a number: 0 when empty or not one. */
double csv_num(const struct csv *c, int col);

#endif /* TOOLS_OVERCOMMIT_CSV_H */
