#!/usr/bin/env bash
# bench/installs.sh: install reports accepted per second by licgated
# (POST /v1/installs, each report new, signed by one of 4 registered
# devices; "accepted" is counted in the database, not by the HTTP answers)
# against nonce attestations per second (GET /v1/attestation with a fresh
# nonce, one signature each) on the same daemon, database and machine.  A
# report costs one signature check and its share of a commit (fsync), so
# the goal is at least half the attestation rate.  BENCH_ROUNDS rounds
# (default 3), each measuring both in mirrored order (a r r a,
# BENCH_SECONDS per run, default 3) at BENCH_CONNECTIONS (default 64);
# prints the medians, the ratio, licgated's CPU time per answer (which says
# whether a rate is bound by CPU or by waiting), and how many reports
# shared a commit.
# Run from a build directory: make bench-installs.
set -u
conns=${BENCH_CONNECTIONS:-64}
secs=${BENCH_SECONDS:-3}
rounds=${BENCH_ROUNDS:-3}
ncpu=$(nproc)
src=${LICGATE_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${LICGATE_BUILDDIR:-$PWD}
ctl=$build/src/licgatectl
command -v wrk >/dev/null || { echo "bench/installs.sh: wrk is missing (scripts/deps.sh installs it)" >&2; exit 1; }
. "$src/tests/chain/anvil.sh"
tmp=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/installs.XXXXXX")
cleanup() { kill -9 ${pid:-} 2>/dev/null; chain_stop; rm -rf "$tmp"; }
trap cleanup EXIT
# anvil keeps old blocks' state (the follower proves the registry's digest
# at them), in this run's directory.
chain_start --max-persisted-states 100000 --cache-path "$tmp/anvil-states" || exit 1
trap cleanup EXIT	# chain_start set its own
jget() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
	let v=JSON.parse(s);for(const k of process.argv[1].split(".").filter(Boolean))v=v==null?v:v[k];
	console.log(typeof v==="object"?JSON.stringify(v):String(v))})' "$1"; }
R="node $src/tests/chain/registry.mjs --rpc $ANVIL_URL"
V="$R --from 1"
reg=$($R deploy | jget address | tr A-F a-f)
export LICGATE_REGISTRY=$reg
$R vendor add "$($R account 1 | jget address)" "Acme" >/dev/null 2>&1
fw=0x$(printf 'bench-image' | sha256sum | cut -c1-64)
$V firmware register "$fw" 7 1 2000000000 https://fw.example/b >/dev/null 2>&1
keys=()
for i in 21 22 23 24; do
	$V device register "$($R devkey $i | jget publicKey)" 1 >/dev/null 2>&1
	keys+=("$($R devkey $i | jget privateKey)")
done
dev=$($R devkey 21 | jget address)
$V license issue "$dev" 1 10 0 2000000000 7 >/dev/null 2>&1
"$ctl" keygen -o "$tmp/key" >/dev/null
gw=$("$ctl" key-info -k "$tmp/key" | awk '/^address/ {print $2}')
h0=$(curl -sf -H 'Content-Type: application/json' --data \
	'{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["0x0",false]}' "$ANVIL_URL" | jget result.hash)
cat > "$tmp/gw.conf" <<EOC
rpc.url = $ANVIL_URL
chain.id = 31337
chain.checkpoint_number = 0
chain.checkpoint_hash = $h0
chain.confirmations = 0
registry.address = $reg
db.path = $tmp/gw.db
http.port = 0
http.threads = $ncpu
key.file = $tmp/key
sync.poll_interval = 1s
EOC
"$build/src/licgated" -d -c "$tmp/gw.conf" 2>"$tmp/log" &
pid=$!
head=$(curl -sf -H 'Content-Type: application/json' --data \
	'{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' "$ANVIL_URL" | jget result)
eff() { "$ctl" status --db "$tmp/gw.db" --json 2>/dev/null | jget effective_block | grep -x '[0-9]*' || echo 0; }
until [ "$(eff)" -ge "$((head))" ]; do
	kill -0 "$pid" 2>/dev/null || { cat "$tmp/log"; exit 1; }
	sleep 0.1
done
port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$tmp/log")
verdict=$(curl -sf -H 'Accept: application/json' "http://127.0.0.1:$port/v1/attestation?device=$dev&firmware=$fw" | jget verdict)
[ "$verdict" = valid ] || { echo "bench/installs.sh: the benchmark's device is not licensed ($verdict)" >&2; exit 1; }
cat > "$tmp/nonce.lua" <<EOL
math.randomseed(os.time())
request = function()
  local t = {}
  for i = 1, 16 do t[i] = string.format("%02x", math.random(0, 255)) end
  return wrk.format("GET", "/v1/attestation?device=$dev&firmware=$fw&nonce=0x" .. table.concat(t))
end
EOL
wrk_threads=$(( ncpu / 2 > 0 ? ncpu / 2 : 1 ))
rows() { sqlite3 "$tmp/gw.db" 'SELECT count(*) FROM installs'; }
metric() { curl -sf "http://127.0.0.1:$port/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
run() {	# run [wrk args]: "rps p99"
	wrk -t"$wrk_threads" -c"$conns" -d"${secs}s" --latency "$@" 2>&1 |
		awk '/Requests\/sec/ {r=$2} / 99%/ {p=$2} END {print r, p}'
}
# licgated's CPU time so far, in clock ticks.
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
# figure a|r: one run: "F rate p99 us", the rate of nonce attestations or
# of reports accepted (rows stored during the run over its length), and
# licgated's CPU microseconds per answer (per accepted report).
figure() {
	local n0 out t0 rate hz=$(getconf CLK_TCK)
	if [ "$1" = a ]; then
		t0=$(ticks)
		out=$(run -s "$tmp/nonce.lua" "http://127.0.0.1:$port")
		rate=${out%% *}
	else
		# More reports than the daemon could take: none is sent twice.
		"$build/bench/installgen" "$tmp/reports" $((secs * ${BENCH_MAX_RATE:-20000})) "$gw" "$fw" "${keys[@]}" || exit 1
		n0=$(rows) t0=$(ticks)
		out=$(run -s "$src/bench/installs.lua" "http://127.0.0.1:$port" -- "$tmp/reports" "$wrk_threads")
		rate=$(( ($(rows) - n0) / secs ))
	fi
	echo "$1 $rate ${out#* } $(awk -v t=$(( $(ticks) - t0 )) -v hz="$hz" -v n="$rate" -v s="$secs" 'BEGIN {printf "%.0f", (n > 0) ? t / hz * 1e6 / (n * s) : 0}')"
}
echo "licgated on $ncpu CPU(s), http.threads = $ncpu; wrk -t$wrk_threads -c$conns, ${secs}s per run, $rounds round(s); database on $(df -P "$tmp" | awk 'NR == 2 {print $1}')"
: > "$tmp/rounds"
c0=$(metric licgate_install_commits_total); c0=${c0:-0}
for ((i = 1; i <= rounds; i++)); do
	for f in a r r a; do figure "$f"; done > "$tmp/round"
	awk '{n[$1]++; s[$1] += $2; u[$1] += $4} END {printf "%.0f %.0f %.0f %.0f\n", s["a"] / n["a"], s["r"] / n["r"], u["a"] / n["a"], u["r"] / n["r"]}' "$tmp/round" >> "$tmp/rounds"
	echo "  round $i: $(tail -1 "$tmp/rounds" | awk '{printf "attestations %s/s (%s us CPU each), reports %s/s (%s us)", $1, $3, $2, $4}');  p99 $(awk '{printf "%s %s  ", $1, $3}' "$tmp/round")"
done
stored=$(rows)
commits=$(( $(metric licgate_install_commits_total) - c0 ))
kill -TERM "$pid"; wait "$pid"; pid=
node -e '
  const rounds = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => l.split(" ").map(Number));
  const med = (v) => { v = [...v].sort((x, y) => x - y); const m = v.length >> 1; return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2; };
  const range = (v) => v.length < 2 ? "" : ` (${Math.min(...v).toFixed(2)}..${Math.max(...v).toFixed(2)})`;
  const a = rounds.map((r) => r[0]), r = rounds.map((x) => x[1]), q = rounds.map((x) => x[1] / x[0]);
  const ua = rounds.map((x) => x[2]), ur = rounds.map((x) => x[3]);
  console.log(`  nonce attestations   ${med(a).toFixed(0).padStart(6)} /s, licgated ${med(ua).toFixed(0)} us CPU each (verdict ${process.argv[2]})`);
  console.log(`  install reports      ${med(r).toFixed(0).padStart(6)} accepted/s, licgated ${med(ur).toFixed(0)} us CPU each`);
  console.log(`  reports/attestations = ${med(q).toFixed(2)}${range(q)} (goal >= 0.5)`);
  console.log(`  ${process.argv[3]} reports stored in ${process.argv[4]} commits: ${(process.argv[3] / Math.max(1, process.argv[4])).toFixed(1)} per fsync`);
' "$tmp/rounds" "$verdict" "$stored" "$commits"
