#!/usr/bin/env bash
# registry_rules.sh: what one registry party does cannot stop a gateway or
# deny another's licensed device, through the real chain and licgated:
# strings of any bytes (a uri ff fe 00 01, a vendor name with a NUL) are
# followed, stored and shown whole; the end of support and a removed vendor
# reach the verdict at their boundaries; 10,000 licenses from another
# vendor do not hide a device's valid one (the lookup time is printed).
. "${LICGATE_SRCDIR:-.}/tests/gw.sh"
gw_chain
A="$R --from 1" B="$R --from 2"
VA=$($R account 1 | jget address) VB=$($R account 2 | jget address) VC=$($R account 3 | jget address)
$R vendor add "$VA" "Acme" >/dev/null 2>&1
$R vendor add "$VB" "Other" >/dev/null 2>&1
dev() { $R devkey "$1" | jget "$2"; }
D=$(dev 31 address) D2=$(dev 32 address) D3=$(dev 33 address)
$A device register "$(dev 31 publicKey)" 1 >/dev/null 2>&1
$A device register "$(dev 33 publicKey)" 1 >/dev/null 2>&1
h() { node -e 'console.log("0x"+require("crypto").createHash("sha256").update(process.argv[1]).digest("hex"))' "$1"; }
F1=$(h rules-1) F2=$(h rules-2) F3=$(h rules-3)
$A firmware register "$F1" 5 1 0 https://fw.example/1 >/dev/null 2>&1
$A license issue "$D" 1 10 0 2000000000 1 >/dev/null 2>&1
$A license issue "$D3" 1 10 0 2000000000 1 >/dev/null 2>&1
gw_conf "chain.confirmations = 2"
gw_start
gw_settle 2
url=http://127.0.0.1:$GW_PORT
n=0
# verdict DEVICE FIRMWARE: the verdict of a nonce attestation.
verdict() {
	curl -sf -H 'Accept: application/json' "$url/v1/attestation?device=$1&firmware=$2&nonce=0x$(printf '%016x' "$n")" | jget verdict
}
is() {
	local got want=$4
	n=$((n + 1))	# here, not in the $(...) subshell
	got=$(verdict "$2" "$3")
	check "$1: $want" '[ "$got" = "$want" ] || { echo "# got $got"; false; }'
}
is "a licensed device" "$D" "$F1" valid

# 1. A uri that is not UTF-8: the block is followed, the next license
# issued after it is served, and the bytes are shown escaped.
$A --raw-strings firmware register "$F2" 6 1 0 0xfffe0001 >/dev/null 2>&1
$A device register "$(dev 32 publicKey)" 1 >/dev/null 2>&1
$A license issue "$D2" 1 10 0 2000000000 1 >/dev/null 2>&1
check "the gateway follows past a uri of bytes ff fe 00 01" 'gw_settle 2'
is "the license issued after it" "$D2" "$F1" valid
check "licgatectl dump shows the uri as \\xff\\xfe\\x00\\x01" \
	'[ "$("$ctl" dump --db "$GW_TMP/gw.db" | jget "firmware.$F2.uri")" = "\\xff\\xfe\\x00\\x01" ]'
check "GET /v1/firmware shows it the same way, in valid JSON" \
	'[ "$(curl -sf "$url/v1/firmware/$F2" | jget uri)" = "\\xff\\xfe\\x00\\x01" ]'
check "events.data keeps the raw bytes" \
	'sqlite3 "$GW_TMP/gw.db" "SELECT data FROM events WHERE kind = '"'"'FirmwareRegistered'"'"'" | grep -q "fffe0001000000"'

# A vendor name with a NUL, and a gateway label with terminal controls.
$R --raw-strings vendor add "$VC" 0x610062 >/dev/null 2>&1
$R --raw-strings gateway add "$VC" 0x0a1b5b33316d7265640d >/dev/null 2>&1
gw_settle 2
check "licgatectl dump shows a vendor name with a NUL whole (a\\x00b)" \
	'[ "$("$ctl" dump --db "$GW_TMP/gw.db" | jget "vendors.$VC.name")" = "a\\x00b" ]'
check "licgatectl events --json shows it in valid JSON" \
	'"$ctl" events --db "$GW_TMP/gw.db" --json | grep -qF "\"name\": \"a\\\\x00b\""'
check "licgatectl events writes no control character" \
	'! "$ctl" events --db "$GW_TMP/gw.db" | LC_ALL=C grep -q "[[:cntrl:]]"'
check "the label with ESC and CR is text without controls" \
	'[ "$("$ctl" dump --db "$GW_TMP/gw.db" | jget "gateways.$VC.label")" = "\\x0a\\x1b[31mred\\x0d" ]'

# 3. End of support a few seconds ahead: valid, then end-of-support at
# that second (polled on the clock; the token cache ends there too).
# Meanwhile (2.) another vendor issues 10,000 licenses to the device.
eos=$(( $(date +%s) + 15 ))
$A firmware register "$F3" 7 1 "$eos" https://fw.example/3 >/dev/null 2>&1
gw_settle 2
is "before the end of support" "$D" "$F3" valid
t=$(curl -sf -H 'Accept: application/json' "$url/v1/attestation?device=$D&firmware=$F3")
check "a cached token before the end of support is valid" '[ "$(jget verdict <<<"$t")" = valid ]'
check "a valid token does not outlive the end of support (exp <= $eos)" '[ "$(jget exp <<<"$t")" -le "$eos" ]'
N=${RULES_LICENSES:-10000}
t0=$(date +%s)
$B license bulk "$D" 1 10 "$N" >/dev/null 2>"$GW_TMP/bulk.err" &
bulk=$!
for i in $(seq 1 600); do [ "$(date +%s)" -ge "$eos" ] && break; sleep 0.05; done
is "at the end of support" "$D" "$F3" end-of-support
t=$(curl -sf -H 'Accept: application/json' "$url/v1/attestation?device=$D&firmware=$F3")
check "the cached token ended at the end of support" '[ "$(jget verdict <<<"$t")" = end-of-support ]'

# 2. 10,000 licenses from another vendor on the device: its own vendor's
# valid license is still the one found.
wait $bulk; brc=$?
check "$N licenses of another vendor issued" '[ $brc -eq 0 ] || { cat "$GW_TMP/bulk.err"; false; }'
t1=$(date +%s)
# Catching up may take longer than gw_settle waits (2.5 min at most).
rpc anvil_mine '["0x2"]' >/dev/null
want=$(( $(chain_head) - 2 ))
for i in $(seq 1 3000); do [ "$(gw_effective)" -ge "$want" ] && break; sleep 0.05; done
check "the gateway follows them" '[ "$(gw_effective)" -ge "$want" ]'
t2=$(date +%s)
echo "# $N licenses issued in $((t1 - t0)) s, all followed $((t2 - t1)) s later"
check "the device holds $((N + 1)) licenses" \
	'[ "$(sqlite3 "$GW_TMP/gw.db" "SELECT count(*) FROM licenses WHERE device = '"'"'$D'"'"'")" = $((N + 1)) ]'
is "the victim vendor's license among $N others" "$D" "$F1" valid
# Each request after a new commit misses the token cache: time the
# lookups of both devices, one with $N other licenses, one with none.
tm() { curl -sf -o /dev/null -w '%{time_total}\n' "$url/v1/attestation?device=$1&firmware=$F1"; }
for i in 1 2 3 4 5 6 7 8 9 10; do
	rpc anvil_mine '["0x1"]' >/dev/null
	gw_wait_head "$(chain_head)" && tm "$D" >>"$GW_TMP/t.many" && tm "$D3" >>"$GW_TMP/t.few"
done
ms() { awk '{s += $1} END {printf "%.2f", 1000 * s / NR}' "$1"; }
echo "# attestation on a cache miss, mean of 10: $(ms "$GW_TMP/t.many") ms with $N other licenses, $(ms "$GW_TMP/t.few") ms with none"
check "10 lookups of each device timed" '[ "$(wc -l <"$GW_TMP/t.many")" = 10 ] && [ "$(wc -l <"$GW_TMP/t.few")" = 10 ]'

# 4. A removed vendor's firmware: vendor-removed; added again, valid.
$R vendor remove "$VA" >/dev/null 2>&1
is "a removal before the confirmations" "$D" "$F1" valid
gw_settle 2
is "after its vendor was removed" "$D" "$F1" vendor-removed
$R vendor add "$VA" "Acme again" >/dev/null 2>&1
gw_settle 2
is "after the vendor was added again" "$D" "$F1" valid
check "the re-added vendor is active under its new name" \
	'[ "$("$ctl" dump --db "$GW_TMP/gw.db" | jget "vendors.$VA")" = "{\"active\":true,\"name\":\"Acme again\"}" ]'
check "/metrics counts the new verdicts" \
	'm=$(curl -sf "$url/metrics") && grep -q "verdict=\"end-of-support\"" <<<"$m" && grep -q "verdict=\"vendor-removed\"" <<<"$m"'
check "licgated logged no sync error" '! grep -q "sync error\|does not decode" "$GW_LOG"'
gw_stop
exit $fail
