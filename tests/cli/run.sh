#!/bin/sh
# CLI tests: every script tests/cli/t_*.sh runs with the build dir as $1.
set -u
build=${1:-build}
pass=0
fail=0
skip=0
for t in "$(dirname "$0")"/t_*.sh; do
	[ -e "$t" ] || continue
	out=$(sh "$t" "$build" 2>&1)
	rc=$?
	case $rc in
	0) pass=$((pass + 1)) ;;
	77) skip=$((skip + 1)); echo "SKIP: $(basename "$t"): $out" ;;
	*) fail=$((fail + 1)); echo "FAIL: $(basename "$t")"; echo "$out" | sed 's/^/    /' ;;
	esac
done
echo "cli: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
