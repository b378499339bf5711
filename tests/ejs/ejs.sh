# tests/ejs/ejs.sh: sourced by test scripts.  A live Clique chain sealed by
# someone else's code: the EthereumJS client (@ethereumjs/client, pinned by
# tests/ejs/package-lock.json) with one signer, on 127.0.0.1 only.
#   ejs_start [--period N] [--epoch N]
#                starts it with a geth-style genesis (clique period N, 1 by
#                default; epoch N, 30000 by default) and waits until it
#                answers and has sealed block 1; exports EJS_URL, EJS_PID,
#                EJS_SIGNER (the signer's address), EJS_GENESIS (block 0's
#                hash), EJS_EPOCH, EJS_PERIOD, EJS_REGISTRY (below) and
#                EJS_DIR (its files: genesis, key, log).
#   ejs_stop     stops it and removes EJS_DIR (also run on exit by a trap,
#                added to the trap already set).
#   ejs_wait_block N   waits until block N is sealed (60 s at most).
#   ejs_sockets  prints "PROTO LOCAL REMOTE STATE" for every socket the
#                client holds, from /proc (what `ss -tunap` shows for it).
# EJS_KEEP=DIR keeps a copy of EJS_DIR (the client's log, its database).
# 0.10.5 seals epoch blocks without the signer list EIP-225 requires there,
# so a verifier that checks the list (geth, licgate) refuses its block
# number EJS_EPOCH: keep runs shorter than the epoch, or test that refusal.
ejs_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
EJS_CLI=${EJS_CLI:-$ejs_dir/node_modules/@ethereumjs/client/dist/esm/bin/cli.js}
# A test key, keccak256("licgate tests/ejs clique signer"); it holds nothing.
ejs_key=e5a2592689ea477aeb9b2581fd8159ffdfdc44a44e8226bab9d3fad7de7a1998
EJS_SIGNER=0x4f4a466a6990e55743e111d6c6e5e149d13948f2
# An account with code (STOP) and empty storage, where licgated's registry
# can point: slots 0 and 1 (eventCount, eventDigest) read zero, as in a
# registry without events (0.10.5 drops every transaction under Clique, so
# none can be deployed).  An absent account would not do: 0.10.5 answers
# eth_getProof for one with no storage proofs at all, not one per key.
EJS_REGISTRY=0x000000000000000000000000000000000000c11e
EJS_PID=

ejs_rpc() {	# ejs_rpc METHOD PARAMS-JSON -> the whole JSON-RPC answer
	curl -sf -m 2 -H 'Content-Type: application/json' --data \
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":$2}" \
		"$EJS_URL"
}

# geth's genesis format, London from block 0 (ejs runs no later fork under
# Clique: Paris would switch it to beacon sync), the signer between 32 bytes
# of vanity and 65 of seal, some ether for it, and EJS_REGISTRY.  Chain id
# 4242, not a development chain's (1337, 31337): its seals need checking.
ejs_genesis() {	# ejs_genesis PERIOD EPOCH
	local z32=0000000000000000000000000000000000000000000000000000000000000000
	cat <<EOF
{
  "config": {
    "chainId": 4242,
    "homesteadBlock": 0, "eip150Block": 0, "eip155Block": 0,
    "eip158Block": 0, "byzantiumBlock": 0, "constantinopleBlock": 0,
    "petersburgBlock": 0, "istanbulBlock": 0, "berlinBlock": 0,
    "londonBlock": 0,
    "clique": { "period": $1, "epoch": $2 }
  },
  "nonce": "0x0",
  "timestamp": "0x0",
  "gasLimit": "0x1c9c380",
  "difficulty": "0x1",
  "mixHash": "0x$z32",
  "coinbase": "0x0000000000000000000000000000000000000000",
  "number": "0x0",
  "gasUsed": "0x0",
  "parentHash": "0x$z32",
  "baseFeePerGas": "0x7",
  "extraData": "0x$z32${EJS_SIGNER#0x}$z32$z32${z32:0:2}",
  "alloc": {
    "${EJS_SIGNER#0x}": { "balance": "0x10000000000000000000" },
    "${EJS_REGISTRY#0x}": { "balance": "0x0", "code": "0x00" }
  }
}
EOF
}

# Polls until the client's RPC server listens (its port, asked for as 0, is
# reported by loopback.cjs) and block 1 is sealed; gives up when the client
# exits or after 60 s (7-14 s measured while other builds kept both cores
# busy; the client spends 2.6 s of CPU until then).
ejs_wait_ready() {
	local i port
	for i in $(seq 1 1200); do
		kill -0 "$EJS_PID" 2>/dev/null || return 1
		port=$(ejs_http_port)
		if [ -n "$port" ]; then
			EJS_URL="http://127.0.0.1:$port"
			ejs_wait_block 1 && return 0
			return 1
		fi
		sleep 0.05
	done
	return 1
}

ejs_http_port() {	# bash alone: this runs 20 times a second
	local kind addr port
	[ -f "$EJS_DIR/listen" ] || return 0
	while read -r kind addr port; do
		[ "$kind" = http ] && { echo "$port"; return 0; }
	done <"$EJS_DIR/listen"
}

ejs_head() {
	ejs_rpc eth_blockNumber '[]' 2>/dev/null |
		sed -n 's/.*"result":"\(0x[0-9a-f]*\)".*/\1/p'
}

ejs_wait_block() {	# ejs_wait_block N
	local i h
	for i in $(seq 1 600); do
		kill -0 "$EJS_PID" 2>/dev/null || return 1
		h=$(ejs_head)
		[ -n "$h" ] && [ $((h)) -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

ejs_start() {
	local period=1 epoch=30000 old
	while [ $# -gt 0 ]; do
		case $1 in
		--period) period=$2; shift 2 ;;
		--epoch) epoch=$2; shift 2 ;;
		*) echo "ejs.sh: ejs_start: unknown option $1" >&2; return 1 ;;
		esac
	done
	[ -f "$EJS_CLI" ] || { echo "ejs.sh: $EJS_CLI missing: run scripts/deps.sh (npm ci in tests/ejs)" >&2; return 1; }
	EJS_DIR=$(mktemp -d)
	EJS_EPOCH=$epoch
	EJS_PERIOD=$period
	ejs_genesis "$period" "$epoch" >"$EJS_DIR/clique.json"
	(umask 077 && echo "$ejs_key" >"$EJS_DIR/signer.key")
	# No discovery, no bootnodes (a genesis of our own has none), RPC and
	# RLPx on ports the kernel picks; loopback.cjs keeps every listener on
	# 127.0.0.1, since 0.10.5 binds RLPx and discovery to 0.0.0.0.
	LOOPBACK_REPORT="$EJS_DIR/listen" node --require "$ejs_dir/loopback.cjs" \
		"$EJS_CLI" --gethGenesis "$EJS_DIR/clique.json" \
		--dataDir "$EJS_DIR/data" --mine --unlock "$EJS_DIR/signer.key" \
		--rpc --rpcAddr 127.0.0.1 --rpcPort 0 --port 0 \
		--discV4=false --discDns=false --isSingleNode \
		--no-logFile --logLevel info >"$EJS_DIR/log" 2>&1 &
	EJS_PID=$!
	# Stopped on exit, before whatever the caller's trap already does.
	eval "set -- $(trap -p EXIT)"
	old=${3:-}
	trap "ejs_stop${old:+; $old}" EXIT
	if ! ejs_wait_ready; then
		echo "ejs.sh: the EthereumJS client did not seal block 1; its log:" >&2
		tail -20 "$EJS_DIR/log" >&2
		ejs_stop
		return 1
	fi
	EJS_GENESIS=$(ejs_rpc eth_getBlockByNumber '["0x0",false]' |
		sed -n 's/.*"hash":"\(0x[0-9a-f]\{64\}\)".*/\1/p')
	[ -n "$EJS_GENESIS" ] || { echo "ejs.sh: no genesis hash" >&2; ejs_stop; return 1; }
	export EJS_URL EJS_PID EJS_SIGNER EJS_GENESIS EJS_EPOCH EJS_PERIOD \
	    EJS_REGISTRY EJS_DIR
}

# Every socket of the client from /proc/net (addresses decoded from the
# kernel's hex); what ss -tunap prints for the process, without iproute2.
ejs_sockets() {
	local inodes proto
	inodes=$(ls -l /proc/"$EJS_PID"/fd 2>/dev/null |
		sed -n 's/.*socket:\[\([0-9]*\)\].*/\1/p' | tr '\n' ' ')
	[ -n "$inodes" ] || return 0
	for proto in tcp udp tcp6 udp6; do
		[ -r /proc/net/$proto ] || continue
		awk -v proto=$proto -v inodes=" $inodes" '
		function hex(s,   i, n) {
			n = 0
			for (i = 1; i <= length(s); i++)
				n = n * 16 + index("0123456789abcdef", tolower(substr(s, i, 1))) - 1
			return n
		}
		function v4(h) {	# the kernel writes an IPv4 address little-endian
			return hex(substr(h, 7, 2)) "." hex(substr(h, 5, 2)) "." \
			    hex(substr(h, 3, 2)) "." hex(substr(h, 1, 2))
		}
		function addr(hp,   s, h) {
			split(hp, s, ":"); h = toupper(s[1])
			if (length(h) == 8)
				h = v4(h)
			else if (h == "00000000000000000000000001000000")
				h = "[::1]"
			else if (h == "00000000000000000000000000000000")
				h = "[::]"
			else if (substr(h, 1, 24) == "0000000000000000FFFF0000")
				h = "[::ffff:" v4(substr(h, 25, 8)) "]"
			else
				h = "[" h "]"
			return h ":" hex(s[2])
		}
		NR > 1 && index(inodes, " " $10 " ") {
			st = $4 == "0A" ? "LISTEN" : $4 == "01" ? "ESTAB" : \
			    $4 == "07" ? (proto ~ /udp/ ? "UNCONN" : "CLOSE") : $4
			print proto, addr($2), addr($3), st
		}' /proc/net/$proto
	done
}

ejs_stop() {
	if [ -n "${EJS_PID:-}" ]; then
		# SIGKILL: 0.10.5 was still closing 5 s after a SIGTERM, and its
		# database is thrown away with EJS_DIR anyway.
		kill -9 "$EJS_PID" 2>/dev/null
		wait "$EJS_PID" 2>/dev/null
		EJS_PID=
	fi
	if [ -n "${EJS_DIR:-}" ]; then
		[ -n "${EJS_KEEP:-}" ] && cp -r "$EJS_DIR" "$EJS_KEEP"
		rm -rf "$EJS_DIR"
		EJS_DIR=
	fi
}
