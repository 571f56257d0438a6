// SPDX-License-Identifier: GPL-2.0
/*
 * The usage texts of `vmm run` and `vmm host` (--help), made from the
 * tables (option.h): each row's name, argument, help, range and default.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "vmm/config/options.h"
#include "vmm/config/options_internal.h"

#define HELP_COLUMN 29 /* where the help text starts */

/* ", 1..8", ", a multiple of 2M from 8M to 256G": what the help does not
 * say in words. */
static const char *range_note(const struct option_desc *o, char *buf,
			      size_t len)
{
	char r[128];

	buf[0] = 0;
	if (o->type == OPTION_INT || o->type == OPTION_PERCENT)
		snprintf(buf, len, ", %s", option_range(o, r, sizeof(r)));
	else if (o->type == OPTION_SIZE && o->multiple)
		snprintf(buf, len, ", %s", option_accepts(o, r, sizeof(r)));
	return buf;
}

/*
 * text from column col on, lines broken between words before column 80
 * (and at each '\n'); the lines after the first start at HELP_COLUMN.
 */
static void print_wrapped(const char *text, int col, FILE *f)
{
	const char *p = text;
	bool fresh = true; /* nothing on this line yet */

	while (*p) {
		size_t word = strcspn(p, " \n");

		if (!fresh && col + 1 + (int)word > 80) {
			fprintf(f, "\n%*s", HELP_COLUMN, "");
			col = HELP_COLUMN;
		} else if (!fresh) {
			col += fprintf(f, " ");
		}
		col += fprintf(f, "%.*s", (int)word, p);
		fresh = false;
		p += word;
		if (*p == '\n' && p[1]) {
			fprintf(f, "\n%*s", HELP_COLUMN, "");
			col = HELP_COLUMN;
			fresh = true;
		}
		p += strspn(p, " \n");
	}
	fputc('\n', f);
}

/* One row: "  --pool SIZE   help..." with its range and default. */
static void usage_row(const struct option_desc *o, FILE *f)
{
	char head[64], arg[48], note[160], text[512];
	const char *dflt = o->dflt ? o->dflt : o->none;
	int n;

	option_arg(o, arg, sizeof(arg));
	if (o->where & OPTION_SPEC)
		snprintf(head, sizeof(head), "%s%s%s", o->name, *arg ? "=" : "",
			 arg);
	else if (o->short_name)
		snprintf(head, sizeof(head), "-%c, --%s", o->short_name,
			 o->name);
	else
		snprintf(head, sizeof(head), "--%s%s%s", o->name,
			 *arg ? " " : "", arg);
	snprintf(text, sizeof(text), "%s%s%s%s%s", o->help,
		 range_note(o, note, sizeof(note)), dflt ? " (" : "",
		 dflt ? dflt : "", dflt ? ")" : "");
	n = fprintf(f, "  %s", head);
	n += fprintf(f, "%*s", n < HELP_COLUMN ? HELP_COLUMN - n : 2, "");
	print_wrapped(text, n, f);
}

static void usage_options(unsigned int where, FILE *f)
{
	for (const struct option_desc *o = vmm_options; o->name; o++)
		if (o->where & where)
			usage_row(o, f);
	fputs("\n"
	      "SPEC is comma-separated key=value, each key once, script= last (it takes\n"
	      "the rest; the built-in guest needs one, checked before it starts):\n",
	      f);
	for (const struct option_desc *o = guest_keys; o->name; o++)
		usage_row(o, f);
	fputs("e.g. --guest 'name=web,mem=512M,nodes=2,map=0:0/1:1,script=touch 256M; verify'\n"
	      "Sizes take K/M/G/T (binary); times ns/us/ms/s/m/h, here and in scripts.\n"
	      "Script grammar: docs/guest.md.\n",
	      f);
}

void options_usage_run(FILE *f)
{
	fputs("usage: vmm run [options]\n"
	      "\n"
	      "Boot guests whose RAM comes from one pool of host memory, until the\n"
	      "last one ends.  With no --guest, one demo guest runs a short workload.\n"
	      "\n",
	      f);
	usage_options(OPTION_RUN, f);
}

void options_usage_host(FILE *f)
{
	fputs("usage: vmm host [options]\n"
	      "\n"
	      "Keep a pool of host memory and run guests in it until told to quit\n"
	      "(vmmctl quit, SIGINT or SIGTERM).  Guests come from --guest at start and\n"
	      "from the control socket at any time (vmmctl launch); the pool stays when\n"
	      "none is left.  Protocol: docs/control.md.\n"
	      "\n",
	      f);
	usage_options(OPTION_HOST, f);
}
