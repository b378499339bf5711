#!/usr/bin/env bash
# init.sh: licgatectl init writes a new gateway's configuration from what a
# node says.  On anvil, with a registry deployed after some empty blocks (and
# a decoy one deployed before them), the file it writes loads, and licgated
# started with it reaches the head with the chain's state, the constructor's
# event in the checkpoint block among the events it keeps.  A wrong address,
# a checkpoint after the deployment and an existing -o file are refused; a
# pruned node (anvil --prune-history) is answered from its logs.
. "${LICGATE_SRCDIR:-.}/tests/gw.sh"
gw_chain
rpc anvil_mine '["0x14"]' >/dev/null	# 20 empty blocks after the decoy
dep=$($R deploy)
REG=$(jget address <<<"$dep" | tr 'A-F' 'a-f') D=$(jget block <<<"$dep")
export LICGATE_REGISTRY=$REG
R="node $chain/registry.mjs --rpc $ANVIL_URL"
$R vendor add "$($R account 1 | jget address)" "Acme" >/dev/null 2>&1
$R --from 1 device register "$($R devkey 1 | jget publicKey)" 1 >/dev/null 2>&1
rpc anvil_mine '["0x5"]' >/dev/null
conf=$GW_TMP/gw.conf

out=$("$ctl" init --rpc "$ANVIL_URL" --registry "$REG" -o "$conf" \
	--db "$GW_TMP/gw.db" --key "$GW_TMP/gw.key" 2>"$GW_TMP/init.err"); rc=$?
check "init finds the deployment block $D and writes the file (exit 0)" \
	'[ $rc -eq 0 ] && grep -qx "chain.checkpoint_number = $D" "$conf" || { echo "# rc $rc: $out"; cat "$GW_TMP/init.err"; false; }'
hash=$(rpc eth_getBlockByNumber "[\"$(printf '0x%x' "$D")\",false]" | jget hash)
check "the checkpoint hash is block $D's, in the file and on stdout" \
	'grep -qx "chain.checkpoint_hash = $hash" "$conf" && grep -q "^checkpoint  block $D $hash" <<<"$out"'
check "init says to confirm the hash from a second source" \
	'grep -q "^CONFIRM THE CHECKPOINT HASH FROM A SECOND SOURCE" <<<"$out"'
check "the search shows its progress on stderr (about log2(head) steps)" \
	'n=$(grep -c "^licgatectl: init:   block" "$GW_TMP/init.err"); [ "$n" -ge 4 ] && [ "$n" -le 6 ]'
check "the file is mode 0644, with the chain id, engine and registry" \
	'[ "$(stat -c %a "$conf")" = 644 ] && grep -qx "chain.id = 31337" "$conf" && grep -qx "chain.engine = none" "$conf" && grep -qx "registry.address = $REG" "$conf"'
# A value's comment lines come between its option's help line and it.
whys=$(awk '/^[a-z]/ && p1 ~ /^# / && p2 ~ /^# / {n++} {p2 = p1; p1 = $0} END {print n}' "$conf")
check "each of the 8 values init set says where it came from" \
	'[ "$(grep -c "^[a-z]" "$conf")" -eq 8 ] && [ "$whys" -eq 8 ]'
check "the file loads (licgated -n)" '"$gwd" -n -c "$conf" >/dev/null 2>&1'

# The harness's own choices on top: a free port and two confirmations.
printf 'http.port = 0\nchain.confirmations = 2\nsync.poll_interval = 1s\n' >> "$conf"
gw_start
check "licgated started with it reaches the head" 'gw_wait_head "$(chain_head)"'
check "its cache equals the chain's" 'gw_settle 2 && same_state'
first=$("$ctl" events --db "$GW_TMP/gw.db" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
	const e=JSON.parse(s)[0];console.log(e.block+" "+e.kind)})')
check "the constructor's AdminTransferred, in the checkpoint block itself, is kept" \
	'[ "$first" = "$D AdminTransferred" ] || { echo "# first event: $first"; false; }'
gw_stop

out=$("$ctl" init --rpc "$ANVIL_URL" --registry 0x000000000000000000000000000000000000dead 2>&1 >/dev/null); rc=$?
check "an address without code: exit 1, 'no contract at ADDR on this chain'" \
	'[ $rc -eq 1 ] && grep -q "no contract at 0x000000000000000000000000000000000000dead on this chain" <<<"$out"'
out=$("$ctl" init --rpc "$ANVIL_URL" --registry "$REG" --checkpoint $((D + 1)) 2>&1 >/dev/null); rc=$?
check "--checkpoint after the deployment is refused (exit 1)" \
	'[ $rc -eq 1 ] && grep -q "has code at block $D already" <<<"$out"'
sum=$(md5sum < "$conf")
out=$("$ctl" init --rpc "$ANVIL_URL" --registry "$REG" -o "$conf" 2>&1); rc=$?
check "-o on an existing file without --force is refused, the file unchanged" \
	'[ $rc -ne 0 ] && grep -q "exists (use --force" <<<"$out" && [ "$(md5sum < "$conf")" = "$sum" ]'
"$ctl" init --rpc "$ANVIL_URL" --registry "$REG" -o "$conf" --force \
	--checkpoint 3 --key "$GW_TMP/gw.key" >/dev/null 2>&1; rc=$?
check "--force replaces it, with an earlier --checkpoint" \
	'[ $rc -eq 0 ] && grep -qx "chain.checkpoint_number = 3" "$conf" && [ -z "$(ls "$GW_TMP" | grep "gw.conf.")" ]'
"$ctl" init --rpc "$ANVIL_URL" --registry "$REG" --key "$GW_TMP/gw.key" \
	> "$GW_TMP/stdout.conf" 2>/dev/null
check "without -o the file goes to stdout and loads" '"$gwd" -n -c "$GW_TMP/stdout.conf" >/dev/null 2>&1'

# A node that keeps recent states only cannot answer eth_getCode far back:
# the constructor's event (from eth_getLogs) names the block instead.
chain_stop
chain_start --prune-history 64 || { echo "not ok - anvil --prune-history did not start"; exit 1; }
trap gw_cleanup EXIT
R="node $chain/registry.mjs --rpc $ANVIL_URL"
rpc anvil_mine '["0x10"]' >/dev/null
dep=$($R deploy)
REG=$(jget address <<<"$dep" | tr 'A-F' 'a-f') D=$(jget block <<<"$dep")
rpc anvil_mine '["0xc8"]' >/dev/null
out=$("$ctl" init --rpc "$ANVIL_URL" --registry "$REG" 2>&1 >"$GW_TMP/pruned.conf"); rc=$?
check "pruned node: init says so and takes the block of the constructor's event" \
	'[ $rc -eq 0 ] && grep -q "keeps no state for block" <<<"$out" && grep -qx "chain.checkpoint_number = $D" "$GW_TMP/pruned.conf" || { echo "# rc $rc: $out"; false; }'
out=$("$ctl" init --rpc "$ANVIL_URL" --registry "$REG" --checkpoint $((D + 1)) 2>&1 >/dev/null); rc=$?
check "pruned node: --checkpoint after the deployment is refused (exit 1)" \
	'[ $rc -eq 1 ] && grep -q "deployed at block $D" <<<"$out"'
exit $fail
