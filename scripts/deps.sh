#!/bin/sh
# Make sure the build's Debian packages are there: pkg-config names in "$@".
# As root on Debian, install what is missing; otherwise say what to install.
set -u

debian_pkg() {
	case "$1" in
	liburing) echo liburing-dev ;;
	check) echo check ;;
	jansson) echo libjansson-dev ;;
	liblz4) echo liblz4-dev ;;
	libzstd) echo libzstd-dev ;;
	libmicrohttpd) echo libmicrohttpd-dev ;;
	*) echo "$1" ;;
	esac
}

missing=""
command -v pkg-config >/dev/null 2>&1 || missing="pkg-config"
for p in "$@"; do
	if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists "$p"; then
		missing="$missing $(debian_pkg "$p")"
	fi
done
command -v gcc >/dev/null 2>&1 || missing="$missing gcc"
command -v gnuplot >/dev/null 2>&1 || missing="$missing gnuplot-nox"
command -v clang-format >/dev/null 2>&1 || missing="$missing clang-format"
# Tools only tests need, which say SKIP without them, installed apart and
# without their recommends: promtool checks the format of /metrics
# (tests/cli/t_metrics.sh; its package would recommend a node exporter,
# a server of its own), Chromium renders the overcommit report's page
# (tests/cli/t_overcommit_page.sh; it would recommend a desktop's
# daemons).
norec=""
command -v promtool >/dev/null 2>&1 || norec=" prometheus"
[ -x /usr/bin/chromium ] || norec="$norec chromium"

[ -z "$missing$norec" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing missing Debian packages:$missing$norec"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || { echo "deps: apt-get update failed" >&2; exit 1; }
	# shellcheck disable=SC2086
	[ -z "$missing" ] || apt-get install -y -qq $missing >/dev/null || {
		echo "deps: apt-get install$missing failed" >&2
		exit 1
	}
	# Only for a test, which says SKIP without it: not fatal.
	[ -z "$norec" ] || apt-get install -y -qq --no-install-recommends \
		$norec >/dev/null ||
		echo "deps: apt-get install$norec failed (the tests that need it are skipped)" >&2
	exit 0
fi

[ -z "$missing" ] && {
	echo "deps: missing for some tests (apt-get install --no-install-recommends$norec): they are skipped" >&2
	exit 0
}
echo "deps: missing Debian packages:$missing" >&2
echo "deps: run as root: apt-get install$missing" >&2
exit 1
