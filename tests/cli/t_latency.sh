#!/bin/sh
# reclaim-latency on a hand-written trace with known contents: exact
# percentiles in text and JSON, the CSV histograms, malformed lines named
# by number, the Chrome export written; bad invocations exit 2.  On a
# trace that lost events: warnings naming the distributions they
# shorten, --strict fails; --csv - prints CSV alone; --list prints one
# line per stall.
tool="$1/tools/reclaim-latency"
trace="$(dirname "$0")/../traces/known.trace"
session="$(dirname "$0")/../traces/session.trace"
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

# Losses: said on stderr, in the report; --strict makes them an error.
"$tool" "$session" >"$tmp/out" 2>"$tmp/err" || { echo "lossy trace: exit $?"; fail=1; }
want "$tmp/err" "reclaim-latency: warning: $session: 5 events lost in 2 places (mm_page_free 3, mm_slowpath_end 1, balloon_actual 1)"
want "$tmp/err" "distributions short of events, their counts are lower bounds: direct_reclaim, slowpath, balloon"
want "$tmp/out" "LOST: 5 events in 2 places"
want "$tmp/out" "session: 80 ms, ring of 64 events; not recorded: mm_page_alloc"
want "$tmp/out" "1 open where events were lost, not measured; SHORT"
"$tool" --strict "$session" >/dev/null 2>&1
[ $? = 1 ] || { echo "--strict on a lossy trace: expected exit 1"; fail=1; }
"$tool" --strict "$trace" >/dev/null 2>&1 || { echo "--strict on a whole trace: exit $?"; fail=1; }
grep -v '^# trace end' "$session" >"$tmp/cut"
"$tool" --strict "$tmp/cut" >/dev/null 2>"$tmp/err"
[ $? = 1 ] || { echo "--strict on a trace without its end: expected exit 1"; fail=1; }
want "$tmp/err" "no end line"
# --csv -: CSV and nothing else on stdout.
"$tool" --csv - "$session" >"$tmp/csv" 2>/dev/null || { echo "--csv -: exit $?"; fail=1; }
[ "$(head -1 "$tmp/csv")" = "distribution,bucket_lo_ns,bucket_hi_ns,count" ] &&
	! tail -n +2 "$tmp/csv" | grep -qv '^[a-z0-9_]*,[0-9]*,[0-9]*,[0-9]*$' ||
	{ echo "--csv -: not CSV alone:"; cat "$tmp/csv"; fail=1; }
"$tool" --json --csv - "$session" >/dev/null 2>"$tmp/err"
[ $? = 2 ] || { echo "--json --csv -: expected exit 2"; fail=1; }
want "$tmp/err" "--json and --csv - both write to stdout"
# --list: one line per direct-reclaim stall, as drsnoop.
"$tool" --list direct-reclaim "$session" >"$tmp/list" 2>/dev/null || { echo "--list: exit $?"; fail=1; }
cat >"$tmp/want" <<'END'
TIME(s)            TID   VM GUEST               LAT(ms)    PAGES
0.003100           100    1 web                   2.000      512
0.013500           100    1 web                   3.000      256
END
cmp -s "$tmp/list" "$tmp/want" || { echo "--list direct-reclaim:"; cat "$tmp/list"; fail=1; }
"$tool" --list swap-in "$session" >/dev/null 2>"$tmp/err"
[ $? = 2 ] || { echo "--list swap-in: expected exit 2"; fail=1; }
want "$tmp/err" "no kind 'swap-in' to list"
# Swap-ins apart: from the compressed store (swapin), and reading the
# swap file (swapin_file: any page of the fault from the file).
swap="$(dirname "$0")/../traces/swap.trace"
"$tool" --json "$swap" >"$tmp/json" 2>/dev/null || { echo "swap trace: exit $?"; fail=1; }
python3 - "$tmp/json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))["distributions"]
want = {"swapin": (4, 20000, 40000), "swapin_file": (2, 100000, 300000)}
for k, (n, p50, mx) in want.items():
    got = (d[k]["count"], d[k]["p50"], d[k]["max"])
    if got != (n, p50, mx):
        print("swap trace: %s is %s, not %s" % (k, got, (n, p50, mx)))
        sys.exit(1)
PY
"$tool" --list swapin,swapin_file "$swap" >"$tmp/list" 2>/dev/null || { echo "--list swapin: exit $?"; fail=1; }
cat >"$tmp/want" <<'END'
TIME(s)        KIND                TID   VM GUEST               LAT(ms)    PAGES
0.000000       swapin              100    1 web                   0.010        8
0.000010       swapin              100    1 web                   0.020        1
0.000020       swapin              100    1 web                   0.030        4
0.000030       swapin              100    1 web                   0.040        2
0.000490       swapin_file         100    1 web                   0.100        8
0.000890       swapin_file         100    1 web                   0.300        3
END
cmp -s "$tmp/list" "$tmp/want" || { echo "--list swapin,swapin_file:"; cat "$tmp/list"; fail=1; }
"$tool" --by-guest "$swap" >"$tmp/g" 2>/dev/null || { echo "swap --by-guest: exit $?"; fail=1; }
want "$tmp/g" "  swapin_file      count      2"

"$tool" "$tmp/nonexistent" >/dev/null 2>"$tmp/err"
[ $? = 2 ] || { echo "missing file: expected exit 2"; fail=1; }
want "$tmp/err" "nonexistent: No such file or directory"
"$tool" --bogus "$trace" >/dev/null 2>&1
[ $? = 2 ] || { echo "bad option: expected exit 2"; fail=1; }
rm -rf "$tmp"
exit $fail
