#!/bin/sh
# The three Check programs: every suite of tests/*/check_*.c runs in
# exactly one of them, the suites of tests/mm/ in check_mm
# (tests/mm/runner_mm.c), those of tests/swap/ in check_swap
# (tests/swap/runner_swap.c), the others in check_all
# (tests/runner_all.c); check_mm is linked with libmm.a alone, check_swap
# with libswap.a and libmm.a; CK_RUN_SUITE names a suite of any, and the
# others say where it is.
build="$1"
top="$(dirname "$0")/../.."
fail=0
for f in "$top"/tests/*/check_*.c; do
	runners="$top/tests/mm/runner_mm.c $top/tests/swap/runner_swap.c $top/tests/runner_all.c"
	case "$f" in
	*/tests/mm/*) mine="$top/tests/mm/runner_mm.c" ;;
	*/tests/swap/*) mine="$top/tests/swap/runner_swap.c" ;;
	*) mine="$top/tests/runner_all.c" ;;
	esac
	for s in $(sed -n 's/^Suite \*\([a-z0-9_]*\)(void)$/\1/p' "$f"); do
		for r in $runners; do
			n=$(grep -c "X($s," "$r")
			want=0
			[ "$r" = "$mine" ] && want=1
			[ "$n" = "$want" ] || {
				echo "$f: $s is listed $n times in $(basename "$r"), not $want"
				fail=1
			}
		done
	done
done

# Nothing above mm in check_mm: not the host, the balloon's reclaimer,
# util/ (the reclaim engine is mm's: mm/vmscan.c).
if nm "$build/tests/check_mm" | grep -Eq ' T (host_create|balloon_reclaim_init|evloop_init)$'; then
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
# Nothing above the cold tier in check_swap: not the host, the reclaim
# engine; the tier and mm are in.
if nm "$build/tests/check_swap" | grep -Eq ' T (host_create|balloon_reclaim_init|evloop_init)$' ||
	! nm "$build/tests/check_swap" | grep -q ' T zswap_store$'; then
	echo "check_swap links more than libswap.a and libmm.a"
	fail=1
fi
out=$(CK_RUN_SUITE=swap_map timeout 60 "$build/tests/check_swap") ||
	{ echo "check_swap swap_map: exit $?"; fail=1; }
echo "$out" | grep -q '^100%: Checks: [1-9]' || { echo "check_swap swap_map: $out"; fail=1; }
out=$(CK_RUN_SUITE=swap_map timeout 60 "$build/tests/check_all") ||
	{ echo "check_all swap_map: exit $?"; fail=1; }
echo "$out" | grep -q 'no suite swap_map here: .*check_swap the cold tier' ||
	{ echo "check_all swap_map: $out"; fail=1; }
out=$(CK_RUN_SUITE=policy timeout 60 "$build/tests/check_all") ||
	{ echo "check_all policy: exit $?"; fail=1; }
echo "$out" | grep -q '^100%: Checks: [1-9]' || { echo "check_all policy: $out"; fail=1; }
exit $fail
