#!/bin/sh
# Every bad argument to build/vmm: a clear message on stderr naming what is
# wrong, and exit status 2; nothing on stdout.
vmm="$1/vmm"
fail=0
check() {
	want="$1"
	shift
	out=$("$vmm" "$@" 2>/tmp/vmm-cli-err.$$)
	rc=$?
	err=$(cat /tmp/vmm-cli-err.$$)
	if [ "$rc" != 2 ]; then
		echo "vmm $*: exit $rc, expected 2"
		fail=1
	fi
	case "$err" in
	*"$want"*) ;;
	*) echo "vmm $*: stderr '$err' does not say '$want'"; fail=1 ;;
	esac
	if [ -n "$out" ]; then
		echo "vmm $*: printed on stdout: $out"
		fail=1
	fi
}
check "usage: vmm COMMAND"
check "no command 'frobnicate'" frobnicate
check "--pool lots" run --pool lots
check "--pool 1 MiB: at least 16 MiB" run --pool 1M
check "--distance: 3 row(s) of up to 2 distance(s) for 2 node(s)" run --nodes 2 --distance 10,20/20,10/30,30
check "--min-free-kbytes 65536: at most 16384 for a pool of 64 MiB" run --pool 64M --min-free-kbytes 65536
check "--nodes 0" run --nodes 0
check "--nodes 99" run --nodes 99
check "--watermark-scale-factor 0" run --watermark-scale-factor 0
check "--stats soon" run --stats soon
check "--shutdown-timeout 1x: a time up to 1h" run --shutdown-timeout 1x
check "--irqchip maybe: on or off" run --irqchip maybe
check "--compaction maybe: on or off" run --compaction maybe
check "--compaction-proactiveness 101: 0..100" run --compaction-proactiveness 101
check "--extfrag-threshold -1: 0..1000" run --extfrag-threshold -1
check "--compact-batch 513: 1..512" run --compact-batch 513
check "--collapse-interval 1ns: 10ms to 1h, or off" run --collapse-interval 1ns
check "--collapse-max 0: 1..65536" run --collapse-max 0
check "mem=3M" run --guest mem=3M
check "vcpus=0" run --guest vcpus=0
check "unknown key 'colour'" run --guest colour=red
check "pool node 3" run --nodes 2 --guest map=0:3
check "two guests are named 'a'" run --guest 'name=a,script=exit 0' --guest 'name=a,script=exit 0'
check "guest key 'name' given twice" run --guest 'name=a,mem=64M,name=b,script=exit 0'
check "guest key 'script' needs '='" run --guest 'name=a,script'
check "guest a: script @5: unknown command 'touhc'" run --guest 'name=a,script=touhc 32M'
check "guest a: script @6: bad value '2'" run --guest 'name=a,script=hold 2'
check "guest a: no script=" run --guest 'name=a,mem=64M'
check "guest a: script @9: more than the 30M the guest can own '64M'" run --guest 'name=a,mem=32M,script=touch 64M'
check "unknown option '--frob'" run --frob
check "--pool needs a value" run --pool
check "unexpected argument 'now'" run now
check "no command 'nothing'" help nothing
check "--console loud: on or off" host --console loud
check "--socket '': a path of 1 to 107 bytes" host --socket ''
check "a path of 1 to 107" run --socket "/tmp/$(printf '%0120d' 0)"
check "vmm host: unexpected argument 'now'" host now
rm -f /tmp/vmm-cli-err.$$
exit $fail
