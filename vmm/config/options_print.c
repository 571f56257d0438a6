// SPDX-License-Identifier: GPL-2.0
/*
 * The effective configuration, as `vmm run -v` and `vmm host -v` print
 * it: every option of the command by its row (option.h), then each guest
 * as the SPEC that would make it.
 */
#include <stdio.h>
#include <string.h>

#include "vmm/config/options.h"
#include "vmm/config/options_internal.h"
#include "util/size.h"

void options_print_notes(const struct vmm_config *cfg, FILE *f)
{
	char a[32], b[32], c[32];

	if (cfg->pool_asked_bytes)
		fprintf(f,
			"vmm: --pool %s runs as %s: %u node(s) of %s, each a whole number of 4 MiB blocks\n",
			format_size(cfg->pool_asked_bytes, a, sizeof(a)),
			format_size(cfg->pool_bytes, b, sizeof(b)),
			cfg->nr_nodes,
			format_size(cfg->pool_bytes / cfg->nr_nodes, c,
				    sizeof(c)));
}

/* g as a SPEC: the keys given or not at their default; script last. */
static void print_spec(const struct guest_spec *g, FILE *f)
{
	const char *sep = "";
	char v[256];

	for (const struct option_desc *o = guest_keys; o->name; o++) {
		if (o->type == OPTION_FLAG) {
			if (option_on(o, g))
				fprintf(f, "%s%s", sep, o->name);
			else
				continue;
		} else {
			option_format(o, g, v, sizeof(v));
			if ((o->none && !strcmp(v, o->none)) || !strcmp(v, "-"))
				continue;
			fprintf(f, "%s%s=%s", sep, o->name, v);
		}
		sep = ",";
	}
	fputc('\n', f);
}

void options_print(const struct vmm_config *cfg, FILE *f)
{
	unsigned int where = cfg->host_mode ? OPTION_HOST : OPTION_RUN;
	char v[512];

	for (const struct option_desc *o = vmm_options; o->name; o++) {
		/* --guest: the guests below; --help: nothing to say. */
		if (!(o->where & where) || o->type == OPTION_HELP ||
		    (o->type == OPTION_CUSTOM && !o->show))
			continue;
		fprintf(f, "%-22s %s\n", o->name,
			option_format(o, cfg, v, sizeof(v)));
	}
	for (unsigned int i = 0; i < cfg->nr_guests; i++) {
		fprintf(f, "guest %-16s ", cfg->guest[i].name);
		print_spec(&cfg->guest[i], f);
	}
}
