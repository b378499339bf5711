#!/usr/bin/env bash
# ganache.sh: licgated follows ganache 7.9.2 (tests/chain/package.json), an
# independent node implementation that serves eth_getProof but not
# eth_getBlockReceipts, on its default chain id 1337 with chain.engine =
# none: it reaches the head and its cache equals the chain, with events of
# every kind the registry CLI makes.  A block of several transactions shows
# ganache's one deviation licgated meets: it is refused, by name.
. "${LICGATE_SRCDIR:-.}/tests/gw.sh"
. "$chain/ganache.sh"

ganache_start
R="node $chain/registry.mjs --rpc $ANVIL_URL"
REG=$($R deploy | jget address | tr 'A-F' 'a-f')
export LICGATE_REGISTRY=$REG
"$ctl" keygen -o "$GW_TMP/gw.key" >/dev/null

check "ganache refuses eth_getBlockReceipts" \
	'rpc eth_getBlockReceipts "[\"latest\"]" 2>&1 | grep -q "does not exist/is not available"'

# Events of every kind the CLI makes: random gives vendors, devices (role
# changes, revocations), firmware, floors and licenses (renewals,
# revocations); gateways, a firmware revocation and a vendor removal by hand.
$R random 40 31 >/dev/null 2>&1
G=$($R account 7 | jget address)	# lowercase, as the dumps key them
$R gateway add "$G" "line 3" >/dev/null 2>&1
F=0x$(printf 'ganache-fw' | sha256sum | cut -c1-64)
$R --from 2 firmware register "$F" 3 1 2000000000 https://fw.example/g >/dev/null 2>&1
$R --from 2 firmware revoke "$F" 2 >/dev/null 2>&1
$R gateway remove "$G" >/dev/null 2>&1
V=$($R account 5 | jget address)
$R vendor add "$V" "short-lived" >/dev/null 2>&1
$R vendor remove "$V" >/dev/null 2>&1

head=$(chain_head)
GW_RPC=$ANVIL_URL gw_conf "chain.id = 1337" "chain.engine = none" \
	"chain.confirmations = 0" "sync.batch_size = 16"
gw_start
check "licgated reaches ganache's head, block $head" 'gw_wait_head "$head"'
check "the cache equals the state ethers reads from ganache" 'same_state'
check "the log says ganache lacks eth_getBlockReceipts, once" \
	'[ "$(grep -c "does not serve eth_getBlockReceipts (node error -32700: The method eth_getBlockReceipts does not exist/is not available)" "$GW_LOG")" = 1 ]'
check "licgatectl status shows no error" '"$ctl" status --db "$GW_TMP/gw.db" | grep -q "^last error  none"'
st=$("$ctl" dump --db "$GW_TMP/gw.db")
check "the withdrawn gateway, the revoked firmware and the removed vendor are in the cache" \
	'[ "$(jget "gateways.$G.active" <<<"$st")" = false ] &&
	 [ "$(jget "firmware.$F.revoked" <<<"$st")" = true ] &&
	 [ "$(jget "vendors.$V.active" <<<"$st")" = false ]'
$R random 3 32 >/dev/null 2>&1
head=$(chain_head)
check "new events are followed (block $head)" 'gw_wait_head "$head" && same_state'
st=$("$ctl" dump --db "$GW_TMP/gw.db")

# Several transactions in one block (mining paused, three vendors' calls,
# then mined together).  ganache numbers each receipt's logs from 0 where
# Ethereum's logIndex is the position in the block (its eth_getLogs does
# that right): licgated refuses the block, names why, and commits nothing.
before=$(chain_head)
rpc miner_stop '[]' >/dev/null
pids=
for v in 1 2 3; do $R --from $v firmware floor 4 $((40 + v)) >/dev/null 2>&1 & pids="$pids $!"; done
pending() { rpc txpool_content '[]' | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
	const p=JSON.parse(s).pending;console.log(Object.values(p).reduce((n,a)=>n+Object.keys(a).length,0))})'; }
for i in $(seq 1 600); do [ "$(pending)" -ge 3 ] && break; sleep 0.05; done
rpc miner_start '[]' >/dev/null
wait $pids
head=$(chain_head)
B=$(printf 0x%x "$head")
check "block $head holds the three vendors' transactions" \
	'[ "$(rpc eth_getBlockByNumber "[\"$B\",false]" | jget transactions.length)" = 3 ]'
tx1=$(rpc eth_getBlockByNumber "[\"$B\",false]" | jget transactions.1)
check "ganache: the second transaction's log is at 0x1 in eth_getLogs, at 0x0 in its receipt" \
	'[ "$(rpc eth_getLogs "[{\"fromBlock\":\"$B\",\"toBlock\":\"$B\"}]" | jget 1.logIndex)" = 0x1 ] &&
	 [ "$(rpc eth_getTransactionReceipt "[\"$tx1\"]" | jget logs.0.logIndex)" = 0x0 ]'
# The rest of the block is right: with each log's logIndex renumbered to its
# position, the receipts verify against the header (root, blooms, gas).
node -e '
  const [url, b] = process.argv.slice(1);
  const call = async (method, params) => (await (await fetch(url, { method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) })).json()).result;
  (async () => { const header = await call("eth_getBlockByNumber", [b, false]); let li = 0;
    const receipts = [];
    for (const h of header.transactions) { const r = await call("eth_getTransactionReceipt", [h]);
      for (const l of r.logs) l.logIndex = "0x" + (li++).toString(16);
      receipts.push(r); }
    console.log(JSON.stringify({ header, receipts, blockHash: header.hash })); })()' \
	"$ANVIL_URL" "$B" > "$GW_TMP/block.json"
check "ganache: renumbered, its receipts verify against block $head's header" \
	'"$ctl" verify-block "$GW_TMP/block.json" | grep -q "^ok .*3 receipts, receiptsRoot and blooms verified"'
check "licgated refuses block $head and names why" \
	'gw_wait_log "block $head: receipt 1 log 0: logIndex is not its position in the block"'
check "nothing past block $before was committed" \
	'[ "$(gw_head)" = "$before" ] && [ "$("$ctl" dump --db "$GW_TMP/gw.db")" = "$st" ]'
check "SIGTERM stops licgated with status 0" 'gw_stop'
exit $fail
