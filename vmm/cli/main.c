// SPDX-License-Identifier: GPL-2.0
/*
 * vmm: a KVM hypervisor whose guest memory is managed like Linux manages
 * physical memory.  Commands: run, host, help.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "vmm/config/options.h"
#include "vmm/cli/run.h"
#include "util/version.h"

static void usage(FILE *f)
{
	fputs("usage: vmm COMMAND [options]\n"
	      "\n"
	      "commands:\n"
	      "  run     boot guests from one pool of host memory (vmm run --help)\n"
	      "  host    keep a pool and run guests in it, controlled over a socket\n"
	      "          with vmmctl (vmm host --help)\n"
	      "  help    this text, or `vmm help COMMAND`\n"
	      "\n"
	      "  vmm --version\n",
	      f);
}

static int cmd_run(int argc, char **argv, bool host)
{
	static struct vmm_config cfg; /* large: not on the stack */
	char err[OPTIONS_ERR_MAX];
	int ret =
		host ? options_parse_host(argc, argv, &cfg, err, sizeof(err)) :
		       options_parse_run(argc, argv, &cfg, err, sizeof(err));

	if (ret == 1)
		return 0;
	if (ret) {
		fprintf(stderr, "vmm %s: %s\n", argv[0], err);
		fprintf(stderr, "Try 'vmm %s --help'.\n", argv[0]);
		return 2;
	}
	options_print_notes(&cfg, stdout);
	if (cfg.verbose)
		options_print(&cfg, stdout);
	ret = vmm_run(&cfg);
	options_free(&cfg);
	return ret;
}

int main(int argc, char **argv)
{
	/* Guests' consoles, phases and events are read as they happen, by
	 * people and by programs behind a pipe (tee, the benchmarks): a line
	 * at a time, not when a 4 KiB buffer fills or vmm exits. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "run") || !strcmp(argv[1], "host"))
		return cmd_run(argc - 1, argv + 1, !strcmp(argv[1], "host"));
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		if (argc > 2 && !strcmp(argv[2], "run")) {
			options_usage_run(stdout);
			return 0;
		}
		if (argc > 2 && !strcmp(argv[2], "host")) {
			options_usage_host(stdout);
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
