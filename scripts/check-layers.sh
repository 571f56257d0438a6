#!/bin/sh
# The layers the build enforces (docs/architecture.md): each folder may
# include only from the folders listed for it; a word !PATH takes PATH
# back from what the words before it allow; and a folder's internal.h is
# for that folder (and the tests) alone.  Prints every include that
# crosses a layer the wrong way; exit status 1 if there is one.  The
# reclaim engine is mm's (mm/vmscan.c): it knows the balloon and the cold
# tier only as shrinkers they register, so mm/ includes neither.
#
#   scripts/check-layers.sh [TREE]
#
#   folder          may include
rules='
util/           util/ guest/units.h
guest/          guest/
mm/             mm/ util/
balloon/        balloon/ mm/ util/
swap/           swap/ mm/ util/
vmm/config/     vmm/config/ util/ guest/abi.h guest/script.h guest/units.h mm/types.h
vmm/loader/     vmm/loader/ util/ guest/abi.h
vmm/guest_mem/  vmm/guest_mem/ swap/ mm/ util/ guest/abi.h
vmm/virtio/     vmm/virtio/ mm/ util/ guest/abi.h guest/virtio_regs.h
vmm/kvm/        vmm/kvm/ vmm/loader/ vmm/guest_mem/ vmm/config/ mm/ util/ guest/abi.h
vmm/host/       vmm/host/ vmm/kvm/ vmm/virtio/ vmm/guest_mem/ vmm/loader/ vmm/config/ balloon/ swap/ mm/ util/ guest/abi.h
vmm/ctl/        vmm/ctl/ vmm/host/ vmm/kvm/ vmm/virtio/ vmm/guest_mem/ vmm/config/ balloon/ swap/ mm/ util/ guest/abi.h
vmm/metrics/    vmm/metrics/ vmm/host/api.h mm/ util/
vmm/cli/        vmm/ balloon/ swap/ mm/ util/ guest/abi.h
tools/vmmctl/   tools/vmmctl/ vmm/ctl/ctl.h vmm/ctl/path.h util/
tools/          tools/ vmm/ balloon/ swap/ mm/ util/ guest/abi.h guest/fill.h !vmm/host/host.h
tests/          tests/ tools/ vmm/ balloon/ swap/ mm/ util/ guest/
'
# The tree checked: the argument, else the one this script is in.
cd "${1:-$(dirname "$0")/..}" || exit 2
files=$(git ls-files '*.c' '*.h' 2>/dev/null) || files=
[ -n "$files" ] || files=$(find . -name '*.[ch]' | sed 's|^\./||')
echo "$files" | awk -v rules="$rules" '
BEGIN {
	n = split(rules, line, "\n")
	for (i = 1; i <= n; i++) {
		if (split(line[i], w, " ") < 2)
			continue
		folder[++nf] = w[1]
		allow[nf] = line[i]
	}
}
# May a file of layer k include inc?
function allowed(k, f, inc,   w, m, j, ok, home) {
	ok = 0
	m = split(allow[k], w, " ")
	for (j = 2; j <= m; j++) {
		if (index(inc, w[j]) == 1)
			ok = 1
		else if (w[j] == "!" inc)
			ok = 0
	}
	if (inc ~ /\/internal\.h$/ && folder[k] != "tests/") {
		home = substr(inc, 1, length(inc) - length("internal.h"))
		if (index(f, home) != 1)
			ok = 0
	}
	return ok
}
{
	f = $0
	layer = 0
	for (i = 1; i <= nf; i++)
		if (index(f, folder[i]) == 1 &&
		    (!layer || length(folder[i]) > length(folder[layer])))
			layer = i
	if (!layer)
		next
	while ((getline l < f) > 0) {
		if (l !~ /^#include "/)
			continue
		inc = l
		sub(/^#include "/, "", inc)
		sub(/".*/, "", inc)
		if (allowed(layer, f, inc))
			continue
		list = allow[layer]
		sub(/^ *[^ ]+ +/, "", list)
		if (inc ~ /\/internal\.h$/)
			printf "%s: includes %s, which is for its own folder alone\n", f, inc
		else
			printf "%s: includes %s; %s may use only %s\n", f, inc,
			       folder[layer], list
		bad++
	}
	close(f)
}
END {
	if (bad) {
		printf "layers: %d include(s) cross a layer the wrong way (scripts/check-layers.sh)\n", bad
		exit 1
	}
	print "  LAYERS  ok"
}'
