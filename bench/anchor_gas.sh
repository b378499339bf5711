#!/usr/bin/env bash
# bench/anchor_gas.sh: the gas licgated pays to anchor install reports, per
# report, at batch sizes 1, 100 and 10,000 (BENCH_BATCHES), measured on
# anvil from the receipts of the anchoring transactions licgated itself
# signs and sends: for each size, that many reports (bench/installgen,
# signed as devices sign them) are posted to /v1/installs with
# anchor.max_pending = anchor.max_batch = the size, so that they form one
# batch; once licgated has verified the anchor, the transaction's gasUsed
# is read from the node.  Also prints how long licgated took from the
# batch's last report to the anchor it verified (anvil mines at once).
# Run from a build directory: make bench-anchor-gas.
set -u
sizes=${BENCH_BATCHES:-1 100 10000}
src=${LICGATE_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${LICGATE_BUILDDIR:-$PWD}
ctl=$build/src/licgatectl
. "$src/tests/chain/anvil.sh"
tmp=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/anchorgas.XXXXXX")
cleanup() { kill -9 ${pid:-} 2>/dev/null; chain_stop; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$tmp"; }
trap cleanup EXIT
chain_start --max-persisted-states 100000 --cache-path "$tmp/anvil-states" || exit 1
trap cleanup EXIT	# chain_start set its own
jget() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
	let v=JSON.parse(s);for(const k of process.argv[1].split(".").filter(Boolean))v=v==null?v:v[k];
	console.log(typeof v==="object"?JSON.stringify(v):String(v))})' "$1"; }
rpc() { curl -sf -H 'Content-Type: application/json' --data \
	"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":$2}" "$ANVIL_URL"; }
R="node $src/tests/chain/registry.mjs --rpc $ANVIL_URL"
V="$R --from 1"
reg=$($R deploy | jget address | tr A-F a-f)
export LICGATE_REGISTRY=$reg
$R vendor add "$($R account 1 | jget address)" "Acme" >/dev/null 2>&1
fw=0x$(printf 'bench-image' | sha256sum | cut -c1-64)
keys=()
for i in 21 22 23 24; do
	$V device register "$($R devkey $i | jget publicKey)" 1 >/dev/null 2>&1
	keys+=("$($R devkey $i | jget privateKey)")
done
"$ctl" keygen -o "$tmp/key" >/dev/null
gw=$("$ctl" key-info -k "$tmp/key" | awk '/^address/ {print $2}')
$R gateway add "$gw" "bench gateway" >/dev/null 2>&1
# Funds by a transfer from anvil's first account: after anvil_setBalance,
# anvil's eth_getProof answers do not match its blocks' state roots.
rpc eth_sendTransaction "[{\"from\":\"$($R account 0 | jget address)\",\"to\":\"$gw\",\"value\":\"0x56bc75e2d63100000\"}]" >/dev/null
. "$src/bench/gateway.sh"
# conf SIZE: the configuration, batches of SIZE.
conf() {
	bench_conf "anchor.interval = 1h" "anchor.max_pending = $1" \
	    "anchor.max_batch = $1"
}
conf 1
# The devices and the gateway's authorisation are verified first.
bench_start
q() { sqlite3 "$tmp/gw.db" "$1"; }
echo "anchoring on anvil (EIP-1559 fees), licgated's own transactions; gas from their receipts"
printf '  %8s  %9s  %12s  %s\n' "batch" "gas" "gas/report" "last report to verified anchor"
for n in $sizes; do
	conf "$n"
	reloads=$(( ${reloads:-0} + 1 ))
	kill -HUP "$pid"
	# SIGHUP is applied by the follower's loop: wait until the log says so.
	for i in $(seq 1 200); do
		[ "$(grep -c '^licgated: reloaded' "$tmp/log")" -ge "$reloads" ] && break
		sleep 0.05
	done
	"$build/bench/installgen" "$tmp/reports" "$n" "$gw" "$fw" "${keys[@]}" || exit 1
	done0=$(q "SELECT count(*) FROM anchor_batches WHERE state = 'anchored'")
	node -e '
	  const fs = require("fs"), http = require("http");
	  const d = fs.readFileSync(process.argv[1]), reps = [];
	  for (let p = 0; p + 2 <= d.length; p += 2 + d.readUInt16BE(p)) reps.push(d.subarray(p + 2, p + 2 + d.readUInt16BE(p)));
	  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
	  let next = 0, bad = 0;
	  const one = () => new Promise((ok) => {
	    if (next >= reps.length) return ok();
	    const body = reps[next++];
	    const rq = http.request({ host: "127.0.0.1", port: +process.argv[2], path: "/v1/installs", method: "POST", agent,
	      headers: { "Content-Type": "application/cose", "Content-Length": body.length } }, (rs) => {
	      if (rs.statusCode !== 201 && bad++ === 0) rs.on("data", (b) => console.error("refused: HTTP " + rs.statusCode + " " + b));
	      rs.resume(); rs.on("end", () => one().then(ok));
	    });
	    rq.on("error", () => { bad++; one().then(ok); });
	    rq.end(body);
	  });
	  Promise.all(Array.from({ length: 16 }, one)).then(() => { agent.destroy(); if (bad) { console.error(bad + " reports refused"); process.exit(1); } });
	' "$tmp/reports" "$port" || exit 1
	t0=$(date +%s.%N)
	for i in $(seq 1 1200); do
		[ "$(q "SELECT count(*) FROM anchor_batches WHERE state = 'anchored'")" -gt "$done0" ] && break
		kill -0 "$pid" 2>/dev/null || { tail "$tmp/log"; exit 1; }
		sleep 0.05
	done
	t1=$(date +%s.%N)
	row=$(q "SELECT count, tx_hash FROM anchor_batches WHERE state = 'anchored' ORDER BY batch DESC LIMIT 1")
	count=${row%%|*} tx=${row#*|}
	[ "$count" = "$n" ] || { echo "bench/anchor_gas.sh: the last batch holds $count reports, not $n" >&2; tail "$tmp/log"; exit 1; }
	gas=$(( $(rpc eth_getTransactionReceipt "[\"$tx\"]" | jget result.gasUsed) ))
	printf '  %8s  %9s  %12s  %.2f s\n' "$n" "$gas" "$(awk -v g="$gas" -v n="$n" 'BEGIN {printf (g / n >= 100 ? "%.0f" : "%.2f"), g / n}')" \
		"$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')"
done
echo "  (one call per batch whatever its size: the contract keeps the root, the count and the first sequence number)"
kill -TERM "$pid"; wait "$pid"; pid=
