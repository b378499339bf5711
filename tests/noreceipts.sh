#!/usr/bin/env bash
# noreceipts.sh: licgated follows a real anvil through a proxy that answers
# eth_getBlockReceipts as GoQuorum (geth 1.10) does, "the method does not
# exist" (tests/chain/noblockreceipts.mjs): it says so once in its log,
# fetches each transaction's receipt instead, and its cache equals the
# chain, including blocks of 66 transactions whose receipts span batches.
. "${LICGATE_SRCDIR:-.}/tests/gw.sh"
gw_chain
$R random 40 21 >/dev/null 2>&1
D=$($R devkey 2100 | jget address)
$R --from 1 device register "$($R devkey 2100 | jget publicKey)" 1 >/dev/null 2>&1
$R --from 1 license bulk "$D" 1 10 150 >/dev/null 2>&1 ||
	{ echo "not ok - the bulk licenses were not mined"; exit 1; }
$R random 10 22 >/dev/null 2>&1
head=$(chain_head)
txs=$(node -e '
  const url = process.argv[1], n = Number(process.argv[2]);
  (async () => { let t = 0;
    for (let b = 0; b <= n; b++) {
      const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getBlockTransactionCountByNumber", params: ["0x" + b.toString(16)] }) });
      t += parseInt((await r.json()).result, 16);
    }
    console.log(t); })()' "$ANVIL_URL" "$head")

node "$chain/noblockreceipts.mjs" --upstream "$ANVIL_URL" \
	> "$GW_TMP/proxy.out" 2> "$GW_TMP/proxy.log" &
PROXY_PID=$!
trap 'kill $PROXY_PID 2>/dev/null; wait $PROXY_PID 2>/dev/null; gw_cleanup' EXIT
for i in $(seq 1 200); do grep -q '^noblockreceipts listening' "$GW_TMP/proxy.out" && break; sleep 0.05; done
PROXY=$(sed -n 's/^noblockreceipts listening on //p' "$GW_TMP/proxy.out")
[ -n "$PROXY" ] || { echo "not ok - the proxy did not start"; exit 1; }
calls() { curl -sf "$PROXY/__counts" | jget "$1"; }

check "the proxy refuses eth_getBlockReceipts as geth does" \
	'RPC_URL=$PROXY rpc eth_getBlockReceipts "[\"0x1\"]" 2>&1 | grep -q "\"code\":-32601"'

GW_RPC=$PROXY gw_conf "chain.confirmations = 0" "sync.batch_size = 16"
gw_start
check "licgated catches up with block $head without eth_getBlockReceipts" 'gw_wait_head "$head"'
check "the cache equals the state ethers reads from the chain" 'same_state'
check "the log says once which endpoint lacks it and what is done instead" \
	'[ "$(grep -c "rpc: $PROXY/\{0,1\} does not serve eth_getBlockReceipts (node error -32601: .*eth_getTransactionReceipt for each transaction instead" "$GW_LOG")" = 1 ]'
got=$(calls eth_getTransactionReceipt)
check "receipts were asked per transaction ($got calls for $txs transactions up to block $head)" \
	'[ "$got" -ge 150 ] && [ "$got" -le "$txs" ]'
refused=$(calls eth_getBlockReceipts)
check "eth_getBlockReceipts was asked once per connection at most ($refused calls)" \
	'[ "$refused" -ge 1 ] && [ "$refused" -le $((3 * 16)) ]'
check "licgatectl status shows no error" '"$ctl" status --db "$GW_TMP/gw.db" | grep -q "^last error  none"'

# New activity is followed the same way, without asking again.
$R random 10 23 >/dev/null 2>&1
head=$(chain_head)
check "new events are followed (block $head)" 'gw_wait_head "$head" && same_state'
check "eth_getBlockReceipts was not asked again" '[ "$(calls eth_getBlockReceipts)" = "$refused" ]'
check "SIGTERM stops licgated with status 0" 'gw_stop'
exit $fail
