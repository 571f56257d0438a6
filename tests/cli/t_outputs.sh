#!/bin/sh
# --trace writes parseable events (the page allocator's only when asked),
# --stats prints periodic lines, --kernel loads a guest image from a file
# (and a bad one fails that guest alone).
build="$1"
vmm="$build/vmm"
[ -w /dev/kvm ] || { echo "/dev/kvm is not usable here"; exit 77; }
fail=0
tmp=$(mktemp -d)
out=$("$vmm" run --pool 256M --trace "$tmp/trace" --stats 20ms \
	--guest 'name=t,mem=64M,script=touch 16M; hold 100ms; verify' 2>&1) ||
	{ echo "run: exit $?"; fail=1; }
grep -q 'event=vmm_fault vm=1 gpa=0x' "$tmp/trace" ||
	{ echo "trace: no vmm_fault events"; fail=1; }
grep -q 'event=mm_page_' "$tmp/trace" &&
	{ echo "trace: page events, not asked for"; fail=1; }
grep -q '^# trace start ts=[0-9]* ring=65536 off=mm_page_alloc,mm_page_free$' "$tmp/trace" ||
	{ echo "trace: no start line saying what it does not record"; fail=1; }
"$vmm" run --pool 256M --trace "$tmp/trace" --trace-page-events \
	--guest 'name=t,mem=64M,script=touch 16M; verify' >/dev/null 2>&1 ||
	{ echo "run --trace-page-events: exit $?"; fail=1; }
grep -q '^ts=[0-9]* tid=[0-9]* event=mm_page_alloc pfn=0x' "$tmp/trace" ||
	{ echo "trace: no mm_page_alloc events with --trace-page-events"; fail=1; }
n=$(printf '%s\n' "$out" | grep -c '^\[ *[0-9.]* s\] node0 free')
[ "$n" -ge 2 ] || { echo "stats: $n periodic lines"; fail=1; }

out=$("$vmm" run --pool 256M --kernel "$build/guest/guest.elf" \
	--guest 'name=k,mem=64M,script=touch 4M; verify' 2>&1) ||
	{ echo "--kernel: exit $?"; echo "$out"; fail=1; }
printf 'not an elf' >"$tmp/bad"
out=$("$vmm" run --pool 256M --guest "name=bad,mem=64M,kernel=$tmp/bad" \
	--guest 'name=good,mem=64M,script=touch 4M; verify' 2>&1)
[ $? = 1 ] || { echo "bad kernel: expected exit 1"; fail=1; }
case "$out" in *"guest bad:"*) ;; *) echo "bad kernel: no message"; fail=1 ;; esac
case "$out" in *"guest good (id "*"): guest exit"*) ;; *) echo "good did not run"; echo "$out"; fail=1 ;; esac
rm -rf "$tmp"
exit $fail
