#!/bin/sh
# The overcommit report's plots at scale: tools/scenarios/many-64.json runs
# 64 small guests for real, and every plot it has data for is drawn (PNG
# and SVG, gnuplot without a word in plots.log), no key has more than 12
# entries (the guests beyond the top 8 are one band: "others (56
# guests)"), memory.csv has the bands, and a stall plot is there exactly
# when the run had direct-reclaim stalls.  Needs /dev/kvm and gnuplot.
tool="$1/tools/overcommit"
scenario="$(dirname "$0")/../../tools/scenarios/many-64.json"
[ -w /dev/kvm ] || { echo "/dev/kvm not usable: no guests to run"; exit 77; }
command -v gnuplot >/dev/null 2>&1 || { echo "gnuplot not installed (apt-get install gnuplot-nox)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
r="$tmp/report"

# Exit status 1 (an expectation not met, on a loaded machine) still has
# every plot; 2 is an error.
timeout 120 "$tool" -q --out "$r" "$scenario" >"$tmp/out" 2>&1
rc=$?
[ $rc -le 1 ] || { echo "run: exit $rc"; cat "$tmp/out"; exit 1; }
grep "overcommit: plots:" "$tmp/out" && fail=1
[ -s "$r/plots.log" ] && { echo "plots.log:"; cat "$r/plots.log"; fail=1; }

for p in memory balloons nodes pressure latency fragmentation host events; do
	for ext in png svg; do
		[ "$(wc -c <"$r/$p.$ext" 2>/dev/null || echo 0)" -gt 1000 ] ||
			{ echo "$p.$ext missing or empty"; fail=1; }
	done
done
if grep -q ',direct_reclaim,' "$r/events.csv"; then
	[ -s "$r/stalls.png" ] || { echo "stalls, but no stalls.png"; fail=1; }
else
	[ -e "$r/stalls.png" ] && { echo "stalls.png without a stall"; fail=1; }
fi

# The most entries in one key: each plot command's titled series.
most=$(awk '/^plot /{ n = 0; on = 1 }
	on { n += gsub(/ title \047/, "&") }
	on && !/\\$/ { if (n > most) most = n; on = 0 }
	END { print most + 0 }' "$r/plots.gp")
[ "$most" -le 12 ] || { echo "a key with $most entries"; fail=1; }
grep -qF "title 'others (56 guests)'" "$r/plots.gp" || { echo "no band of 56 others"; fail=1; }
grep -qF "others (56 guests)" "$r/memory.svg" || { echo "memory.svg: no others band in the key"; fail=1; }

# memory.csv: time, pool free, then 9 bands of backed memory, balloon and
# target, the cold tier's store and the guests' memory in it; one row per
# sample.
head -1 "$r/memory.csv" | awk -F, '{ exit !(NF == 31 && $11 == "others_resident_mib" && $31 == "swapped_mib") }' ||
	{ echo "memory.csv header: $(head -1 "$r/memory.csv")"; fail=1; }
[ "$(wc -l <"$r/memory.csv")" = "$(wc -l <"$r/pool.csv")" ] ||
	{ echo "memory.csv: not a row per sample"; fail=1; }
# pressure_guests.csv: time, then at most 9 bands (the most stalled 8 by
# name, the rest as the highest of them).
head -1 "$r/pressure_guests.csv" | awk -F, '{ exit !(NF >= 2 && NF <= 10) }' ||
	{ echo "pressure_guests.csv header: $(head -1 "$r/pressure_guests.csv")"; fail=1; }
exit $fail
