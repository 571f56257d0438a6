#!/bin/sh
# vmm run end to end: the default guest, two guests, a guest that crashes
# ending alone, SIGTERM stopping everything cleanly.
vmm="$1/vmm"
[ -w /dev/kvm ] || { echo "/dev/kvm is not usable here"; exit 77; }
fail=0
out=$("$vmm" run 2>&1) || { echo "vmm run: exit $?"; echo "$out"; fail=1; }
for want in "guest demo (id 1): guest exit" "integrity: ok" "pool: 1024 MiB"; do
	case "$out" in *"$want"*) ;; *) echo "vmm run: no '$want'"; fail=1 ;; esac
done

out=$("$vmm" run --pool 256M --guest 'name=a,mem=64M,script=touch 16M; verify' \
	--guest 'name=b,mem=64M,script=crash' 2>&1)
rc=$?
[ "$rc" = 1 ] || { echo "crash run: exit $rc, expected 1"; fail=1; }
case "$out" in *"guest a (id 1): guest exit"*) ;; *) echo "a did not finish"; fail=1 ;; esac
case "$out" in *"guest b (id 2): shutdown"*) ;; *) echo "b: no shutdown reason"; echo "$out"; fail=1 ;; esac

"$vmm" run --pool 256M --guest 'name=slow,mem=64M,script=hold 30s' >/tmp/vmm-run.$$ 2>&1 &
pid=$!
sleep 1
kill -TERM $pid
wait $pid
rc=$?
case "$(cat /tmp/vmm-run.$$)" in
*"stopped by host: interrupted by a signal"*) ;;
*) echo "SIGTERM: no clean stop (exit $rc)"; cat /tmp/vmm-run.$$; fail=1 ;;
esac
rm -f /tmp/vmm-run.$$
exit $fail
