#!/usr/bin/env bash
# device_auth.sh: device-signed requests (POST /v1/attestation) through the
# real chain: signed by `licgatectl request` and by an independent signer
# (tests/cose/request.mjs: npm cbor and Node's crypto), checked against the
# key each device was registered with; with require_device_auth = yes the
# GET form is refused and unknown or revoked devices, or a wrong signature,
# get one and the same 403.  A signed request is good for one gateway, once,
# within attestation.request_window: a replay, a request for another gateway
# and one too old or too far ahead are refused.  With device auth on, an
# outsider cannot tell a registered device from an unknown one: same status,
# body and /metrics counters, and the same time to answer (measured).  Also
# `licgatectl key-info`, which reads whether the registry authorises the
# gateway's key from the verified state.  A P-256 device, registered by its
# 65-byte key, signs ES256 requests.
. "${LICGATE_SRCDIR:-.}/tests/gw.sh"
cose=$(cd "${LICGATE_SRCDIR:-.}/tests/cose" && pwd)
gw_chain
V="$R --from 1"
$R vendor add "$($R account 1 | jget address)" "Acme" >/dev/null 2>&1
dev() { $R devkey "$1" | jget "$2"; }
A=$(dev 11 address) B=$(dev 12 address) U=$(dev 13 address)
$V device register "$(dev 11 publicKey)" 1 >/dev/null 2>&1
$V device register "$(dev 12 compressedPublicKey)" 1 >/dev/null 2>&1
F=0x$(printf 'image-a' | sha256sum | cut -c1-64)
$V firmware register "$F" 5 1 2000000000 https://fw.example/a >/dev/null 2>&1
$V license issue "$A" 1 10 0 2000000000 7 >/dev/null 2>&1
$V license issue "$B" 1 10 0 2000000000 7 >/dev/null 2>&1
$V device revoke "$B" 3 >/dev/null 2>&1
for i in 11 12 13; do	# device key files as licgatectl keygen writes them
	k=$(dev $i privateKey); printf '%s\n' "${k#0x}" > "$GW_TMP/dev$i.key"; chmod 600 "$GW_TMP/dev$i.key"
done
# A P-256 device (its requests ES256), registered by its 65-byte key.
"$ctl" keygen --alg es256 -o "$GW_TMP/dev14.key" >/dev/null
P=$("$ctl" key-info -k "$GW_TMP/dev14.key" --json | jget address)
$V device register "$("$ctl" key-info -k "$GW_TMP/dev14.key" --json | jget public_key_uncompressed)" 1 >/dev/null 2>&1
$V license issue "$P" 1 10 0 2000000000 7 >/dev/null 2>&1
gw_conf "chain.confirmations = 2"
gw_start
gw_settle 2
pub=$("$ctl" key-info -k "$GW_TMP/gw.key" | awk '/^public key/ {print $3}')
gwaddr=$("$ctl" key-info -k "$GW_TMP/gw.key" | awk '/^address/ {print $2}')
url=http://127.0.0.1:$GW_PORT/v1/attestation
n=0

# post FILE [CURL ARGS]: POSTs a request; prints the HTTP status, keeps the
# body in $GW_TMP/body.
post() {
	curl -s -o "$GW_TMP/body" -w '%{http_code}' -H "Content-Type: ${2:-application/cose}" \
		--data-binary "@$1" "$url"
}
# ask KEYNO [ARGS]: a request signed by licgatectl with device key KEYNO
# (naming that key's device) for this gateway, now, with a fresh nonce;
# ARGS go to licgatectl request after those (--gateway, --time).
ask() {
	n=$((n + 1)); nonce=$(printf '%032x' "$n")
	"$ctl" request -k "$GW_TMP/dev$1.key" --gateway "$gwaddr" --firmware "$F" --nonce "$nonce" "${@:2}" -o "$GW_TMP/req.$n"
}
# verdict DEVICE: what licgatectl verify reads from the body, nonce checked.
verdict() {
	"$ctl" verify "$GW_TMP/body" --gateway-key "$pub" --device "$1" --nonce "0x$nonce" | awk '/^verdict/ {print $2}'
}

ask 11 --time 1795562938
check "licgatectl request writes a request the independent reader verifies" \
	'(cd "$cose" && node request.mjs check --pub "$(dev 11 publicKey)" --device "$A" --gateway "$gwaddr" --time 1795562938 --firmware "$F" --nonce "$nonce" "$GW_TMP/req.$n")'
ask 11 --gateway "$pub" --time 1795562938
check "licgatectl request --gateway takes the gateway's public key for its address" \
	'(cd "$cose" && node request.mjs check --pub "$(dev 11 publicKey)" --device "$A" --gateway "$gwaddr" --time 1795562938 --firmware "$F" --nonce "$nonce" "$GW_TMP/req.$n")'
ask 11
st=$(post "$GW_TMP/req.$n")
check "a licensed device's signed request gets a valid token for its nonce" '[ "$st" = 200 ] && [ "$(verdict "$A")" = valid ]'
cp "$GW_TMP/body" "$GW_TMP/tok.post"
check "the token from a POST is read by the independent COSE reader" \
	'(cd "$cose" && node verify.mjs --key "$pub" "$GW_TMP/tok.post" >/dev/null)'

n=$((n + 1)); nonce=$(printf '%032x' "$n")
(cd "$cose" && node request.mjs sign --key "$(dev 11 privateKey)" --device "$A" --gateway "$gwaddr" --firmware "$F" --nonce "$nonce" --out "$GW_TMP/req.$n")
st=$(post "$GW_TMP/req.$n")
check "a request signed by the independent signer is accepted" '[ "$st" = 200 ] && [ "$(verdict "$A")" = valid ]'
st=$(post "$GW_TMP/req.$n")
check "the same request sent again is refused (403), device auth off too" '[ "$st" = 403 ] && [ "$(jget error < "$GW_TMP/body")" = forbidden ]'

n=$((n + 1)); nonce=$(printf '%032x' "$n")
(cd "$cose" && node request.mjs sign --key "$(dev 13 privateKey)" --device "$A" --gateway "$gwaddr" --firmware "$F" --nonce "$nonce" --out "$GW_TMP/req.$n")
st=$(post "$GW_TMP/req.$n")
check "a request naming a device but signed by another key is refused (403)" \
	'[ "$st" = 403 ] && [ "$(jget error < "$GW_TMP/body")" = forbidden ]'
cp "$GW_TMP/body" "$GW_TMP/refused.wrongkey"; cp "$GW_TMP/req.$n" "$GW_TMP/req.wrongkey"

ask 12; st=$(post "$GW_TMP/req.$n")
check "a revoked device (registered with a compressed key) gets device-revoked" '[ "$st" = 200 ] && [ "$(verdict "$B")" = device-revoked ]'
ask 13; st=$(post "$GW_TMP/req.$n")
check "an unregistered device gets device-unknown while auth is not required" '[ "$st" = 200 ] && [ "$(verdict "$U")" = device-unknown ]'
ask 14; st=$(post "$GW_TMP/req.$n")
check "a P-256 device's ES256 request (licgatectl request) gets a valid token for its nonce" \
	'[ "$(od -An -tx1 -N6 "$GW_TMP/req.$n" | tr -d " ")" = d28443a10126 ] && [ "$st" = 200 ] && [ "$(verdict "$P")" = valid ]'
head -c -1 "$GW_TMP/req.$n" > "$GW_TMP/req.p256bad"; printf '\001' >> "$GW_TMP/req.p256bad"
cmp -s "$GW_TMP/req.$n" "$GW_TMP/req.p256bad" && { head -c -1 "$GW_TMP/req.$n" > "$GW_TMP/req.p256bad"; printf '\002' >> "$GW_TMP/req.p256bad"; }
st=$(post "$GW_TMP/req.p256bad")
check "the P-256 device's request with its signature altered is refused (403)" '[ "$st" = 403 ]'
st=$(curl -s -o /dev/null -w '%{http_code}' "$url?device=$A&firmware=$F")
check "GET is served while auth is not required" '[ "$st" = 200 ]'

ask 11
head -c 40 "$GW_TMP/req.$n" > "$GW_TMP/short"
st=$(post "$GW_TMP/short")
check "a truncated request: 400 bad-request" '[ "$st" = 400 ] && [ "$(jget error < "$GW_TMP/body")" = bad-request ]'
st=$(post "$GW_TMP/req.$n" application/json)
check "a request that is not application/cose: 415" '[ "$st" = 415 ]'
head -c 100000 /dev/zero > "$GW_TMP/big"
st=$(post "$GW_TMP/big")
check "an oversized body: 413 and the daemon keeps serving" '[ "$st" = 413 ] && [ "$(post "$GW_TMP/req.$n")" = 200 ]'
# Answered by this run and dated a second back, so that it is older than
# the next run's start whatever the clock says when that comes.
ask 11 --time $(($(date +%s) - 1)); st=$(post "$GW_TMP/req.$n")
check "a request dated a second back is answered (200)" '[ "$st" = 200 ]'
cp "$GW_TMP/req.$n" "$GW_TMP/req.before-restart"
gw_stop

# require_device_auth = yes
gw_conf "chain.confirmations = 2" "attestation.require_device_auth = yes"
gw_start
gw_wait_log "caught up"
url=http://127.0.0.1:$GW_PORT/v1/attestation
st=$(curl -s -o "$GW_TMP/body" -w '%{http_code}' "$url?device=$A&firmware=$F")
check "with require_device_auth the GET form is refused (403)" \
	'[ "$st" = 403 ] && [ "$(jget error < "$GW_TMP/body")" = device-auth-required ]'
ask 11; st=$(post "$GW_TMP/req.$n")
check "a registered device's signed request still gets its token" '[ "$st" = 200 ] && [ "$(verdict "$A")" = valid ]'
ask 12; st=$(post "$GW_TMP/req.$n"); cp "$GW_TMP/body" "$GW_TMP/refused.revoked"; cp "$GW_TMP/req.$n" "$GW_TMP/req.revoked"
check "a revoked device gets 403" '[ "$st" = 403 ]'
ask 13; st=$(post "$GW_TMP/req.$n"); cp "$GW_TMP/body" "$GW_TMP/refused.unknown"
check "an unknown device gets 403" '[ "$st" = 403 ]'
check "unknown, revoked and wrongly signed requests get the very same answer" \
	'cmp -s "$GW_TMP/refused.unknown" "$GW_TMP/refused.revoked" && cmp -s "$GW_TMP/refused.unknown" "$GW_TMP/refused.wrongkey"'
cp "$GW_TMP/req.$n" "$GW_TMP/req.unknown"

# Replays and requests out of place or time: refused with that same answer.
same() { [ "$1" = 403 ] && cmp -s "$GW_TMP/body" "$GW_TMP/refused.unknown"; }
ask 11; st=$(post "$GW_TMP/req.$n")
check "a fresh request is answered (200)" '[ "$st" = 200 ] && [ "$(verdict "$A")" = valid ]'
st=$(post "$GW_TMP/req.$n")
check "the same request again: refused, the same 403" 'same "$st"'
st=$(post "$GW_TMP/req.before-restart")
check "a request answered before a restart, sent again after it: refused, the same 403" 'same "$st"'
ask 11 --gateway 0x$(printf '%040x' 1); st=$(post "$GW_TMP/req.$n")
check "a request for another gateway: refused, the same 403" 'same "$st"'
ask 11 --gateway "$(dev 12 publicKey)"; st=$(post "$GW_TMP/req.$n")
check "a request for another gateway named by its key: refused, the same 403" 'same "$st"'
now=$(date +%s)
ask 11 --time $((now - 90)); st=$(post "$GW_TMP/req.$n")
check "a request signed 90 s ago (request_window 60 s): refused, the same 403" 'same "$st"'
ask 11 --time $((now + 90)); st=$(post "$GW_TMP/req.$n")
check "a request signed 90 s ahead of the gateway's clock: refused, the same 403" 'same "$st"'
ask 11 --time $((now + 30)); st=$(post "$GW_TMP/req.$n")
check "a request dated 30 s ahead is within the window (200)" '[ "$st" = 200 ] && [ "$(verdict "$A")" = valid ]'

# No enumeration: a registered device and an unknown one look alike.
dget() { curl -s -o "$GW_TMP/body" -w '%{http_code}' "http://127.0.0.1:$GW_PORT/v1/devices/$1"; }
st=$(dget "$A"); cp "$GW_TMP/body" "$GW_TMP/dev.known"; st2=$(dget "$U")
check "GET /v1/devices/ of a registered and an unknown device: the same 403, byte for byte" \
	'same "$st" && same "$st2" && cmp -s "$GW_TMP/dev.known" "$GW_TMP/body"'
st=$(dget nonsense)
check "GET /v1/devices/ of a malformed id: the same 403" 'same "$st"'
st=$(curl -s -o "$GW_TMP/body" -w '%{http_code}' "http://127.0.0.1:$GW_PORT/v1/licenses/1")
check "GET /v1/licenses/ (a license names its device): the same 403" 'same "$st"'
refusals() { curl -sf "http://127.0.0.1:$GW_PORT/metrics" | grep '^licgate_request_refusals_total'; }
m0=$(refusals); post "$GW_TMP/req.wrongkey" >/dev/null; m1=$(refusals); post "$GW_TMP/req.unknown" >/dev/null; m2=$(refusals)
d1=$(diff <(echo "$m0") <(echo "$m1") | grep '^>'); d2=$(diff <(echo "$m1") <(echo "$m2") | grep '^>')
check "/metrics: a registered device's bad signature and an unknown device count alike" \
	'[ -n "$d1" ] && [ "${d1% *}" = "${d2% *}" ] || { echo "# $d1 / $d2"; false; }'
check "/metrics: one refusal reason for every authentication failure" \
	'! grep -q "device-unknown\|bad-signature\|device-revoked" <<<"$m2" && grep -q "reason=\"unauthenticated\"" <<<"$m2"'
# The time to refuse: a registered device with a bad signature against an
# unknown device, interleaved over one keep-alive connection.  Checking the
# signature is ~50 us of 100-300; before, unknown devices skipped it (ratio
# 1.46), and a key registered compressed cost a square root more (1.06).
t=$(cd "$cose" && node timing.mjs "$url" "$GW_TMP/req.wrongkey" "$GW_TMP/req.unknown" 3000)
echo "# refusal times: $t"
check "both refusals are the same 403 every time" \
	'[ "$(jget answers_a <<<"$t")" = "$(jget answers_b <<<"$t")" ] && [ "$(jget answers_a.length <<<"$t")" = 1 ]'
check "a registered device's refusal takes as long as an unknown one's (median ratio 0.95..1.05)" \
	'node -e "const r=+process.argv[1]; process.exit(r >= 0.95 && r <= 1.05 ? 0 : 1)" "$(jget ratio <<<"$t")"'
# The same for a device registered with a compressed key (33 bytes; the
# first was registered with 65), signed right but revoked.
t=$(cd "$cose" && node timing.mjs "$url" "$GW_TMP/req.revoked" "$GW_TMP/req.unknown" 3000)
echo "# refusal times (compressed key): $t"
check "a revoked device with a compressed key: as long as an unknown one's (median ratio 0.95..1.05)" \
	'node -e "const r=+process.argv[1]; process.exit(r >= 0.95 && r <= 1.05 ? 0 : 1)" "$(jget ratio <<<"$t")"'

# key-info reads the registry's word from the verified state.
out=$("$ctl" key-info -k "$GW_TMP/gw.key" --db "$GW_TMP/gw.db"); rc=$?
check "key-info: a key the registry never authorised (exit 1)" '[ $rc -eq 1 ] && grep -q "^registry   not authorised (never" <<<"$out"'
gwaddr=$(awk '/^address/ {print $2}' <<<"$out")
$R gateway add "$gwaddr" "line 3" >/dev/null 2>&1; gw_settle 2
out=$("$ctl" key-info -c "$GW_TMP/gw.conf"); rc=$?
check "key-info -c: authorised once the authorisation is effective (exit 0)" '[ $rc -eq 0 ] && grep -q "^registry   authorised as \"line 3\"" <<<"$out"'
check "key-info --json says authorised: true" \
	'[ "$("$ctl" key-info -c "$GW_TMP/gw.conf" --json | jget authorised)" = true ]'
$R gateway remove "$gwaddr" >/dev/null 2>&1; gw_settle 2
out=$("$ctl" key-info -c "$GW_TMP/gw.conf"); rc=$?
check "key-info: a withdrawn key (exit 1)" '[ $rc -eq 1 ] && grep -q "^registry   not authorised (withdrawn at block" <<<"$out"'
out=$("$ctl" key-info -k "$GW_TMP/gw.key" -c /nonexistent/gw.conf 2>&1); rc=$?
check "key-info with a missing configuration: exit 2, the file named" '[ $rc -eq 2 ] && grep -q "/nonexistent/gw.conf" <<<"$out"'
gw_stop
exit $fail
