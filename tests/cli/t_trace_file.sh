#!/bin/sh
# vmm run --trace FILE: only a regular file (never a device, a FIFO or a
# file of proc or sysfs), an existing one replaced; a trace that cannot
# be written (a full disk) fails the run with the real error, and the
# file keeps only whole lines.
vmm="$1/vmm"
[ -w /dev/kvm ] || { echo "/dev/kvm is not usable here"; exit 77; }
fail=0
tmp=$(mktemp -d)
trap 'umount "$tmp/full" 2>/dev/null; rm -rf "$tmp"' EXIT
guest='name=a,mem=32M,script=touch 16M; verify'

# trace_run WANT_RC PATTERN FILE: vmm run --trace FILE, its exit status
# and a line of its output.
trace_run() {
	out=$(timeout 60 "$vmm" run --pool 64M --console off --trace "$3" $4 --guest "$guest" 2>&1)
	rc=$?
	[ "$rc" = "$1" ] || { echo "--trace $3: exit $rc, expected $1"; echo "$out" | sed 's/^/    /'; fail=1; }
	case "$out" in
	*"$2"*) ;;
	*) echo "--trace $3: no '$2' in:"; echo "$out" | sed 's/^/    /'; fail=1 ;;
	esac
}

trace_run 2 "a file of the kernel's proc filesystem" /proc/version
trace_run 2 "not a regular file" /dev/null
mkfifo "$tmp/fifo"
trace_run 2 "not a regular file" "$tmp/fifo"
trace_run 2 "not a regular file" "$tmp"
echo "an old trace, longer than nothing at all" >"$tmp/old"
trace_run 0 "trace: $tmp/old" "$tmp/old"
grep -q '^ts=.* event=vmm_fault vm=1 ' "$tmp/old" || { echo "the old file was not replaced by a trace"; fail=1; }
grep -q 'an old trace' "$tmp/old" && { echo "the old file's text is still there"; fail=1; }

# A full disk: one page free for a trace of far more.
mkdir "$tmp/full"
if mount -t tmpfs -o size=64k tmpfs "$tmp/full" 2>/dev/null; then
	dd if=/dev/zero of="$tmp/full/fill" bs=4k count=15 2>/dev/null
	trace_run 1 "trace file $tmp/full/t: No space left on device" "$tmp/full/t" --trace-page-events
	[ -s "$tmp/full/t" ] && [ "$(tail -c 1 "$tmp/full/t" | od -An -c | tr -d ' ')" = '\n' ] ||
		{ echo "full disk: the trace does not end with a whole line"; fail=1; }
else
	echo "SKIP: full disk: cannot mount a tmpfs here (not root?)"
fi
exit $fail
