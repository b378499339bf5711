#!/usr/bin/env bash
# lying.sh: licgated behind a proxy (tests/chain/liar.mjs) that lies about a
# real anvil's answers: drops a registry log, changes a log's data, returns
# another block's receipts, changes a header field, withholds receipts, and
# proves a stale state or other storage slots.  Each time nothing false is
# committed, the log names what was caught, and once the proxy is honest
# again licgated catches up.
. "${LICGATE_SRCDIR:-.}/tests/gw.sh"
gw_chain
$R random 10 51 >/dev/null 2>&1

node "$chain/liar.mjs" --upstream "$ANVIL_URL" --registry "$REG" \
	> "$GW_TMP/liar.out" 2> "$GW_TMP/liar.log" &
LIAR_PID=$!
trap 'kill $LIAR_PID 2>/dev/null; wait $LIAR_PID 2>/dev/null; gw_cleanup' EXIT
for i in $(seq 1 200); do grep -q '^liar listening' "$GW_TMP/liar.out" && break; sleep 0.05; done
LIAR=$(sed -n 's/^liar listening on //p' "$GW_TMP/liar.out")
[ -n "$LIAR" ] || { echo "not ok - the lying proxy did not start"; exit 1; }
liar_mode() { curl -sf -X POST --data "{\"mode\":\"$1\"}" "$LIAR/__liar" >/dev/null; }
liar_lies() { curl -sf "$LIAR/__liar" | jget lies; }

GW_RPC=$LIAR gw_conf "chain.confirmations = 0" "sync.batch_size = 50" "rpc.retries = 0"
gw_start
check "through the honest proxy licgated catches up" 'gw_wait_head "$(chain_head)" && same_state'

seed=60
# lie MODE PATTERN: new registry activity while the proxy lies in MODE.
lie() {
	local mode=$1 pat=$2 before head0 lies0 target events0
	seed=$((seed + 1))
	head0=$(gw_head)
	events0=$("$ctl" status --db "$GW_TMP/gw.db" --json | jget counts.events)
	"$ctl" dump --db "$GW_TMP/gw.db" > "$GW_TMP/before.json"
	lies0=$(liar_lies)
	liar_mode "$mode"
	$R random 3 $seed >/dev/null 2>&1
	for i in $(seq 1 600); do	# until licgated asks about the new blocks
		target=$(curl -sf "$LIAR/__liar" | jget target)
		[ "$target" != null ] && break
		sleep 0.05
	done
	pat=${pat//TARGET/$target}
	check "$mode: the lie is caught and named ($pat)" 'gw_wait_log "$pat"'
	check "$mode: the proxy did lie" '[ "$(liar_lies)" -gt "$lies0" ]'
	check "$mode: nothing past block $head0 was committed" \
		'[ "$(gw_head)" = "$head0" ] && [ "$("$ctl" status --db "$GW_TMP/gw.db" --json | jget counts.events)" = "$events0" ] &&
		 [ "$("$ctl" dump --db "$GW_TMP/gw.db")" = "$(cat "$GW_TMP/before.json")" ]'
	check "$mode: status shows the error" '"$ctl" status --db "$GW_TMP/gw.db" | grep -q "^last error  .*block"'
	liar_mode honest
	check "$mode: once honest, licgated catches up by itself" 'gw_wait_head "$(chain_head)" && same_state'
}

lie drop-log 'block TARGET: (receipt [0-9]+: logsBloom does not match its logs|receiptsRoot mismatch)'
lie alter-data 'block TARGET: receiptsRoot mismatch'
lie other-receipts 'block TARGET: (receipt 0: blockHash is not this block|receiptsRoot mismatch)'
lie alter-header 'block TARGET: header does not hash to its hash'
lie alter-header:logsBloom 'block TARGET: header does not hash to its hash'
lie withhold-receipts 'receipts of block TARGET: .*header not found'
lie withhold-receipts:null 'block TARGET: the node has no receipts for it'
lie stale-proof 'registry proof at block TARGET: account proof against stateRoot'
lie other-slots 'registry proof at block TARGET: it is not the proof asked for'
check "the log says when verification works again" 'grep -q "sync: verifying again after" "$GW_LOG"'
gw_stop
exit $fail
