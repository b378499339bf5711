#!/usr/bin/env bash
# verify_seal.sh: `licgatectl verify-seal` on every real Clique and QBFT
# header of tests/data names the signer or committers their sources
# published; checked against a signer set it confirms turn and membership;
# a changed header, a foreign signer set or a missing validator is refused
# (exit 1) and bad usage is exit 2.
set -u
ctl=${LICGATE_BUILDDIR:-.}/src/licgatectl
data=${LICGATE_TESTDATA:-tests/data}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi; }
field() { node -e 'const j=require(process.argv[1]);let v=j;for(const k of process.argv[2].split("."))v=v[k];
	console.log(Array.isArray(v)?v.join(", "):v)' "$1" "$2"; }
rinkeby=$(field "$data/clique/genesis_signers.json" rinkeby.signers | tr -d ' ')

for f in "$data"/clique/goerli_*.json "$data"/clique/rinkeby_*.json; do
	name=$(basename "$f" .json)
	out=$("$ctl" verify-seal "$f" --engine clique); rc=$?
	check "$name: exit 0, signer $(field "$f" expectedSigner)" \
		'[ $rc -eq 0 ] && grep -qx "signer $(field "$f" expectedSigner)" <<<"$out"'
done
for n in 1 2 3 4 5; do
	out=$("$ctl" verify-seal "$data/clique/rinkeby_$n.json" --engine clique --signers "$rinkeby"); rc=$?
	check "rinkeby_$n: in turn, by one of Rinkeby's genesis signers" '[ $rc -eq 0 ] && grep -q "^ok: sealed in turn by a signer of 3" <<<"$out"'
done
goerli0=$(field "$data/clique/genesis_signers.json" goerli.signers)
out=$("$ctl" verify-seal "$data/clique/rinkeby_2.json" --engine clique --signers "$goerli0"); rc=$?
check "rinkeby_2 against Görli's signer set: refused, not a signer" '[ $rc -eq 1 ] && grep -q "not a signer" <<<"$out"'

# One hex digit of the seal changed: another signer, or none.
node -e 'const fs=require("fs");const j=require(process.argv[1]);const x=j.header.extraData;
	const i=x.length-10;j.header.extraData=x.slice(0,i)+(x[i]==="0"?"1":"0")+x.slice(i+1);
	fs.writeFileSync(process.argv[2],JSON.stringify(j))' "$data/clique/rinkeby_4.json" "$tmp/r4.json"
out=$("$ctl" verify-seal "$tmp/r4.json" --engine clique --signers "$rinkeby"); rc=$?
check "a changed seal is refused" '[ $rc -eq 1 ] && grep -q "^refused" <<<"$out"'
# The difficulty changed: the hash no longer matches the one given.
node -e 'const fs=require("fs");const j=require(process.argv[1]);j.header.difficulty="0x1";
	fs.writeFileSync(process.argv[2],JSON.stringify(j))' "$data/clique/rinkeby_4.json" "$tmp/r4d.json"
out=$("$ctl" verify-seal "$tmp/r4d.json" --engine clique --signers "$rinkeby"); rc=$?
check "a changed field is refused by its hash" '[ $rc -eq 1 ] && grep -q "hash mismatch" <<<"$out"'

q=$data/qbft/besu_qbft_7528.json
out=$("$ctl" verify-seal "$q" --engine qbft); rc=$?
check "besu_qbft_7528: committers as published, 3 of 4" \
	'[ $rc -eq 0 ] && grep -qx "committers $(field "$q" expectedCommitSealSigners)" <<<"$out" && grep -q "^ok: 3 of 4" <<<"$out"'
check "besu_qbft_7528: the block hash by Besu's rule" 'grep -q "^block 7528 $(field "$q" blockHashPerBesuQbftRule)" <<<"$out"'
vals=$(field "$q" expectedValidators | tr -d ' ')
out=$("$ctl" verify-seal "$q" --engine qbft --signers "$vals"); rc=$?
check "besu_qbft_7528 against its validator set: ok" '[ $rc -eq 0 ] && grep -q "^ok: 3 of 4" <<<"$out"'
out=$("$ctl" verify-seal "$q" --engine qbft --signers "${vals%,*}"); rc=$?
check "against a set without one validator: refused" '[ $rc -eq 1 ] && grep -q "^refused" <<<"$out"'

"$ctl" verify-seal "$q" >/dev/null 2>&1; rc=$?
check "no --engine: usage, exit 2" '[ $rc -eq 2 ]'
"$ctl" verify-seal "$q" --engine pow >/dev/null 2>&1; rc=$?
check "an unknown engine: usage, exit 2" '[ $rc -eq 2 ]'
msg=$("$ctl" verify-seal "$q" --engine qbft --signers 0x12 2>&1); rc=$?
check "a malformed --signers: exit 2, named" '[ $rc -eq 2 ] && grep -q "^licgatectl: --signers: not an address" <<<"$msg"'
exit $fail
