#!/usr/bin/env bash
# ejs_live.sh: a live Clique chain sealed by someone else's code.  The
# EthereumJS client (tests/ejs/ejs.sh) seals a block a second with one
# signer, on 127.0.0.1 only; tests/ejs/check.mjs checks its headers with
# ethers alone (hashes, parent links, EIP-225 seals and fields) and the
# JSON-RPC methods licgate calls, so the chain licgated is to follow with
# chain.engine = clique is known to be a valid one.
set -u
. "${LICGATE_SRCDIR:-.}/tests/ejs/ejs.sh"
fail=0
check() { if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi; }

start=$SECONDS
ejs_start || { echo "not ok - the EthereumJS client did not seal block 1"; exit 1; }
echo "# $EJS_URL sealed block 1 after $((SECONDS - start)) s; genesis $EJS_GENESIS"

# Every socket it holds (RPC, RLPx, discovery: all three, so the check is
# not vacuous) is bound to 127.0.0.1, and none talks to another address.
socks=$(ejs_sockets)
echo "$socks" | sed 's/^/# /'
check "the client listens on RPC, RLPx and discovery sockets" \
	'[ "$(echo "$socks" | grep -c "LISTEN\|UNCONN")" -ge 3 ]'
check "every socket of the client is on 127.0.0.1" \
	'! echo "$socks" | awk '\''$2 !~ /^127\./ || ($3 !~ /^(127\.|0\.0\.0\.0:0$)/)'\'' | grep -q .'

check "it seals blocks 2 to 5, one a second" 'ejs_wait_block 5'
out=$(node "$ejs_dir/check.mjs" --blocks 5 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
check "blocks 0..5: hashes, links and Clique seals by $EJS_SIGNER valid; RPC methods answer" \
	'[ $rc -eq 0 ]'

# The checker is not a rubber stamp: the same chain, expected from another
# signer, is refused at its genesis, which lists the real one.
out=$(EJS_SIGNER=0x00000000000000000000000000000000000000aa \
	node "$ejs_dir/check.mjs" --blocks 1 2>&1); rc=$?
check "check.mjs refuses the chain for another signer" \
	'[ $rc -ne 0 ] && [[ $out == *"block 0: epoch block lists [$EJS_SIGNER], not [0x"*"aa]"* ]]'

ejs_stop
echo "# $((SECONDS - start)) s in all"
exit $fail
