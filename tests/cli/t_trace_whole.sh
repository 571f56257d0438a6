#!/bin/sh
# vmm run --trace of the README's three overcommitted guests, a shorter
# run of the same shape: the trace covers the whole run (its first and
# last events against the run's duration, every guest's start and end),
# loses nothing, and has the direct-reclaim stalls, kswapd responses and
# balloon completions that reclaim-latency counts.  (The ring used to be
# written at the end: a run longer than 65536 events kept only its last
# ones, mostly page frees, and no reclaim at all.)
build="$1"
[ -w /dev/kvm ] || { echo "/dev/kvm is not usable here"; exit 77; }
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A small --balloon-step makes direct reclaim frequent enough to count
# on (the README's run has a few stalls, some runs none).
t0=$(date +%s%N)
timeout 120 "$build/vmm" run --pool 256M --balloon-step 256K --console off \
	--trace "$tmp/trace" \
	--guest 'name=a,mem=192M,vcpus=2,script=touch 150M; free 140M; hold 1500ms; touch 40M; verify' \
	--guest 'name=b,mem=192M,vcpus=2,script=sleep 700ms; touch 150M; free 140M; hold 1500ms; touch 40M; verify' \
	--guest 'name=c,mem=192M,vcpus=2,script=sleep 1400ms; touch 150M; free 140M; hold 1500ms; touch 40M; verify' \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
t1=$(date +%s%N)
[ $rc = 0 ] || { echo "vmm run: exit $rc"; cat "$tmp/err"; fail=1; }
grep -q "^trace: $tmp/trace: [0-9]* events, 0 lost$" "$tmp/out" ||
	{ echo "vmm run: no 'trace: FILE: N events, 0 lost'"; tail -3 "$tmp/out"; fail=1; }

# The events' span against the run's: all of it but vmm's start-up and
# its end (pool creation, reports).
first=$(grep -m1 '^ts=' "$tmp/trace" | sed 's/^ts=\([0-9]*\) .*/\1/')
last=$(grep '^ts=' "$tmp/trace" | tail -1 | sed 's/^ts=\([0-9]*\) .*/\1/')
span_ms=$(( (last - first) / 1000000 ))
run_ms=$(( (t1 - t0) / 1000000 ))
[ $((span_ms * 100)) -ge $((run_ms * 85)) ] ||
	{ echo "the trace spans $span_ms ms of a $run_ms ms run"; fail=1; }
for vm in 1 2 3; do
	grep -q "event=vm_state vm=$vm state=1\$" "$tmp/trace" ||
		{ echo "trace: no start of guest $vm"; fail=1; }
	grep -q "event=vm_state vm=$vm state=3\$" "$tmp/trace" ||
		{ echo "trace: no end of guest $vm"; fail=1; }
done
grep -q '^# trace end ts=[0-9]* events=[0-9]* lost=0$' "$tmp/trace" ||
	{ echo "trace: no end line with lost=0"; fail=1; }

# Counted by reclaim-latency, which has nothing to warn of.
"$build/tools/reclaim-latency" --strict "$tmp/trace" >"$tmp/lat" 2>"$tmp/lat.err" ||
	{ echo "reclaim-latency --strict: exit $?"; cat "$tmp/lat.err"; fail=1; }
for d in direct_reclaim kswapd_response balloon; do
	n=$(grep -A2 "\[$d\]" "$tmp/lat" | sed -n 's/^  count \([0-9]*\).*/\1/p')
	[ "${n:-0}" -gt 0 ] || { echo "reclaim-latency: $d count ${n:-none}"; fail=1; }
done
[ -s "$tmp/lat.err" ] && { echo "reclaim-latency warned:"; cat "$tmp/lat.err"; fail=1; }
exit $fail
