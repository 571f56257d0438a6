#!/bin/sh
# --metrics: `vmm host` with guests serves /metrics, which curl scrapes
# and promtool finds well-formed (format and naming conventions); the
# guests' series move as they touch memory; bad values are refused before
# anything starts, a port in use at start; IPv6 loopback where the host
# has it.
build=$(cd "$1" && pwd)
vmm="$build/vmm"
[ -w /dev/kvm ] || { echo "/dev/kvm is not usable here"; exit 77; }
command -v curl >/dev/null || { echo "curl is not installed"; exit 77; }
fail=0
tmp=$(mktemp -d)
pid=
trap 'kill -9 $pid 2>/dev/null; rm -rf "$tmp"' EXIT

# Bad values: exit 2, the reason on stderr, nothing started.
bad() {
	out=$(timeout 10 "$vmm" host --socket "$tmp/bad.sock" --metrics "$1" 2>&1)
	rc=$?
	[ "$rc" = 2 ] || { echo "--metrics '$1': exit $rc, expected 2"; fail=1; }
	case "$out" in
	*"$2"*) ;;
	*) echo "--metrics '$1': no '$2' in: $out"; fail=1 ;;
	esac
}
bad abc "'abc' is not a port"
bad 65536 "is not a port (0..65535"
bad ::1:9100 "an IPv6 address goes in brackets"
bad "[::1]" "no ':PORT' after ']'"
bad example.org:9100 "no name but localhost is looked up"
bad :9100 "no address before ':'"
bad "" "empty"
bad 192.0.2.1:9100 "not an address of this host"

# Wait for "vmm: metrics http://..." in log $1; the URL.
metrics_url() {
	i=0
	while ! grep -qs '^vmm: metrics http' "$1" && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	sed -n 's|^vmm: metrics \(http://[^ ]*\)$|\1|p' "$1"
}

# Value of a series (name and labels as written) in file $1.
value() {
	awk -v s="$2" '$1 == s { print $2 }' "$1"
}

"$vmm" host --pool 256M --socket "$tmp/vmm.sock" --console off --metrics 0 \
	--guest 'name=a,mem=128M,script=touch 16M; sleep 3s; touch 48M; hold 1m' \
	--guest 'name=b,mem=64M,script=touch 8M; hold 1m' >"$tmp/log" 2>&1 &
pid=$!
url=$(metrics_url "$tmp/log")
case "$url" in
http://127.0.0.1:[0-9]*/metrics) ;;
*) echo "no metrics URL: $(cat "$tmp/log")"; exit 1 ;;
esac
# Scrape into $1 until a's backed bytes are at least $2 (10 s at most).
scrape_until() {
	i=0
	while [ $i -lt 100 ]; do
		curl -sS --max-time 5 -o "$1" "$url" || { echo "curl $url failed"; fail=1; }
		v=$(value "$1" 'vmm_guest_backed_bytes{id="1",name="a"}')
		[ -n "$v" ] && [ "$v" -ge "$2" ] && return
		sleep 0.1
		i=$((i + 1))
	done
}
# While a sleeps between its touches, then once it has touched 48M more.
scrape_until "$tmp/m1" $((16 * 1048576))
b1=$(value "$tmp/m1" 'vmm_guest_backed_bytes{id="1",name="a"}')
scrape_until "$tmp/m2" $((${b1:-0} + 48 * 1048576))

if command -v promtool >/dev/null; then
	promtool check metrics <"$tmp/m2" >"$tmp/lint" 2>&1 ||
		{ echo "promtool check metrics:"; cat "$tmp/lint"; fail=1; }
else
	echo "SKIP promtool check: promtool not installed (Debian: prometheus)"
fi

for f in vmm_guests vmm_zone_free_bytes vmm_zone_watermark_low_bytes \
	vmm_vmstat_pgalloc_normal_total vmm_direct_reclaim_seconds \
	vmm_guest_backed_bytes vmm_guest_huge_mapped_bytes \
	vmm_guest_balloon_target_bytes vmm_guest_fault_seconds; do
	n=$(grep -c "^# TYPE $f " "$tmp/m2")
	[ "$n" = 1 ] || { echo "# TYPE $f: $n times"; fail=1; }
done
b2=$(value "$tmp/m2" 'vmm_guest_backed_bytes{id="1",name="a"}')
c1=$(value "$tmp/m1" 'vmm_guest_fault_seconds_count{id="1",name="a"}')
c2=$(value "$tmp/m2" 'vmm_guest_fault_seconds_count{id="1",name="a"}')
[ -n "$b1" ] && [ -n "$b2" ] && [ "$b2" -ge $((b1 + 48 * 1048576)) ] ||
	{ echo "a's backed bytes did not grow by 48M: '$b1' -> '$b2'"; fail=1; }
[ -n "$c1" ] && [ -n "$c2" ] && [ "$c2" -gt "$c1" ] ||
	{ echo "a's fault count did not grow: '$c1' -> '$c2'"; fail=1; }

# The port is taken now: a second vmm says so at start.
port=${url#http://127.0.0.1:}
port=${port%/metrics}
out=$(timeout 10 "$vmm" host --socket "$tmp/2.sock" --metrics "$port" 2>&1)
rc=$?
[ "$rc" = 2 ] || { echo "port in use: exit $rc, expected 2"; fail=1; }
case "$out" in
*"cannot listen on 127.0.0.1:$port: Address already in use"*) ;;
*) echo "port in use: $out"; fail=1 ;;
esac
kill "$pid"
wait "$pid"

# IPv6 loopback, where the host has it.
if grep -q '00000000000000000000000000000001 .* lo$' /proc/net/if_inet6 2>/dev/null; then
	"$vmm" run --pool 64M --console off --metrics '[::1]:0' \
		--guest 'name=c,mem=32M,script=touch 4M; hold 3s' >"$tmp/log6" 2>&1 &
	pid=$!
	url=$(metrics_url "$tmp/log6")
	case "$url" in
	"http://[::1]:"[0-9]*/metrics) ;;
	*) echo "no IPv6 metrics URL: $(cat "$tmp/log6")"; fail=1 ;;
	esac
	curl -gsS --max-time 5 -o "$tmp/m6" "$url" &&
		grep -q '^# TYPE vmm_guests gauge$' "$tmp/m6" ||
		{ echo "no scrape over IPv6 at $url"; fail=1; }
	kill "$pid"
	wait "$pid"
else
	echo "SKIP IPv6: no ::1 on lo"
fi
exit $fail
