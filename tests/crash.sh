#!/usr/bin/env bash
# crash.sh: kill -9 at random moments during a long sync, 20 times (or
# LICGATE_CRASH_ROUNDS).  Every
# time the database passes PRAGMA integrity_check and its cursor agrees with
# its events; in the end the state equals a clean sync's and the chain's.
. "${LICGATE_SRCDIR:-.}/tests/gw.sh"
gw_chain
$R random 20 31 >/dev/null 2>&1
gw_conf "chain.confirmations = 2" "sync.batch_size = 2"

# Random moments: RANDOM is seeded so a failure can be replayed.
RANDOM=${CRASH_SEED:-4242}
bad=0 progressed=0 prev=0 midway=0 rounds=${LICGATE_CRASH_ROUNDS:-20}
for i in $(seq 1 "$rounds"); do
	# The chain grows between rounds: events and a few hundred blocks,
	# so that every kill lands in a catch-up.
	$R random 2 $((40 + i)) >/dev/null 2>&1
	rpc anvil_mine '["0xc0"]' >/dev/null
	head=$(chain_head)
	gw_start || { echo "not ok - licgated did not start (round $i)"; fail=1; break; }
	sleep "0.$(printf '%03d' $((RANDOM % 250)))"
	kill -9 "$GW_PID"; wait "$GW_PID" 2>/dev/null; GW_PID=
	ic=$(sqlite3 "$GW_TMP/gw.db" "PRAGMA integrity_check")
	# The cursor's count is the number of stored events, and the last
	# event's digest is the cursor's digest: nothing half-written.
	agree=$(sqlite3 "$GW_TMP/gw.db" "SELECT (SELECT value FROM meta WHERE key = 'event_count') = (SELECT count(*) FROM events) AND coalesce((SELECT digest FROM events ORDER BY seq DESC LIMIT 1), '0x' || hex(zeroblob(32))) = lower((SELECT value FROM meta WHERE key = 'event_digest'))")
	h=$(gw_head); [ "$h" = undefined ] && h=0
	[ "$ic" = ok ] && [ "$agree" = 1 ] || { bad=$((bad + 1)); echo "# round $i: integrity '$ic', cursor agrees '$agree'"; }
	[ "$h" -ge "$prev" ] || bad=$((bad + 1))
	[ "$h" -gt "$prev" ] && progressed=$((progressed + 1))
	[ "$h" -lt "$head" ] && midway=$((midway + 1))
	prev=$h
	echo "# round $i: killed at verified block $h of $head"
done
check "$rounds kill -9 during sync: integrity_check ok and cursor consistent every time" '[ $bad -eq 0 ]'
check "the sync made progress between kills ($progressed of $rounds rounds)" '[ $((2 * progressed)) -ge "$rounds" ]'
check "most kills landed in the middle of a catch-up ($midway of $rounds)" '[ $((2 * midway)) -ge "$rounds" ]'
gw_start
check "after the last kill licgated catches up" 'gw_wait_head "$head"'
gw_stop
check "the state equals the chain's" 'rpc anvil_mine "[\"0x3\"]" >/dev/null; gw_start && gw_wait_head $((head + 3)) && gw_stop && same_state'
# A clean sync into a new database gives the same events and state.
cp "$GW_TMP/gw.db" "$GW_TMP/crashed.db"
rm -f "$GW_TMP/gw.db" "$GW_TMP/gw.db-wal" "$GW_TMP/gw.db-shm"
gw_start && gw_wait_head $((head + 3)) && gw_stop
q="SELECT seq, block_number, log_index, digest FROM events ORDER BY seq"
check "a clean sync has the same events, digests and state" \
	'[ "$(sqlite3 "$GW_TMP/gw.db" "$q")" = "$(sqlite3 "$GW_TMP/crashed.db" "$q")" ] &&
	 [ "$("$ctl" dump --db "$GW_TMP/gw.db")" = "$("$ctl" dump --db "$GW_TMP/crashed.db")" ]'
exit $fail
