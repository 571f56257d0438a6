#!/bin/sh
# The two Check programs: every suite of tests/*/check_*.c runs in
# exactly one of them, the suites of tests/mm/ in check_mm
# (tests/mm/runner_mm.c), the others in check_all (tests/runner_all.c);
# check_mm is linked with libmm.a alone; CK_RUN_SUITE names a suite of
# either, and the other one says where it is.
build="$1"
top="$(dirname "$0")/../.."
fail=0
for f in "$top"/tests/*/check_*.c; do
	case "$f" in
	*/tests/mm/*) mine="$top/tests/mm/runner_mm.c" other="$top/tests/runner_all.c" ;;
	*) mine="$top/tests/runner_all.c" other="$top/tests/mm/runner_mm.c" ;;
	esac
	for s in $(sed -n 's/^Suite \*\([a-z0-9_]*\)(void)$/\1/p' "$f"); do
		n=$(grep -c "X($s," "$mine")
		m=$(grep -c "X($s," "$other")
		[ "$n" = 1 ] && [ "$m" = 0 ] || {
			echo "$f: $s is listed $n times in $(basename "$mine"), $m in $(basename "$other")"
			fail=1
		}
	done
done

# Nothing above mm in check_mm: not the host, the reclaim engine, util/.
if nm "$build/tests/check_mm" | grep -Eq ' T (host_create|reclaimer_start|evloop_init)$'; then
	echo "check_mm links more than libmm.a"
	fail=1
fi

out=$(CK_RUN_SUITE=buddy timeout 60 "$build/tests/check_mm") ||
	{ echo "check_mm buddy: exit $?"; fail=1; }
echo "$out" | grep -q '^100%: Checks: [1-9]' || { echo "check_mm buddy: $out"; fail=1; }
out=$(CK_RUN_SUITE=buddy timeout 60 "$build/tests/check_all") ||
	{ echo "check_all buddy: exit $?"; fail=1; }
echo "$out" | grep -q 'no suite buddy here: check_mm has' ||
	{ echo "check_all buddy: $out"; fail=1; }
out=$(CK_RUN_SUITE=policy timeout 60 "$build/tests/check_all") ||
	{ echo "check_all policy: exit $?"; fail=1; }
echo "$out" | grep -q '^100%: Checks: [1-9]' || { echo "check_all policy: $out"; fail=1; }
exit $fail
