#!/bin/sh
# The overcommit report's page as a browser shows it at a laptop's width:
# headless Chromium renders index.html of a small real run (3 guests).
# The screenshot is not empty (a PNG of a reasonable size; more than 1000
# colours where ImageMagick can count them); in the page every plot has
# loaded, nothing is wider than the window (the summary wraps), and the
# latency table has a row group per guest.  Needs /dev/kvm, gnuplot and
# Debian's chromium.
tool="$1/tools/overcommit"
chromium=/usr/bin/chromium
[ -w /dev/kvm ] || { echo "/dev/kvm not usable: no guests to run"; exit 77; }
command -v gnuplot >/dev/null 2>&1 || { echo "gnuplot not installed: no plots to show"; exit 77; }
[ -x "$chromium" ] || { echo "chromium not installed (apt-get install chromium)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
r="$tmp/report"

cat >"$tmp/page.json" <<'EOS'
{ "name": "page",
  "description": "Three guests one after another on a 128 MiB pool, each touching 48 MiB, freeing most of it to its own allocator, holding half a second and growing again, so that the balloons of the quiet ones make room for the next: a page to look at, with a description as long as the library's are, on one line of the summary.",
  "pool": { "size": "128M" },
  "run": { "timeout": "30s", "sample_interval": "50ms" },
  "guests": [ { "name": "g", "count": 3, "stagger": "300ms", "mem": "64M",
                "script": ["touch 48M", "free 40M", "hold 500ms", "touch 8M", "verify"] } ] }
EOS
timeout 60 "$tool" -q --out "$r" "$tmp/page.json" >"$tmp/out" 2>&1
rc=$?
[ $rc -le 1 ] || { echo "run: exit $rc"; cat "$tmp/out"; exit 1; }

# Chromium as a test runs it: nothing from the network, a fresh profile.
n=0
browse() {
	n=$((n + 1))
	timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$tmp/profile-$n" "$@" 2>>"$tmp/chromium.log"
}

browse --screenshot="$tmp/shot.png" --window-size=1280,2000 "file://$r/index.html" >/dev/null ||
	{ echo "chromium --screenshot: exit $?"; tail -5 "$tmp/chromium.log"; exit 1; }
size=$(wc -c <"$tmp/shot.png" 2>/dev/null || echo 0)
[ "$size" -gt 50000 ] || { echo "screenshot of $size bytes"; fail=1; }
if command -v identify >/dev/null 2>&1; then
	colours=$(identify -format '%k' "$tmp/shot.png")
	[ "$colours" -gt 1000 ] || { echo "screenshot has $colours colours"; fail=1; }
fi

# The page measured from a frame of the window's width (the page has no
# script of its own): what the screenshot cannot tell.
cat >"$r/measure.html" <<'EOS'
<!DOCTYPE html><html><body><iframe id="f" src="index.html" style="width:1280px;height:800px;border:0"></iframe><pre id="o"></pre>
<script>
document.getElementById('f').onload = function () {
	var d = this.contentDocument, e = d.documentElement, img = d.images,
	    pre = d.querySelectorAll('pre'), loaded = 0, over = 0;
	for (var i = 0; i < img.length; i++)
		loaded += img[i].complete && img[i].naturalWidth > 0;
	for (var i = 0; i < pre.length; i++)
		over = Math.max(over, pre[i].scrollWidth - pre[i].clientWidth);
	document.getElementById('o').textContent = ['MEASURED', img.length, loaded,
		e.scrollWidth - e.clientWidth, over,
		d.querySelectorAll('table.byguest tbody').length].join(' ');
};
</script></body></html>
EOS
m=$(browse --allow-file-access-from-files --dump-dom "file://$r/measure.html" |
	grep -o 'MEASURED [0-9 -]*')
# MEASURED images loaded page-overflow pre-overflow guests
set -- $m
[ "$#" = 6 ] || { echo "no measure: '$m'"; tail -5 "$tmp/chromium.log"; exit 1; }
[ "$2" -ge 5 ] && [ "$3" = "$2" ] || { echo "$3 of $2 plots loaded"; fail=1; }
[ "$4" -le 0 ] || { echo "the page is $4 px wider than the window"; fail=1; }
[ "$5" -le 0 ] || { echo "a preformatted block is $5 px wider than the page"; fail=1; }
[ "$6" = 3 ] || { echo "latency by guest: $6 guests, expected 3"; fail=1; }
exit $fail
