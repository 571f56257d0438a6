#!/bin/sh
# Every vmstat counter (mm/vmstat.h's VM_EVENTS) is counted somewhere in
# the sources, so that none is printed that nothing fills, and has its row
# in docs/counters.md, which has a row for no other.
top="$(dirname "$0")/../.."
fail=0

counters=$(sed -n 's/^[[:space:]]*X(\([A-Z0-9_]*\), "\([a-z0-9_]*\)").*/\1 \2/p' \
	"$top/mm/vmstat.h")
[ -n "$counters" ] || { echo "no counters found in mm/vmstat.h"; exit 1; }

# The items the counting sites name, each file read as one line so that
# a call over several lines is whole: count_vm_event(s)() arguments, a
# thread's events[] slot, and the per-zone and per-reclaimer families.
counted=$(for f in $(find "$top/mm" "$top/balloon" "$top/swap" "$top/vmm" -name '*.c'); do
	tr '\n' ' ' <"$f" |
		grep -o 'count_vm_events\{0,1\}([^;]*;\|events\[[A-Z0-9_]*\]' |
		grep -o '[A-Z][A-Z0-9_]*\|zid_vm_event([A-Z]*\|reclaimer_vm_event([A-Z]*'
done | sed 's/^zid_vm_event(\(.*\)/\1_NORMAL\n\1_MOVABLE/;
	s/^reclaimer_vm_event(\(.*\)/\1_KSWAPD\n\1_DIRECT/' | sort -u)

doc="$top/docs/counters.md"
# The names in the first cell of the tables' rows.
documented=$(grep '^| `' "$doc" | cut -d'|' -f2 | grep -o '`[a-z0-9_]*`' |
	tr -d '`' | sort -u)

echo "$counters" | while read -r item name; do
	echo "$counted" | grep -qx "$item" ||
		echo "$item ($name) is printed but counted nowhere"
	echo "$documented" | grep -qx "$name" ||
		echo "$name has no row in docs/counters.md"
done | grep . && fail=1

names=$(echo "$counters" | cut -d' ' -f2)
for d in $documented; do
	echo "$names" | grep -qx "$d" ||
		{ echo "docs/counters.md has a row for $d, no such counter"; fail=1; }
done
exit $fail
