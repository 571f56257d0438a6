#!/bin/sh
# tools/overcommit from the command line: every library scenario checks,
# malformed scenarios are refused (exit 2) with the file and the JSON path,
# and a real run with an expectation it cannot meet exits 1 and says so.
tool="$1/tools/overcommit"
lib="$(dirname "$0")/../../tools/scenarios"
tmp=$(mktemp -d)
fail=0

"$tool" --help >/dev/null || { echo "--help: exit $?"; fail=1; }
for s in "$lib"/*.json; do
	"$tool" --check "$s" >"$tmp/out" 2>&1 || { echo "--check $s: exit $?"; cat "$tmp/out"; fail=1; }
done

# bad JSON, what the message must say
bad() {
	printf '%s\n' "$1" >"$tmp/bad.json"
	"$tool" --check "$tmp/bad.json" >"$tmp/out" 2>&1
	rc=$?
	[ $rc = 2 ] || { echo "'$1': exit $rc, expected 2"; fail=1; }
	grep -qF -- "overcommit: $tmp/bad.json$2" "$tmp/out" ||
		{ echo "'$1': no '$2' in: $(cat "$tmp/out")"; fail=1; }
}
guest='{"name": "g", "mem": "64M", "script": "touch 1M"}'
bad '{"pool": {"size": "256M"}, "guests": [' ':2:0: '
bad '{"pool": {"size": "256M"}, "guests": ['"$guest"'], "expect": {"no_oom": "yes"}}' \
	': expect.no_oom: must be true or false, not a string'
bad '{"pool": {"size": "256M"}, "guests": [{"name": "g", "mem": "64M", "script": "", "vcpu": 2}]}' \
	': guests[0].vcpu: unknown key (known here: name, mem, vcpus'
bad '{"pool": {"size": "256M"}, "guests": [{"name": "g", "mem": "1G?", "script": ""}]}' \
	': guests[0].mem: "1G?" is not a size'
# The guest's own parser, before anything runs.
bad '{"pool": {"size": "256M"}, "guests": [{"name": "g", "mem": "64M", "script": "touhc 32M"}]}' \
	": guests[0].script: script @5: unknown command 'touhc'"
bad '{"pool": {"size": "256M"}, "guests": [{"name": "g", "mem": "64M", "script": "hold 2"}]}' \
	": guests[0].script: script @6: bad value '2'"
"$tool" --check "$tmp/none.json" >"$tmp/out" 2>&1
[ $? = 2 ] && grep -q "none.json: unable to open" "$tmp/out" || { echo "missing file: $(cat "$tmp/out")"; fail=1; }
"$tool" --bogus x.json >/dev/null 2>&1
[ $? = 2 ] || { echo "bad option: expected exit 2"; fail=1; }

if [ -w /dev/kvm ]; then
	cat >"$tmp/run.json" <<-'EOS'
	{ "pool": { "size": "64M" },
	  "guests": [ { "name": "solo", "mem": "32M", "script": "touch 8M; verify" } ],
	  "expect": { "no_oom": true, "integrity": true, "completed": true,
	              "returned_to_host_min": "1T" } }
	EOS
	"$tool" -q --no-plots --out "$tmp/report" "$tmp/run.json" >"$tmp/out" 2>&1
	rc=$?
	[ $rc = 1 ] || { echo "run: exit $rc, expected 1"; cat "$tmp/out"; fail=1; }
	for want in "scenario run: FAIL (5 of 6 checks passed)" \
		"  FAIL  memory returned to the host >= 1 TiB" \
		"  PASS  no OOM kill, nobody out of memory" \
		"report: $tmp/report/index.html"; do
		grep -qF -- "$want" "$tmp/out" || { echo "run: no '$want'"; fail=1; }
	done
	cmp -s "$tmp/run.json" "$tmp/report/scenario.json" || { echo "run: scenario not kept"; fail=1; }
	grep -q '"result": "FAIL"' "$tmp/report/summary.json" || { echo "run: summary.json"; fail=1; }
else
	echo "note: /dev/kvm not usable: the run part is left out" >&2
fi
rm -rf "$tmp"
exit $fail
