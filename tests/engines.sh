#!/usr/bin/env bash
# engines.sh: licgated with chain.engine = clique and qbft, following anvil's
# registry through the re-sealing proxy (tests/chain/reseal.mjs): its cache
# equals the chain; every seal the proxy forges (a non-signer, a difficulty
# lie, a recent signer, a vote on an epoch block; too few, foreign, repeated
# or wrong-round commit seals, an attacker voted in early) is refused with
# nothing committed and the rule named, and honest blocks are followed again;
# a forged fork of anvil, sealed by a key that is not a signer, is refused
# without rolling anything back, while engine none follows blocks sealed by
# such a key.
. "${LICGATE_SRCDIR:-.}/tests/gw.sh"
gw_chain
V="$R --from 1"
$R vendor add "$($R account 1 | jget address)" "Acme" >/dev/null 2>&1
A=$($R devkey 11 | jget address)
$V device register "$($R devkey 11 | jget publicKey)" 1 >/dev/null 2>&1
F=0x$(printf 'image-a' | sha256sum | cut -c1-64)
$V firmware register "$F" 5 1 2000000000 https://fw.example/a >/dev/null 2>&1
$V license issue "$A" 1 10 0 2000000000 7 >/dev/null 2>&1
LIC=1
$R random 6 31 >/dev/null 2>&1

# Everything started here is stopped on exit.
PIDS=
trap 'kill $PIDS 2>/dev/null; wait $PIDS 2>/dev/null; gw_cleanup' EXIT
# proxy ENGINE ARGS...: starts reseal.mjs; sets P (its URL) and P_INFO.
proxy() {
	local out=$GW_TMP/reseal.$1.out i
	node "$chain/reseal.mjs" --upstream "${UPSTREAM:-$ANVIL_URL}" --engine "$@" \
		> "$out" 2> "$GW_TMP/reseal.$1.log" &
	PIDS="$PIDS $!"
	for i in $(seq 1 600); do [ "$(wc -l < "$out")" -ge 2 ] && break; sleep 0.05; done
	P=$(sed -n 's/^reseal listening on //p' "$out")
	P_INFO=$(sed -n 2p "$out")
}
mode() { curl -sf -X POST --data "{\"mode\":\"$2\"}" "$1/__reseal" >/dev/null; }
target() { curl -sf "$1/__reseal" | jget target; }
pub=$("$ctl" key-info -k "$GW_TMP/gw.key" | awk '/^public key/ {print $3}')
verdict() {
	curl -sf -o "$GW_TMP/tok" "http://127.0.0.1:$GW_PORT/v1/attestation?device=$A&firmware=$F" &&
	"$ctl" verify "$GW_TMP/tok" --gateway-key "$pub" --json | jget verdict
}
# Caught up and the window passed: the cache is the chain's state.
settled() { gw_wait_head "$(chain_head)" && gw_settle 2 && same_state; }
gw_fresh() { [ -n "$GW_PID" ] && gw_stop; rm -f "$GW_TMP"/gw.db*; }

# lie URL ENGINE MODE PATTERN [SETUP]: new blocks while the proxy lies.
lie() {
	local url=$1 eng=$2 mode=$3 pat=$4 t head0
	head0=$(gw_head)
	mode "$url" "$mode"
	t=$(target "$url")
	if [ "$mode" = epoch-vote ]; then rpc anvil_mine '["0x10"]' >/dev/null
	else $R random 2 $((t + 40)) >/dev/null 2>&1; fi
	check "$eng $mode: refused at block $t, the rule named" \
		'gw_wait_log "block $t: $eng engine refuses it: .*$pat"'
	check "$eng $mode: nothing from block $t on is committed" '[ "$(gw_head)" -lt "$t" ] && [ "$(gw_head)" -ge "$head0" ]'
	mode "$url" honest
	check "$eng $mode: once honest, followed again" settled
}

# 1. Clique, three signers, epoch 8 (so that epoch blocks come by).
proxy clique --epoch 8
CL=$P
signers=$(jget signers <<<"$P_INFO" | tr -d '[]"' | tr 'A-F' 'a-f')
RPC_URL=$CL GW_RPC=$CL gw_conf "chain.engine = clique" "chain.epoch = 8" "chain.confirmations = 2"
gw_start
check "clique: licgated follows the re-sealed chain, its cache equal to the chain's state" settled
check "clique: status names the engine and the three signers" \
	'"$ctl" status --db "$GW_TMP/gw.db" | grep -q "^engine      clique, 3 signers at block [0-9]*: ${signers//,/, }$"'
check "clique: the license is valid" '[ "$(verdict)" = valid ]'
lie "$CL" clique not-signer "not a signer"
lie "$CL" clique difficulty "signer with difficulty"
lie "$CL" clique recent "sealed one of the last"
lie "$CL" clique epoch-vote "a vote on an epoch block"
# A real reorg inside the window: the block replaced at the same height is
# re-sealed honestly, verified from the shared block's snapshot, followed.
$R random 1 57 >/dev/null 2>&1
top=$(chain_head)
gw_wait_head "$top"
rpc anvil_reorg '[1, []]' >/dev/null
check "clique: a real reorg is verified and followed" 'gw_wait_log "reorg: rolled back blocks $top\.\.$top"'
check "clique: after it the cache equals the chain" settled
# A restart resumes from the snapshot the database keeps.
gw_stop
rpc anvil_mine '["0x3"]' >/dev/null
gw_start
check "clique: after a restart it goes on from its stored snapshot" \
	'settled && ! grep -q "engine state" "$GW_LOG"'

# 2. A forged fork: anvil forked below our head, the revocation our chain
# has left out of it, sealed by a key that is not a signer.
base=$(chain_head)
$V license revoke "$LIC" 9 >/dev/null 2>&1
gw_wait_head "$(chain_head)"
check "the revocation is verified (pending in the window)" '[ "$(gw_head)" = "$((base + 1))" ]'
fport=$(chain_free_port)
"$ANVIL_BIN" --host 127.0.0.1 --port "$fport" --fork-url "$ANVIL_URL" \
	--fork-block-number "$base" --silent >/dev/null 2>&1 &
PIDS="$PIDS $!"
FORK=http://127.0.0.1:$fport
for i in $(seq 1 600); do RPC_URL=$FORK rpc eth_chainId '[]' >/dev/null 2>&1 && break; sleep 0.05; done
# The forger has no signer's key: from the fork on it seals with another.
UPSTREAM=$FORK proxy clique --epoch 8
FP=$P
mode "$FP" not-signer
RPC_URL=$FORK rpc anvil_mine '["0x4"]' >/dev/null
RPC_URL=$FP GW_RPC=$FP gw_conf "chain.engine = clique" "chain.epoch = 8" "chain.confirmations = 2"
head0=$(gw_head)
kill -HUP "$GW_PID"
check "clique: the forged fork is refused, nothing rolled back" \
	'gw_wait_log "refused the node.s branch from block $((base + 1)): .*not a signer; nothing rolled back" && [ "$(gw_head)" = "$head0" ]'
check "clique: the revocation is still there, pending" \
	'"$ctl" events --db "$GW_TMP/gw.db" --json | grep -q LicenseRevoked'
RPC_URL=$CL GW_RPC=$CL gw_conf "chain.engine = clique" "chain.epoch = 8" "chain.confirmations = 2"
kill -HUP "$GW_PID"
gw_settle 2
check "clique: back on the real chain the revocation takes effect" '[ "$(verdict)" = license-revoked ]'
# Engine none follows whoever seals: the chain from here on sealed by the
# outsider, which clique refused above, is followed as it comes.  (The
# forked anvil cannot show it: in fork mode anvil's state roots do not
# match its own eth_getProof answers, and licgated's digest proof refuses
# every batch there, whatever the engine.)
gw_fresh
mode "$CL" not-signer
t=$(target "$CL")
rpc anvil_mine '["0x3"]' >/dev/null
RPC_URL=$CL GW_RPC=$CL gw_conf "chain.confirmations = 0"
gw_start
check "engine none follows blocks $t.. sealed by a key that is not a signer" \
	'gw_wait_head "$(chain_head)" && ! grep -q "refuses" "$GW_LOG"'
check "engine none: the log warns and status says the node is trusted" \
	'grep -q "chain.engine = none: no consensus is checked" "$GW_LOG" &&
	 "$ctl" status --db "$GW_TMP/gw.db" | grep -q "^engine      none: no consensus checked, the RPC node is trusted"'
mode "$CL" honest
gw_fresh

# 3. QBFT, four validators; finality is instant, confirmations 0.
proxy qbft
QB=$P
RPC_URL=$QB GW_RPC=$QB gw_conf "chain.engine = qbft" "chain.confirmations = 0"
gw_start
check "qbft: licgated follows the re-sealed chain (hashes by the BFT rule)" settled
check "qbft: status names the four validators" \
	'"$ctl" status --db "$GW_TMP/gw.db" | grep -q "^engine      qbft, 4 validators at block"'
lie "$QB" qbft two-seals "fewer commit seals than ceil.2N/3."
lie "$QB" qbft outsider-seal "not a current validator's"
lie "$QB" qbft repeated-seal "appears twice"
lie "$QB" qbft wrong-round "not a current validator's"
lie "$QB" qbft attacker-vote "not a current validator's"
gw_stop
exit $fail
