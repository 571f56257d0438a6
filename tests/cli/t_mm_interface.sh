#!/bin/sh
# Outside mm/ (and its tests) only mm's public headers are used: no
# include of mm/internal.h (scripts/check-layers.sh finds them).
top="$(dirname "$0")/../.."
out=$(sh "$top/scripts/check-layers.sh" "$top" | grep 'includes mm/internal\.h')
[ -z "$out" ] || { echo "$out"; exit 1; }
exit 0
