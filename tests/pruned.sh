#!/usr/bin/env bash
# pruned.sh: a node that keeps the state of recent blocks only (anvil
# --prune-history 64: eth_getProof further back answers BlockOutOfRangeError),
# registry events over more than 2,000 blocks, and a gateway from checkpoint
# 0 with sync.batch_size = 100, so that most batches end where the node can
# prove nothing.  It reaches the head with the chain's state, proving the
# registry's digest only where the node has state; the events verified
# meanwhile are pending, and a device registered among them gets no valid
# attestation.  Killed (-9) with events pending, it resumes to the head.
. "${LICGATE_SRCDIR:-.}/tests/gw.sh"
chain_start --prune-history 64 || { echo "not ok - anvil did not start"; exit 1; }
# chain_start set its own trap; a stopped anvil is woken to be stopped.
trap 'kill -CONT "$ANVIL_PID" 2>/dev/null; gw_cleanup' EXIT
R="node $chain/registry.mjs --rpc $ANVIL_URL"
"$ctl" keygen -o "$GW_TMP/gw.key" >/dev/null
F=$(node -e 'console.log("0x"+require("crypto").createHash("sha256").update("image-1").digest("hex"))')
# In one process (each start of node costs a second or more): the registry,
# a vendor, devices X and Y, an image and X's license (the block of which
# is xb); then 21 busy blocks of 10 licenses for Y, 100 empty blocks after
# each.  Run from tests/chain, where ethers is installed.
setup=$(cd "$chain" && node --input-type=module -e "
import { ethers } from 'ethers';
import { connect, deploy, registry, send, wallet, deviceKey, bulkLicenses } from '$chain/registry.mjs';
const p = connect('$ANVIL_URL');
const { address } = await deploy(p);
await send(registry(p, address, 0), 'addVendor', [wallet(p, 1).address, 'Acme']);
const v = registry(p, address, 1), x = deviceKey(1), y = deviceKey(2);
await send(v, 'registerDevice', [x.publicKey, 1]);
await send(v, 'registerDevice', [y.publicKey, 1]);
await send(v, 'registerFirmware', ['$F', 5, 1, 2000000000, 'https://fw.example/1']);
const X = ethers.computeAddress(x.publicKey), Y = ethers.computeAddress(y.publicKey);
const r = await send(v, 'issueLicense', [X, 1, 10, 0, 2000000000, 7]);
for (let i = 0; i < 21; i++) {
  await bulkLicenses(p, address, 1, [Y, 1, 10, 10]);
  await p.send('anvil_mine', ['0x64']);
}
console.log(JSON.stringify({ registry: address.toLowerCase(), x: X.toLowerCase(), xb: r.blockNumber }));
process.exit(0);") || { echo "not ok - the registry's events were not sent"; exit 1; }
REG=$(jget registry <<<"$setup") X=$(jget x <<<"$setup") xb=$(jget xb <<<"$setup")
export LICGATE_REGISTRY=$REG
head=$(chain_head)
echo "# the chain is ready after $SECONDS s"
check "registry events over $((head - xb)) blocks after X's license (>= 2000)" '[ $((head - xb)) -ge 2000 ]'
old=$(printf '0x%x' $((xb + 1)))
check "the node refuses eth_getProof at old block $((xb + 1))" \
	'! rpc eth_getProof "[\"$REG\",[\"0x0\"],\"$old\"]" 2>&1 | grep -q stateRoot'

gw_conf "sync.batch_size = 100" "sync.connections = 1" "chain.confirmations = 2"
gw_start
# The status as numbers: "null" or nothing for what is not there.
st() { "$ctl" status --db "$GW_TMP/gw.db" --json 2>/dev/null |
	sed -n "s/^ *\"$1\": *\([0-9]*\|null\),*$/\1/p"; }
num_ge() { [ -n "$1" ] && [ "$1" != null ] && [ "$1" -ge "$2" ]; }
# until SECONDS COMMAND...: polls COMMAND (every 10 ms) for SECONDS at most.
until_ok() {
	local end=$((SECONDS + $1)); shift
	while [ $SECONDS -lt $end ]; do
		"$@" && return 0
		kill -0 "$GW_PID" 2>/dev/null || return 1
		sleep 0.01
	done
	return 1
}
pending_now() {	# one look at both numbers
	local j; j=$("$ctl" status --db "$GW_TMP/gw.db" --json 2>/dev/null)
	p=$(sed -n 's/^ *"pending_events": *\([0-9]*\),*$/\1/p' <<<"$j")
	v=$(sed -n 's/^ *"verified_block": *\([0-9]*\),*$/\1/p' <<<"$j")
	num_ge "$p" 1 && num_ge "$v" "$xb"
}
at_head() { num_ge "$(st verified_block)" "$1"; }
effective_at() { num_ge "$(st effective_block)" "$1"; }
# The window is a few batches long: looked for without pause.
pending_seen=0
until_ok 30 pending_now && pending_seen=1
# The node stops answering (SIGSTOP): nothing can be proved from here on,
# so what is pending stays pending while it is looked at.
kill -STOP "$ANVIL_PID"
check "events verified above the proved block are pending (status --json)" '[ $pending_seen -eq 1 ] || { echo "# pending_events ${p:-missing}, verified_block ${v:-missing}"; false; }'
proved=$(st proved_block)
check "X's license (block $xb) is above the proved block" \
	'[ "$proved" = null ] || { [ -n "$proved" ] && [ "$proved" -lt "$xb" ]; } || { echo "# proved_block ${proved:-missing}"; false; }'
verdict=$(curl -s -H 'Accept: application/json' "http://127.0.0.1:$GW_PORT/v1/attestation?device=$X&firmware=$F" | jget verdict 2>/dev/null)
check "nothing pending is served: X gets no valid attestation" '[ "$verdict" != valid ] || { echo "# verdict $verdict"; false; }'
deferred=$(curl -sf "http://127.0.0.1:$GW_PORT/metrics" | awk '$1 == "licgate_sync_proofs_deferred_total" {print $2}')
check "/metrics: licgate_sync_proofs_deferred_total > 0" '[ -n "$deferred" ] && [ "${deferred%.*}" -gt 0 ] || { echo "# ${deferred:-missing}"; false; }'
check "the deferred proofs are logged" 'grep -q "registry proof at block [0-9]* deferred" "$GW_LOG"'

# Crashed while events are pending; the node answers again.
kill -9 "$GW_PID"; wait "$GW_PID" 2>/dev/null; GW_PID=
kill -CONT "$ANVIL_PID"
gw_start
check "restarted, it reaches the head $head" 'until_ok 45 at_head "$head"'
rpc anvil_mine '["0x2"]' >/dev/null
check "its cache equals the chain's" 'until_ok 20 effective_at "$head" && same_state'
ch=$(chain_head) proved=$(st proved_block) p=$(st pending_events)
check "proved at a block the node has state for (proved_block $proved, head $ch), nothing pending" \
	'[ -n "$proved" ] && [ "$proved" != null ] && [ "$proved" -ge $((ch - 64)) ] && [ "$p" = 0 ]'
check "no batch failed on a proof the node could not give (each was deferred)" \
	'! grep "registry proof at block [0-9]*: " "$GW_LOG"'
verdict=$(curl -s -H 'Accept: application/json' "http://127.0.0.1:$GW_PORT/v1/attestation?device=$X&firmware=$F" | jget verdict 2>/dev/null)
check "once proved, X's attestation is valid" '[ "$verdict" = valid ] || { echo "# verdict $verdict"; false; }'
gw_stop
exit $fail
