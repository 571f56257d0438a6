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
exit $fail
