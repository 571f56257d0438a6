#!/bin/sh
# The two Check programs: every suite of tests/check_*.c runs in exactly
# one of them (tests/runner_mm.c, tests/runner_all.c); check_mm holds
# mm's suites, linked with libmm.a alone; CK_RUN_SUITE names a suite of
# either, and the other one says where it is.
build="$1"
top="$(dirname "$0")/../.."
fail=0
for f in "$top"/tests/check_*.c; do
	for s in $(sed -n 's/^Suite \*\([a-z0-9_]*\)(void)$/\1/p' "$f"); do
		n=$(cat "$top/tests/runner_mm.c" "$top/tests/runner_all.c" |
			grep -c "X($s,")
		[ "$n" = 1 ] || {
			echo "$(basename "$f"): $s is listed $n times"
			fail=1
		}
	done
done

# Nothing above mm in check_mm: not the host, the reclaim engine, util/.
if nm "$build/tests/check_mm" | grep -Eq ' T (host_create|reclaimer_start|evloop_init|errf)$'; then
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
