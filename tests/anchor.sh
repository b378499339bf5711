#!/usr/bin/env bash
# anchor.sh: licgated anchors the install reports it keeps on chain,
# through the real anvil and daemon.  A gateway without funds says so in
# licgatectl status and /metrics and loses nothing; once funded, reports
# from three devices are anchored in batches whose roots are the anchors
# the follower verified and the RFC 9162 root of their leaves; a kill -9
# while the anchor waits in the node's pool, and a reorg that drops the
# anchoring block, both end with the batch anchored exactly once; a
# withdrawn gateway sends nothing and says why.
. "${LICGATE_SRCDIR:-.}/tests/gw.sh"
gw_chain
V="$R --from 1"
$R vendor add "$($R account 1 | jget address)" "Acme" >/dev/null 2>&1
for i in 11 12 14; do
	k=$($R devkey $i)
	$V device register "$(jget publicKey <<<"$k")" 1 >/dev/null 2>&1
	k=$(jget privateKey <<<"$k"); printf '%s\n' "${k#0x}" > "$GW_TMP/dev$i.key"; chmod 600 "$GW_TMP/dev$i.key"
done
gwaddr=$("$ctl" key-info -k "$GW_TMP/gw.key" | awk '/^address/ {print $2}')
$R gateway add "$gwaddr" "hall 1" >/dev/null 2>&1
F=0x$(printf 'image-1' | sha256sum | cut -c1-64)
db=$GW_TMP/gw.db
# Batches are formed of ten (anchor.max_pending) until the end, where a
# reload shortens anchor.interval.
conf="chain.confirmations = 2|anchor.max_pending = 10|anchor.max_batch = 10|anchor.resend_after = 2s"
IFS='|' read -ra opts <<<"$conf"
gw_conf "${opts[@]}" "anchor.interval = 1h"
gw_start
gw_settle 2
. "${LICGATE_SRCDIR:-.}/tests/anchor_lib.sh"
nonce() { node -e 'console.log(parseInt(process.argv[1],16))' "$(rpc eth_getTransactionCount "[\"$gwaddr\",\"latest\"]")"; }

# 4. No funds: the key was just made, its account is empty.
for i in $(seq 1 10); do report 11; done > "$GW_TMP/codes"
check "ten reports accepted" '[ "$(sort -u "$GW_TMP/codes")" = 201 ]'
check "an empty account: licgatectl status says the gateway has no funds" \
	'until_mined "status | grep -q \"^anchor error no funds: the gateway.s account holds 0 wei\""'
check "... and /metrics: licgate_anchor_no_funds 1, ten reports unanchored" \
	'[ "$(metric licgate_anchor_no_funds)" = 1 ] && [ "$(metric licgate_installs_unanchored)" = 10 ]'
check "... nothing was sent, nothing lost" '[ "$(nonce)" = 0 ] && [ "$(q "SELECT count(*) FROM installs")" = 10 ]'
rpc anvil_setBalance "[\"$gwaddr\",\"0x56bc75e2d63100000\"]" >/dev/null
check "funded, the ten are anchored (mined, then verified in a final block)" 'until_mined "[ \$(unanchored) = 0 ]"'
check "the error is gone from status and /metrics" \
	'! status | grep -q "^anchor error" && [ "$(metric licgate_anchor_no_funds)" = 0 ] && [ "$(metric licgate_anchor_error)" = 0 ]'

# 1. Reports from three devices, anchored in batches of at most 10.
for i in $(seq 1 30); do report $((11 + i % 3 + (i % 3 == 2))); done > "$GW_TMP/codes"
check "30 more reports from three devices accepted" '[ "$(sort -u "$GW_TMP/codes")" = 201 ] && [ "$(q "SELECT count(DISTINCT device) FROM installs")" = 3 ]'
check "every report ends anchored" 'until_mined "[ \$(unanchored) = 0 ]"'
nb=$(q "SELECT count(*) FROM anchor_batches WHERE state = 'anchored'")
check "in four batches of ten" \
	'[ "$nb" = 4 ] && [ "$(q "SELECT min(count), max(count) FROM anchor_batches")" = "10|10" ]'
check "the batches cover reports 1..40 in order, each once" \
	'[ "$(q "SELECT sum(count), min(first_seq), max(first_seq + count - 1) FROM anchor_batches")" = "40|1|40" ] &&
	 [ "$(q "SELECT count(*) FROM installs i JOIN anchor_batches b USING (batch) WHERE i.seq NOT BETWEEN b.first_seq AND b.first_seq + b.count - 1 OR i.anchor_block != b.block")" = 0 ]'
check "each batch's root, first seq, count and block are the verified anchors row's" \
	'[ "$(q "SELECT count(*) FROM anchor_batches b JOIN anchors a ON a.gateway = \"$gwaddr\" AND a.root = b.root AND a.first_seq = b.first_seq AND a.count = b.count AND a.block = b.block")" = "$nb" ]'
# RFC 9162's root of each batch's leaves, computed here.
roots=$(q "SELECT batch, group_concat(leaf, ' ') FROM (SELECT batch, leaf FROM installs ORDER BY seq) GROUP BY batch" | node -e '
  const c = require("crypto"), h = (...b) => c.createHash("sha256").update(Buffer.concat(b)).digest();
  const mth = (l) => { if (l.length === 1) return l[0]; let k = 1; while (k * 2 < l.length) k *= 2;
    return h(Buffer.from([1]), mth(l.slice(0, k)), mth(l.slice(k))); };
  for (const line of require("fs").readFileSync(0, "utf8").trim().split("\n")) {
    const [b, leaves] = line.split("|");
    console.log(b + "|0x" + mth(leaves.split(" ").map((x) => Buffer.from(x.slice(2), "hex"))).toString("hex")); }')
check "each root is the RFC 9162 Merkle root of its reports' leaves, computed independently" \
	'[ "$roots" = "$(q "SELECT batch, root FROM anchor_batches ORDER BY batch")" ]'
check "each root is anchored by exactly one InstallsAnchored in the chain" \
	'for r in $(q "SELECT root FROM anchor_batches"); do [ "$(anchor_logs "$r")" = 1 ] || exit 1; done'
check "licgatectl status: no report waits, the batches anchored" \
	'status | grep -q "^anchoring   0 reports not anchored, $nb batches anchored (last at block [0-9]*)$"'
check "/metrics counts them" '[ "$(metric licgate_anchor_batches_total)" = "$nb" ] && [ "$(metric licgate_installs_unanchored)" = 0 ]'

# 2. kill -9 while the anchor waits in the node's pool: blocks are mined
# only when the test says so.
rpc evm_setAutomine '[false]' >/dev/null
for i in $(seq 1 10); do report $((11 + i % 3 + (i % 3 == 2))); done > /dev/null
for i in $(seq 1 300); do [ "$(last state)" = sent ] && break; sleep 0.1; done
b=$(last batch) root=$(last root) hash=$(last tx_hash)
check "batch $b sent, its transaction in the pool, not mined" \
	'[ "$(last state)" = sent ] && [ "$(rpc eth_getTransactionByHash "[\"$hash\"]" | jget blockNumber)" = null ]'
kill -9 "$GW_PID"; wait "$GW_PID" 2>/dev/null; GW_PID=
gw_start
check "after the restart licgated sends the kept transaction again, the same bytes" \
	'gw_wait_log "anchor: batch $b .*sent: transaction $hash" && [ "$(last sends)" -ge 2 ]'
check "mined, batch $b ends anchored" 'until_mined "[ \$(unanchored) = 0 ]"'
check "exactly one InstallsAnchored for its root in the chain, from that transaction" \
	'[ "$(anchor_logs "$root")" = 1 ] && [ "$(rpc eth_getTransactionReceipt "[\"$hash\"]" | jget status)" = 0x1 ]'
check "its ten reports anchored once, at the anchor's block" \
	'[ "$(q "SELECT count(*), count(DISTINCT anchor_block) FROM installs WHERE batch = $b")" = "10|1" ] &&
	 [ "$(q "SELECT anchor_block FROM installs WHERE batch = $b LIMIT 1")" = "$(last block)" ]'
rpc evm_setAutomine '[true]' >/dev/null

# 2b. kill -9 once the anchor is kept and before the node has it: a proxy
# (tests/chain/liar.mjs) withholds eth_sendRawTransaction from anvil.
node "$chain/liar.mjs" --upstream "$ANVIL_URL" --registry "$REG" --mode drop-send \
	> "$GW_TMP/liar.out" 2> "$GW_TMP/liar.log" &
for i in $(seq 1 200); do grep -q '^liar listening' "$GW_TMP/liar.out" && break; sleep 0.05; done
gw_stop
GW_RPC=$(sed -n 's/^liar listening on //p' "$GW_TMP/liar.out") gw_conf "${opts[@]}" "anchor.interval = 1h"
gw_start
for i in $(seq 1 10); do report $((11 + i % 3 + (i % 3 == 2))); done > /dev/null
check "the batch is kept signed, and the node (behind the proxy) never got it" \
	'gw_wait_log "the node refused the anchor of batch" && [ "$(last state)" = signed ] && [ "$(last sends)" = 0 ]'
b=$(last batch) root=$(last root) hash=$(last tx_hash)
check "... its transaction unknown to anvil" '[ "$(rpc eth_getTransactionByHash "[\"$hash\"]")" = null ]'
kill -9 "$GW_PID"; wait "$GW_PID" 2>/dev/null; GW_PID=
gw_conf "${opts[@]}" "anchor.interval = 1h"
gw_start
check "restarted with the node reachable, licgated sends the kept bytes (the same transaction)" \
	'gw_wait_log "anchor: batch $b .*sent: transaction $hash"'
check "batch $b ends anchored, once, by that transaction" \
	'until_mined "[ \$(unanchored) = 0 ]" && [ "$(anchor_logs "$root")" = 1 ] &&
	 [ "$(rpc eth_getTransactionReceipt "[\"$hash\"]" | jget status)" = 0x1 ]'
echo "# an anchor of 10 reports used $(node -e 'console.log(parseInt(process.argv[1],16))' \
	"$(rpc eth_getTransactionReceipt "[\"$hash\"]" | jget gasUsed)") gas"

# 3. A reorg drops the anchoring block before it is final.
for i in $(seq 1 10); do report $((11 + i % 3 + (i % 3 == 2))); done > /dev/null
for i in $(seq 1 300); do [ "$(last state)" = sent ] && [ "$(anchor_logs "$(last root)")" = 1 ] && break; sleep 0.1; done
b=$(last batch) root=$(last root) top=$(chain_head) fee1=$(last max_fee) nonce1=$(last nonce)
check "batch $b mined (automine) at block $top, not final yet" '[ "$(anchor_logs "$root")" = 1 ] && [ "$(last state)" = sent ]'
# Blocks are mined only when the test says so again, so that the anchor
# sent again waits in the pool until the check below has looked.
rpc evm_setAutomine '[false]' >/dev/null
rpc anvil_rollback '[1]' >/dev/null
check "anvil_rollback drops it: no anchor of its root in the chain" '[ "$(anchor_logs "$root")" = 0 ]'
check "batch $b is anchored again and ends anchored" 'until_mined "[ \$(unanchored) = 0 ]"'
check "the follower saw the reorg, and licgated sent the batch again" \
	'grep -q "reorg: rolled back" "$GW_LOG" && grep -q "anchor: batch $b not mined after 2 s: sending it again" "$GW_LOG"'
check "exactly one InstallsAnchored for its root in the final chain" '[ "$(anchor_logs "$root")" = 1 ]'
check "sent again with the same nonce and a fee at least 12.5% higher (a replacement geth and Besu take)" \
	'[ "$(last nonce)" = "$nonce1" ] && [ $(( $(last max_fee) * 8 )) -ge $(( fee1 * 9 )) ] && [ "$(last sends)" -ge 2 ]'
rpc evm_setAutomine '[true]' >/dev/null

# SIGHUP applies anchor.interval: three reports wait for it.
for i in 1 2 3; do report 12; done > /dev/null
gw_conf "${opts[@]}" "anchor.interval = 1s"
kill -HUP "$GW_PID"
check "after a reload with anchor.interval = 1s, three waiting reports are anchored" \
	'until_mined "[ \$(unanchored) = 0 ]" && [ "$(last count)" = 3 ]'

# 5. A withdrawn gateway sends nothing and says why.  Five reports wait
# (anchor.interval back at 1h) when the registry withdraws it; then a
# reload asks for anchors within a second, which a withdrawn gateway must
# not send.  New reports are refused (installs.sh checks that in full).
reloads=$(grep -c 'reloaded' "$GW_LOG")
gw_conf "${opts[@]}" "anchor.interval = 1h"
kill -HUP "$GW_PID"
until_mined "[ \$(grep -c 'reloaded' \"\$GW_LOG\") -gt $reloads ]"
for i in $(seq 1 5); do report 11; done > "$GW_TMP/codes"
check "five reports accepted, waiting for anchor.interval" \
	'[ "$(sort -u "$GW_TMP/codes")" = 201 ] && [ "$(unanchored)" = 5 ]'
$R gateway remove "$gwaddr" >/dev/null 2>&1
check "the follower sees the withdrawal" 'until_mined "grep -q \"withdrew this gateway.s key\" \"\$GW_LOG\""'
nb=$(q "SELECT count(*) FROM anchor_batches") sent=$(nonce)
gw_conf "${opts[@]}" "anchor.interval = 1s"
kill -HUP "$GW_PID"
check "withdrawn: licgatectl status says the reports are not anchored and why" \
	'until_mined "status | grep -q \"^anchor error the registry withdrew this gateway.s key: install reports are kept, not anchored\""'
check "... /metrics: licgate_anchor_error 1, five reports unanchored" \
	'[ "$(metric licgate_anchor_error)" = 1 ] && [ "$(metric licgate_installs_unanchored)" = 5 ]'
check "... no batch formed, no transaction sent, a second after the reload" \
	'sleep 1.5; [ "$(q "SELECT count(*) FROM anchor_batches")" = "$nb" ] && [ "$(nonce)" = "$sent" ]'
check "/v1/status says it too" \
	'curl -sf "http://127.0.0.1:$GW_PORT/v1/status" | jget anchoring.error | grep -q "withdrew"'
check "a new report is refused: 503" '[ "$(report 12)" = 503 ]'
gw_stop; rc=$?
check "licgated stops cleanly with the anchor loop running (exit 0)" '[ $rc -eq 0 ]'
exit $fail
