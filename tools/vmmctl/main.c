// SPDX-License-Identifier: GPL-2.0
/* vmmctl: global options, the subcommand table, help (see vmmctl.h). */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/vmmctl/vmmctl.h"
#include "vmm/ctl/path.h"
#include "util/size.h"

static const struct vmmctl_cmd cmds[] = {
	{ "status", cmd_status, "", "the host: mode, pool, guests, clients",
	  "Prints vmm's state: mode, uptime, socket, pool size and free memory,\n"
	  "what the host holds, guests, clients, tracing, compaction.\n" },
	{ "version", cmd_version, "", "vmm's version (and vmmctl's)", "" },
	{ "list", cmd_list, "",
	  "guests: state, memory, balloon, node placement",
	  "One line per guest: id, name, state, RAM, memory faulted in (now\n"
	  "and peak), memory mapped with 2 MiB pages, balloon target/actual,\n"
	  "the target set by hand (SET, - for none), the memory the guest may\n"
	  "use (USABLE: RAM less the balloon's target), pinned memory, the\n"
	  "share of the last 10 s some of its vCPUs were stalled on memory\n"
	  "(SOME10: PSI's some avg10, percent; vmmctl stats pressure), guest\n"
	  "node -> pool node placement.\n" },
	{ "launch", cmd_launch, "SPEC [--wait]", "start a guest",
	  "SPEC is what `vmm run --guest` takes, e.g.\n"
	  "  'name=web,mem=512M,vcpus=2,nodes=2,map=0:0/1:1,script=touch 256M; verify'\n"
	  "(keys name, mem, vcpus, nodes, map, strict, pinned, floor, swap,\n"
	  "oom_score_adj, cpu_max, kernel, script; script= last).  A relative\n"
	  "kernel= path is made absolute here.  Prints the new guest's id.\n"
	  "  --wait   then wait until the guest ends and print how; the exit\n"
	  "           status is 1 unless it exited with 0 and intact memory\n" },
	{ "stop", cmd_stop, "GUEST [--timeout TIME | --force] [--no-wait]",
	  "ask a guest to shut down (and wait until it is gone)",
	  "GUEST is an id or a name.  Asks the guest to shut down, as an ACPI\n"
	  "power button does: ours stops its workload at the next safe point,\n"
	  "verifies the memory it holds and exits (reason 'stopped', with its\n"
	  "integrity).  A guest still running after --timeout (default 10s) is\n"
	  "killed; --force (or --timeout 0) stops its vCPUs at once.  The\n"
	  "guest's memory goes back to the pool.  Waits for it to be gone\n"
	  "unless --no-wait.\n" },
	{ "kill", cmd_kill, "GUEST [--no-wait]",
	  "kill a guest (and wait until it is gone)",
	  "Stops its vCPUs at once, with the reason 'killed' (as the OOM\n"
	  "killer's victims are 'oom-kill').\n" },
	{ "balloon", cmd_balloon, "GUEST SIZE | GUEST --mem SIZE",
	  "set a guest's balloon target",
	  "SIZE (K/M/G/T) is how much memory the guest should give back\n"
	  "through its balloon; --mem SIZE is how much it may use instead (the\n"
	  "balloon is its RAM less SIZE), as virsh setmem and QEMU's balloon\n"
	  "take it.  The target is kept until set again: reclaim may inflate\n"
	  "beyond it under pressure, and deflates back to it, never below.\n"
	  "0 (or --mem of all its RAM) deflates the balloon and gives it back\n"
	  "to reclaim, which inflates it under pressure and, unless vmm has\n"
	  "--no-deflate, deflates it when memory is plentiful.\n" },
	{ "compact", cmd_compact, "[--node N]",
	  "compact the pool (when vmm can migrate guest pages)",
	  "Compacts every node's zones whole, or node N's, as writing\n"
	  "/proc/sys/vm/compact_memory does, and says how much free memory\n"
	  "then sits in whole free pageblocks.  Says so when this vmm cannot\n"
	  "migrate guest pages yet.\n" },
	{ "stats", cmd_stats,
	  "[buddyinfo|zoneinfo|pagetypeinfo|vmstat|extfrag_index|unusable_index|meminfo|guests|pressure [GUEST]]...",
	  "/proc-format reports, per-guest memory and memory pressure",
	  "With one section, prints it exactly as the /proc file of that name\n"
	  "would read; with several (default: all), each under a header.\n"
	  "pressure: /proc/pressure/memory of each guest's vCPUs and of each\n"
	  "pool node's (the share of time some or all of them were stalled\n"
	  "on memory, docs/pressure.md), a block each under a header; of\n"
	  "GUEST alone, exactly the file.\n"
	  "--json prints the structured numbers and the texts.\n" },
	{ "check", cmd_check, "", "check the pool's invariants now",
	  "Runs the invariant checker the tests run after each step: free\n"
	  "lists and counts, every frame covered once, each guest frame mapped\n"
	  "by its guest where the reverse map says.  It holds the allocator\n"
	  "for a few milliseconds per GiB.  Exit status 1 if one is broken.\n" },
	{ "trace", cmd_trace,
	  "start [--ring EVENTS] [--page-events] [--sample INTERVAL] FILE | stop",
	  "record trace events",
	  "start: the trace ring records from now, and vmm writes its events\n"
	  "to FILE as they come, one per line (ts=... event=... key=value ...;\n"
	  "docs/latency.md).  FILE must not exist yet: vmm makes a new file\n"
	  "only.  --ring: the ring's size in events; --page-events: the page\n"
	  "allocator's per-page events too; --sample: memory samples this often\n"
	  "(0: none); by default, vmm's own --trace-ring, --trace-page-events,\n"
	  "--trace-sample.  stop: the rest of the events, and how many were\n"
	  "lost (the writer could not keep up): said on stderr, and in the file\n"
	  "where it happened.\n" },
	{ "watch", cmd_watch,
	  "[EVENT...] [--event EVENT[,EVENT...]] [--count N] [--until EVENT] [--timeout TIME]",
	  "print events as they happen",
	  "Only the EVENTs named (as arguments or with --event, commas or\n"
	  "repeated; default: all), e.g. vmmctl watch --event OOM_KILL,GUEST_STOPPED;\n"
	  "a name vmm does not send is an error (exit status 2).  Until\n"
	  "interrupted, or N events (--count), or the first EVENT (--until, e.g.\n"
	  "GUEST_STOPPED; printed too, named or not); --timeout: give up after\n"
	  "TIME (e.g. 10s, exit status 1).  Events: vmmctl raw\n"
	  "'{\"execute\":\"query-events\"}'.\n" },
	{ "trigger", cmd_trigger,
	  "GUEST|--node N some|full THRESHOLD WINDOW | --delete ID",
	  "a PSI trigger: PRESSURE events when stall passes a threshold",
	  "As writing \"some 150000 1000000\" to /proc/pressure/memory: a\n"
	  "PRESSURE event (vmmctl watch PRESSURE) each time GUEST's vCPUs (or\n"
	  "those allocating on pool node N) are stalled on memory for\n"
	  "THRESHOLD within a window of WINDOW, at most one a window; some:\n"
	  "any of them stalled, full: all of those not idle.  THRESHOLD and\n"
	  "WINDOW in microseconds as Linux takes them, or as times (150ms\n"
	  "1s); the window is 500ms to 10s, the threshold within it.  The\n"
	  "trigger stays until deleted (--delete, by the number printed) or\n"
	  "its guest is gone.\n" },
	{ "quit", cmd_quit, "[--timeout TIME | --force] [--no-wait]",
	  "ask every guest to shut down and end vmm",
	  "Every guest is asked to shut down, as by stop, and killed after\n"
	  "--timeout (vmm's --shutdown-timeout, 10s); --force stops them at\n"
	  "once.  Waits until vmm has closed the socket unless --no-wait.\n" },
	{ "raw", cmd_raw, "JSON", "send one protocol line, print the reply",
	  "e.g. vmmctl raw '{\"execute\": \"query-commands\"}'\n" },
	{ NULL },
};

static void usage(FILE *f)
{
	fputs("usage: vmmctl [--socket PATH] [--json] [--timeout TIME] COMMAND [ARGS]\n"
	      "\n"
	      "Control a running vmm (vmm host, or vmm run --socket) over its socket.\n"
	      "\n"
	      "commands:\n",
	      f);
	for (const struct vmmctl_cmd *c = cmds; c->name; c++)
		fprintf(f, "  %-9s %s\n", c->name, c->summary);
	fputs("\n"
	      "  --socket PATH   the control socket (default: $VMM_SOCKET, else\n"
	      "                  $XDG_RUNTIME_DIR/vmm/vmm.sock, else /run/vmm/vmm.sock\n"
	      "                  as root, /tmp/vmm-UID/vmm.sock)\n"
	      "  --json          print what vmm answers as JSON, one line\n"
	      "  --timeout TIME  wait this long for an answer (default 60s)\n"
	      "  vmmctl COMMAND --help, vmmctl help COMMAND: the command's help\n"
	      "\n"
	      "Exit status: 0 done, 1 refused or failed, 2 bad usage, 3 no vmm.\n",
	      f);
}

void vmmctl_print_help(const struct vmmctl_cmd *cmd)
{
	printf("usage: vmmctl [--socket PATH] [--json] %s %s\n\n%s.\n%s%s",
	       cmd->name, cmd->args, cmd->summary, cmd->help[0] ? "\n" : "",
	       cmd->help);
}

bool vmmctl_help_asked(const struct vmmctl_cmd *cmd, int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			vmmctl_print_help(cmd);
			return true;
		}
	return false;
}

int vmmctl_usage(const struct vmmctl_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vmmctl %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'vmmctl %s --help'.\n", cmd->name);
	return VMMCTL_USAGE;
}

int vmmctl_connect(struct vmmctl *v)
{
	char err[CTL_ERR_LEN];

	if (v->connected)
		return VMMCTL_OK;
	if (ctl_connect(&v->conn, v->socket, v->timeout_ms, err, sizeof(err))) {
		fprintf(stderr, "vmmctl: %s\n", err);
		return VMMCTL_NO_SERVER;
	}
	v->connected = true;
	return VMMCTL_OK;
}

int vmmctl_exec(struct vmmctl *v, const char *name, const char *cmd,
		json_t *args, json_t **ret)
{
	char err[CTL_ERR_LEN];
	int r = vmmctl_connect(v);

	*ret = NULL;
	if (r) {
		json_decref(args);
		return r;
	}
	r = ctl_execute(&v->conn, cmd, args, ret, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "vmmctl %s: %s\n", name, err);
		return VMMCTL_NO_SERVER;
	}
	if (r > 0) {
		if (v->json) {
			json_t *e = json_pack("{s:O}", "error", *ret);

			print_json(e);
			json_decref(e);
		} else {
			fprintf(stderr, "vmmctl %s: %s\n", name,
				json_string_value(
					json_object_get(*ret, "desc")));
		}
		json_decref(*ret);
		*ret = NULL;
		return VMMCTL_FAILED;
	}
	return VMMCTL_OK;
}

int vmmctl_query(struct vmmctl *v, const struct vmmctl_cmd *cmd, int argc,
		 const char *execute, void (*print)(json_t *reply))
{
	json_t *r;
	int ret;

	if (argc > 1)
		return vmmctl_usage(cmd, "takes no arguments");
	ret = vmmctl_exec(v, cmd->name, execute, NULL, &r);
	if (ret)
		return ret;
	if (v->json)
		print_json(r);
	else
		print(r);
	json_decref(r);
	return VMMCTL_OK;
}

int vmmctl_watch_events(struct vmmctl *v, const char *name, json_t *events)
{
	json_t *args = events ? json_pack("{s:o}", "events", events) : NULL;
	json_t *r;
	int ret = vmmctl_exec(v, name, "watch-events", args, &r);

	json_decref(r);
	return ret;
}

static const struct vmmctl_cmd *find(const char *name)
{
	for (const struct vmmctl_cmd *c = cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vmmctl v = { .timeout_ms = 60000 };
	char def[CTL_SOCKET_PATH_MAX];
	const struct vmmctl_cmd *cmd;
	uint64_t ns;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			v.socket = optarg;
			break;
		case 'j':
			v.json = true;
			break;
		case 't':
			if (parse_duration_ns(optarg, &ns) || ns < 1000000 ||
			    ns > 86400000000000ULL) {
				fprintf(stderr,
					"vmmctl: --timeout %s: a time from 1ms to 24h (e.g. 5s)\n",
					optarg);
				return VMMCTL_USAGE;
			}
			v.timeout_ms = ns / 1000000;
			break;
		case 'h':
			usage(stdout);
			return VMMCTL_OK;
		case ':':
			fprintf(stderr, "vmmctl: %s needs a value\n",
				argv[optind - 1]);
			return VMMCTL_USAGE;
		default:
			fprintf(stderr, "vmmctl: unknown option '%s'\n",
				argv[optind - 1]);
			return VMMCTL_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return VMMCTL_USAGE;
	}
	if (!strcmp(argv[optind], "help")) {
		if (optind + 1 >= argc) {
			usage(stdout);
			return VMMCTL_OK;
		}
		cmd = find(argv[optind + 1]);
		if (!cmd) {
			fprintf(stderr, "vmmctl help: no command '%s'\n",
				argv[optind + 1]);
			return VMMCTL_USAGE;
		}
		vmmctl_print_help(cmd);
		return VMMCTL_OK;
	}
	cmd = find(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "vmmctl: no command '%s' (vmmctl --help)\n",
			argv[optind]);
		return VMMCTL_USAGE;
	}
	if (vmmctl_help_asked(cmd, argc - optind, argv + optind))
		return VMMCTL_OK;
	if (!v.socket) {
		if (ctl_default_socket(def, sizeof(def)) < 0) {
			fprintf(stderr,
				"vmmctl: no default socket path fits: use --socket\n");
			return VMMCTL_USAGE;
		}
		v.socket = def;
	}
	ret = cmd->run(&v, cmd, argc - optind, argv + optind);
	if (v.connected)
		ctl_close(&v.conn);
	fflush(stdout);
	return ret;
}
