#!/bin/sh
# The cold tier in a shipped scenario: tools/scenarios/all-in-use.json
# has ten guests using 1.2x the pool at once, every page touched, so the
# balloons can take nothing.  With the tier (the default) nothing is
# killed and every page is intact; with reclaim.swap_store 0 the same run
# OOM-kills guests.  A scenario with a swap file of its own keeps it in
# its report directory.  Needs /dev/kvm.
tool="$1/tools/overcommit"
scenario="$(dirname "$0")/../../tools/scenarios/all-in-use.json"
[ -w /dev/kvm ] || { echo "/dev/kvm not usable: no guests to run"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
# A ThreadSanitizer build's host runs several times slower, its guests do
# not: the run with the tier takes about 50 of its 60 s there alone (more
# under load), and without the tier the guests, held up by the host's
# faults, no longer fill the pool at once, so nobody need be killed.  Such
# a build gives the run with the tier 300 s and leaves the other out.
skipped=
on="$scenario"
limit=120
if ldd "$tool" 2>/dev/null | grep -q libtsan; then
	on="$tmp/on.json"
	sed 's/"timeout": "60s"/"timeout": "300s"/' "$scenario" >"$on"
	grep -q '"300s"' "$on" || { echo "could not lengthen the run's timeout"; exit 1; }
	limit=360
	skipped="the run without the tier (a ThreadSanitizer build: whether guests must be killed depends on the host's speed)"
fi

timeout $limit "$tool" -q --no-plots --out "$tmp/on" "$on" >"$tmp/out" 2>&1
rc=$?
[ $rc = 0 ] || { echo "with the tier: exit $rc"; cat "$tmp/out"; fail=1; }
grep -q '"oom_kills": \[\]' "$tmp/on/summary.json" ||
	{ echo "with the tier: guests were killed"; fail=1; }
# guests.csv samples what each guest has in the tier.
col=$(head -1 "$tmp/on/guests.csv" | tr , '\n' | grep -n '^swap_mib$' | cut -d: -f1)
[ -n "$col" ] && awk -F, -v c="$col" 'NR > 1 && $c > 0 { f = 1 } END { exit !f }' \
	"$tmp/on/guests.csv" || { echo "with the tier: no swap_mib in guests.csv"; fail=1; }
# Each guest's report says what went through the tier.
grep -q 'swap: [1-9][0-9]* pages out' "$tmp/on/guests.txt" ||
	{ echo "with the tier: nothing was swapped out"; fail=1; }

# Without the tier the guests hold 10 s, not 3: under load a guest's
# touch, slowed by reclaim, could otherwise end after the first guests
# had freed theirs, and nobody need be killed.
if [ -z "$skipped" ]; then
	sed -e 's/"pool": { "size": "1G" }/"pool": { "size": "1G" }, "reclaim": { "swap_store": "0" }/' \
		-e 's/"hold 3s"/"hold 10s"/' "$scenario" >"$tmp/off.json"
	grep -q swap_store "$tmp/off.json" && grep -q '"hold 10s"' "$tmp/off.json" ||
		{ echo "could not make the tier-off scenario"; exit 1; }
	timeout 120 "$tool" -q --no-plots --out "$tmp/off" "$tmp/off.json" >"$tmp/out" 2>&1
	rc=$?
	[ $rc = 1 ] || { echo "without the tier: exit $rc (1 expected: no_oom fails)"; cat "$tmp/out"; fail=1; }
	grep -q '"oom_kills": \[\]' "$tmp/off/summary.json" &&
		{ echo "without the tier: nobody was killed"; fail=1; }
fi
# A scenario that sizes a swap file and does not place it: the file is in
# the report directory, and a 1 MiB store sends nearly everything there.
cat >"$tmp/file.json" <<'EOS'
{ "name": "file", "pool": { "size": "128M" },
  "reclaim": { "swap_store": "1M", "swap_file_size": "64M" },
  "guests": [
    { "name": "a", "mem": "128M", "script": "touch 100M ratio=3; hold 500ms; verify" },
    { "name": "b", "mem": "64M", "start": "200ms", "script": "touch 40M ratio=3; verify" } ],
  "expect": { "no_oom": true, "integrity": true, "completed": true } }
EOS
timeout 60 "$tool" -q --no-plots --out "$tmp/file" "$tmp/file.json" >"$tmp/out" 2>&1
rc=$?
[ $rc = 0 ] || { echo "with a swap file: exit $rc"; cat "$tmp/out"; fail=1; }
[ -f "$tmp/file/swap.file" ] || { echo "no swap.file in the report directory"; fail=1; }
[ $fail = 0 ] && [ -n "$skipped" ] && { echo "the rest passed; left out: $skipped"; exit 77; }
exit $fail
