#!/usr/bin/env bash
# sync.sh: licgated follows a real anvil: the cache equals what ethers reads
# from the same chain, row for row; stop/start mid-sync resumes; the
# database keeps its promises (WAL, schema, integrity, read-only tools).
. "${LICGATE_SRCDIR:-.}/tests/gw.sh"
gw_chain
$R random 120 11 >/dev/null 2>&1
head=$(chain_head)
gw_conf "chain.confirmations = 0" "sync.batch_size = 16"

out=$("$gwd" -n -c "$GW_TMP/gw.conf" 2>&1); rc=$?
check "licgated -n accepts the configuration" '[ $rc -eq 0 ] && [ "$out" = "$GW_TMP/gw.conf: ok" ]'

gw_start
check "licgated catches up with block $head" 'gw_wait_head "$head"'
check "the cache equals the state ethers reads from the chain" 'same_state'
check "the log reports progress and catching up" 'grep -q "caught up: block $head" "$GW_LOG"'
st=$("$ctl" status --db "$GW_TMP/gw.db")
check "licgatectl status shows the verified block and no error" 'grep -q "^verified    block $head " <<<"$st" && grep -q "^last error  none" <<<"$st"'
ev=$("$ctl" events --db "$GW_TMP/gw.db" --json | jget length)
want=$($R digest 2>/dev/null | jget logs.count)
check "licgatectl events lists all $want events" '[ "$ev" = "$want" ]'
since=$("$ctl" events --db "$GW_TMP/gw.db" --since "$head" | wc -l)
check "events --since lists only the newest block's events" '[ "$since" -ge 1 ] && [ "$since" -lt "$ev" ]'

# New activity while running is picked up.
$R random 15 12 >/dev/null 2>&1
head=$(chain_head)
check "new events are followed (block $head)" 'gw_wait_head "$head" && same_state'
check "SIGTERM stops licgated with status 0" 'gw_stop'
check "the database is in WAL mode and passes integrity_check" \
	'[ "$(sqlite3 "$GW_TMP/gw.db" "PRAGMA journal_mode; PRAGMA integrity_check" | tr "\n" " ")" = "wal ok " ]'
check "tables are STRICT and keys lowercase 0x text" \
	'[ "$(sqlite3 "$GW_TMP/gw.db" "SELECT count(*) FROM pragma_table_list WHERE strict = 1 AND schema = '"'"'main'"'"'")" -ge 9 ] &&
	 [ "$(sqlite3 "$GW_TMP/gw.db" "SELECT count(*) FROM devices WHERE address GLOB '"'"'0x*'"'"' AND address = lower(address)")" = "$(sqlite3 "$GW_TMP/gw.db" "SELECT count(*) FROM devices")" ]'
check "v_licenses shows ISO times" \
	'sqlite3 "$GW_TMP/gw.db" "SELECT not_before FROM v_licenses LIMIT 1" | grep -qE "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$"'

# Restart from the stored cursor, with more activity in between; then
# stop in the middle of a slow catch-up and start again.
$R random 40 13 >/dev/null 2>&1
rpc anvil_mine '["0x600"]' >/dev/null
head=$(chain_head)
gw_conf "chain.confirmations = 0" "sync.batch_size = 2"
gw_start
check "a restart resumes from the stored cursor and reports progress" 'gw_wait_log "sync: block [0-9]+ of $head"'
check "SIGTERM in the middle of a catch-up exits 0" 'gw_stop'
mid=$(gw_head)
check "stopped mid-sync (verified $mid of $head)" '[ "$mid" -lt "$head" ]'
gw_conf "chain.confirmations = 0" "sync.batch_size = 64" "sync.connections = 1"
gw_start
check "after the restart it catches up and the cache is right (one connection)" 'gw_wait_head "$head" && same_state'
gw_stop

# Read-only tools beside the daemon; refusal of someone else's database.
check "licgatectl status works on a read-only copy" 'cp "$GW_TMP/gw.db" "$GW_TMP/ro.db" && chmod 444 "$GW_TMP/ro.db" && "$ctl" status --db "$GW_TMP/ro.db" >/dev/null'
sqlite3 "$GW_TMP/other.db" "CREATE TABLE t (x)"
msg=$("$ctl" status --db "$GW_TMP/other.db" 2>&1); rc=$?
check "a foreign database is refused with a clear line" '[ $rc -eq 2 ] && grep -q "not a licgate database" <<<"$msg"'
exit $fail
