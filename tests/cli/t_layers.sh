#!/bin/sh
# scripts/check-layers.sh catches an include that crosses a layer the
# wrong way (mm/ reaching up into vmm/, anyone but mm/ and tests/ taking
# mm/internal.h, vmmctl taking the host) and lets the right ways pass.
check="$(dirname "$0")/../../scripts/check-layers.sh"
tmp=$(mktemp -d /tmp/vmm-layers.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0

tree() {
	rm -rf "$tmp/t" && mkdir -p "$tmp/t/mm" "$tmp/t/vmm/host" \
		"$tmp/t/vmm/ctl" "$tmp/t/tools/vmmctl" "$tmp/t/tools/bench" \
		"$tmp/t/tests"
	echo '#include "mm/mm.h"' >"$tmp/t/vmm/host/host.c"
	echo '#include "mm/internal.h"' >"$tmp/t/mm/buddy.c"
	echo '#include "mm/internal.h"' >"$tmp/t/tests/check_buddy.c"
	echo '#include "vmm/ctl/path.h"' >"$tmp/t/tools/vmmctl/main.c"
	echo '#include "vmm/host/api.h"' >"$tmp/t/tools/bench/bench.c"
	echo '#include "vmm/host/internal.h"' >"$tmp/t/vmm/host/launch.c"
	echo '#include "vmm/host/host.h"' >"$tmp/t/vmm/ctl/guests.c"
}

tree
out=$(sh "$check" "$tmp/t" 2>&1) || { echo "right ways refused: $out"; fail=1; }

expect_bad() {
	out=$(sh "$check" "$tmp/t" 2>&1)
	rc=$?
	[ "$rc" = 1 ] || { echo "$1: exit $rc, expected 1"; fail=1; }
	case "$out" in *"$2"*) ;; *) echo "$1: no '$2' in: $out"; fail=1 ;; esac
}

tree
echo '#include "vmm/host/host.h"' >>"$tmp/t/mm/buddy.c"
expect_bad "mm up into vmm" "mm/buddy.c: includes vmm/host/host.h; mm/ may use only mm/"
tree
echo '#include "mm/internal.h"' >>"$tmp/t/vmm/host/host.c"
expect_bad "mm's internals" "vmm/host/host.c: includes mm/internal.h"
tree
echo '#include "vmm/host/host.h"' >>"$tmp/t/tools/vmmctl/main.c"
expect_bad "vmmctl on the host" "tools/vmmctl/main.c: includes vmm/host/host.h"
tree
echo '#include "vmm/host/host.h"' >>"$tmp/t/tools/bench/bench.c"
expect_bad "a tool inside the host" "tools/bench/bench.c: includes vmm/host/host.h"
tree
echo '#include "vmm/host/internal.h"' >>"$tmp/t/vmm/ctl/guests.c"
expect_bad "another folder's internals" "vmm/ctl/guests.c: includes vmm/host/internal.h, which is for its own folder alone"
exit $fail
