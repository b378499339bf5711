#!/usr/bin/env bash
# sdnotify.sh: licgated speaks systemd's notify protocol (Type=notify):
# READY=1 once caught up with the chain, STOPPING=1 on SIGTERM, to a socket
# path or an abstract socket.  tests/notify_listen plays systemd's part.
. "${LICGATE_SRCDIR:-.}/tests/gw.sh"
listen=${LICGATE_BUILDDIR:-.}/tests/notify_listen
gw_chain
$R vendor add "$($R account 1 | jget address)" "Acme" >/dev/null 2>&1
gw_conf

# notified SOCKET: runs licgated under NOTIFY_SOCKET=SOCKET until it is
# caught up, stops it, and leaves what it sent in $GW_TMP/notify.
notified() {
	local i
	: > "$GW_TMP/notify"
	"$listen" "$1" 5 > "$GW_TMP/notify" &
	lpid=$!
	for i in $(seq 1 200); do grep -q listening "$GW_TMP/notify" && break; sleep 0.05; done
	NOTIFY_SOCKET=$1 gw_start
	gw_wait_log "caught up"
	for i in $(seq 1 200); do grep -q READY=1 "$GW_TMP/notify" && break; sleep 0.05; done
	ready_before_stop=$(grep -c READY=1 "$GW_TMP/notify")
	gw_stop; rc=$?
	for i in $(seq 1 200); do grep -q STOPPING=1 "$GW_TMP/notify" && break; sleep 0.05; done
	kill "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null
}

notified "$GW_TMP/notify.sock"
check "READY=1 once caught up (socket path)" '[ "$ready_before_stop" = 1 ]'
check "STOPPING=1 on SIGTERM, then exit 0" 'grep -q "^STOPPING=1$" "$GW_TMP/notify" && [ $rc -eq 0 ]'
check "READY comes before STOPPING" '[ "$(grep -n . "$GW_TMP/notify" | sed -n "s/:READY=1//p")" -lt "$(grep -n . "$GW_TMP/notify" | sed -n "s/:STOPPING=1//p")" ]'
notified "@licgate-test-$$"
check "READY=1 and STOPPING=1 over an abstract socket" '[ "$ready_before_stop" = 1 ] && grep -q "^STOPPING=1$" "$GW_TMP/notify"'
exit $fail
