#!/usr/bin/env bash
# gateway_key.sh: what the registry says of the gateway's own key, and what
# licgated shows of its RPC endpoints.  When the registry withdraws the
# gateway (withdrawGateway), licgated signs nothing (503 gateway-withdrawn)
# and says so in the log, `licgatectl status`, /v1/status, /readyz and
# /metrics, and signs again once the key is authorised again.  An API key
# in an RPC URL's path or query never reaches the log, status or HTTP.
. "${LICGATE_SRCDIR:-.}/tests/gw.sh"
gw_chain
V="$R --from 1"
$R vendor add "$($R account 1 | jget address)" "Acme" >/dev/null 2>&1
dev() { $R devkey "$1" | jget "$2"; }
A=$(dev 11 address)
$V device register "$(dev 11 publicKey)" 1 >/dev/null 2>&1
F=0x$(printf 'image-a' | sha256sum | cut -c1-64)
$V firmware register "$F" 5 1 2000000000 https://fw.example/a >/dev/null 2>&1
$V license issue "$A" 1 10 0 2000000000 7 >/dev/null 2>&1
GWADDR=$("$ctl" key-info -k "$GW_TMP/gw.key" | awk '/^address/ {print $2}')
$R gateway add "$GWADDR" "hall 3" >/dev/null 2>&1
# The node's URL carries a key in its query, as hosted endpoints want it.
GW_RPC="$ANVIL_URL/?apikey=QUERYSECRET0123" gw_conf "chain.confirmations = 2"
gw_start
gw_settle 2
base=http://127.0.0.1:$GW_PORT
att() { curl -s -o "$GW_TMP/body" -w '%{http_code}' "$base/v1/attestation?device=$A&firmware=$F"; }
st() { "$ctl" status --db "$GW_TMP/gw.db" "$@"; }
metric() { curl -sf "$base/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
# The HTTP side learns of a commit just after it: poll (10 s at most).
att_until() { local i; for i in $(seq 1 200); do [ "$(att)" = "$1" ] && return 0; sleep 0.05; done; return 1; }

check "an authorised gateway signs: 200" '[ "$(att)" = 200 ]'
check "status names the gateway's key as authorised, with its label" \
	'st | grep -q "^gateway     $GWADDR authorised as \"hall 3\""'
check "/metrics: licgate_gateway_authorised 1, licgate_gateway_withdrawn 0" \
	'[ "$(metric licgate_gateway_authorised)" = 1 ] && [ "$(metric licgate_gateway_withdrawn)" = 0 ]'

$R gateway remove "$GWADDR" >/dev/null 2>&1
gw_settle 2
check "a withdrawn gateway refuses to sign: 503 gateway-withdrawn" \
	'att_until 503 && [ "$(jget error < "$GW_TMP/body")" = gateway-withdrawn ]'
code=$(curl -s -o "$GW_TMP/body" -w '%{http_code}' "$base/v1/attestation?device=$A&firmware=$F&nonce=0x0102030405060708")
check "... with a nonce too (nothing is signed per request either)" \
	'[ "$code" = 503 ] && [ "$(jget error < "$GW_TMP/body")" = gateway-withdrawn ]'
check "the log says the key was withdrawn" 'gw_wait_log "registry withdrew this gateway.s key at block"'
check "status shows it withdrawn" 'st | grep -q "^gateway     $GWADDR WITHDRAWN by the registry at block"'
check "status --json: authorisation.state withdrawn" '[ "$(st --json | jget authorisation.state)" = withdrawn ]'
check "/v1/status: authorisation.state withdrawn" '[ "$(curl -sf "$base/v1/status" | jget authorisation.state)" = withdrawn ]'
code=$(curl -s -o "$GW_TMP/body" -w '%{http_code}' "$base/readyz")
check "/readyz: 503, naming the withdrawal" '[ "$code" = 503 ] && grep -q "withdrawn this gateway" "$GW_TMP/body"'
check "/metrics: licgate_gateway_withdrawn 1, licgate_gateway_authorised 0" \
	'[ "$(metric licgate_gateway_withdrawn)" = 1 ] && [ "$(metric licgate_gateway_authorised)" = 0 ]'

$R gateway add "$GWADDR" "hall 3, again" >/dev/null 2>&1
gw_settle 2
check "authorised again, it signs again: 200" 'att_until 200'
check "... and /readyz is ready" 'curl -sf "$base/readyz" >/dev/null'
check "status shows the new authorisation" 'st | grep -q "^gateway     $GWADDR authorised as \"hall 3, again\""'

# Secrets in URLs: reload onto an endpoint that fails, its key in the path.
dead=$(chain_free_port)
GW_RPC="http://127.0.0.1:$dead/v3/PATHSECRET4567" gw_conf "chain.confirmations = 2"
kill -HUP "$GW_PID"
gw_wait_log "reloaded"
check "the failing endpoint is named in the log as scheme, host and port" \
	'gw_wait_log "http://127.0.0.1:$dead/\*\*\*"'
for i in $(seq 1 200); do st | grep -q "^last error  .*127.0.0.1:$dead" && break; sleep 0.05; done
check "status names it the same way" 'st | grep -q "^last error  .*http://127.0.0.1:$dead/\*\*\*"'
shown=$(cat "$GW_LOG"; st; st --json; curl -s "$base/v1/status"; curl -s "$base/metrics")
check "no key from a URL in the log, status, /v1/status or /metrics" \
	'! grep -qE "PATHSECRET|QUERYSECRET" <<<"$shown"'
gw_stop
exit $fail
