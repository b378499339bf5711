# tests/chain/ganache.sh: sourced by test scripts after gw.sh (which
# sources anvil.sh), for ganache 7.9.2 (tests/chain/package.json).
#   ganache_start [GANACHE ARGS...]  starts ganache on a free 127.0.0.1 port
#                                    with registry.mjs's mnemonic and chain id
#                                    1337; like anvil.sh's chain_start, the
#                                    port is chosen and bound under the same
#                                    lock, and ANVIL_URL and ANVIL_PID name it
#                                    so that gw.sh's helpers and cleanup work
#                                    unchanged.  Its output goes to
#                                    $GW_TMP/ganache.log.
GANACHE_BIN=$chain_dir/node_modules/ganache/dist/node/cli.js
MNEMONIC='test test test test test test test test test test test junk'	# registry.mjs's

ganache_start() {
	local port try
	[ -f "$GANACHE_BIN" ] || { echo "not ok - $GANACHE_BIN missing: run scripts/deps.sh"; exit 1; }
	exec {chain_lock}>"${TMPDIR:-/tmp}/licgate-anvil.lock"
	flock "$chain_lock"
	for try in 1 2 3; do
		port=$(chain_free_port) || break
		ANVIL_URL="http://127.0.0.1:$port"
		node "$GANACHE_BIN" --server.host 127.0.0.1 --server.port "$port" \
			--logging.quiet --wallet.mnemonic "$MNEMONIC" \
			--chain.chainId 1337 "$@" >>"$GW_TMP/ganache.log" 2>&1 &
		ANVIL_PID=$!
		if chain_wait && chain_owns_port "$port"; then
			flock -u "$chain_lock"
			return 0
		fi
		kill "$ANVIL_PID" 2>/dev/null; wait "$ANVIL_PID" 2>/dev/null
	done
	flock -u "$chain_lock"
	echo "not ok - ganache did not start"; cat "$GW_TMP/ganache.log"; exit 1
}
