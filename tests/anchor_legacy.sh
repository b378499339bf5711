#!/usr/bin/env bash
# anchor_legacy.sh: licgated anchors install reports on a chain without
# EIP-1559 and on one without fees, through ganache 7.9.2 and the real
# daemon.  With Berlin rules (no baseFeePerGas in headers), reports from
# two devices are anchored by a legacy transaction (type 0) at eth_gasPrice
# whose v carries the chain id (EIP-155); every report ends anchored once,
# under the root of the anchor the follower verified.  Restarted with a gas
# price of 0, as consortium chains run, and the gateway's account emptied,
# reports are still anchored, at a fee of 0, and nothing says "no funds";
# an anchor not mined is sent again as the same transaction.
# (anvil cannot stand in for ganache here: with --hardfork berlin its
# headers still carry blobGasUsed, and the follower refuses block 0.)
. "${LICGATE_SRCDIR:-.}/tests/gw.sh"
. "$chain/ganache.sh"
gdb=$GW_TMP/ganache-db
ganache_start --chain.hardfork berlin --database.dbPath "$gdb"
check "ganache's headers have no base fee (pre-London)" \
	'[ "$(rpc eth_getBlockByNumber "[\"latest\",false]" | jget baseFeePerGas)" = undefined ]'

"$ctl" keygen -o "$GW_TMP/gw.key" >/dev/null
gwaddr=$("$ctl" key-info -k "$GW_TMP/gw.key" | awk '/^address/ {print $2}')
# The registry, a vendor, its devices 11 and 12 and this gateway, in one
# node process (each registry.mjs call would start node again).
node --input-type=module -e '
  import { connect, deploy, registry, send, deviceKey, wallet } from "'"$chain"'/registry.mjs";
  import { writeFileSync } from "node:fs";
  const [url, gw, dir] = process.argv.slice(1), p = connect(url);
  const { address } = await deploy(p);
  const admin = registry(p, address, 0), vendor = registry(p, address, 1);
  await send(admin, "addVendor", [wallet(p, 1).address, "Acme"]);
  await send(admin, "authorizeGateway", [gw, "hall 1"]);
  for (const i of [11, 12]) {
    const k = deviceKey(i);
    await send(vendor, "registerDevice", [k.publicKey, 1]);
    writeFileSync(`${dir}/dev${i}.key`, k.privateKey.slice(2) + "\n", { mode: 0o600 });
  }
  console.log(address.toLowerCase());' "$ANVIL_URL" "$gwaddr" "$GW_TMP" > "$GW_TMP/reg" ||
	{ echo "not ok - setting up the registry on ganache"; exit 1; }
REG=$(cat "$GW_TMP/reg")
F=0x$(printf 'image-1' | sha256sum | cut -c1-64)
db=$GW_TMP/gw.db
rpc evm_setAccountBalance "[\"$gwaddr\",\"0xde0b6b3a7640000\"]" >/dev/null	# 1 ether
# ganache mines a block for each transaction and no other: the test mines
# the confirmations (until_mined).
opts=("chain.id = 1337" "chain.engine = none" "chain.confirmations = 1"
	"anchor.max_pending = 4" "anchor.max_batch = 4" "anchor.interval = 1h"
	"anchor.resend_after = 2s")
gw_conf "${opts[@]}"
gw_start
. "${LICGATE_SRCDIR:-.}/tests/anchor_lib.sh"
MINE_PAUSE=0.2
tx() { rpc eth_getTransactionByHash "[\"$(last tx_hash)\"]" 2>/dev/null | jget "$1" 2>/dev/null; }
# EIP-155: v = chain id * 2 + 35 or 36; 1337 * 2 + 35 = 2709 = 0xa95.
eip155() { case $(tx v) in 0xa95|0xa96) return 0;; esac; echo "# v = $(tx v)"; return 1; }
# Every report anchored once: in one batch, at that batch's verified anchor,
# whose root is anchored by exactly one InstallsAnchored in the chain.
anchored_once() {
	[ "$(q "SELECT count(*) FROM installs i JOIN anchor_batches b USING (batch) WHERE b.state = 'anchored' AND i.seq BETWEEN b.first_seq AND b.first_seq + b.count - 1 AND i.anchor_block = b.block")" = "$1" ] &&
	[ "$(q "SELECT count(*) FROM anchor_batches b JOIN anchors a ON a.gateway = '$gwaddr' AND a.root = b.root AND a.first_seq = b.first_seq AND a.count = b.count AND a.block = b.block")" = "$(q "SELECT count(*) FROM anchor_batches")" ] &&
	for r in $(q "SELECT root FROM anchor_batches"); do [ "$(anchor_logs "$r")" = 1 ] || return 1; done
}

# 1. Berlin rules, a gas price of 2 gwei.
for d in 11 12 11 12; do report $d; done > "$GW_TMP/codes"
check "four reports from two devices accepted" \
	'[ "$(sort -u "$GW_TMP/codes")" = 201 ] && [ "$(q "SELECT count(DISTINCT device) FROM installs")" = 2 ]'
check "the four end anchored (mined, then verified in a final block)" 'until_mined "[ \$(unanchored) = 0 ]"'
price=$(rpc eth_gasPrice '[]')
check "the anchor is a legacy transaction (type 0), at eth_gasPrice ($price), from the gateway" \
	'[ "$(tx type)" = 0x0 ] && [ "$(tx gasPrice)" = "$price" ] && [ "$(tx from)" = "$gwaddr" ] &&
	 [ "$(last tx_type)" = 0 ] && [ "$(last gas_price)" = "$(printf %d "$price")" ]'
check "its v carries chain id 1337 (EIP-155)" 'eip155'
check "mined and successful" \
	'[ "$(rpc eth_getTransactionReceipt "[\"$(last tx_hash)\"]" | jget status)" = 0x1 ]'
check "every report anchored once, the batch's root the verified anchor's, one InstallsAnchored" \
	'anchored_once 4'
check "licgatectl status shows no anchor error" '! status | grep -q "^anchor error"'

# 2. The same chain with no fees: ganache restarted on its database with a
# gas price of 0, and the gateway's account emptied.
gw_stop
chain_stop
ganache_start --chain.hardfork berlin --database.dbPath "$gdb" --miner.defaultGasPrice 0
rpc evm_setAccountBalance "[\"$gwaddr\",\"0x0\"]" >/dev/null
check "restarted: eth_gasPrice 0, the gateway's balance 0" \
	'[ "$(rpc eth_gasPrice "[]")" = 0x0 ] && [ "$(rpc eth_getBalance "[\"$gwaddr\",\"latest\"]")" = 0x0 ]'
GW_RPC=$ANVIL_URL gw_conf "${opts[@]}"
gw_start
for d in 12 11 12 11; do report $d; done > "$GW_TMP/codes"
check "four more reports accepted" '[ "$(sort -u "$GW_TMP/codes")" = 201 ]'
check "with no funds and no fees, the four end anchored" 'until_mined "[ \$(unanchored) = 0 ]"'
check "the anchor is legacy at a gas price of 0, its v EIP-155" \
	'[ "$(tx type)" = 0x0 ] && [ "$(tx gasPrice)" = 0x0 ] && [ "$(last gas_price)" = 0 ] && eip155'
check "every report anchored once, in two batches" \
	'anchored_once 8 && [ "$(q "SELECT count(*) FROM anchor_batches")" = 2 ]'
check "the balance is still 0" '[ "$(rpc eth_getBalance "[\"$gwaddr\",\"latest\"]")" = 0x0 ]'
check "no \"no funds\": licgatectl status shows no anchor error, /metrics licgate_anchor_no_funds 0" \
	'! status | grep -q "^anchor error" && ! grep -q "no funds" "$GW_LOG" &&
	 [ "$(metric licgate_anchor_no_funds)" = 0 ] && [ "$(metric licgate_anchor_error)" = 0 ]'

# 3. An anchor not mined (ganache's miner stopped) is sent again after
# anchor.resend_after (2 s); with no fee to raise, as the same transaction,
# which the node knows already.  (A legacy anchor with a fee raised is not
# tried here: ganache 7.9.2, replacing a pending transaction while its miner
# is stopped, was seen to apply the replaced one to the state of a block
# that lists no transaction, and the follower then rightly refuses the
# registry's digest.)
rpc miner_stop '[]' >/dev/null
for d in 11 11 12 12; do report $d; done > /dev/null
for i in $(seq 1 300); do [ "$(last state)" = sent ] && break; sleep 0.1; done
b=$(last batch) hash1=$(last tx_hash)
for i in $(seq 1 300); do [ "$(last sends)" -ge 2 ] && break; sleep 0.1; done
mined1=$(tx blockNumber) st=$(status)
rpc miner_start '[]' >/dev/null
check "with no fee to raise, batch $b's anchor not mined is sent again as the same transaction, and says so" \
	'[ "$mined1" = null ] && [ "$(last sends)" -ge 2 ] && [ "$(last tx_hash)" = "$hash1" ] &&
	 grep -q "anchor: batch $b not mined after 2 s: sending it again$" "$GW_LOG" &&
	 grep -q "anchor: batch $b: no fee to raise (the chain asks none): the same transaction again" "$GW_LOG" &&
	 ! grep -q "^anchor error" <<<"$st"'
check "mined, batch $b ends anchored once" \
	'until_mined "[ \$(unanchored) = 0 ]" && anchored_once 12'
gw_stop; rc=$?
check "licgated stops cleanly (exit 0)" '[ $rc -eq 0 ]'
exit $fail
