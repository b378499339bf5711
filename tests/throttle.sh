#!/usr/bin/env bash
# throttle.sh: licgated follows a real anvil through a proxy that behaves
# like a hosted endpoint with limits (tests/chain/throttle.mjs): every Nth
# request answered HTTP 429 with Retry-After: 1, batches of more than K
# calls refused as geth refuses them.  licgated waits as asked, learns K,
# ends with the chain's state, and shows it all in /metrics, without
# spinning: the requests stay under the bound derived below.
. "${LICGATE_SRCDIR:-.}/tests/gw.sh"
N=10	# every Nth request is throttled
K=7	# the largest batch the proxy takes
C=3	# licgated's JSON-RPC clients: sync.connections (2) and the proof's
gw_chain
$R random 30 71 >/dev/null 2>&1
rpc anvil_mine '["0xc8"]' >/dev/null	# 200 more blocks: header batches
head=$(chain_head)

node "$chain/throttle.mjs" --upstream "$ANVIL_URL" --every $N --retry-after 1 \
	--max-batch $K > "$GW_TMP/proxy.out" 2> "$GW_TMP/proxy.log" &
PROXY_PID=$!
trap 'kill $PROXY_PID 2>/dev/null; wait $PROXY_PID 2>/dev/null; gw_cleanup' EXIT
for i in $(seq 1 200); do grep -q '^throttle listening' "$GW_TMP/proxy.out" && break; sleep 0.05; done
PROXY=$(sed -n 's/^throttle listening on //p' "$GW_TMP/proxy.out")
[ -n "$PROXY" ] || { echo "not ok - the throttling proxy did not start"; exit 1; }
proxy() { curl -sf "$PROXY/__throttle" | jget "$1"; }
metric() { curl -sf "http://127.0.0.1:$GW_PORT/metrics" | sed -n "s/^$1 //p"; }

GW_RPC=$PROXY gw_conf "chain.confirmations = 0" "sync.connections = 2"
t0=$EPOCHREALTIME
gw_start
check "licgated catches up with block $head through the proxy" \
	'gw_wait_log "caught up: block $head" && [ "$(gw_head)" -ge "$head" ]'
check "the cache equals the chain" 'same_state'
check "the proxy throttled and refused batches" '[ "$(proxy throttled)" -gt 0 ] && [ "$(proxy refused)" -gt 0 ]'

# Read the proxy, /metrics, the proxy again: licgated's counters fall
# between (it may poll meanwhile).
r1=$(proxy requests) b1=$(proxy bytes)
m=$(curl -sf "http://127.0.0.1:$GW_PORT/metrics")
r2=$(proxy requests) b2=$(proxy bytes) th=$(proxy throttled)
t=$(( ${EPOCHREALTIME%.*} - ${t0%.*} + 1 ))
get() { sed -n "s/^$1 //p" <<<"$m"; }
check "/metrics: licgate_rpc_batch_limit is $K" '[ "$(get licgate_rpc_batch_limit)" = "$K" ]'
check "/metrics: licgate_rpc_throttled_total > 0" '[ "$(get licgate_rpc_throttled_total)" -gt 0 ] 2>/dev/null'
check "/metrics: licgate_rpc_requests_total is what the proxy saw ($r1..$r2)" \
	'v=$(get licgate_rpc_requests_total); [ "${v:-0}" -ge "$r1" ] && [ "${v:-0}" -le "$r2" ]'
check "/metrics: licgate_rpc_received_bytes_total is what the proxy sent ($b1..$b2)" \
	'v=$(get licgate_rpc_received_bytes_total); [ "${v:-0}" -ge "$b1" ] && [ "${v:-0}" -le "$b2" ]'
check "/metrics: each throttled answer was waited for 1 s, as Retry-After said" \
	'v=$(get licgate_rpc_throttled_total); [ "${v:-0}" -gt 0 ] && [ "$(get licgate_rpc_throttle_wait_seconds_total)" = "$v" ]'
# No spinning: a client waits 1 s after each 429, so in t seconds each of
# the C clients gets at most t + 1 of them; the proxy throttles every Nth
# request, so it cannot have seen more than N * (C * (t + 1) + 1).
bound=$(( N * (C * (t + 1) + 1) ))
check "requests through the proxy ($r2 in ${t} s, $th throttled) stay under $bound" '[ "$r2" -le "$bound" ]'
check "the throttling ($th answers 429) is logged once, as one episode" \
	'[ "$th" -ge 2 ] && [ "$(grep -c "HTTP 429: waiting 1.0 s as Retry-After says" "$GW_LOG")" = 1 ]'

check "SIGTERM stops licgated with status 0" 'gw_stop'
exit $fail
