#!/usr/bin/env bash
# verify_proof.sh: licgatectl verify-proof on every real eth_getProof answer
# (ok, exit 0), on lies about them (exit 1 naming what failed) and on
# malformed input (exit 2 naming the JSON path).
set -u
ctl=${LICGATE_BUILDDIR:-.}/src/licgatectl
data=${LICGATE_TESTDATA:-tests/data}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; fail=1; }

# edit IN OUT JS: applies the JS statement to d (the parsed file).
edit() {
	node -e 'const fs = require("fs"); const d = JSON.parse(fs.readFileSync(process.argv[1]));
	  const flip = (h, i) => { const p = h.length - 1 - (i || 0); return h.slice(0, p) + (h[p] === "1" ? "2" : "1") + h.slice(p + 1); };
	  '"$3"'; fs.writeFileSync(process.argv[2], JSON.stringify(d));' "$1" "$2"
}

expect() {
	local desc=$1 want_rc=$2 want=$3 file=$4 out rc
	out=$("$ctl" verify-proof "$file" 2>&1); rc=$?
	if [ $rc -eq "$want_rc" ] && grep -qF -- "$want" <<<"$out"; then
		ok "$desc"
	else
		notok "$desc: exit $rc (want $want_rc): $out"
	fi
}

for f in "$data"/proofs/*.json; do
	n=$(basename "$f")
	expect "verify-proof $n" 0 "ok 0x" "$f"
	edit "$f" "$tmp/p.json" 'd.proof.balance = d.proof.balance === "0x0" ? "0x1" : flip(d.proof.balance)'
	expect "changed balance in $n" 1 "account proof:" "$tmp/p.json"
	edit "$f" "$tmp/p.json" 'd.proof.nonce = "0x" + (BigInt(d.proof.nonce) + 1n).toString(16)'
	expect "changed nonce in $n" 1 "account proof:" "$tmp/p.json"
	edit "$f" "$tmp/p.json" 'const a = d.proof.accountProof; const i = a.length - 1; a[i] = flip(a[i], 40)'
	expect "changed account proof node in $n" 1 "account proof: proof:" "$tmp/p.json"
	if node -e 'process.exit(JSON.parse(require("fs").readFileSync(process.argv[1])).proof.storageProof.length ? 0 : 1)' "$f"; then
		edit "$f" "$tmp/p.json" 'const s = d.proof.storageProof[0]; s.value = s.value === "0x0" ? "0x1" : flip(s.value)'
		expect "changed storage value in $n" 1 "storage proof 0 (key 0x" "$tmp/p.json"
		edit "$f" "$tmp/p.json" 'const s = d.proof.storageProof[0]; s.proof[0] = s.proof[0] === "0x80" ? "0x81" : flip(s.proof[0], 10)'
		expect "changed storage proof node in $n" 1 "storage proof 0" "$tmp/p.json"
	fi
done

f="$data/proofs/mainnet_8040610_storage_multi.json"
edit "$f" "$tmp/p.json" 'd.header.stateRoot = flip(d.header.stateRoot)'
expect "header that does not hash to its hash" 1 "header hash mismatch" "$tmp/p.json"
edit "$f" "$tmp/p.json" 'd.proof.storageProof[3].value = "0x012"'
expect "value with leading zeros named by path" 2 '$.proof.storageProof[3].value: quantity has leading zeros' "$tmp/p.json"
edit "$f" "$tmp/p.json" 'd.proof.accountProof[1] = "0xabc"'
expect "odd node named by path" 2 '$.proof.accountProof[1]: odd number of hex digits' "$tmp/p.json"
edit "$f" "$tmp/p.json" 'delete d.header'
expect "missing header" 2 '$.header: not an object' "$tmp/p.json"
exit $fail
