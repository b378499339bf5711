#!/usr/bin/env bash
# verify_block.sh: licgatectl verify-block on every real header and receipts
# file (ok, exit 0), on single-digit lies in any verified field of them
# (exit 1 naming what did not match), and on malformed input (exit 2 naming
# the JSON path).
set -u
ctl=${LICGATE_BUILDDIR:-.}/src/licgatectl
data=${LICGATE_TESTDATA:-tests/data}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; fail=1; }

for f in "$data"/headers/*_*.json "$data"/receipts/*.json; do
	name=$(basename "$f")
	out=$("$ctl" verify-block "$f" 2>&1); rc=$?
	if [ $rc -eq 0 ] && [[ $out == "ok 0x"* ]]; then
		ok "verify-block $name"
	else
		notok "verify-block $name: exit $rc: $out"
	fi
done

# Lies: every mutated copy must fail with exit 1 and a message that says
# what did not match.  Raw RLP files are checked below instead.
seed=7
for f in "$data"/headers/*_*.json "$data"/receipts/*.json; do
	name=$(basename "$f")
	case $name in *_raw.json) continue ;; esac
	mkdir -p "$tmp/m" && rm -f "$tmp"/m/*
	node "$LICGATE_SRCDIR/tests/mutate.mjs" "$f" "$tmp/m" 12 $seed > "$tmp/manifest" ||
		{ notok "mutate $name"; continue; }
	seed=$((seed + 1))
	bad=""
	while IFS=$'\t' read -r file path; do
		out=$("$ctl" verify-block "$file" 2>&1); rc=$?
		if [ $rc -ne 1 ] || ! grep -qE 'mismatch|does not match|is not|decreases' <<<"$out"; then
			bad="$bad; $path -> exit $rc: $out"
		fi
	done < "$tmp/manifest"
	n=$(wc -l < "$tmp/manifest")
	if [ -z "$bad" ] && [ "$n" -ge 10 ]; then
		ok "$n one-digit lies in $name caught"
	else
		notok "lies in $name ($n made):$bad"
	fi
done

# The raw RLP shape: any changed byte fails (a lie, or RLP that no longer parses).
raw="$data/receipts/testchain_3_prebyzantium_raw.json"
caught=0 total=0
for pos in 20 100 300 520; do
	node -e '
	  const fs = require("fs"); const d = JSON.parse(fs.readFileSync(process.argv[1]));
	  const p = Number(process.argv[2]); const s = d.rawReceipts[0];
	  const c = s[p] === "0" ? "1" : "0";
	  d.rawReceipts[0] = s.slice(0, p) + c + s.slice(p + 1);
	  fs.writeFileSync(process.argv[3], JSON.stringify(d));' "$raw" "$pos" "$tmp/raw.json"
	total=$((total + 1))
	"$ctl" verify-block "$tmp/raw.json" >/dev/null 2>&1
	rc=$?
	[ $rc -eq 1 ] || [ $rc -eq 2 ] && caught=$((caught + 1))
done
[ $caught -eq $total ] && ok "raw receipts: $total changed bytes refused" ||
	notok "raw receipts: only $caught of $total changes refused"

# Malformed input: exit 2 and the JSON path of the problem.
expect2() {
	local desc=$1 want=$2 file=$3
	out=$("$ctl" verify-block "$file" 2>&1); rc=$?
	if [ $rc -eq 2 ] && grep -qF -- "$want" <<<"$out"; then ok "$desc"; else notok "$desc: exit $rc: $out"; fi
}
node -e '
  const fs = require("fs"); const d = JSON.parse(fs.readFileSync(process.argv[1]));
  d.receipts[0].logs[0].data = "0x123"; fs.writeFileSync(process.argv[2], JSON.stringify(d));
  delete d.receipts; d.header.stateRoot = "0x12"; fs.writeFileSync(process.argv[3], JSON.stringify(d));
' "$data/receipts/mainnet_15537393_london.json" "$tmp/odd.json" "$tmp/short.json"
expect2 "odd hex digits named by path" '$.receipts[0].logs[0].data: odd number of hex digits' "$tmp/odd.json"
expect2 "short hash named by path" '$.header.stateRoot: hex data has the wrong length' "$tmp/short.json"
echo '{"number": ' > "$tmp/trunc.json"
expect2 "not JSON" 'not valid JSON' "$tmp/trunc.json"
expect2 "missing file" 'No such file' "$tmp/absent.json"
out=$("$ctl" verify-block 2>&1); rc=$?
[ $rc -eq 2 ] && [[ $out == usage:* ]] && ok "usage error" || notok "usage error: $rc $out"
exit $fail
