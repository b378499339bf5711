#!/usr/bin/env bash
# attest.sh: every verdict reached through the real chain (issue, expiry,
# revocation, floor raise, role change, device revocation, staleness) and
# observed over HTTP; each token is checked by licgatectl verify (the device
# verifier) and by an independent reader (tests/cose/verify.mjs: npm cbor and
# Node's crypto).  Changes become visible only after chain.confirmations.
# A second licgated with a P-256 key (attestation.alg = ES256) follows the
# same chain beside it, and every verdict is also asked of it and checked
# by licgatectl verify and by Debian's python3-cryptography and cbor2
# (tests/cose/verify_es256.py), until the restarts at the end.
. "${LICGATE_SRCDIR:-.}/tests/gw.sh"
cose=${LICGATE_SRCDIR:-.}/tests/cose/verify.mjs
es256py=${LICGATE_SRCDIR:-.}/tests/cose/verify_es256.py
ES_PID=
gw_chain
trap 'kill -9 $ES_PID 2>/dev/null; gw_cleanup' EXIT
V="$R --from 1"
$R vendor add "$($R account 1 | jget address)" "Acme" >/dev/null 2>&1
dev() { $R devkey "$1" | jget "$2"; }
A=$(dev 1 address) B=$(dev 2 address) C=$(dev 3 address)
$V device register "$(dev 1 publicKey)" 1 >/dev/null 2>&1
$V device register "$(dev 2 publicKey)" 2 >/dev/null 2>&1
$V device register "$(dev 3 publicKey)" 1 >/dev/null 2>&1
h() { node -e 'console.log("0x"+require("crypto").createHash("sha256").update(process.argv[1]).digest("hex"))' "$1"; }
F1=$(h image-1) F2=$(h image-2) F3=$(h image-3)
$V firmware register "$F1" 5 1 2000000000 https://fw.example/1 >/dev/null 2>&1
$V firmware register "$F2" 3 2 2000000000 https://fw.example/2 >/dev/null 2>&1
$V license issue "$A" 1 10 0 2000000000 7 >/dev/null 2>&1
$V license issue "$B" 2 10 0 2000000000 7 >/dev/null 2>&1
rpc anvil_mine '["0x2"]' >/dev/null
"$ctl" keygen --alg es256 -o "$GW_TMP/es.key" >/dev/null
gw_conf "chain.confirmations = 2" "attestation.alg = ES256" \
	"key.file = $GW_TMP/es.key" "db.path = $GW_TMP/es.db"
mv "$GW_TMP/gw.conf" "$GW_TMP/es.conf"
gw_conf "chain.confirmations = 2"
gw_start
ES_LOG=$GW_TMP/es.log
"$gwd" -d -c "$GW_TMP/es.conf" 2>"$ES_LOG" &
ES_PID=$!
GW_LOG=$ES_LOG GW_PID=$ES_PID gw_wait_log 'listening on http://' || { echo "not ok - the ES256 licgated did not start"; cat "$ES_LOG"; exit 1; }
ES_PORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$ES_LOG" | tail -1)
es_effective() { "$ctl" status --db "$GW_TMP/es.db" --json 2>/dev/null | jget effective_block; }
gw_wait_head "$(chain_head)"
for i in $(seq 1 1200); do [ "$(es_effective)" -ge "$(gw_effective)" ] 2>/dev/null && break; sleep 0.05; done
pub=$("$ctl" key-info -k "$GW_TMP/gw.key" | awk '/^public key/ {print $3}')
espub=$("$ctl" key-info -k "$GW_TMP/es.key" | awk '/^public key/ {print $3}')
n=0

# verdict DEVICE FIRMWARE: fetches a nonce attestation, verifies it as the
# device would, everything pinned, and prints the verdict (or "refused:
# why").  Exit 0 only for valid; a signed refusal exits 1 and says DENIED.
# With ES=1, from the ES256 gateway, its key file given to licgatectl
# verify (which takes the curve from it), the claims kept for the Python
# reader.
verdict() {
	local nonce out rc tok=$GW_TMP/tok.$n port=$GW_PORT key=$pub
	[ -n "${ES:-}" ] && tok=$GW_TMP/es.$n port=$ES_PORT key=$GW_TMP/es.key
	nonce=$(printf '0x%032x' "$n")
	curl -sf -o "$tok" "http://127.0.0.1:$port/v1/attestation?device=$1&firmware=$2&nonce=$nonce" || { echo "http-error"; return; }
	[ -n "${ES:-}" ] && "$ctl" verify "$tok" --gateway-key "$key" --json > "$tok.json"
	out=$("$ctl" verify "$tok" --gateway-key "$key" --device "$1" --nonce "$nonce" \
		--firmware "$2" --chain-id 31337 --registry "$REG"); rc=$?
	if ! { [ $rc -eq 0 ] && grep -q "^token      verified" <<<"$out" && grep -qx "verdict    valid" <<<"$out"; } &&
	   ! { [ $rc -eq 1 ] && grep -q "^token      DENIED" <<<"$out" && ! grep -qx "verdict    valid" <<<"$out"; }; then
		echo "refused: rc $rc $out (token $(od -An -tx1 -v "$GW_TMP/tok.$n" | tr -d ' \n'))"; return
	fi
	awk '/^verdict/ {print $2}' <<<"$out"
}
# settle: the confirmations mined, effective on both gateways.
settle() {
	gw_settle 2 || return 1
	[ -z "$ES_PID" ] && return 0
	local want=$(( $(chain_head) - 2 )) i
	for i in $(seq 1 600); do [ "$(es_effective)" -ge "$want" ] && return 0; sleep 0.05; done
	return 1
}
is() {
	local got want=$4
	n=$((n + 1))	# here, not in the $(...) subshell
	got=$(verdict "$2" "$3")
	check "$1: $want" '[ "$got" = "$want" ] || { echo "# got $got"; false; }'
	[ -z "$ES_PID" ] && return
	got=$(ES=1 verdict "$2" "$3")
	check "$1: $want (ES256)" '[ "$got" = "$want" ] || { echo "# got $got"; false; }'
}

is "licensed device, firmware of its role" "$A" "$F1" valid
is "an unregistered device" 0x000000000000000000000000000000000000dead "$F1" device-unknown
is "an unregistered image" "$A" "$(h nothing)" firmware-unknown
is "a device without a license" "$C" "$F1" no-license
is "firmware for another role" "$A" "$F2" role-mismatch

# The device verifier refuses what a device must not accept, each by name
# and with exit 1: licgated's own tokens, checked with one pin wrong.
# tok.1 is valid for A and F1, tok.5 the role-mismatch refusal.
vt() { "$ctl" verify "$GW_TMP/tok.$1" --gateway-key "$pub" --device "$A" --nonce "$(printf '0x%032x' "$1")" "${@:2}"; }
refused() {	# refused NAME TOK WHY ARGS...: exit 1 and the reason
	local out rc why=$3; out=$(vt "$2" "${@:4}"); rc=$?
	check "licgatectl verify: $1 (exit 1, $why)" '[ $rc -eq 1 ] && grep -q "^token      REFUSED: $why " <<<"$out" || { echo "# rc $rc: $out"; false; }'
}
out=$(vt 1 --firmware "$F1" --chain-id 31337 --registry "$REG"); rc=$?
check "licgatectl verify: a valid token for this image, chain and registry (exit 0)" '[ $rc -eq 0 ] && grep -q "^token      verified" <<<"$out"'
refused "a token for another image" 1 wrong-firmware --firmware "$F2"
refused "a token from another chain" 1 wrong-chain --chain-id 1
refused "a token from another registry" 1 wrong-registry --registry 0x$(printf '%040x' 1)
refused "a lifetime above --max-lifetime" 1 too-long --max-lifetime 60
iat=$(vt 1 --json | jget iat)
refused "a token issued after the device's clock plus 300 s" 1 not-yet-valid --now $((iat - 301))
out=$(vt 1 --now $((iat - 300))); rc=$?
check "licgatectl verify: iat 300 s ahead of the clock is still accepted" '[ $rc -eq 0 ]'
out=$(vt 5 --firmware "$F2" --chain-id 31337 --registry "$REG"); rc=$?
check "licgatectl verify: a signed refusal is DENIED with its verdict (exit 1)" \
	'[ $rc -eq 1 ] && grep -q "^token      DENIED: signed by the gateway, verdict role-mismatch" <<<"$out"'
check "licgatectl verify --json: the refusal's result is denied" '[ "$(vt 5 --json | jget result)" = denied ]'
out=$(vt 1 --max-lifetime x 2>&1); rc=$?
check "licgatectl verify: a bad --max-lifetime is a usage error (exit 2)" '[ $rc -eq 2 ]'

$V firmware floor 1 6 >/dev/null 2>&1
is "a floor raise is not effective before the confirmations" "$A" "$F1" valid
settle
is "after the floor rises above the image's version" "$A" "$F1" below-floor
$V firmware register "$F3" 7 1 2000000000 https://fw.example/3 >/dev/null 2>&1; settle
is "a newer image above the floor" "$A" "$F3" valid
$V license revoke 2 9 >/dev/null 2>&1; settle
is "a revoked license" "$B" "$F2" license-revoked
$V firmware revoke "$F3" 4 >/dev/null 2>&1; settle
is "a revoked image" "$A" "$F3" firmware-revoked
F4=$(h image-4)
$V firmware register "$F4" 8 1 2000000000 https://fw.example/4 >/dev/null 2>&1; settle
is "a device without a license, again" "$C" "$F4" no-license
$V license issue "$C" 1 10 0 2000000000 1 >/dev/null 2>&1; settle
is "a newly issued license" "$C" "$F4" valid
$V device role "$C" 2 >/dev/null 2>&1; settle
is "after the device's role changed" "$C" "$F4" role-mismatch
$V device revoke "$A" 3 >/dev/null 2>&1; settle
is "a revoked device" "$A" "$F1" device-revoked

# Expiry: a license ending 30 s from now (room for a loaded machine to
# settle both gateways and ask both before it); the gateway's clock passes
# it (polled, at most 45 s).
end=$(( $(date +%s) + 30 ))
$V license issue "$C" 2 10 0 "$end" 1 >/dev/null 2>&1; settle
is "a license before its end" "$C" "$F2" valid
exp=$("$ctl" verify "$GW_TMP/tok.$n" --gateway-key "$pub" --json | jget exp)
check "the token's exp is not past the license's end" '[ "$exp" -le "$end" ]'
for i in $(seq 1 900); do [ "$(date +%s)" -ge "$end" ] && break; sleep 0.05; done
is "after the license's end" "$C" "$F2" license-expired
life=$("$ctl" verify "$GW_TMP/tok.$n" --gateway-key "$pub" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(j.exp-j.iat)})')
check "a refusal lives the whole TTL (300 s), long enough for a slow device to read why" '[ "$life" = 300 ]'

# Every token was also read by the independent implementation.
files=$(ls "$GW_TMP"/tok.* | sort -t. -k2 -n)
out=$(cd "$(dirname "$cose")" && node verify.mjs --key "$pub" $files); rc=$?
check "the independent COSE reader verifies all $n tokens" '[ $rc -eq 0 ] && [ "$(grep -c "\"ok\":true" <<<"$out")" -eq "$n" ]'
check "every token is at most 256 bytes" '! grep -qE "\"size\":(2(5[7-9]|[6-9][0-9])|[3-9][0-9][0-9])" <<<"$out"'
profile=2.25.44664012622358054492267278949943539306
check "every token names licgate's EAT profile, as npm cbor reads it" \
	'[ "$(grep -c "\"eat_profile\":\"$profile\"" <<<"$out")" -eq "$n" ]'
# ... and every ES256 token by Python's cryptography and cbor2, its claims
# the same as licgatectl verify printed.
files=$(ls "$GW_TMP"/es.* | grep -vE '\.(json|log|key|pub|conf|db.*)$' | sort -t. -k2 -n)
out=$(/usr/bin/python3 "$es256py" --key "$espub" --compare $files); rc=$?
check "Python's cryptography and cbor2 verify all $n ES256 tokens, with licgatectl's claims" \
	'[ $rc -eq 0 ] && [ "$(grep -c "\"ok\": true" <<<"$out")" -eq "$n" ] || { echo "# rc $rc: $(grep -v "\"ok\": true" <<<"$out")"; false; }'
check "every ES256 token with a 16-byte nonce is at most 256 bytes" \
	'! grep -qE "\"size\": (2(5[7-9]|[6-9][0-9])|[3-9][0-9][0-9])" <<<"$out"'
check "the ES256 gateway's log and /v1/status say ES256" \
	'grep -q "tokens signed ES256$" "$ES_LOG" && [ "$(curl -sf "http://127.0.0.1:$ES_PORT/v1/status" | jget alg)" = ES256 ] &&
	 [ "$(curl -sf "http://127.0.0.1:$GW_PORT/v1/status" | jget alg)" = ES256K ]'
check "every ES256 token names licgate's EAT profile, as cbor2 reads it" \
	'[ "$(grep -c "\"eat_profile\": \"$profile\"" <<<"$out")" -eq "$n" ]'
check "licgatectl verify names the P-256 gateway by its pinned key's address" \
	'[ "$(jget gateway < "$GW_TMP/es.1.json")" = "$("$ctl" key-info -k "$GW_TMP/es.key" | awk "/^address/ {print \$2}")" ]'
out=$("$ctl" verify "$GW_TMP/es.1" --gateway-key "$espub"); rc=$?
check "an ES256 token under a key pinned as ES256K is refused: bad-alg" \
	'[ $rc -eq 1 ] && grep -q "^token      REFUSED: bad-alg .*the token is ES256" <<<"$out"'
out=$("$ctl" verify "$GW_TMP/es.1" --gateway-key "$espub" --alg es256 --device "$A" --nonce "$(printf '0x%032x' 1)"); rc=$?
check "licgatectl verify --alg es256 with the public key hex verifies it" '[ $rc -eq 0 ] && grep -qx "alg        ES256" <<<"$out"'
printf 'p256\n%s\n' "$("$ctl" key-info -k "$GW_TMP/es.key" --json | jget public_key_uncompressed)" > "$GW_TMP/es.pub"
out=$("$ctl" verify "$GW_TMP/es.1" --gateway-key "$GW_TMP/es.pub" --device "$A" --nonce "$(printf '0x%032x' 1)"); rc=$?
check "licgatectl verify takes the curve from a public key file's p256 line (65-byte key)" '[ $rc -eq 0 ] && grep -q "^token      verified" <<<"$out"'
cp "$GW_TMP/es.1" "$GW_TMP/esbad"
b=$(od -An -tu1 -j60 -N1 "$GW_TMP/esbad")
printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$GW_TMP/esbad" bs=1 seek=60 conv=notrunc 2>/dev/null
check "a tampered ES256 token is refused by Python's cryptography and by licgatectl" \
	'! cmp -s "$GW_TMP/es.1" "$GW_TMP/esbad" &&
	 ! /usr/bin/python3 "$es256py" --key "$espub" "$GW_TMP/esbad" >/dev/null &&
	 ! "$ctl" verify "$GW_TMP/esbad" --gateway-key "$GW_TMP/es.key" >/dev/null'
kill -TERM "$ES_PID"; wait "$ES_PID"; ES_PID=
# One bit of exp flipped: a flip, so that the byte differs whatever it was.
cp "$GW_TMP/tok.1" "$GW_TMP/bad"
b=$(od -An -tu1 -j60 -N1 "$GW_TMP/bad")
printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$GW_TMP/bad" bs=1 seek=60 conv=notrunc 2>/dev/null
check "a tampered token is refused by the independent reader too" \
	'! cmp -s "$GW_TMP/tok.1" "$GW_TMP/bad" &&
	 ! (cd "$(dirname "$cose")" && node verify.mjs --key "$pub" "$GW_TMP/bad" >/dev/null)'

# JSON for people: the same claims and the token in base64url.
j=$(curl -sf -H 'Accept: application/json' "http://127.0.0.1:$GW_PORT/v1/attestation?device=$B&firmware=$F2")
check "Accept: application/json gives the verdict and the token" '[ "$(jget verdict <<<"$j")" = license-revoked ] && [ -n "$(jget token <<<"$j")" ]'
ct=$(curl -sf -o /dev/null -w '%{content_type}' "http://127.0.0.1:$GW_PORT/v1/attestation?device=$B&firmware=$F2")
check "the token's content type is COSE Sign1" '[ "$ct" = "application/cose; cose-type=\"cose-sign1\"" ]'
t1=$(curl -sf "http://127.0.0.1:$GW_PORT/v1/attestation?device=$B&firmware=$F2" | od -An -tx1 | tr -d ' \n')
t2=$(curl -sf "http://127.0.0.1:$GW_PORT/v1/attestation?device=$B&firmware=$F2" | od -An -tx1 | tr -d ' \n')
check "a token without a nonce is served from the cache while nothing changed" '[ -n "$t1" ] && [ "$t1" = "$t2" ]'
$V license issue "$B" 2 10 0 2000000000 1 >/dev/null 2>&1; settle
t3=$(curl -sf "http://127.0.0.1:$GW_PORT/v1/attestation?device=$B&firmware=$F2" | od -An -tx1 | tr -d ' \n')
n=$((n + 1))
check "the cached token is replaced when the state changes" '[ "$t3" != "$t1" ] && [ "$(verdict "$B" "$F2")" = valid ]'
check "/v1/status names the gateway and the verified block" \
	'[ "$(curl -sf "http://127.0.0.1:$GW_PORT/v1/status" | jget gateway)" = "$("$ctl" key-info -k "$GW_TMP/gw.key" | awk "/^address/ {print \$2}")" ]'
check "/v1/licenses/1 shows license 1" '[ "$(curl -sf "http://127.0.0.1:$GW_PORT/v1/licenses/1" | jget device)" = "$A" ]'
check "/metrics counts verdicts" 'curl -sf "http://127.0.0.1:$GW_PORT/metrics" | grep -q "^licgate_verdicts_total{verdict=\"valid\"}"'
check "/metrics shows the verified head and the lag to the node" \
	'm=$(curl -sf "http://127.0.0.1:$GW_PORT/metrics") && grep -q "^licgate_verified_block $(gw_head)" <<<"$m" && grep -q "^licgate_lag_blocks [0-9]" <<<"$m"'
# SIGHUP: a shorter attestation.ttl applies to the next token, and an
# option that needs a restart is named as such in the log.
life() { curl -sf -H 'Accept: application/json' "http://127.0.0.1:$GW_PORT/v1/attestation?device=$B&firmware=$F2&nonce=0x$(printf '%016x' "$1")" |
	node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(j.exp-j.iat)})'; }
before=$(life 1)
gw_conf "chain.confirmations = 3" "attestation.ttl = 60s" "http.port = 1"
kill -HUP "$GW_PID"
gw_wait_log "reloaded"
check "SIGHUP: the new attestation.ttl applies to the next token (300 s, then 60 s)" '[ "$before" = 300 ] && [ "$(life 2)" = 60 ]'
check "SIGHUP: each change that needs a restart is named in the log, and nothing else" \
	'grep -q "reload: chain.confirmations changed, which needs a restart" "$GW_LOG" &&
	 grep -q "reload: http.port changed, which needs a restart" "$GW_LOG" &&
	 [ "$(grep -c "which needs a restart" "$GW_LOG")" = 2 ] || { grep reload "$GW_LOG"; false; }'
gw_stop

# Staleness: with a one-second limit and no new blocks, the state turns
# stale and so does every verdict, and /readyz says so.
gw_conf "chain.confirmations = 2" "attestation.max_staleness = 1s"
gw_start
gw_wait_log "caught up"
for i in $(seq 1 100); do curl -sf "http://127.0.0.1:$GW_PORT/readyz" >/dev/null || break; sleep 0.05; done
is "old verified state" "$B" "$F2" stale
check "/readyz refuses when the state is stale" '! curl -sf "http://127.0.0.1:$GW_PORT/readyz" >/dev/null'
gw_stop
exit $fail
