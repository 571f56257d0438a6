#!/bin/sh
# vmm run end to end: the default guest, two guests, a guest that crashes
# ending alone, a guest kernel that does not load (its error, no pool
# summary), SIGTERM asking every guest to shut down (and twice, or
# with --shutdown-timeout 0, stopping them at once).
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

# A guest that cannot start, and nothing else ran: its error, no pool
# summary (the pool's statistics say nothing about it).
echo "not an ELF image" >/tmp/vmm-run.$$
out=$("$vmm" run --pool 64M --guest "name=bad,mem=32M,kernel=/tmp/vmm-run.$$,script=verify" 2>&1)
rc=$?
[ "$rc" = 1 ] || { echo "bad kernel: exit $rc, expected 1"; fail=1; }
case "$out" in
*"vmm: guest bad: guest kernel: image truncated"*) ;;
*) echo "bad kernel: no error"; echo "$out"; fail=1 ;;
esac
case "$out" in
*pool:*|*pgalloc*|*"Node 0"*) echo "bad kernel: a pool summary"; echo "$out"; fail=1 ;;
esac
# A directory or a FIFO is no kernel: refused at once, never read.
mkfifo /tmp/vmm-run-fifo.$$
for k in /tmp /tmp/vmm-run-fifo.$$; do
	out=$(timeout 10 "$vmm" run --pool 64M --guest "name=k,mem=32M,kernel=$k,script=verify" 2>&1)
	case "$out" in
	*"kernel $k: not a regular file"*) ;;
	*) echo "kernel=$k: $out"; fail=1 ;;
	esac
done
rm -f /tmp/vmm-run-fifo.$$

# A Linux bzImage is named as such: vmm's guest ABI is not Linux's.
head -c 4096 /dev/zero >/tmp/vmm-run.$$
printf 'HdrS' | dd of=/tmp/vmm-run.$$ bs=1 seek=514 conv=notrunc 2>/dev/null
out=$("$vmm" run --pool 64M --guest "name=linux,mem=32M,kernel=/tmp/vmm-run.$$,script=verify" 2>&1)
case "$out" in
*"the image is a Linux bzImage: vmm boots its own guest ABI"*) ;;
*) echo "bzImage: not named"; echo "$out"; fail=1 ;;
esac

# SIGTERM: the guests are asked to shut down; ours verify and go at once,
# one that ignores the request is killed at --shutdown-timeout.
"$vmm" run --pool 256M --shutdown-timeout 1s \
	--guest 'name=slow,mem=64M,script=touch 8M; hold 30s' \
	--guest 'name=deaf,mem=32M,script=power deaf; hold 30s' >/tmp/vmm-run.$$ 2>&1 &
pid=$!
sleep 1
t0=$(date +%s)
kill -TERM $pid
wait $pid
rc=$?
dt=$(($(date +%s) - t0))
out=$(cat /tmp/vmm-run.$$)
for want in "asking every guest to shut down" \
	"guest slow (id 1): stopped by host: shut down when asked, status 0" \
	"integrity: ok (1 verify, 2048 pages checked" \
	"guest deaf (id 2): killed by host: asked to shut down, still running at the time-out"; do
	case "$out" in *"$want"*) ;; *) echo "SIGTERM: no '$want' (exit $rc)"; echo "$out"; fail=1 ;; esac
done
[ "$dt" -le 5 ] || { echo "SIGTERM: took $dt s"; fail=1; }
# Twice: the second stops them at once.
"$vmm" run --pool 256M --guest 'name=deaf,mem=32M,script=power deaf; hold 30s' >/tmp/vmm-run.$$ 2>&1 &
pid=$!
sleep 1
kill -TERM $pid
sleep 0.3
kill -TERM $pid
wait $pid
case "$(cat /tmp/vmm-run.$$)" in
*"stopped by host: interrupted again"*) ;;
*) echo "SIGTERM twice: no stop at once"; cat /tmp/vmm-run.$$; fail=1 ;;
esac
# --shutdown-timeout 0: no asking.
"$vmm" run --pool 256M --shutdown-timeout 0 --guest 'name=slow,mem=64M,script=hold 30s' >/tmp/vmm-run.$$ 2>&1 &
pid=$!
sleep 1
kill -TERM $pid
wait $pid
case "$(cat /tmp/vmm-run.$$)" in
*"stopped by host: interrupted by a signal"*) ;;
*) echo "SIGTERM, --shutdown-timeout 0: no stop at once"; cat /tmp/vmm-run.$$; fail=1 ;;
esac
rm -f /tmp/vmm-run.$$
exit $fail
