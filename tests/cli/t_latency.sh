#!/bin/sh
# reclaim-latency on a hand-written trace with known contents: exact
# percentiles in text and JSON, the CSV histograms, malformed lines named
# by number, the Chrome export written; bad invocations exit 2.
tool="$1/tools/reclaim-latency"
trace="$(dirname "$0")/../traces/known.trace"
tmp=$(mktemp -d)
fail=0

"$tool" --csv "$tmp/h.csv" --chrome "$tmp/c.json" "$trace" >"$tmp/out" 2>"$tmp/err" ||
	{ echo "exit $? on the known trace"; fail=1; }
want() {
	grep -qF -- "$2" "$1" || { echo "$(basename "$1"): no '$2'"; fail=1; }
}
want "$tmp/out" "known.trace: 50 events (1 of types unknown here), 5 malformed lines"
want "$tmp/out" "count 12  p50 6 us  p90 100 us  p99 200 us  p99.9 200 us  max 200 us"
want "$tmp/out" "count 2  p50 1 ms  p90 5 ms  p99 5 ms  p99.9 5 ms  max 5 ms"
want "$tmp/out" "count 1  p50 50 ms  p90 50 ms  p99 50 ms  p99.9 50 ms  max 50 ms"
want "$tmp/out" "1 superseded by a lower target, 1 unfinished"
want "$tmp/out" "not counted: 1 runs that gave up below HIGH, 1 that found the node above HIGH"
want "$tmp/out" "vm 2 (hog) at +0.400 s: 4096 frames, badness 4100"
want "$tmp/out" "      5 us .. 10 us     |########################################| 5"
for n in 77 78 79 80 81; do
	want "$tmp/err" "known.trace:$n: malformed line"
done
[ "$(grep -c malformed "$tmp/err")" = 5 ] || { echo "not 5 malformed lines on stderr"; fail=1; }
# Per guest: whose faults waited for direct reclaim.
"$tool" --by-guest "$trace" >"$tmp/g" 2>/dev/null || { echo "--by-guest: exit $?"; fail=1; }
want "$tmp/g" "guest web (vm 1)"
want "$tmp/g" "  direct_reclaim   count      1  p50      5 ms"
want "$tmp/g" "guest hog (vm 2)"
want "$tmp/g" "guest vm 3"
want "$tmp/h.csv" "fault_4k,5000,10000,5"
want "$tmp/h.csv" "balloon,2000000,5000000,2"
head -c 40 "$tmp/c.json" | grep -q '^{"displayTimeUnit":"ms","traceEvents":\[' ||
	{ echo "chrome: not a trace-event object"; fail=1; }

"$tool" --json "$trace" >"$tmp/json" 2>/dev/null || { echo "--json: exit $?"; fail=1; }
want "$tmp/json" '"malformed_lines": 5'
want "$tmp/json" '"p99.9": 200000,'
want "$tmp/json" '"p50": 3000000,'

"$tool" "$tmp/nonexistent" >/dev/null 2>"$tmp/err"
[ $? = 2 ] || { echo "missing file: expected exit 2"; fail=1; }
want "$tmp/err" "nonexistent: No such file or directory"
"$tool" --bogus "$trace" >/dev/null 2>&1
[ $? = 2 ] || { echo "bad option: expected exit 2"; fail=1; }
rm -rf "$tmp"
exit $fail
