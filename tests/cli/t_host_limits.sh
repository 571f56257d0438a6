#!/bin/sh
# What the host will really give: vmm in a memory cgroup of 300 MiB.
# --pool 1G is refused (exit 2, saying why); the default pool shrinks to
# fit and runs; a guest touching 400 MiB is OOM-killed by vmm, which lives
# to print its report; and another process in the cgroup taking 130 MiB
# while vmm runs makes vmm take pool memory offline and kill a guest, not
# be killed.  The cgroup never hits its limit.  Needs root, /dev/kvm and a
# memory controller (cgroup v1, or v2 with memory at its root).
vmm="$1/vmm"
[ -w /dev/kvm ] || { echo "/dev/kvm is not usable here"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "not root: cannot make a memory cgroup"; exit 77; }
# ThreadSanitizer's shadow memory (several times what vmm touches) is
# charged to the cgroup too: no limit of vmm's own could hold.
if ldd "$vmm" 2>/dev/null | grep -q libtsan; then
	echo "a ThreadSanitizer build: its shadow memory is charged to the cgroup"
	exit 77
fi

# fstype and super options follow the " - " of a mountinfo line.
mount_of() {
	awk -v want="$1" '{ for (i = 1; i <= NF; i++) if ($i == "-") break;
		if ($(i + 1) == want && (want == "cgroup2" || $(i + 3) ~ /(^|,)memory(,|$)/)) {
			print $5; exit } }' /proc/self/mountinfo
}
v1=$(mount_of cgroup)
v2=$(mount_of cgroup2)
if [ -n "$v1" ]; then
	cg="$v1$(grep ':memory:' /proc/self/cgroup | cut -d: -f3)/vmm-limits.$$"
	cg="$(echo "$cg" | sed 's|//*|/|g')"
	mkdir "$cg" || { echo "cannot make $cg"; exit 77; }
	echo 300M >"$cg/memory.limit_in_bytes"
	failcnt() { cat "$cg/memory.failcnt"; }
elif [ -n "$v2" ] && grep -qw memory "$v2/cgroup.controllers" 2>/dev/null; then
	grep -qw memory "$v2/cgroup.subtree_control" ||
		echo +memory >"$v2/cgroup.subtree_control" 2>/dev/null
	cg="$v2/vmm-limits.$$"
	mkdir "$cg" || { echo "cannot make $cg"; exit 77; }
	echo 300M >"$cg/memory.max"
	failcnt() { awk '$1 == "max" { print $2 }' "$cg/memory.events"; }
else
	echo "no memory cgroup controller (v1, or v2 at its root)"
	exit 77
fi
hog=/dev/shm/vmm-limits-hog.$$
out=/tmp/vmm-limits.$$
cleanup() {
	rm -f "$hog" "$out" "$out.sock"
	[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rmdir "$cg" 2>/dev/null
}
trap cleanup EXIT
trap "exit 1" INT TERM
# Run "$@" inside the cgroup, for at most $1 seconds.
in_cg() {
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" timeout "$@"
}
fail=0
want() {
	case "$(cat "$out")" in
	*"$1"*) ;;
	*) echo "$2: no '$1'"; cat "$out"; fail=1 ;;
	esac
}

# An explicit pool that does not fit: refused, for run and host.
in_cg 30 "$vmm" run --pool 1G >"$out" 2>&1
rc=$?
[ "$rc" = 2 ] || { echo "--pool 1G: exit $rc, expected 2"; fail=1; }
want "a pool of 1024 MiB does not fit in what the host will give" "--pool 1G"
want "300 MiB" "--pool 1G"
want "the largest pool that fits is" "--pool 1G"
in_cg 5 "$vmm" host --pool 1G --socket "$out.sock" >"$out" 2>&1
rc=$?
[ "$rc" = 2 ] || { echo "host --pool 1G: exit $rc, expected 2"; fail=1; }
want "does not fit in what the host will give" "host --pool 1G"

# The default pool shrinks and the demo runs.
in_cg 30 "$vmm" run >"$out" 2>&1
rc=$?
[ "$rc" = 0 ] || { echo "default pool: exit $rc, expected 0"; fail=1; }
want "the default pool of 1024 MiB does not fit" "default pool"
want "guest demo (id 1): guest exit: status 0" "default pool"
want "integrity: ok" "default pool"

# A guest wanting more than the pool that fits, and no cold tier to hold
# what it touched (it would: its pages compress a hundredfold): vmm's OOM
# killer.
in_cg 30 "$vmm" run --console off --swap-store 0 \
	--guest 'name=big,mem=512M,script=touch 400M; verify' >"$out" 2>&1
rc=$?
[ "$rc" = 1 ] || { echo "400M guest: exit $rc, expected 1 (a guest OOM-killed)"; fail=1; }
want "guest big (id 1): OOM killed" "400M guest"
want "pool: " "400M guest"

# At run time another process in the cgroup takes 130 MiB: the pool
# cannot grow into it; a guest that then wants more is killed, not vmm.
in_cg 30 "$vmm" run --pool 200M --console off \
	--guest 'name=a,mem=256M,script=touch 60M; sleep 3s; touch 80M; verify' \
	--guest 'name=b,mem=64M,script=touch 30M; sleep 5s; verify' >"$out" 2>&1 &
pid=$!
sleep 1.5
if [ -d /dev/shm ]; then
	in_cg 30 dd if=/dev/zero of="$hog" bs=1M count=130 status=none ||
		{ echo "the hog could not take its memory"; fail=1; }
fi
wait $pid
rc=$?
pid=
case $rc in
0 | 1) ;;
*) echo "hog: vmm exit $rc, expected 0 or 1"; fail=1 ;;
esac
want "of the pool offline" "hog"
want "guest b (id 2): guest exit: status 0" "hog"
want "host limits: " "hog"
[ "$(failcnt)" = 0 ] || { echo "the cgroup hit its limit $(failcnt) times"; fail=1; }
exit $fail
