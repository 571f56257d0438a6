#!/bin/sh
# vmmctl against a running `vmm host`: every command, human and --json
# output, exit statuses (0 done, 1 refused/failed, 2 usage, 3 no vmm), a
# watcher seeing what another client does, the socket's permissions.
build=$(cd "$1" && pwd)
vmm="$build/vmm"
ctl="$build/vmmctl"
[ -w /dev/kvm ] || { echo "/dev/kvm is not usable here"; exit 77; }
fail=0
tmp=$(mktemp -d)
sock="$tmp/vmm.sock"
pid=
rpid=
wpid=
fpid=
# Whatever happens, no vmm is left running.
trap 'kill -9 $pid $rpid $wpid $fpid 2>/dev/null; rm -rf "$tmp"' EXIT
VMM_SOCKET="$sock"
export VMM_SOCKET

# expect STATUS PATTERN vmmctl-args...: exit status and output (both
# streams) containing PATTERN.
expect() {
	want_rc=$1
	want=$2
	shift 2
	out=$("$ctl" "$@" 2>&1)
	rc=$?
	if [ "$rc" != "$want_rc" ]; then
		echo "vmmctl $*: exit $rc, expected $want_rc"
		echo "$out" | sed 's/^/    /'
		fail=1
	fi
	case "$out" in
	*"$want"*) ;;
	*) echo "vmmctl $*: no '$want' in:"; echo "$out" | sed 's/^/    /'; fail=1 ;;
	esac
}

# No vmm yet; bad usage; help.
expect 3 "is vmm host running" status
expect 2 "no command 'frob'" frob
expect 2 "which guest" stop
expect 2 "GUEST and SIZE" balloon a
expect 0 "GUEST --mem SIZE" balloon --help
expect 2 "no section 'slabinfo'" stats slabinfo
expect 2 "--timeout soon" --timeout soon status
expect 2 "start FILE, or stop" trace
expect 0 "usage: vmmctl" --help
expect 0 "usage: vmmctl [--socket PATH] [--json] launch SPEC" help launch
expect 0 "--wait" launch --help

# No deflation: a balloon keeps the target set here.
"$vmm" host --pool 256M --socket "$sock" --console off --no-deflate >"$tmp/log" 2>&1 &
pid=$!
i=0
while [ ! -S "$sock" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
[ "$(stat -c %a "$sock")" = 600 ] || { echo "socket mode $(stat -c %a "$sock")"; fail=1; }

expect 0 "(host mode)" status
expect 0 "pool: 256M in 1 node(s)" status
expect 0 '"mode":"host"' --json status
expect 0 "vmm 0.1.0" version

# Launch and wait: a clean guest (0), a crashing one (1), a bad SPEC (1).
expect 0 "guest a (id 1): guest exit: status 0, integrity ok" \
	launch --wait 'name=a,mem=64M,script=touch 16M; verify'
expect 1 "shutdown" launch --wait 'name=boom,mem=32M,script=crash'
expect 1 "unknown key 'colour'" launch 'colour=red'
# A relative kernel= is the caller's: vmmctl makes it absolute.
(cd "$build/guest" && "$ctl" launch --wait 'name=k,mem=32M,kernel=guest.elf,script=touch 4M; verify' >"$tmp/k" 2>&1) ||
	{ echo "kernel=relative: exit $?"; cat "$tmp/k"; fail=1; }

# A watcher sees what this client does; another only some events, by
# name (a name vmm does not send is bad usage).
expect 2 "no event 'FOO'; vmm sends GUEST_STARTED," watch --event FOO
expect 2 "no event 'NOPE'" watch GUEST_STOPPED --until NOPE
"$ctl" watch --until GUEST_STOPPED --timeout 20s >"$tmp/watch" 2>&1 &
wpid=$!
"$ctl" watch --event TRACE,GUEST_STOPPED --until GUEST_STOPPED --timeout 20s >"$tmp/fwatch" 2>&1 &
fpid=$!
sleep 0.3
# Ids are never reused: a, boom and k had 1, 2 and 3.
expect 0 "guest b (id 4) started" launch 'name=b,mem=64M,script=touch 16M; hold 30s'
expect 1 "a guest named 'b' exists" launch 'name=b,mem=32M,script=exit 0'
expect 0 "  4 b                running" list
expect 0 '[{"id":4,"name":"b","state":"running"' --json list
expect 1 "no such guest: id 1" kill 1
expect 0 "balloon of b: target 8M" balloon b 8M
i=0
while ! grep -q BALLOON_CHANGE "$tmp/watch" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
expect 1 "no such guest: 'zz'" balloon zz 8M
# Set as the memory the guest may use (virsh setmem), kept; bad sizes.
expect 0 "balloon of b: target 24M (holds" balloon b --mem 40M
expect 0 "kept until set again" balloon b --mem=40M
expect 0 "the guest may use 40M of 64M" balloon b --mem 40M
expect 0 "    24M     40M" list
expect 0 '"user-target":25165824,"mem":41943040' --json list
expect 1 "target 1 GiB is more than the guest's 64 MiB of RAM" balloon b 1G
expect 1 "mem 65 MiB is more than the guest's 64 MiB of RAM" balloon b --mem 65M
expect 1 "mem 0 B would leave the guest no memory" balloon b --mem 0
expect 1 "'-5M' is not a size" balloon b -5M
expect 1 "'lots' is not a size" balloon b --mem lots
expect 2 "--mem needs a SIZE" balloon b --mem
expect 2 "GUEST and --mem SIZE" balloon b 8M --mem 40M
expect 0 "reclaim's to change" balloon b 0
expect 0 "Node 0, zone   Normal" stats buddyinfo
expect 0 "pgalloc_normal" stats vmstat
expect 0 "Node 0, zone   Normal -1.000" stats extfrag_index
# meminfo: /proc/meminfo's lines of the pool and the cold tier (no swap
# file here: SwapTotal 0).
expect 0 "SwapTotal:             0 kB" stats meminfo
expect 0 "Zswapped:" stats meminfo
expect 0 '"meminfo":{"MemTotal":' --json stats meminfo
expect 0 "==> guests <==" stats
expect 0 '"zones":[' --json stats zoneinfo
# Memory pressure: each guest's and node's /proc/pressure/memory under
# a header, b's alone exactly as the file reads (b never waited for
# memory); PSI triggers, refused where Linux would refuse them.
expect 0 "==> guest b <==" stats pressure
expect 0 "==> node 0 <==" stats pressure
out=$("$ctl" stats pressure b 2>&1)
[ "$out" = "some avg10=0.00 avg60=0.00 avg300=0.00 total=0
full avg10=0.00 avg60=0.00 avg300=0.00 total=0" ] || { echo "stats pressure b: $out"; fail=1; }
expect 1 "no such guest: 'zz'" stats pressure zz
expect 0 " SOME10 NODES" list
# The cold tier: what it holds of each guest / what that takes there,
# and what the guest's faults brought back.
expect 0 "    SWAP/STORED REFAULT BALLOON TGT/ACT" list
expect 0 '"swap-stored":0,"swap-file":0,"swap-refaulted":0' --json list
expect 0 "   0.00 0:0" list
expect 0 '"pressure":{"some":{"avg10":0.0,"avg60":0.0,"avg300":0.0,"total-us":0}' --json list
expect 0 "trigger 1: some 150000 1000000 on guest b (id 4)" trigger b some 150000 1000000
expect 0 "trigger 2: full 150000 1000000 on node 0" trigger --node 0 'full 150ms 1s'
expect 1 "(500 ms to 10 s)" trigger b some 1000 400000
expect 1 "at most the window" trigger b 'some 2s 1s'
expect 2 "the trigger is some|full" trigger b some 150000
expect 0 '"triggers":[{"trigger":1,"kind":"some","threshold-us":150000,"window-us":1000000}]' --json stats pressure b
expect 0 "trigger 2 deleted" trigger --delete 2
expect 1 "no trigger 2" trigger --delete 2
out=$(cd "$tmp" && "$ctl" trace start trace 2>&1)
[ "$out" = "tracing to $tmp/trace as events come (ring of 65536 events, page events off, memory samples every 100 ms)" ] ||
	{ echo "trace start: $out"; fail=1; }
expect 0 "$tmp/trace: " trace stop
grep -q '^# trace end ts=[0-9]* events=[0-9]* lost=0$' "$tmp/trace" || { echo "trace: no end line"; fail=1; }
expect 1 "not tracing" trace stop
expect 2 "unknown option '--bogus'" trace start --bogus "$tmp/t2"
expect 1 "'ring' must be" trace start --ring 3 "$tmp/t2"
expect 1 "'sample' must be" trace start --sample 1ms "$tmp/t2"
[ -e "$tmp/t2" ] && { echo "trace: a refused start made its file"; fail=1; }
expect 0 "compacted: " compact
expect 0 "pool invariants hold: 65536 frames checked" check
expect 0 '{"ok":true,"frames":65536' --json check
expect 2 "no arguments" check now
expect 2 "" compact --node x
expect 2 "--timeout 1x: a time up to 24h" stop b --timeout 1x
expect 2 "unknown option '--force'" kill b --force
expect 0 "guest b (id 4): stopped by host: shut down when asked, status 0, integrity ok" stop b
expect 1 "no such guest: 'b'" stop b
expect 1 "no such guest: id 4" stop 4
wait $wpid || { echo "watch: exit $?"; fail=1; }
wpid=
wait $fpid || { echo "watch --event: exit $?"; fail=1; }
grep -q "TRACE state=on" "$tmp/fwatch" && grep -q "GUEST_STOPPED id=4" "$tmp/fwatch" ||
	{ echo "watch --event: not every event asked for"; cat "$tmp/fwatch"; fail=1; }
grep -q "GUEST_STARTED\|BALLOON_CHANGE" "$tmp/fwatch" &&
	{ echo "watch --event: events not asked for"; cat "$tmp/fwatch"; fail=1; }
for ev in "GUEST_STARTED id=4 name=b" "BALLOON_CHANGE id=4 name=b target=8M" \
	"TRACE state=on" "GUEST_STOPPED id=4 name=b reason=stopped"; do
	grep -q "$ev" "$tmp/watch" || { echo "watch: no '$ev'"; cat "$tmp/watch"; fail=1; }
done

# A script the guest could not run is refused before launch, with the
# guest's own words; a guest's panic is in the reason it stopped.
expect 1 "script @5: unknown command 'touhc'" launch --wait 'name=t,mem=32M,script=touhc 32M'
expect 1 "guest t: no script=" launch 'name=t,mem=32M'
expect 1 "status 3; guest panic: touch: out of memory after" \
	launch --wait 'name=o,mem=32M,script=touch 24M; touch 24M; verify'
expect 0 "guest d (id 6) started" launch 'name=d,mem=32M,script=hold 30s'
expect 0 "killed by host" kill d
# A guest that ignores the request is killed at the time-out; --force
# does not ask.
expect 0 "started" launch 'name=e,mem=32M,script=power deaf; hold 30s'
sleep 1 # past `power deaf` (a request before it is heeded)
expect 0 "killed by host: asked to shut down, still running at the time-out" \
	stop e --timeout 300ms
expect 0 "started" launch 'name=f,mem=32M,script=touch 4M; hold 30s'
expect 0 "stopped by host: over the control socket, integrity not checked" \
	stop --force f
expect 0 '{"return":{"vmm":' raw '{"execute": "query-version"}'
expect 1 '"error":{"class":"GenericError"' raw 'garbage'
expect 0 "vmm has quit" quit
wait $pid
rc=$?
pid=
[ $rc = 0 ] || { echo "vmm host: exit $rc"; cat "$tmp/log"; fail=1; }
[ -e "$sock" ] && { echo "socket left behind"; fail=1; }
expect 3 "is vmm host running" list

# vmm run serves the socket too, and still ends with its last guest.
"$vmm" run --pool 128M --socket "$tmp/run.sock" --console off \
	--swap-file "$tmp/run.swap" --swap-file-size 8M --guest 'name=r,mem=32M,script=touch 4M; hold 1s; verify' >"$tmp/log" 2>&1 &
rpid=$!
i=0
while [ ! -S "$tmp/run.sock" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
expect 0 "(run mode)" --socket "$tmp/run.sock" status
expect 0 "  1 r                running" --socket "$tmp/run.sock" list
# Its swap file as meminfo's SwapTotal: 8 MiB less the header's page.
expect 0 "SwapTotal:          8188 kB" --socket "$tmp/run.sock" stats meminfo
wait $rpid || { echo "vmm run --socket: exit $?"; cat "$tmp/log"; fail=1; }
rpid=
[ -e "$tmp/run.sock" ] && { echo "run: socket left behind"; fail=1; }
exit $fail
