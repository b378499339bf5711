#!/usr/bin/env bash
# hint_lie.sh: licgated behind tests/chain/hintliar.mjs, a proxy that hides
# one registry log from eth_getLogs answers and from nothing else, on a
# small busy chain (tests/chain/busy.mjs: nearly every block's bloom matches
# the registry).  eth_getLogs is only a hint of which blocks to fetch: the
# registry's digest proof must catch it hiding an event, licgated must say
# so (log, /metrics) and still find the event, its cache equal to the chain.
. "${LICGATE_SRCDIR:-.}/tests/gw.sh"
gw_chain
info=$(node "$chain/busy.mjs" --rpc "$ANVIL_URL" --registry "$REG" --blocks 30 \
	--txs 4 --logs 200 --events 12 --seed 15 2>"$GW_TMP/busy.log" | tail -1)
[ -n "$info" ] || { cat "$GW_TMP/busy.log"; echo "not ok - busy.mjs did not make the chain"; exit 1; }

# The log to hide: one alone in its block among the noise (past the seven
# events of the set-up: deployment, three vendors, three devices), so that
# nothing but the hint's word says whether to fetch that block.
hide=$(rpc eth_getLogs "[{\"address\":\"$REG\",\"fromBlock\":\"0x0\",\"toBlock\":\"latest\"}]" |
	node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
	  const logs=JSON.parse(s), per={};
	  for (const l of logs) per[l.blockNumber]=(per[l.blockNumber]??0)+1;
	  const lone=logs.map((l,i)=>[i+1,l]).filter(([n,l])=>n>7&&per[l.blockNumber]===1);
	  if (!lone.length) process.exit(1);
	  const [n,l]=lone[lone.length>>1];
	  console.log(n, parseInt(l.blockNumber,16))})')
read -r drop target <<<"$hide"
[ -n "${target:-}" ] || { echo "not ok - no registry log alone in its block"; exit 1; }

node "$chain/hintliar.mjs" --upstream "$ANVIL_URL" --registry "$REG" --drop "$drop" \
	> "$GW_TMP/liar.out" 2> "$GW_TMP/liar.log" &
LIAR_PID=$!
trap 'kill $LIAR_PID 2>/dev/null; wait $LIAR_PID 2>/dev/null; gw_cleanup' EXIT
for i in $(seq 1 200); do grep -q '^hintliar listening' "$GW_TMP/liar.out" && break; sleep 0.05; done
LIAR=$(sed -n 's/^hintliar listening on //p' "$GW_TMP/liar.out")
[ -n "$LIAR" ] || { echo "not ok - the hint liar did not start"; exit 1; }

# metric NAME: the sum of its samples (labelled or not), empty without one.
metric() {
	curl -sf "http://127.0.0.1:$GW_PORT/metrics" |
		awk -v m="$1" '$1 == m || index($1, m "{") == 1 { s += $2; f = 1 } END { if (f) print s }'
}
# hid_target: the log names a range of blocks the hint hid events in, and
# the hidden log's block is in it.
hid_target() {
	sed -n 's/.*eth_getLogs hint hid registry events in blocks \([0-9]*\)\.\.\([0-9]*\).*/\1 \2/p' "$GW_LOG" |
		awk -v t="$target" '$1 <= t && t <= $2 { f = 1 } END { exit !f }'
}

GW_RPC=$LIAR gw_conf "chain.confirmations = 0"
gw_start
check "through the hint liar licgated reaches the head" 'gw_wait_head "$(chain_head)"'
check "the proxy hid registry log $drop (block $target) from eth_getLogs" \
	'[ "$(curl -sf "$LIAR/__hintliar" | jget lies)" -ge 1 ]'
check "the hidden event was found: the cache equals the chain" 'same_state'
check "every event is stored" \
	'[ "$("$ctl" status --db "$GW_TMP/gw.db" --json | jget counts.events)" = "$(node -e "console.log(JSON.parse(process.argv[1]).eventCount)" "$info")" ]'
check "/metrics: licgate_sync_hint_lies_total >= 1" \
	'n=$(metric licgate_sync_hint_lies_total) && [ -n "$n" ] && [ "${n%.*}" -ge 1 ]'
check "the log names blocks around block $target as hidden by the hint" 'hid_target'
gw_stop
exit $fail
