#!/usr/bin/env bash
# install_proof.sh: proofs of install reports for auditors, through the real
# chain and daemon.  Devices post reports to licgated; the test anchors
# three batches from the gateway's own key (tests/chain/anchor.mjs computes
# each root itself, as RFC 9162 defines it); once licgated has verified the
# InstallsAnchored logs, licgatectl install-proof writes a proof of every
# report, and licgatectl verify-install accepts each against anvil.  It
# refuses, naming why: one byte changed in the report, the path or the
# root; a report moved to another batch; a root never anchored; a wrong
# block number; a proof from a gateway that did not anchor it; a device
# revoked before its report was anchored; confirmations the chain does not
# have yet.  Through the chain re-sealed as Clique and as QBFT
# (tests/chain/reseal.mjs) a proof verifies with the seals checked, and a
# confirmation sealed against the rules is refused.  A report not anchored
# yet gets no proof.
. "${LICGATE_SRCDIR:-.}/tests/gw.sh"
gw_chain
V="$R --from 1"
$R vendor add "$($R account 1 | jget address)" "Acme" >/dev/null 2>&1
dev() { $R devkey "$1" | jget "$2"; }
$V device register "$(dev 11 publicKey)" 1 >/dev/null 2>&1
$V device register "$(dev 12 publicKey)" 1 >/dev/null 2>&1
$V device register "$(dev 14 compressedPublicKey)" 2 >/dev/null 2>&1
for i in 11 12 14; do
	k=$(dev $i privateKey); printf '%s\n' "${k#0x}" > "$GW_TMP/dev$i.key"; chmod 600 "$GW_TMP/dev$i.key"
done
gwaddr=$("$ctl" key-info -k "$GW_TMP/gw.key" | awk '/^address/ {print $2}')
$R gateway add "$gwaddr" "hall 3" >/dev/null 2>&1
F=0x$(printf 'image-2' | sha256sum | cut -c1-64)
gw_conf "chain.confirmations = 2" "anchor.interval = 0"
gw_start
gw_settle 2
db=$GW_TMP/gw.db conf=$GW_TMP/gw.conf
n=0

# post KEYNO: a report by device KEYNO, posted as $GW_TMP/rep.$n; its seq
# is added to $seqs.
post() {
	n=$((n + 1))
	"$ctl" install-report -k "$GW_TMP/dev$1.key" --gateway "$gwaddr" \
		--firmware "$F" --version 7 -o "$GW_TMP/rep.$n" &&
	seqs="$seqs $(curl -sf -H 'Content-Type: application/cose' --data-binary "@$GW_TMP/rep.$n" \
		"http://127.0.0.1:$GW_PORT/v1/installs" | jget seq)"
}
# anchor FIRST COUNT: anchors reports FIRST.. as the gateway; the result's
# JSON goes to $GW_TMP/anchor.FIRST.
anchor() {
	local leaves
	leaves=$("$ctl" installs --db "$db" --since "$1" --json |
		node -e 'const a=JSON.parse(require("fs").readFileSync(0));
		  console.log(a.slice(0,+process.argv[1]).map(r=>r.leaf).join(" "))' "$2")
	node "$chain/anchor.mjs" --rpc "$ANVIL_URL" --registry "$REG" --key "$GW_TMP/gw.key" \
		"$1" $leaves > "$GW_TMP/anchor.$1"
}
anchors() { sqlite3 "$db" 'SELECT count(*) FROM anchors'; }
# wait_anchors N: until licgated has applied N verified anchors (30 s).
wait_anchors() {
	local i
	for i in $(seq 1 600); do [ "$(anchors)" -ge "$1" ] && return 0; sleep 0.05; done
	return 1
}
# edit IN OUT JS: OUT is proof IN changed by JS, which sees it as p and
# has flip(hex, i) (byte i of a 0x string with its low bit flipped).
edit() {
	node -e 'const fs=require("fs"),p=JSON.parse(fs.readFileSync(process.argv[1]));
	  const flip=(h,i)=>h.slice(0,2+2*i)+(parseInt(h.substr(2+2*i,2),16)^1).toString(16).padStart(2,"0")+h.slice(4+2*i);
	  new Function("p","flip",process.argv[3])(p,flip);fs.writeFileSync(process.argv[2],JSON.stringify(p))' "$1" "$2" "$3"
}
verify() { "$ctl" verify-install "$1" --rpc "$ANVIL_URL" --conf "$conf" "${@:2}" > "$GW_TMP/out" 2>&1; }
# refused NAME FILE REGEX [ARGS]: verify-install exits 1 naming the reason.
refused() {
	verify "$2" "${@:4}"; local rc=$? want=$3
	check "$1" '[ $rc = 1 ] && grep -qE "^refused: $want" "$GW_TMP/out" || { echo "# exit $rc:"; sed "s/^/#   /" "$GW_TMP/out"; false; }'
}

seqs=""
for k in 11 14 11 14 11 12; do post $k; done
check "six reports from three devices are stored as 1..6" '[ "$seqs" = " 1 2 3 4 5 6" ]'
anchor 1 3 && anchor 4 2 && gw_settle 2 && wait_anchors 2
check "two batches anchored by the gateway (1..3, 4..5) are verified by licgated" \
	'[ "$(sqlite3 "$db" "SELECT group_concat(first_seq || \":\" || count, \" \") FROM (SELECT * FROM anchors ORDER BY first_seq)")" = "1:3 4:2" ]'
out=$("$ctl" install-proof 6 -c "$conf" 2>&1); rc=$?
check "a report not anchored yet gets no proof: exit 1, saying so" \
	'[ $rc = 1 ] && grep -q "report 6 is not anchored yet.*; it waits for a batch$" <<<"$out" || { echo "# $rc $out"; false; }'
# The same once licgated's anchoring has put it in a batch and sent it
# (this test anchors by hand; its licgated has anchoring off): a copy
# of the file where installs.batch and anchor_batches say so.
sqlite3 "$db" ".backup '$GW_TMP/copy.db'"
sqlite3 "$GW_TMP/copy.db" "UPDATE installs SET batch = 3 WHERE seq = 6;
	INSERT INTO anchor_batches (batch, first_seq, count, root, state,
	formed_at, tx_hash) VALUES (3, 6, 1, '0x$(printf '%064x' 6)', 'sent',
	0, '0x$(printf '%064x' 7)')"
out=$("$ctl" install-proof 6 --db "$GW_TMP/copy.db" 2>&1); rc=$?
check "... and once it is in a batch sent: which batch and the transaction" \
	'[ $rc = 1 ] && grep -q "; it is in batch 3, sent in tx 0x0*7$" <<<"$out" || { echo "# $rc $out"; false; }'
# Device 12 is revoked after its report was stored, before it is anchored.
$V device revoke "$(dev 12 address)" 3 >/dev/null 2>&1
# Anchors install-proof must pass over: this gateway's own anchor of report
# 6 under a root that is not its leaf's (made before the right one), and
# another authorised gateway's anchor of reports 1..6 of its own sequence.
"$ctl" keygen -o "$GW_TMP/other.key" >/dev/null
$R gateway add "$("$ctl" key-info -k "$GW_TMP/other.key" | awk '/^address/ {print $2}')" "hall 4" >/dev/null 2>&1
node "$chain/anchor.mjs" --rpc "$ANVIL_URL" --registry "$REG" --key "$GW_TMP/gw.key" 6 0x$(printf '%064x' 17) >/dev/null &&
node "$chain/anchor.mjs" --rpc "$ANVIL_URL" --registry "$REG" --key "$GW_TMP/other.key" 1 \
	$(for i in 1 2 3 4 5 6; do printf '0x%064x ' $((i + 100)); done) >/dev/null
anchor 6 1 && gw_settle 2 && wait_anchors 5

good=0
for s in 1 2 3 4 5; do
	"$ctl" install-proof "$s" -c "$conf" > "$GW_TMP/proof.$s" && verify "$GW_TMP/proof.$s" && good=$((good + 1)) ||
		sed 's/^/#   /' "$GW_TMP/out"
done
check "every report of both batches has a proof that verify-install accepts" '[ $good = 5 ]'
t0=$(date +%s%N); "$ctl" install-proof 4 -c "$conf" > /dev/null; t1=$(date +%s%N)
verify "$GW_TMP/proof.4"; t2=$(date +%s%N)
echo "# install-proof $(( (t1 - t0) / 1000000 )) ms, verify-install (2 confirmations) $(( (t2 - t1) / 1000000 )) ms"
check "it says what it verified: path, chain, block and confirmations, receipts and log, signature, device and gateway state" \
	'[ "$(grep -c "^ok " "$GW_TMP/out")" = 7 ] && grep -q "^ok merkle path: report 4 is leaf 0 of 2 (reports 4..5)" "$GW_TMP/out" &&
	 grep -q "^ok block [0-9]* 0x[0-9a-f]*, followed by 2 linked blocks" "$GW_TMP/out" &&
	 grep -q "^ok receipts root; log [0-9]* (transaction [0-9]*): InstallsAnchored by gateway $gwaddr of reports 4..5" "$GW_TMP/out" &&
	 grep -q "^ok device $(dev 14 address) registered and not revoked" "$GW_TMP/out" ||
	 { sed "s/^/#   /" "$GW_TMP/out"; false; }'
check "the proof names the batch, its root, block and transaction as anchor.mjs saw them" \
	'[ "$(jget batch.root < "$GW_TMP/proof.2")" = "$(jget root < "$GW_TMP/anchor.1")" ] &&
	 [ "$(jget anchor.block_number < "$GW_TMP/proof.2")" = "$(jget block < "$GW_TMP/anchor.1")" ] &&
	 [ "$(jget anchor.tx_hash < "$GW_TMP/proof.2")" = "$(jget tx < "$GW_TMP/anchor.1")" ] &&
	 [ "$(jget report < "$GW_TMP/proof.2")" = "0x$(od -An -tx1 -v "$GW_TMP/rep.2" | tr -d " \n")" ]'
"$ctl" verify-install "$GW_TMP/proof.1" --rpc "$ANVIL_URL" --json > "$GW_TMP/json"; rc=$?
check "--json, without --conf: exit 0, seven things verified, refused null, the registry as the proof says" \
	'[ $rc = 0 ] && [ "$(jget verified.length < "$GW_TMP/json")" = 7 ] && [ "$(jget refused < "$GW_TMP/json")" = null ] &&
	 grep -q "give --conf to pin it" "$GW_TMP/json"'

edit "$GW_TMP/proof.2" "$GW_TMP/bad" 'p.report = flip(p.report, 90)'
refused "one byte of the report changed: refused, the path no longer leads to the root" "$GW_TMP/bad" "merkle path"
edit "$GW_TMP/proof.2" "$GW_TMP/bad" 'p.path[1] = flip(p.path[1], 7)'
refused "one byte of the path changed: refused" "$GW_TMP/bad" "merkle path"
edit "$GW_TMP/proof.2" "$GW_TMP/bad" 'p.batch.root = flip(p.batch.root, 31)'
refused "one byte of the root changed: refused" "$GW_TMP/bad" "merkle path"
# Report 2 claimed in batch 2 (4..5): its anchor, root, place and path.
edit "$GW_TMP/proof.2" "$GW_TMP/bad" "const q = $(cat "$GW_TMP/proof.5");
	p.batch = q.batch; p.anchor = q.anchor; p.seq = 5; p.leaf_index = 1; p.path = q.path"
refused "report 2 moved into batch 2 (its root, first seq, path): refused" "$GW_TMP/bad" "merkle path"
edit "$GW_TMP/proof.2" "$GW_TMP/bad" 'p.batch.first_seq = 4; p.seq = 5'
refused "report 2 claimed at batch 2's first seq with its own path: refused" "$GW_TMP/bad" "log [0-9]+: anchors reports 1..3, not the proof's batch"
# A one-report batch of report 1: its root is its leaf, the path empty,
# all consistent, but that root was never anchored.
leaf1=$(sqlite3 "$db" 'SELECT leaf FROM installs WHERE seq = 1')
edit "$GW_TMP/proof.1" "$GW_TMP/bad" "p.batch = { first_seq: 1, count: 1, root: '$leaf1' }; p.path = []"
refused "a root never anchored (a batch of report 1 alone): refused at the log" "$GW_TMP/bad" "log [0-9]+: anchors another root"
edit "$GW_TMP/proof.2" "$GW_TMP/bad" 'p.anchor.block_number += 1'
refused "a wrong block number: refused, the node's block there is another" "$GW_TMP/bad" "anchor block: the node's block"
next=$(rpc eth_getBlockByNumber "[\"0x$(printf %x $(( $(jget anchor.block_number < "$GW_TMP/proof.2") + 1 )))\",false]" | jget hash)
edit "$GW_TMP/proof.2" "$GW_TMP/bad" "p.anchor.block_number += 1; p.anchor.block_hash = '$next'"
refused "a wrong block number with that block's hash: refused, no such log there" "$GW_TMP/bad" "(block [0-9]+ has no log|log [0-9]+ is not|log [0-9]+: anchors)"
edit "$GW_TMP/proof.2" "$GW_TMP/bad" "p.gateway = '$($R account 9 | jget address)'"
refused "the batch claimed by another gateway: refused at the log" "$GW_TMP/bad" "log [0-9]+: anchored by another gateway"
edit "$GW_TMP/proof.2" "$GW_TMP/bad" "p.device_key = '$(dev 11 publicKey)'"
refused "another device's key given for the report: refused" "$GW_TMP/bad" "report: device_key is not device"
refused "100 confirmations, which the chain does not have yet: refused" "$GW_TMP/proof.2" \
	"confirmations: the node has no block" --confirmations 100

"$ctl" install-proof 6 --db "$db" > "$GW_TMP/proof.6"; rc=$?
check "install-proof --db: report 6, anchored alone after its device was revoked, has a proof (no node: tx_hash null)" \
	'[ $rc = 0 ] && [ "$(jget anchor.tx_hash < "$GW_TMP/proof.6")" = null ] && [ "$(jget batch.count < "$GW_TMP/proof.6")" = 1 ]'
check "... in the anchor whose root is its leaf, not the earlier one of another root, nor another gateway's" \
	'[ "$(jget batch.root < "$GW_TMP/proof.6")" = "$(jget root < "$GW_TMP/anchor.6")" ] &&
	 [ "$(jget gateway < "$GW_TMP/proof.6")" = "$gwaddr" ] && [ "$(jget gateway < "$GW_TMP/proof.1")" = "$gwaddr" ] &&
	 [ "$(sqlite3 "$db" "SELECT count(*) FROM anchors WHERE 6 BETWEEN first_seq AND first_seq + count - 1")" = 3 ]'
refused "but its device was revoked at the anchoring block: refused, from the registry's storage proof" \
	"$GW_TMP/proof.6" "device $(dev 12 address) is revoked in the registry at block"
# Sealed chains: the same chain re-sealed by tests/chain/reseal.mjs as
# Clique and as QBFT (state, receipts and proofs anvil's own, headers and
# their hashes the proxy's); the proof names the re-sealed block, as a
# gateway following that chain would have written it.
PIDS=
trap 'kill $PIDS 2>/dev/null; wait $PIDS 2>/dev/null; gw_cleanup' EXIT
# proxy ENGINE ARGS...: starts reseal.mjs; sets P (its URL) and P_INFO.
proxy() {
	local out=$GW_TMP/reseal.$1.out i
	node "$chain/reseal.mjs" --upstream "$ANVIL_URL" --engine "$@" \
		> "$out" 2> "$GW_TMP/reseal.$1.log" &
	PIDS="$PIDS $!"
	for i in $(seq 1 600); do [ "$(wc -l < "$out")" -ge 2 ] && break; sleep 0.05; done
	P=$(sed -n 's/^reseal listening on //p' "$out")
	P_INFO=$(sed -n 2p "$out")
}
# sealed ENGINE: $GW_TMP/proof.ENGINE (proof 2 naming the re-sealed block)
# and $GW_TMP/ENGINE.conf (the engine and its signers).
sealed() {
	local b h signers
	b=$(jget anchor.block_number < "$GW_TMP/proof.2")
	h=$(RPC_URL=$P rpc eth_getBlockByNumber "[\"0x$(printf %x "$b")\",false]" | jget hash)
	edit "$GW_TMP/proof.2" "$GW_TMP/proof.$1" "p.anchor.block_hash = '$h'"
	signers=$(jget signers <<<"$P_INFO" | node -e 'console.log(JSON.parse(require("fs").readFileSync(0)).join(","))')
	sed -e '/^chain.confirmations/d' -e "s|^chain.checkpoint_hash = .*|chain.checkpoint_hash = $(jget genesis <<<"$P_INFO")|" \
		"$conf" > "$GW_TMP/$1.conf"
	printf 'chain.engine = %s\nchain.signers = %s\nchain.confirmations = 2\n' "$1" "$signers" >> "$GW_TMP/$1.conf"
}
# sealed_lie ENGINE MODE: the proxy lies from the next block on, blocks are
# mined past it, and the proof is checked with confirmations reaching them.
sealed_lie() {
	local t n
	curl -sf -X POST --data "{\"mode\":\"$2\"}" "$P/__reseal" >/dev/null
	t=$(curl -sf "$P/__reseal" | jget target)
	rpc anvil_mine '["0x3"]' >/dev/null
	n=$(( t + 1 - $(jget anchor.block_number < "$GW_TMP/proof.$1") ))
	"$ctl" verify-install "$GW_TMP/proof.$1" --rpc "$P" --conf "$GW_TMP/$1.conf" \
		--confirmations "$n" > "$GW_TMP/out" 2>&1; rc=$?
	check "$1, a confirmation sealed with the lie $2: refused at block $t" \
		'[ $rc = 1 ] && grep -q "^refused: block $t: " "$GW_TMP/out" || { sed "s/^/#   /" "$GW_TMP/out"; false; }'
	curl -sf -X POST --data '{"mode":"honest"}' "$P/__reseal" >/dev/null
}
for eng in clique qbft; do
	proxy "$eng"
	sealed "$eng"
	"$ctl" verify-install "$GW_TMP/proof.$eng" --rpc "$P" --conf "$GW_TMP/$eng.conf" > "$GW_TMP/out" 2>&1; rc=$?
	check "$eng: the proof verifies through the re-sealed chain, seals checked by the signers configured" \
		'[ $rc = 0 ] && grep -q "^ok block .* (engine $eng: seals checked)" "$GW_TMP/out" || { sed "s/^/#   /" "$GW_TMP/out"; false; }'
	"$ctl" verify-install "$GW_TMP/proof.2" --rpc "$P" --conf "$GW_TMP/$eng.conf" > "$GW_TMP/out" 2>&1; rc=$?
	check "$eng: the proof naming anvil's block hash is refused there" \
		'[ $rc = 1 ] && grep -q "^refused: anchor block: the node.s block" "$GW_TMP/out"'
	[ "$eng" = clique ] && sealed_lie clique not-signer || sealed_lie qbft two-seals
done

out=$("$ctl" install-proof 99 --db "$db" 2>&1); rc=$?
check "install-proof of a report that does not exist: exit 2" '[ $rc = 2 ] && grep -q "no report 99" <<<"$out"'
gw_stop; rc=$?
check "licgated stops cleanly (exit 0)" '[ $rc -eq 0 ]'
exit $fail
