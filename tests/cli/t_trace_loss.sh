#!/bin/sh
# Events a trace loses are in the file where they were lost, said by
# `vmm run` and `vmmctl trace stop`, warned of by reclaim-latency, and
# fail it with --strict.  A ring of 16 events with the page allocator's
# events on, and a guest whose freed memory goes back to the pool by the
# ten thousand pages in a few milliseconds: the writer cannot keep up.
build=$(cd "$1" && pwd)
[ -w /dev/kvm ] || { echo "/dev/kvm is not usable here"; exit 77; }
fail=0
tmp=$(mktemp -d)
pid=
trap 'kill -9 $pid 2>/dev/null; rm -rf "$tmp"' EXIT
guest='name=a,mem=64M,script=touch 48M; free 40M; hold 200ms; verify'

want() {
	grep -q -- "$2" "$1" || { echo "$(basename "$1"): no '$2' in:"; sed 's/^/    /' "$1"; fail=1; }
}

timeout 60 "$build/vmm" run --pool 64M --console off --trace "$tmp/run.trace" \
	--trace-ring 16 --trace-page-events --guest "$guest" >"$tmp/out" 2>"$tmp/err" ||
	{ echo "vmm run: exit $?"; cat "$tmp/err"; fail=1; }
want "$tmp/err" "^vmm: warning: trace $tmp/run.trace lost [1-9][0-9]* of [0-9]* events (mm_page_free [0-9]*"
want "$tmp/out" "^trace: $tmp/run.trace: [0-9]* events, [1-9][0-9]* lost$"
want "$tmp/run.trace" '^# lost [1-9][0-9]* events between ts=[0-9]* and ts=[0-9]*: .*mm_page_free=[0-9]'
want "$tmp/run.trace" '^# trace end ts=[0-9]* events=[0-9]* lost=[1-9][0-9]*$'
# The losses in the file add up to the end line's.
sum=$(sed -n 's/^# lost \([0-9]*\) events.*/\1/p' "$tmp/run.trace" | awk '{ s += $1 } END { print s }')
grep -q "^# trace end .* lost=$sum\$" "$tmp/run.trace" ||
	{ echo "the loss lines add up to $sum, not the end line's count"; fail=1; }

"$build/tools/reclaim-latency" "$tmp/run.trace" >/dev/null 2>"$tmp/lat.err" ||
	{ echo "reclaim-latency: exit $?"; fail=1; }
want "$tmp/lat.err" "^reclaim-latency: warning: $tmp/run.trace: [1-9][0-9]* events lost in [0-9]* place"
"$build/tools/reclaim-latency" --strict "$tmp/run.trace" >/dev/null 2>&1
[ $? = 1 ] || { echo "reclaim-latency --strict: expected exit 1"; fail=1; }

# The same through the control socket.
sock="$tmp/s"
"$build/vmm" host --pool 64M --console off --socket "$sock" >"$tmp/host.log" 2>&1 &
pid=$!
i=0
while [ ! -S "$sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
ctl() { "$build/vmmctl" --socket "$sock" "$@"; }
ctl trace start --ring 16 --page-events "$tmp/ctl.trace" >"$tmp/start" 2>&1 ||
	{ echo "trace start: exit $?"; cat "$tmp/start"; fail=1; }
want "$tmp/start" "ring of 16 events, page events on"
ctl launch --wait "$guest" >/dev/null 2>&1 || { echo "launch --wait: exit $?"; fail=1; }
ctl trace stop >"$tmp/stop" 2>"$tmp/stop.err" || { echo "trace stop: exit $?"; fail=1; }
want "$tmp/stop" "^$tmp/ctl.trace: [0-9]* events ([1-9][0-9]* lost)$"
want "$tmp/stop.err" "^vmmctl trace: warning: [1-9][0-9]* events lost .*mm_page_free [0-9]"
want "$tmp/ctl.trace" '^# lost [1-9][0-9]* events between ts='
ctl quit >/dev/null 2>&1
wait $pid
pid=
exit $fail
