// SPDX-License-Identifier: GPL-2.0
/*
 * vmm: a KVM hypervisor whose guest memory is managed like Linux manages
 * physical memory.  Commands: run, help.
 */
#include <stdio.h>
#include <string.h>

#include "vmm/options.h"
#include "vmm/run.h"

#define VMM_VERSION "0.1"

static void usage(FILE *f)
{
	fputs("usage: vmm COMMAND [options]\n"
	      "\n"
	      "commands:\n"
	      "  run     boot guests from one pool of host memory (vmm run --help)\n"
	      "  help    this text, or `vmm help COMMAND`\n"
	      "\n"
	      "  vmm --version\n",
	      f);
}

static int cmd_run(int argc, char **argv)
{
	static struct vmm_config cfg; /* large: not on the stack */
	char err[OPTIONS_ERR_MAX];
	int ret = options_parse_run(argc, argv, &cfg, err, sizeof(err));

	if (ret == 1)
		return 0;
	if (ret) {
		fprintf(stderr, "vmm run: %s\n", err);
		fprintf(stderr, "Try 'vmm run --help'.\n");
		return 2;
	}
	if (cfg.verbose)
		options_print(&cfg, stdout);
	ret = vmm_run(&cfg);
	options_free(&cfg);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		if (argc > 2 && !strcmp(argv[2], "run")) {
			options_usage_run(stdout);
			return 0;
		}
		if (argc > 2) {
			fprintf(stderr, "vmm help: no command '%s'\n", argv[2]);
			return 2;
		}
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("vmm %s\n", VMM_VERSION);
		return 0;
	}
	fprintf(stderr, "vmm: no command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
