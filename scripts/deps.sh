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

# Chromium renders the overcommit report's page in a test
# (tests/cli/t_overcommit_page.sh, which says SKIP without it): installed
# without its recommends (a desktop's daemons, none of use headless), and
# not a reason to fail the build when it cannot be.
if ! [ -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] &&
	command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing chromium (for the report page's test)"
	export DEBIAN_FRONTEND=noninteractive
	{ apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; } ||
		echo "deps: apt-get install chromium failed: that test will be skipped" >&2
fi

[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing missing Debian packages:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || { echo "deps: apt-get update failed" >&2; exit 1; }
	# shellcheck disable=SC2086
	apt-get install -y -qq $missing >/dev/null || {
		echo "deps: apt-get install$missing failed" >&2
		exit 1
	}
	exit 0
fi

echo "deps: missing Debian packages:$missing" >&2
echo "deps: run as root: apt-get install$missing" >&2
exit 1
