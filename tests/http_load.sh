#!/usr/bin/env bash
# http_load.sh: licgated under pressure on real loopback HTTP: 300 slowloris
# connections that never finish their headers (half dripping a byte every
# 200 ms, half silent), and 1,000 concurrent attestation requests at the
# same time.  Every complete request is answered, the silent connections are
# closed by the idle timeout (dripping ones only count against
# http.max_connections: libmicrohttpd has no deadline for whole headers),
# malformed requests get their JSON error, and licgated still answers and
# stops cleanly (under ASan, LeakSanitizer checks it leaked nothing).
. "${LICGATE_SRCDIR:-.}/tests/gw.sh"
ulimit -n 8192 2>/dev/null || true
gw_chain
$R random 20 5 >/dev/null 2>&1
gw_conf "chain.confirmations = 0" "http.request_timeout = 2s" "http.max_connections = 2000"
gw_start
gw_wait_head "$(chain_head)"
read -r dev fw < <(sqlite3 -separator ' ' "$GW_TMP/gw.db" \
	"SELECT (SELECT address FROM devices LIMIT 1), (SELECT image_hash FROM firmware LIMIT 1)")
base=http://127.0.0.1:$GW_PORT
out=$(cd "$chain" && node load.mjs "$GW_PORT" "/v1/attestation?device=$dev&firmware=$fw" 300 1000)
echo "# $out"
check "1,000 concurrent attestation requests all answered 200" '[ "$(jget ok <<<"$out")" = 1000 ]'
check "the 150 silent connections were closed by the idle timeout" '[ "$(jget idleClosed <<<"$out")" = 150 ]'
code() { curl -s -o "$GW_TMP/body" -w '%{http_code}' "$@"; }
check "bad hex: 400 bad-device" '[ "$(code "$base/v1/attestation?device=0xzz&firmware=$fw")" = 400 ] && [ "$(jget error < "$GW_TMP/body")" = bad-device ]'
check "unknown parameter: 400" '[ "$(code "$base/v1/attestation?device=$dev&firmware=$fw&color=red")" = 400 ]'
check "short nonce: 400" '[ "$(code "$base/v1/attestation?device=$dev&firmware=$fw&nonce=0x01")" = 400 ]'
check "unknown route: 404" '[ "$(code "$base/v2/nothing")" = 404 ]'
check "oversized POST body: 413" '[ "$(head -c 100000 /dev/zero | code -X POST --data-binary @- -H "Content-Type: application/cose" "$base/v1/attestation")" = 413 ]'
check "after all that it still answers" '[ "$(code "$base/v1/attestation?device=$dev&firmware=$fw")" = 200 ]'
check "and stops cleanly (status 0)" 'gw_stop'
exit $fail
