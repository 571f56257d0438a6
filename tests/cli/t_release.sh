#!/bin/sh
# Free pool memory goes back to the host while vmm runs (io_uring punches):
# a guest's memory, once the guest is gone, is returned on the next tick.
vmm="$1/vmm"
[ -w /dev/kvm ] || { echo "/dev/kvm is not usable here"; exit 77; }
out=$("$vmm" run --pool 512M --release-interval 100ms \
	--guest 'name=a,mem=128M,script=touch 100M; verify' \
	--guest 'name=b,mem=64M,script=sleep 600ms; touch 4M; verify' 2>&1) ||
	{ echo "exit $?"; echo "$out"; exit 1; }
mib=$(printf '%s\n' "$out" | sed -n 's/^host: \([0-9]*\) MiB of free pool memory given back.*/\1/p')
if [ -z "$mib" ] || [ "$mib" -lt 90 ]; then
	echo "returned '$mib' MiB"
	echo "$out"
	exit 1
fi
