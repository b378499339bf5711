#!/usr/bin/env bash
# reorg.sh: anvil_rollback and anvil_reorg drop a revocation and an issue
# inside the confirmation window: the cache follows the new chain exactly.
# A reorg deeper than the window stops the follower with a clear error and
# leaves the effective state alone.
. "${LICGATE_SRCDIR:-.}/tests/gw.sh"
gw_chain
$R random 30 21 >/dev/null 2>&1
rpc anvil_mine '["0x3"]' >/dev/null	# nothing pending to begin with
gw_conf "chain.confirmations = 3" "sync.batch_size = 16"
gw_start
gw_wait_head "$(chain_head)"

# A license that is not revoked, its vendor's account index and device.
$R dump > "$GW_TMP/before.json" 2>/dev/null
read -r lic vendor device role < <(node -e '
  const s = require(process.argv[1]);
  for (const [id, l] of Object.entries(s.licenses))
    if (!l.revoked) { console.log(id, l.vendor, l.device, l.role); break; }' "$GW_TMP/before.json")
for n in 1 2 3; do [ "$($R account $n | jget address)" = "$vendor" ] && vi=$n; done
pending() { "$ctl" events --db "$GW_TMP/gw.db" --json | node -e '
  let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).filter(e=>!e.effective).map(e=>e.kind).join(",")))'; }
revoked() { "$ctl" dump --db "$GW_TMP/gw.db" | jget "licenses.$1.revoked"; }
count() { "$ctl" status --db "$GW_TMP/gw.db" --json | jget counts.events; }

# 1. A revocation and an issue, then anvil_rollback removes both blocks.
$R --from "$vi" license revoke "$lic" 5 >/dev/null 2>&1
$R --from "$vi" license issue "$device" "$role" 100 0 2000000000 1 >/dev/null 2>&1
top=$(chain_head)
gw_wait_head "$top"
check "the revocation and the issue are verified but pending" '[ "$(pending)" = "LicenseRevoked,LicenseIssued" ]'
check "a pending revocation is not effective yet" '[ "$(revoked "$lic")" = false ]'
n_before=$(count)
rpc anvil_rollback '[2]' >/dev/null
rpc anvil_mine '["0x1"]' >/dev/null
check "licgated notices the reorg and rolls back" 'gw_wait_log "reorg: rolled back blocks $((top - 1))\.\.$top"'
rpc anvil_mine '["0x3"]' >/dev/null
gw_wait_head $((top + 2))
check "both dropped events are gone from the audit trail" '[ "$(count)" -eq $((n_before - 2)) ] && [ -z "$(pending)" ]'
check "the cache equals the new chain (license $lic not revoked)" 'same_state && [ "$(revoked "$lic")" = false ]'

# 2. anvil_reorg replaces the block holding a revocation at the same height.
$R --from "$vi" license revoke "$lic" 6 >/dev/null 2>&1
top=$(chain_head)
gw_wait_head "$top"
check "the new revocation is pending" '[ "$(pending)" = LicenseRevoked ]'
rpc anvil_reorg '[1, []]' >/dev/null
check "a same-height reorg is noticed" 'gw_wait_log "reorg: rolled back blocks $top\.\.$top"'
rpc anvil_mine '["0x4"]' >/dev/null
gw_wait_head $((top + 4))
check "after anvil_reorg the cache equals the chain, revocation dropped" 'same_state && [ "$(revoked "$lic")" = false ]'

# 3. Deeper than the window: six blocks with events, all replaced.
$R random 6 77 >/dev/null 2>&1
top=$(chain_head)
gw_wait_head "$top"
"$ctl" dump --db "$GW_TMP/gw.db" > "$GW_TMP/final.json"
eff=$(gw_effective)
rpc anvil_rollback '[6]' >/dev/null
rpc anvil_mine '["0x8"]' >/dev/null
check "a reorg deeper than the window stops the follower with a clear error" \
	'gw_wait_log "sync stopped: reorg deeper than the confirmation window"'
check "status shows the error" '"$ctl" status --db "$GW_TMP/gw.db" | grep -q "^last error  reorg deeper than the confirmation window"'
check "the effective state is untouched" '[ "$(gw_effective)" = "$eff" ] && [ "$("$ctl" dump --db "$GW_TMP/gw.db")" = "$(cat "$GW_TMP/final.json")" ]'
check "licgated keeps running (healthz answers)" 'kill -0 "$GW_PID" && curl -sf "http://127.0.0.1:$GW_PORT/healthz" >/dev/null'
# Halted, it still asks the node again (after 2, 4, 8 s ... with a 1 s
# poll), in case the node comes back to our chain: the error is noted anew.
errt() { "$ctl" status --db "$GW_TMP/gw.db" --json | jget last_error_time; }
t1=$(errt)
for i in $(seq 1 400); do [ "$(errt)" != "$t1" ] && break; sleep 0.05; done
check "halted, it asks the node again later (the error is noted again)" '[ "$(errt)" != "$t1" ]'
check "... and says \"sync stopped\" in the log only once" '[ "$(grep -c "sync stopped" "$GW_LOG")" = 1 ]'
check "SIGTERM still stops it cleanly" 'gw_stop'
exit $fail
