// SPDX-License-Identifier: GPL-2.0
/* The report's CSVs, read back (csv.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "tools/overcommit/csv.h"
#include "tools/overcommit/files.h"

/* Split line at commas (and its newline) into out; how many fields. */
static unsigned int split(char *line, char **out)
{
	unsigned int n = 0;
	char *p = line;

	line[strcspn(line, "\r\n")] = 0;
	for (;;) {
		if (n < CSV_MAX_FIELDS)
			out[n++] = p;
		p = strchr(p, ',');
		if (!p)
			return n;
		*p++ = 0;
	}
}

int csv_open(struct csv *c, const char *dir, const char *name)
{
	char path[4096];

	memset(c, 0, sizeof(*c));
	c->f = fopen(oc_path(path, sizeof(path), dir, name), "re");
	if (!c->f)
		return -errno;
	if (getline(&c->head, &c->head_cap, c->f) < 0) {
		csv_close(c);
		return -ENODATA;
	}
	c->nr_names = split(c->head, c->name);
	return 0;
}

void csv_close(struct csv *c)
{
	if (c->f)
		fclose(c->f);
	free(c->head);
	free(c->line);
	memset(c, 0, sizeof(*c));
}

int csv_column(const struct csv *c, const char *name)
{
	for (unsigned int i = 0; i < c->nr_names; i++)
		if (!strcmp(c->name[i], name))
			return (int)i;
	return -1;
}

bool csv_next(struct csv *c)
{
	if (!c->f || getline(&c->line, &c->line_cap, c->f) < 0)
		return false;
	c->nr_fields = split(c->line, c->field);
	return true;
}

const char *csv_str(const struct csv *c, int col)
{
	return col >= 0 && (unsigned int)col < c->nr_fields ? c->field[col] :
							      "";
}

double csv_num(const struct csv *c, int col)
{
	const char *s = csv_str(c, col);
	char *end;
	double v = strtod(s, &end);

	return end == s ? 0 : v;
}
