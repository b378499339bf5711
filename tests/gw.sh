# tests/gw.sh: sourced by the gateway's script tests.  A real anvil with the
# registry deployed, a gateway key and configuration, licgated started and
# stopped, and readiness polled (never assumed).
#   gw_chain            anvil + registry; exports ANVIL_URL, REG, R (registry CLI)
#   gw_conf [LINES...]  writes $GW_TMP/gw.conf (extra "option = value" lines)
#   gw_start            licgated -d in the background; GW_PID, GW_PORT, GW_LOG
#   gw_wait_head N      waits until the verified head is >= N (60 s at most)
#   gw_wait_log REGEX   waits until the daemon's log matches (60 s at most)
#   gw_settle N         mines N blocks (the confirmations), waits until effective
#   gw_stop             SIGTERM, waits, returns licgated's exit status
#   check NAME EXPR     prints ok/not ok, remembers failures in $fail
# GW_KEEP=DIR keeps a copy of the test's files (log, database) in DIR.
set -u
chain=${LICGATE_SRCDIR:-.}/tests/chain
ctl=${LICGATE_BUILDDIR:-.}/src/licgatectl
gwd=${LICGATE_BUILDDIR:-.}/src/licgated
. "$chain/anvil.sh"
GW_TMP=$(mktemp -d)
GW_PID=
fail=0
gw_cleanup() {
	[ -n "$GW_PID" ] && kill -9 "$GW_PID" 2>/dev/null && wait "$GW_PID" 2>/dev/null
	chain_stop
	[ -n "${GW_KEEP:-}" ] && cp -r "$GW_TMP" "$GW_KEEP"; rm -rf "$GW_TMP"
}
trap gw_cleanup EXIT

# check NAME EXPR: a TAP line; a failure shows the end of licgated's log.
check() {
	if eval "$2"; then echo "ok - $1"; return; fi
	echo "not ok - $1"
	fail=1
	[ -f "${GW_LOG:-}" ] && tail -n 12 "$GW_LOG" | sed 's/^/#   /'
	true
}

rpc() {	# rpc METHOD PARAMS-JSON -> result JSON on stdout
	curl -sf -H 'Content-Type: application/json' --data \
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":$2}" \
		"${RPC_URL:-$ANVIL_URL}" | node -e 'let s="";process.stdin.on("data",d=>s+=d)
		.on("end",()=>{const r=JSON.parse(s);if(r.error){console.error(JSON.stringify(r.error));process.exit(1)}
		console.log(typeof r.result==="string"?r.result:JSON.stringify(r.result))})'
}

# metric NAME: its value in licgated's /metrics.
metric() { curl -sf "http://127.0.0.1:$GW_PORT/metrics" | awk -v m="$1" '$1 == m {print $2}'; }

jget() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
	let v=JSON.parse(s);for(const k of process.argv[1].split(".").filter(Boolean))v=v==null?v:v[k];
	console.log(typeof v==="object"?JSON.stringify(v):String(v))})' "$1"; }

gw_chain() {
	# anvil keeps the state of only some old blocks unless told to persist
	# them (the follower proves the registry's digest at historical
	# blocks); they go to this test's own directory, about 0.3 MB a block,
	# and are removed with it.
	chain_start --max-persisted-states 100000 --cache-path "$GW_TMP/anvil-states" "$@" || { echo "not ok - anvil did not start"; exit 1; }
	trap gw_cleanup EXIT	# chain_start set its own
	R="node $chain/registry.mjs --rpc $ANVIL_URL"
	REG=$($R deploy | jget address | tr 'A-F' 'a-f')
	export LICGATE_REGISTRY=$REG
	"$ctl" keygen -o "$GW_TMP/gw.key" >/dev/null
}

gw_conf() {
	local h0 line
	h0=$(rpc eth_getBlockByNumber '["0x0",false]' | jget hash)
	# Defaults first, minus the options given as arguments.
	{
		echo "rpc.url = ${GW_RPC:-$ANVIL_URL}"
		echo "rpc.timeout = 5s"
		echo "rpc.retries = 1"
		echo "chain.id = 31337"
		echo "chain.checkpoint_number = 0"
		echo "chain.checkpoint_hash = $h0"
		echo "registry.address = $REG"
		echo "db.path = $GW_TMP/gw.db"
		echo "http.port = 0"
		echo "key.file = $GW_TMP/gw.key"
		echo "sync.poll_interval = 1s"
	} | while read -r line; do
		for o in "$@"; do [ "${o%% *}" = "${line%% *}" ] && continue 2; done
		echo "$line"
	done > "$GW_TMP/gw.conf"
	for line in "$@"; do echo "$line"; done >> "$GW_TMP/gw.conf"
}

gw_start() {
	GW_LOG=$GW_TMP/licgated.log
	: > "$GW_LOG"
	"$gwd" -d -c "$GW_TMP/gw.conf" 2>>"$GW_LOG" &
	GW_PID=$!
	gw_wait_log 'listening on http://' || return 1
	GW_PORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$GW_LOG" | tail -1)
}

gw_wait_log() {
	local i
	for i in $(seq 1 1200); do
		grep -qE "$1" "$GW_LOG" 2>/dev/null && return 0
		[ -n "$GW_PID" ] && ! kill -0 "$GW_PID" 2>/dev/null && return 1
		sleep 0.05
	done
	return 1
}

gw_head() { "$ctl" status --db "$GW_TMP/gw.db" --json 2>/dev/null | jget verified_block; }
gw_effective() { "$ctl" status --db "$GW_TMP/gw.db" --json 2>/dev/null | jget effective_block; }

gw_wait_head() {
	local i h
	for i in $(seq 1 1200); do
		h=$(gw_head)
		[ "$h" != undefined ] && [ -n "$h" ] && [ "$h" -ge "$1" ] && return 0
		[ -n "$GW_PID" ] && ! kill -0 "$GW_PID" 2>/dev/null && return 1
		sleep 0.05
	done
	return 1
}

gw_settle() {
	rpc anvil_mine "[\"0x$(printf %x "$1")\"]" >/dev/null
	local want=$(( $(chain_head) - $1 )) i
	for i in $(seq 1 600); do [ "$(gw_effective)" -ge "$want" ] && return 0; sleep 0.05; done
	return 1
}

gw_stop() {
	local rc
	kill -TERM "$GW_PID" 2>/dev/null
	wait "$GW_PID"; rc=$?
	GW_PID=
	return $rc
}

chain_head() { node -e 'console.log(parseInt(process.argv[1],16))' "$(rpc eth_blockNumber '[]')"; }

# The cache (licgatectl dump) equals what ethers reads from the chain.
same_state() {
	"$ctl" dump --db "$GW_TMP/gw.db" > "$GW_TMP/mine.json" &&
	$R dump > "$GW_TMP/theirs.json" 2>/dev/null &&
	node -e 'const a=require(process.argv[1]),b=require(process.argv[2]);
	  if(!require("util").isDeepStrictEqual(a,b)){console.error("cache:",JSON.stringify(a).slice(0,400));
	  console.error("chain:",JSON.stringify(b).slice(0,400));process.exit(1)}' \
	  "$GW_TMP/mine.json" "$GW_TMP/theirs.json"
}
