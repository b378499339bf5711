#!/usr/bin/env bash
# ejs_live.sh: a live Clique chain sealed by someone else's code.  The
# EthereumJS client (tests/ejs/ejs.sh) seals a block a second with one
# signer, on 127.0.0.1 only; tests/ejs/check.mjs checks its headers with
# ethers alone (hashes, parent links, EIP-225 seals and fields) and the
# JSON-RPC methods licgate calls, so the chain is known to be a valid one;
# then licgated follows it with chain.engine = clique.
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

# licgated follows it with chain.engine = clique: every seal checked by
# licgate's own engine, the signer set read from the genesis block.
ctl=${LICGATE_BUILDDIR:-.}/src/licgatectl
gwd=${LICGATE_BUILDDIR:-.}/src/licgated
gw=$(mktemp -d)
gwpid=
trap 'kill $gwpid 2>/dev/null; rm -rf "$gw"; ejs_stop' EXIT
"$ctl" keygen -o "$gw/gw.key" >/dev/null
cat > "$gw/gw.conf" <<EOC
rpc.url = $EJS_URL
chain.id = 4242
chain.engine = clique
chain.checkpoint_number = 0
chain.checkpoint_hash = $EJS_GENESIS
chain.confirmations = 1
registry.address = $EJS_REGISTRY
db.path = $gw/gw.db
http.port = 0
key.file = $gw/gw.key
sync.poll_interval = 1s
EOC
"$gwd" -d -c "$gw/gw.conf" 2> "$gw/log" &
gwpid=$!
want=$(( $(node -e 'console.log(parseInt(process.argv[1],16))' "$(ejs_rpc eth_blockNumber '[]' | sed 's/.*"result":"\([^"]*\)".*/\1/')") + 2 ))
gw_head() { "$ctl" status --db "$gw/gw.db" --json 2>/dev/null | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).verified_block??-1)}catch(e){console.log(-1)}})'; }
for i in $(seq 1 400); do [ "$(gw_head)" -ge "$want" ] 2>/dev/null && break; kill -0 $gwpid 2>/dev/null || break; sleep 0.1; done
check "licgated (engine clique) follows the live chain to block $want" '[ "$(gw_head)" -ge "$want" ]'
check "status names the engine and the one signer" \
	'"$ctl" status --db "$gw/gw.db" | grep -q "^engine      clique, 1 signers at block [0-9]*: $EJS_SIGNER$"'
check "no block was refused and no error logged" '! grep -qE "engine refuses|refused the node|sync stopped|[Ee]rror" "$gw/log" || { sed "s/^/# /" "$gw/log"; false; }'
kill $gwpid 2>/dev/null; wait $gwpid 2>/dev/null

# licgatectl init on this chain: the registry's code is in the genesis,
# whose header lists the signer, so it is the checkpoint, under clique.
out=$("$ctl" init --rpc "$EJS_URL" --registry "$EJS_REGISTRY" --db "$gw/init.db" \
	--key "$gw/gw.key" 2>&1 >"$gw/init.conf"); rc=$?
check "licgatectl init: engine clique, checkpoint the genesis $EJS_GENESIS" \
	'[ $rc -eq 0 ] && grep -qx "chain.engine = clique" "$gw/init.conf" && grep -qx "chain.checkpoint_number = 0" "$gw/init.conf" && grep -qx "chain.checkpoint_hash = $EJS_GENESIS" "$gw/init.conf" && grep -q "$EJS_SIGNER" "$gw/init.conf" || { echo "# rc $rc: $out"; false; }'
check "licgated loads that file" '"$gwd" -n -c "$gw/init.conf" >/dev/null 2>&1'

ejs_stop
echo "# $((SECONDS - start)) s in all"
exit $fail
