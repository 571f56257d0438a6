#!/bin/sh
# /dev/kvm that cannot be used is said at start, with the reason and what
# to do: vmm run stops there (exit 2, nothing on stdout, no pool), vmm
# host warns and keeps serving its socket.  As another user than root.
vmm="$1/vmm"
nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
[ "$(id -u)" = 0 ] && command -v setpriv >/dev/null ||
	{ echo "needs root and setpriv"; exit 77; }
[ -e /dev/kvm ] || { echo "no /dev/kvm"; exit 77; }
$nobody sh -c ': <> /dev/kvm' 2>/dev/null &&
	{ echo "/dev/kvm is open to everyone here"; exit 77; }
fail=0
out=$($nobody "$vmm" run --pool 64M 2>/tmp/vmm-kvm-err.$$)
rc=$?
err=$(cat /tmp/vmm-kvm-err.$$)
[ "$rc" = 2 ] || { echo "vmm run as nobody: exit $rc, expected 2"; fail=1; }
case "$err" in
"vmm: cannot open /dev/kvm: Permission denied: run as root"*) ;;
*) echo "vmm run as nobody: stderr '$err'"; fail=1 ;;
esac
[ -z "$out" ] || { echo "vmm run as nobody: stdout '$out'"; fail=1; }

dir=$(mktemp -d)
chmod 777 "$dir"
$nobody "$vmm" host --pool 64M --socket "$dir/s" >/dev/null 2>"$dir/err" &
pid=$!
up=0
for i in $(seq 50); do [ -S "$dir/s" ] && { up=1; break; }; sleep 0.1; done
kill -TERM $pid
wait $pid
case "$(cat "$dir/err")" in
*"vmm: warning: cannot open /dev/kvm: Permission denied: run as root"*"guests cannot start"*) ;;
*) echo "vmm host as nobody: stderr '$(cat "$dir/err")'"; fail=1 ;;
esac
[ "$up" = 1 ] || { echo "vmm host as nobody: no socket"; fail=1; }
rm -rf "$dir" /tmp/vmm-kvm-err.$$
exit $fail
