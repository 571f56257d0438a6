#!/bin/sh
# --help for every command exits 0 and prints its usage.
vmm="$1/vmm"
fail=0
for args in "--help" "help" "help run" "run --help" "run -h" "help host" "host --help"; do
	# shellcheck disable=SC2086
	out=$("$vmm" $args) || { echo "vmm $args: exit $?"; fail=1; }
	case "$out" in
	*usage:*) ;;
	*) echo "vmm $args: no usage text"; fail=1 ;;
	esac
done
"$vmm" --version | grep -q '^vmm ' || { echo "vmm --version"; fail=1; }

# Every guest SPEC key the parser accepts is in `vmm run --help` and in
# `vmmctl launch --help`.  The keys: the rows of the guest key table
# (its source) and those its unknown-key message names; each one must be
# accepted (a value, or none for a flag).
src="$(dirname "$0")/../../vmm/config/guest_keys.c"
keys=$(grep -o '\.name = "[a-z_]*"' "$src" | sed 's/.*"\(.*\)".*/\1/')
named=$("$vmm" run --guest 'no_such_key=1' 2>&1 | sed -n "s/.*unknown key 'no_such_key' (\([^)]*\)).*/\1/p" | tr -d ',')
[ -n "$keys$named" ] || { echo "no SPEC keys found (in $src, or the parser's unknown-key message)"; fail=1; }
run_help=$("$vmm" run --help)
launch_help=$("$1/vmmctl" launch --help)
for k in $(echo $keys $named | tr ' ' '\n' | sort -u); do
	out=$("$vmm" run --guest "$k=1,mem=3M" 2>&1)
	case "$out" in
	*"unknown key '$k'"*) out=$("$vmm" run --guest "$k,mem=3M" 2>&1) ;;
	esac
	case "$out" in
	*"unknown key '$k'"*) echo "SPEC key $k: the parser does not take it"; fail=1 ;;
	esac
	echo "$run_help" | grep -q "\b$k\b" || { echo "vmm run --help: no SPEC key $k"; fail=1; }
	echo "$launch_help" | grep -q "\b$k\b" || { echo "vmmctl launch --help: no SPEC key $k"; fail=1; }
done
exit $fail
