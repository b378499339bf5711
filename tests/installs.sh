#!/usr/bin/env bash
# installs.sh: install reports (POST /v1/installs) through the real chain
# and daemon.  Reports signed by registered devices (licgatectl
# install-report) are stored in order, numbered, with the exact bytes sent
# and their Merkle leaf, readable in v_installs and with licgatectl
# installs.  A report by an unregistered or a revoked device, for another
# gateway, out of attestation.request_window, altered, or sent again (also
# after a restart) is refused with its error code and leaves nothing
# stored.  A report acknowledged just before a kill -9 is there after it.
# While the registry has withdrawn the gateway's key, a report is refused
# (503 gateway-withdrawn) and nothing stored; authorised again, it is taken.
. "${LICGATE_SRCDIR:-.}/tests/gw.sh"
gw_chain
V="$R --from 1"
$R vendor add "$($R account 1 | jget address)" "Acme" >/dev/null 2>&1
dev() { $R devkey "$1" | jget "$2"; }
A=$(dev 11 address) B=$(dev 12 address) C=$(dev 14 address)
$V device register "$(dev 11 publicKey)" 1 >/dev/null 2>&1
$V device register "$(dev 12 publicKey)" 1 >/dev/null 2>&1
$V device register "$(dev 14 compressedPublicKey)" 2 >/dev/null 2>&1
$V device revoke "$B" 3 >/dev/null 2>&1
for i in 11 12 13 14; do
	k=$(dev $i privateKey); printf '%s\n' "${k#0x}" > "$GW_TMP/dev$i.key"; chmod 600 "$GW_TMP/dev$i.key"
done
F1=0x$(printf 'image-1' | sha256sum | cut -c1-64)
F2=0x$(printf 'image-2' | sha256sum | cut -c1-64)
gw_conf "chain.confirmations = 2"
gw_start
gw_settle 2
gwaddr=$("$ctl" key-info -k "$GW_TMP/gw.key" | awk '/^address/ {print $2}')
db=$GW_TMP/gw.db
n=0

# report KEYNO [ARGS]: a report signed by device key KEYNO for this gateway,
# now, into $GW_TMP/rep.$n; ARGS go to licgatectl install-report.
report() {
	n=$((n + 1))
	"$ctl" install-report -k "$GW_TMP/dev$1.key" --gateway "$gwaddr" \
		--firmware "$F2" --version 7 "${@:2}" -o "$GW_TMP/rep.$n"
}
# post FILE: prints the HTTP status; the body is kept in $GW_TMP/body.
post() {
	curl -s -o "$GW_TMP/body" -w '%{http_code}' -H 'Content-Type: application/cose' \
		--data-binary "@$1" "http://127.0.0.1:$GW_PORT/v1/installs"
}
err() { jget error < "$GW_TMP/body"; }
rows() { sqlite3 "$db" 'SELECT count(*) FROM installs'; }

report 11 --replaced "$F1" --block 5; st=$(post "$GW_TMP/rep.$n"); s1=$(jget seq < "$GW_TMP/body")
report 14 --cti 0a0b0c0d; st2=$(post "$GW_TMP/rep.$n"); s2=$(jget seq < "$GW_TMP/body")
report 11 --firmware "$F1" --version 6; st3=$(post "$GW_TMP/rep.$n"); s3=$(jget seq < "$GW_TMP/body")
check "reports from two registered devices are accepted (201) with seq 1, 2, 3" \
	'[ "$st $st2 $st3" = "201 201 201" ] && [ "$s1 $s2 $s3" = "1 2 3" ]'
row=$(sqlite3 -separator ' ' "$db" "SELECT seq, device, firmware, version, replaced, attestation_block, reported_at FROM v_installs WHERE seq = 1")
check "v_installs shows the first report: device, firmware, version, replaced image, block, ISO time" \
	'[[ "$row" =~ ^1\ $A\ $F2\ 7\ $F1\ 5\ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$ ]] || { echo "# $row"; false; }'
row=$(sqlite3 -separator ' ' "$db" "SELECT device, quote(replaced), attestation_cti, quote(attestation_block) FROM v_installs WHERE seq = 2")
check "a first install by a device registered with a compressed key: no replaced image, its cti" \
	'[ "$row" = "$C NULL 0x0a0b0c0d NULL" ] || { echo "# $row"; false; }'
check "the stored report is the bytes the device sent" \
	'[ "$(sqlite3 "$db" "SELECT lower(hex(report)) FROM installs WHERE seq = 3")" = "$(od -An -tx1 -v "$GW_TMP/rep.3" | tr -d " \n")" ]'
leaf=0x$( { printf '\000'; cat "$GW_TMP/rep.3"; } | sha256sum | cut -c1-64)
check "its leaf is SHA-256(0x00 || report) as RFC 9162 hashes a leaf, computed independently (sha256sum)" \
	'[ "$(sqlite3 "$db" "SELECT leaf FROM installs WHERE seq = 3")" = "$leaf" ]'
out=$("$ctl" installs --db "$db")
check "licgatectl installs lists the three in order" \
	'[ "$(awk "{print \$1}" <<<"$out" | tr "\n" " ")" = "1 2 3 " ] && grep -q "^ *2 .*$C .*first install" <<<"$out"'
check "licgatectl installs --since 2 --json: reports 2 and 3 with their fields" \
	'[ "$("$ctl" installs -c "$GW_TMP/gw.conf" --since 2 --json | jget 1.version)" = 6 ] &&
	 [ "$("$ctl" installs -c "$GW_TMP/gw.conf" --since 2 --json | jget 0.attestation_cti)" = 0x0a0b0c0d ] &&
	 [ "$("$ctl" installs --db "$db" --since 2 --json | node -e "console.log(JSON.parse(require(\"fs\").readFileSync(0)).length)")" = 2 ]'

# licgate-token(7)'s annotated example is what licgatectl writes.
printf '%064x\n' 3 > "$GW_TMP/key3"; chmod 600 "$GW_TMP/key3"
"$ctl" install-report -k "$GW_TMP/key3" --gateway 0x639f1eeac9d004f45ddaa57e792da2e6f7e1e9dc \
	--firmware 0x$(printf x | sha256sum | cut -c1-64) --version 13 --nonce 0001020304050607 \
	--time 1795562938 -o "$GW_TMP/example"
page=$(sed -n '/^A first install with an 8-byte nonce/,/^\.Ed/p' "${LICGATE_SRCDIR:-.}/man/licgate-token.7" |
	awk '{for (i = 1; i <= NF && $i ~ /^([0-9a-f][0-9a-f])+$/; i++) printf "%s", $i}')
check "licgate-token(7)'s annotated report is byte for byte what install-report signs" \
	'[ -n "$page" ] && [ "$page" = "$(od -An -tx1 -v "$GW_TMP/example" | tr -d " \n")" ]'

# Refusals: each with its code, nothing stored.
before=$(rows)
report 13; st=$(post "$GW_TMP/rep.$n")
check "a report by an unregistered device: 403 device-unknown" '[ "$st" = 403 ] && [ "$(err)" = device-unknown ]'
report 12; st=$(post "$GW_TMP/rep.$n")
check "a report by a revoked device: 403 device-revoked" '[ "$st" = 403 ] && [ "$(err)" = device-revoked ]'
report 11 --gateway 0x$(printf '%040x' 1); st=$(post "$GW_TMP/rep.$n")
check "a report for another gateway: 403 wrong-gateway" '[ "$st" = 403 ] && [ "$(err)" = wrong-gateway ]'
now=$(date +%s)
report 11 --time $((now - 90)); st=$(post "$GW_TMP/rep.$n")
check "a report signed 90 s ago (request_window 60 s): 403 report-time" '[ "$st" = 403 ] && [ "$(err)" = report-time ]'
report 11 --time $((now + 90)); st=$(post "$GW_TMP/rep.$n")
check "a report signed 90 s ahead: 403 report-time" '[ "$st" = 403 ] && [ "$(err)" = report-time ]'
# One byte of the firmware hash (offset 90, inside -65538's 32 bytes).
report 11; cp "$GW_TMP/rep.$n" "$GW_TMP/altered"
b=$(od -An -tu1 -j90 -N1 "$GW_TMP/altered" | tr -d ' ')
printf "\\x$(printf %02x $((b ^ 1)))" | dd of="$GW_TMP/altered" bs=1 seek=90 conv=notrunc 2>/dev/null
check "the altered copy differs from the report in one byte" '[ "$(cmp -l "$GW_TMP/rep.$n" "$GW_TMP/altered" | wc -l)" = 1 ]'
st=$(post "$GW_TMP/altered")
check "a report with one byte of its firmware changed: 403 bad-signature" '[ "$st" = 403 ] && [ "$(err)" = bad-signature ]'
head -c 60 "$GW_TMP/rep.$n" > "$GW_TMP/short"; st=$(post "$GW_TMP/short")
check "a truncated report: 400 bad-report" '[ "$st" = 400 ] && [ "$(err)" = bad-report ]'
st=$(curl -s -o "$GW_TMP/body" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "@$GW_TMP/rep.$n" "http://127.0.0.1:$GW_PORT/v1/installs")
check "a report that is not application/cose: 415" '[ "$st" = 415 ]'
st=$(post "$GW_TMP/rep.1")
check "the first report sent again: 409 replay" '[ "$st" = 409 ] && [ "$(err)" = replay ]'
check "none of the refused reports was stored" '[ "$(rows)" = "$before" ] || { echo "# $before -> $(rows)"; false; }'
check "/metrics counts the accepted reports and the refusals by code" \
	'm=$(curl -sf "http://127.0.0.1:$GW_PORT/metrics") &&
	 grep -q "^licgate_install_reports_total{result=\"accepted\"} 3$" <<<"$m" &&
	 grep -q "^licgate_install_reports_total{result=\"replay\"} 1$" <<<"$m"'

# Replays across a clean restart, dated a second back so that they are
# within the window still.
report 11 --time $(($(date +%s) - 1)); st=$(post "$GW_TMP/rep.$n"); s4=$(jget seq < "$GW_TMP/body")
check "a fourth report: seq 4" '[ "$st" = 201 ] && [ "$s4" = 4 ]'
gw_stop; rc=$?
check "licgated stops cleanly with the writer running (exit 0)" '[ $rc -eq 0 ]'
gw_start
st=$(post "$GW_TMP/rep.$n")
check "the same report after a restart: 409 replay, still 4 rows" '[ "$st" = 409 ] && [ "$(err)" = replay ] && [ "$(rows)" = 4 ]'

# Acknowledged means durable: kill -9 right after the answer.
report 14 --replaced "$F2" --block 9; st=$(post "$GW_TMP/rep.$n"); s5=$(jget seq < "$GW_TMP/body")
kill -9 "$GW_PID"; wait "$GW_PID" 2>/dev/null; GW_PID=
check "a report acknowledged (201, seq 5) just before kill -9 is in the database after it" \
	'[ "$st" = 201 ] && [ "$s5" = 5 ] && [ "$(sqlite3 "$db" "SELECT device FROM v_installs WHERE seq = 5")" = "$C" ]'
gw_start
st=$(post "$GW_TMP/rep.$n")
check "after the restart it is still known: 409 replay" '[ "$st" = 409 ] && [ "$(err)" = replay ]'
report 11; st=$(post "$GW_TMP/rep.$n")
check "the next report after the restart gets seq 6" '[ "$st" = 201 ] && [ "$(jget seq < "$GW_TMP/body")" = 6 ]'

# The same under load: 400 reports, 32 at once, and kill -9 as soon as 40
# are acknowledged, while others are being committed.  Every report
# acknowledged must be there after the restart, byte for byte.
first=$((n + 1))
for i in $(seq 1 400); do report $((11 + i % 2 * 3)); done
: > "$GW_TMP/acks"
seq "$first" "$n" | xargs -P 32 -I{} curl -s -o /dev/null -w '%{http_code} {}\n' \
	-H 'Content-Type: application/cose' --data-binary "@$GW_TMP/rep.{}" \
	"http://127.0.0.1:$GW_PORT/v1/installs" >> "$GW_TMP/acks" &
load=$!
until [ "$(grep -c '^201 ' "$GW_TMP/acks")" -ge 40 ] || ! kill -0 $load 2>/dev/null; do :; done
kill -9 "$GW_PID"; wait "$GW_PID" 2>/dev/null; GW_PID=
wait $load
gw_start
sqlite3 "$GW_TMP/gw.db" 'SELECT lower(hex(report)) FROM installs' | sort > "$GW_TMP/stored"
acked=0 lost=0
for i in $(awk '$1 == 201 {print $2}' "$GW_TMP/acks"); do
	acked=$((acked + 1))
	grep -qx "$(od -An -tx1 -v "$GW_TMP/rep.$i" | tr -d ' \n')" "$GW_TMP/stored" || lost=$((lost + 1))
done
echo "# $acked of 400 acknowledged before kill -9, $(($(wc -l < "$GW_TMP/stored") - 6)) stored"
check "every report acknowledged before a kill -9 under load is stored after it" '[ "$acked" -ge 40 ] && [ "$lost" = 0 ] || { echo "# $lost lost"; false; }'

# A withdrawn gateway could never anchor a report: it stores none.  The
# HTTP side learns of the withdrawal just after the follower's commit:
# poll /metrics for it (10 s at most).
metric_until() { local i; for i in $(seq 1 200); do [ "$(metric "$1")" = "$2" ] && return 0; sleep 0.05; done; return 1; }
$R gateway add "$gwaddr" "hall 1" >/dev/null 2>&1
gw_settle 2
$R gateway remove "$gwaddr" >/dev/null 2>&1
gw_settle 2
check "licgated has applied the withdrawal of its key" 'metric_until licgate_gateway_withdrawn 1'
before=$(rows)
report 11; st=$(post "$GW_TMP/rep.$n")
check "a withdrawn gateway refuses a good report: 503 gateway-withdrawn" \
	'[ "$st" = 503 ] && [ "$(err)" = gateway-withdrawn ] && grep -q "withdrawn this gateway" "$GW_TMP/body"'
check "... and stores nothing" '[ "$(rows)" = "$before" ] || { echo "# $before -> $(rows)"; false; }'
$R gateway add "$gwaddr" "hall 1, again" >/dev/null 2>&1
gw_settle 2
check "licgated has applied the new authorisation" 'metric_until licgate_gateway_authorised 1'
st=$(post "$GW_TMP/rep.$n")
check "authorised again, the same report is accepted (201) and stored" \
	'[ "$st" = 201 ] && [ "$(rows)" = "$((before + 1))" ]'

gw_stop; rc=$?
check "licgated stops cleanly on SIGTERM after serving reports (exit 0)" '[ $rc -eq 0 ]'
exit $fail
