// SPDX-License-Identifier: GPL-2.0
/* The usage texts of `vmm run` and `vmm host` (--help), options and SPEC. */
#include <stdio.h>

#include "vmm/config/options.h"

static void usage_options(FILE *f)
{
	fputs("  --pool SIZE                host memory for all guests (default 1G),\n"
	      "                             rounded down to whole 4M blocks per node\n"
	      "  --nodes N                  pool NUMA nodes, 1..8 (default 1)\n"
	      "  --movable SIZE             ZONE_MOVABLE per node, like movablecore= (0)\n"
	      "  --min-free-kbytes N        min watermark, at most a quarter of the pool\n"
	      "                             (default: sqrt(16 * pool KiB))\n"
	      "  --watermark-scale-factor N gap between watermarks, 1..3000 (default 10)\n"
	      "  --distance ROWS            node distances, one row per node, '/'-separated:\n"
	      "                             10,20/20,10\n"
	      "  --no-hugepages             do not ask the host for hugepages\n"
	      "  --guest SPEC               a guest (repeatable, up to 64)\n"
	      "  --kernel FILE              guest image for guests without kernel=\n"
	      "  --trace FILE               write trace events there at exit\n"
	      "  --stats INTERVAL           print pool and guest memory every INTERVAL (e.g. 1s)\n"
	      "  --balloon on|off           reclaim through guest balloons (default on)\n"
	      "  --balloon-floor SIZE       never balloon a guest below this (8M; a guest's\n"
	      "                             floor= overrides it)\n"
	      "  --guest-timeout TIME       skip a guest that ignores a request this long (100ms)\n"
	      "  --direct-reclaim-timeout TIME  longest stall of a faulting vCPU (20ms)\n"
	      "  --kswapd-step TIME         kswapd's wait per round (50ms)\n"
	      "  --balloon-step SIZE        smallest request to one guest (2M)\n"
	      "  --no-deflate               never give memory back to balloons\n"
	      "  --irqchip on|off           in-kernel irqchip, device interrupts by irqfd (on)\n"
	      "  --deflate-margin PCT       deflate above HIGH + PCT% of the node (10)\n"
	      "  --deflate-step SIZE        most given back per round (64M)\n"
	      "  --release-interval TIME|off  give free pool memory back to the host (1s)\n"
	      "  --host-limits on|off       fit the pool to what the host will give (memory\n"
	      "                             cgroup limits, MemAvailable): refuse a --pool that\n"
	      "                             does not fit, shrink the default one, and take pool\n"
	      "                             memory offline while running when the room shrinks\n"
	      "                             (on; docs/host_limits.md)\n"
	      "  --host-reserve SIZE        kept for vmm itself beside the pool (32M + 1/32 of\n"
	      "                             the pool)\n"
	      "  --shutdown-timeout TIME|0  on SIGINT/SIGTERM, quit and stop: how long guests\n"
	      "                             may take to shut down before they are killed;\n"
	      "                             0: stop them at once (10s)\n"
	      "  --console on|off           show the guests' consoles on stdout (on)\n"
	      "  --migrate entries|pause    how compaction moves guest pages (entries)\n"
	      "  --compaction on|off        kcompactd and the collapse thread (on)\n"
	      "  --compaction-proactiveness N  0..100, like vm.compaction_proactiveness (20)\n"
	      "  --extfrag-threshold N      compact only above this fragmentation index (500)\n"
	      "  --compact-batch N          pages per migration batch, 1..512 (32)\n"
	      "  --collapse-interval TIME|off  collapse scattered 2 MiB guest regions (1s)\n"
	      "  --collapse-max N           regions collapsed per pass (8)\n",
	      f);
}

static void usage_spec(FILE *f)
{
	fputs("  -v, --verbose              print the effective configuration\n"
	      "  -h, --help                 this text\n"
	      "\n"
	      "SPEC is comma-separated key=value, each key once, script= last (it takes\n"
	      "the rest; the built-in guest needs one, checked before it starts):\n"
	      "  name=NAME mem=SIZE vcpus=N nodes=N map=G:P/G:P strict pinned=SIZE floor=SIZE\n"
	      "  oom_score_adj=N cpu_max=PERCENT kernel=FILE script=COMMANDS\n"
	      "  (cpu_max=150: its vCPUs get at most 1.5 host CPUs, by a cgroup)\n"
	      "e.g. --guest 'name=web,mem=512M,vcpus=2,nodes=2,map=0:0/1:1,script=touch 256M; verify'\n"
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
	usage_options(f);
	fputs("  --socket PATH              serve the control socket there too (vmmctl)\n",
	      f);
	usage_spec(f);
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
	usage_options(f);
	fputs("  --socket PATH              the control socket (default: $VMM_SOCKET, else\n"
	      "                             $XDG_RUNTIME_DIR/vmm/vmm.sock, else\n"
	      "                             /run/vmm/vmm.sock as root, /tmp/vmm-UID/vmm.sock)\n",
	      f);
	usage_spec(f);
}
