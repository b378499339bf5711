# bench/gateway.sh: a licgated for the benchmarks that drive one, sourced
# once anvil runs (tests/chain/anvil.sh) and the registry at $reg is
# deployed, with $tmp, $build, $ctl and jget set.  Its key is $tmp/key,
# its database $tmp/gw.db, its log $tmp/log.

# bench_conf LINE...: $tmp/gw.conf, following anvil from block 0 with no
# confirmations, and the options LINE... after.
bench_conf() {
	local h0
	h0=$(curl -sf -H 'Content-Type: application/json' --data \
		'{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["0x0",false]}' \
		"$ANVIL_URL" | jget result.hash)
	{
		cat <<EOC
rpc.url = $ANVIL_URL
chain.id = 31337
chain.checkpoint_number = 0
chain.checkpoint_hash = $h0
chain.confirmations = 0
registry.address = $reg
db.path = $tmp/gw.db
http.port = 0
key.file = $tmp/key
sync.poll_interval = 1s
EOC
		printf '%s\n' "$@"
	} > "$tmp/gw.conf"
}

# bench_start: starts licgated on $tmp/gw.conf (pid) and waits until it
# has verified the node's head (60 s at most); port is its HTTP port.
bench_start() {
	local head i
	"$build/src/licgated" -d -c "$tmp/gw.conf" 2>"$tmp/log" &
	pid=$!
	head=$(( $(curl -sf -H 'Content-Type: application/json' --data \
		'{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' \
		"$ANVIL_URL" | jget result) ))
	for i in $(seq 1 600); do
		[ "$(bench_effective)" -ge "$head" ] && break
		kill -0 "$pid" 2>/dev/null || { cat "$tmp/log"; exit 1; }
		sleep 0.1
	done
	[ "$(bench_effective)" -ge "$head" ] ||
		{ echo "$0: licgated did not reach block $head" >&2; cat "$tmp/log"; exit 1; }
	port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$tmp/log")
}
bench_effective() {
	"$ctl" status --db "$tmp/gw.db" --json 2>/dev/null | jget effective_block |
		grep -x '[0-9]*' || echo 0
}
