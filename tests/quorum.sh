#!/usr/bin/env bash
# quorum.sh: chain.engine = quorum with three endpoints as witnesses: anvil
# itself, an honest proxy in front of it (tests/chain/liar.mjs) and one that
# serves another chain (the re-sealing proxy: every hash differs).  With all
# three required, progress stops and the error names each endpoint's answer;
# with two, the follower goes on, but never past the block two of them call
# finalized.
. "${LICGATE_SRCDIR:-.}/tests/gw.sh"
# anvil calls the block two epochs of one slot back finalized.
gw_chain --slots-in-an-epoch 1
$R random 8 41 >/dev/null 2>&1

PIDS=
trap 'kill $PIDS 2>/dev/null; wait $PIDS 2>/dev/null; gw_cleanup' EXIT
start_proxy() {	# start_proxy NAME CMD...: sets P to the proxy's URL
	local out=$GW_TMP/$1.out name=$1 i
	shift
	"$@" > "$out" 2> "$GW_TMP/$name.log" &
	PIDS="$PIDS $!"
	for i in $(seq 1 600); do grep -q "listening on" "$out" 2>/dev/null && break; sleep 0.05; done
	P=$(sed -n 's/.* listening on //p' "$out")
}
start_proxy honest node "$chain/liar.mjs" --upstream "$ANVIL_URL" --registry "$REG"
HONEST=$P
start_proxy other node "$chain/reseal.mjs" --upstream "$ANVIL_URL" --engine clique
OTHER=$P
finalized() { rpc eth_getBlockByNumber '["finalized",false]' | jget number | xargs printf '%d\n'; }

gw_conf "chain.engine = quorum" "quorum.min_agree = 3" "chain.confirmations = 0"
printf 'rpc.url = %s\nrpc.url = %s\n' "$HONEST" "$OTHER" >> "$GW_TMP/gw.conf"
gw_start
check "three of three required: progress stops, naming each endpoint's answer" \
	'gw_wait_log "quorum: 2 of 3 endpoints agree on block [0-9]+ 0x[0-9a-f]{64} \(quorum.min_agree 3\): .*agrees; .*agrees; http://127.0.0.1:[0-9]+ 0x[0-9a-f]{64}"'
check "nothing is verified" '[ "$(gw_head)" = undefined ] || [ -z "$(gw_head)" ]'
check "status shows the disagreement" '"$ctl" status --db "$GW_TMP/gw.db" | grep -q "^last error  .*quorum: 2 of 3 endpoints agree"'
check "/metrics counts the failed steps" \
	'[ "$(curl -sf "http://127.0.0.1:$GW_PORT/metrics" | awk "/^licgate_sync_errors / {print \$2}")" -ge 1 ]'
gw_stop

gw_conf "chain.engine = quorum" "quorum.min_agree = 2" "chain.confirmations = 0"
printf 'rpc.url = %s\nrpc.url = %s\n' "$HONEST" "$OTHER" >> "$GW_TMP/gw.conf"
gw_start
fin=$(finalized)
check "two of three required: the follower goes on, to the finalized block $fin" 'gw_wait_head "$fin"'
check "... and not past it (the head is $(chain_head))" '[ "$(gw_head)" = "$fin" ] && [ "$(chain_head)" -gt "$fin" ]'
rpc anvil_mine '["0x4"]' >/dev/null
fin=$(finalized)
check "as blocks become final, it follows (to $fin)" 'gw_wait_head "$fin" && [ "$(gw_head)" = "$fin" ]'
check "the status names the engine" '"$ctl" status --db "$GW_TMP/gw.db" | grep -q "^engine      quorum"'
gw_stop
exit $fail
