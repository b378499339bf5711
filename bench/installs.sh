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
# shared a commit.  Beside them, in the same rounds, yardsticks: bare
# libmicrohttpd servers of licgated's threading model answering a GET
# with one signature (bench/hello sign, what a nonce attestation must
# do), a POST with one verification (bench/hellopost verify, what a report
# must do) and that plus a group-committed SQLite insert (bench/hellopost
# store).  verify/sign is the ceiling this machine allows the ratio;
# verify+store/sign what a bare server reaches that also keeps each
# report durably.  The printout says plainly whether the goal lies above
# each.  The ratios are printed by CPU time per answer too, and the load
# average before and after: other work on the machine weighs on rates.
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
cleanup() { kill -9 ${pid:-} ${ypids[@]:-} 2>/dev/null; chain_stop; rm -rf "$tmp"; }
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
. "$src/bench/gateway.sh"
bench_conf "http.threads = $ncpu"
bench_start
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
# A process's CPU time so far, in clock ticks (licgated's by default).
ticks() { awk '{print $14 + $15}' "/proc/${1:-$pid}/stat"; }
# fresh: more new reports than a server could take: none is sent twice.
fresh() { "$build/bench/installgen" "$tmp/reports" $((secs * ${BENCH_MAX_RATE:-20000})) "$gw" "$fw" "${keys[@]}" || exit 1; }
# yardstick OUT ARGS...: a bare server (bench/hello or bench/hellopost
# ARGS) with licgated's thread count; sets ypid and yport.
yardstick() {
	local out=$tmp/$1
	shift
	"$build/bench/$1" "$ncpu" "${@:2}" > "$out" &
	ypid=$!
	until grep -q '^port' "$out"; do
		kill -0 "$ypid" 2>/dev/null || { echo "bench/installs.sh: bench/$1 failed" >&2; exit 1; }
		sleep 0.05
	done
	yport=$(awk '{print $2}' "$out")
	ypids+=("$ypid")
}
# figure a|r|s|v|w: one run: "F rate p99 us", the rate of nonce
# attestations, of reports accepted (rows stored during the run over its
# length), of the yardsticks' answers (s sign, v verify, w verify and
# store), and the server's CPU microseconds per answer (per accepted
# report).
figure() {
	local n0 out t0 rate hz=$(getconf CLK_TCK) p=$pid
	case $1 in
	a)	t0=$(ticks)
		out=$(run -s "$tmp/nonce.lua" "http://127.0.0.1:$port")
		rate=${out%% *} ;;
	r)	fresh
		n0=$(rows) t0=$(ticks)
		out=$(run -s "$src/bench/installs.lua" "http://127.0.0.1:$port" -- "$tmp/reports" "$wrk_threads")
		rate=$(( ($(rows) - n0) / secs )) ;;
	s)	p=$spid t0=$(ticks "$p")
		out=$(run "http://127.0.0.1:$sport/")
		rate=${out%% *} ;;
	v|w)	[ "$1" = v ] && p=$vpid || p=$wpid
		fresh
		t0=$(ticks "$p")
		out=$(run -s "$src/bench/installs.lua" "http://127.0.0.1:$([ "$1" = v ] && echo "$vport" || echo "$wport")/" -- "$tmp/reports" "$wrk_threads")
		rate=${out%% *} ;;
	esac
	echo "$1 ${rate%.*} ${out#* } $(awk -v t=$(( $(ticks "$p") - t0 )) -v hz="$hz" -v n="${rate%.*}" -v s="$secs" 'BEGIN {printf "%.0f", (n > 0) ? t / hz * 1e6 / (n * s) : 0}')"
}
ypids=()
yardstick hello.out hello sign; spid=$ypid sport=$yport
yardstick hellopost-v.out hellopost verify; vpid=$ypid vport=$yport
yardstick hellopost-w.out hellopost store "$tmp/hellopost.db"; wpid=$ypid wport=$yport
echo "licgated and the yardsticks on $ncpu CPU(s), $ncpu HTTP threads each; wrk -t$wrk_threads -c$conns, ${secs}s per run, $rounds round(s); database on $(df -P "$tmp" | awk 'NR == 2 {print $1}')"
echo "load before: $(uptime | sed 's/.*load average/load average/')"
: > "$tmp/rounds"
c0=$(metric licgate_install_commits_total); c0=${c0:-0}
for ((i = 1; i <= rounds; i++)); do
	# Each figure twice, in mirrored order: a drift of the machine's
	# speed during the round weighs on every figure alike.
	for f in a r s v w w v s r a; do figure "$f"; done > "$tmp/round"
	# Per figure, in the order a r s v w: the mean rate, then the mean
	# CPU per answer.
	awk '{n[$1]++; s[$1] += $2; u[$1] += $4} END {
		for (k = 1; k <= 5; k++) { f = substr("arsvw", k, 1); printf "%.0f ", s[f] / n[f] }
		for (k = 1; k <= 5; k++) { f = substr("arsvw", k, 1); printf "%.0f ", u[f] / n[f] }
		print "" }' "$tmp/round" >> "$tmp/rounds"
	echo "  round $i: $(tail -1 "$tmp/rounds" | awk '{printf "attestations %s/s (%s us CPU each), reports %s/s (%s us); sign %s/s (%s us), verify %s/s (%s us), verify+store %s/s (%s us)", $1, $6, $2, $7, $3, $8, $4, $9, $5, $10}')"
done
echo "load after: $(uptime | sed 's/.*load average/load average/')"
stored=$(rows)
commits=$(( $(metric licgate_install_commits_total) - c0 ))
kill -TERM "$pid" "${ypids[@]}"; wait "$pid" "${ypids[@]}" 2>/dev/null; pid= ypids=()
node -e '
  const rounds = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => l.trim().split(" ").map(Number));
  const med = (v) => { v = [...v].sort((x, y) => x - y); const m = v.length >> 1; return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2; };
  const range = (v) => v.length < 2 ? "" : ` (${Math.min(...v).toFixed(2)}..${Math.max(...v).toFixed(2)})`;
  const col = (i) => rounds.map((x) => x[i]);
  const ratio = (i, j) => rounds.map((x) => x[i] / x[j]);
  const show = (v) => `${med(v).toFixed(2)}${range(v)}`;
  const [a, r, s, v, w] = [0, 1, 2, 3, 4].map(col), [ua, ur, us, uv, uw] = [5, 6, 7, 8, 9].map(col);
  const q = ratio(1, 0), cv = ratio(3, 2), cw = ratio(4, 2);
  console.log(`  nonce attestations   ${med(a).toFixed(0).padStart(6)} /s, licgated ${med(ua).toFixed(0)} us CPU each (verdict ${process.argv[2]})`);
  console.log(`  install reports      ${med(r).toFixed(0).padStart(6)} accepted/s, licgated ${med(ur).toFixed(0)} us CPU each`);
  console.log(`  reports/attestations = ${show(q)} (goal >= 0.5)`);
  console.log(`  ${process.argv[3]} reports stored in ${process.argv[4]} commits: ${(process.argv[3] / Math.max(1, process.argv[4])).toFixed(1)} per fsync`);
  console.log(`  yardsticks, bare libmicrohttpd servers on the same CPUs:`);
  console.log(`    GET + one signature          ${med(s).toFixed(0).padStart(6)} /s, ${med(us).toFixed(0)} us CPU each (bench/hello sign)`);
  console.log(`    POST + one verification      ${med(v).toFixed(0).padStart(6)} /s, ${med(uv).toFixed(0)} us CPU each (bench/hellopost verify)`);
  console.log(`    POST + verification + commit ${med(w).toFixed(0).padStart(6)} /s, ${med(uw).toFixed(0)} us CPU each (bench/hellopost store)`);
  console.log(`  ceiling verify/sign = ${show(cv)}, verify+store/sign = ${show(cw)}; licgated reaches ${show(rounds.map((x) => (x[1] / x[0]) / (x[4] / x[2])))} times the latter`);
  // CPU time per answer moves less than a rate when others load the
  // machine: the same ratios by it, a rate being 1 / CPU per answer on a
  // machine the server has to itself.
  const cpu = (i, j) => rounds.map((x) => x[i] / x[j]);
  console.log(`  by CPU time per answer: reports/attestations = ${show(cpu(5, 6))}, ceiling verify/sign = ${show(cpu(7, 8))}, verify+store/sign = ${show(cpu(7, 9))}`);
  // The goal against each yardstick, said plainly either way.
  const goal = (x, what) => console.log(x < 0.5 ?
    `  THE GOAL 0.5 IS ABOVE ${what.toUpperCase()} (${x.toFixed(2)})` :
    `  the goal 0.5 is within ${what} (${x.toFixed(2)})`);
  goal(med(cv), "the ceiling on this machine for a verification against a signature, verify/sign");
  goal(med(cw), "what a bare server reaches here that also stores each report durably, verify+store/sign");
' "$tmp/rounds" "$verdict" "$stored" "$commits"
