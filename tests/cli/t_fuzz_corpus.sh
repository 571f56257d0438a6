#!/bin/sh
# The fuzz corpus replays cleanly through the normal build of the target.
"$1/tools/fuzz_virtqueue" "$(dirname "$0")"/../fuzz/virtqueue/* >/dev/null
