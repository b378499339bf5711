# tests/chain/anvil.sh: sourced by test scripts and demo.sh.
#   chain_start [ANVIL ARGS...]  starts anvil on a free 127.0.0.1 port and
#                                waits until it answers eth_chainId; exports
#                                ANVIL_URL and ANVIL_PID.
#   chain_stop                   stops it (also run on exit by a trap).
# Uses the anvil binary pinned by tests/chain/package-lock.json.
chain_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ANVIL_BIN=${ANVIL_BIN:-$chain_dir/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil}

chain_free_port() {
	node -e 'const s = require("net").createServer();
	  s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# Polls eth_chainId until anvil answers; gives up when it exits or after 30 s.
chain_wait() {
	local i
	for i in $(seq 1 600); do
		kill -0 "$ANVIL_PID" 2>/dev/null || return 1
		curl -sf -m 1 -H 'Content-Type: application/json' \
			--data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' \
			"$ANVIL_URL" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	return 1
}

chain_start() {
	local port try
	[ -x "$ANVIL_BIN" ] || { echo "anvil.sh: $ANVIL_BIN missing: run scripts/deps.sh (npm ci in tests/chain)" >&2; return 1; }
	# Tests run in parallel: choosing a port and binding it happen under one
	# lock, or two scripts could pick the same port and one would talk to the
	# other's anvil.
	exec {chain_lock}>"${TMPDIR:-/tmp}/licgate-anvil.lock"
	flock "$chain_lock"
	for try in 1 2 3 4 5; do
		port=$(chain_free_port) || return 1
		ANVIL_URL="http://127.0.0.1:$port"
		"$ANVIL_BIN" --host 127.0.0.1 --port "$port" --silent "$@" \
			>"${CHAIN_LOG:-/dev/null}" 2>&1 &
		ANVIL_PID=$!
		if chain_wait && chain_owns_port "$port"; then
			flock -u "$chain_lock"
			export ANVIL_URL ANVIL_PID
			trap chain_stop EXIT
			return 0
		fi
		kill "$ANVIL_PID" 2>/dev/null; wait "$ANVIL_PID" 2>/dev/null
	done
	flock -u "$chain_lock"
	echo "anvil.sh: anvil did not start" >&2
	return 1
}

# The listening socket on port belongs to our anvil, not to someone else's.
chain_owns_port() {
	local inode
	inode=$(awk -v p="$(printf ':%04X' "$1")" '$2 ~ p"$" && $4 == "0A" {print $10}' /proc/net/tcp | head -1)
	[ -n "$inode" ] && ls -l /proc/"$ANVIL_PID"/fd 2>/dev/null | grep -q "socket:\[$inode\]"
}

chain_stop() {
	if [ -n "${ANVIL_PID:-}" ]; then
		kill "$ANVIL_PID" 2>/dev/null
		wait "$ANVIL_PID" 2>/dev/null
		ANVIL_PID=""
	fi
}
