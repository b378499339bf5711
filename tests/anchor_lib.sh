# anchor_lib.sh: what anchor.sh and anchor_legacy.sh share, sourced after
# tests/gw.sh once gwaddr (the gateway's address), F (an image hash) and
# db (its database) are set: posting reports, reading the database,
# status and /metrics, and mining until the anchoring shows.
topic0=$(node -e 'const {ethers}=require(process.argv[1]);console.log(ethers.id("InstallsAnchored(address,bytes32,uint64,uint64)"))' "$chain/node_modules/ethers")
gwtopic=0x000000000000000000000000${gwaddr#0x}
n=0

# report KEYNO: a report by device KEYNO for this gateway, posted; prints
# the HTTP status.
report() {
	n=$((n + 1))
	"$ctl" install-report -k "$GW_TMP/dev$1.key" --gateway "$gwaddr" \
		--firmware "$F" --version "$n" -o "$GW_TMP/rep.$n" &&
	curl -s -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/cose' \
		--data-binary "@$GW_TMP/rep.$n" "http://127.0.0.1:$GW_PORT/v1/installs"
}
q() { sqlite3 "$db" "$1"; }
status() { "$ctl" status --db "$db" "$@"; }
unanchored() { q 'SELECT count(*) FROM installs WHERE anchor_block IS NULL'; }
# last COLUMN: of the newest batch.
last() { q "SELECT $1 FROM anchor_batches ORDER BY batch DESC LIMIT 1"; }
# until_mined COND: mines a block and looks again, until COND holds (150
# times, MINE_PAUSE seconds apart, 0.1 unless the test says otherwise).
until_mined() {
	local i
	for i in $(seq 1 150); do
		eval "$1" && return 0
		kill -0 "$GW_PID" 2>/dev/null || return 1
		curl -sf -H 'Content-Type: application/json' --data \
			'{"jsonrpc":"2.0","id":1,"method":"evm_mine","params":[]}' \
			"${RPC_URL:-$ANVIL_URL}" >/dev/null
		sleep "${MINE_PAUSE:-0.1}"
	done
	return 1
}
# anchor_logs ROOT: InstallsAnchored events of this gateway for ROOT in the chain.
anchor_logs() {
	rpc eth_getLogs "[{\"address\":\"$REG\",\"fromBlock\":\"0x0\",\"topics\":[\"$topic0\",\"$gwtopic\",\"$1\"]}]" |
		node -e 'console.log(JSON.parse(require("fs").readFileSync(0)).length)'
}
