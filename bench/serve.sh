#!/usr/bin/env bash
# bench/serve.sh [LICENSES]: wrk against licgated on loopback, in one run:
#   (a) a libmicrohttpd hello world (bench/hello) built from the same library,
#   (b) GET /v1/attestation without a nonce (cached tokens),
#   (c) the same with a fresh nonce per request (signed per request),
#   (d) the raw signing rate of libsecp256k1 on this machine (bench/signrate),
# with LICENSES licenses in the database (default 100000).  Measured twice:
#   pinned  the servers under test (licgated, the hello world) and (d) on
#           the second half of the CPUs with one thread per CPU there, wrk
#           on the first half: the load generator takes nothing from what
#           is measured, and (c) and (d) get the same CPUs;
#   shared  every CPU shared by wrk and the servers, one server thread per
#           CPU (BENCH_THREADS), wrk with half as many (BENCH_WRK_THREADS).
# BENCH_MODES picks them (default "pinned shared"; pinned needs 2 CPUs and
# taskset).  Prints requests/s, p99 latency, b/a, c/d, the ceiling of (c)
# on this machine (a·d/(a+d): the hello world's exchange plus one signature
# per request), the token size and the serving daemon's peak RSS.  Goals: b/a >= 0.9, c/d >= 0.7, p99 < 5 ms
# at 64 connections, RSS < 32 MiB.  Run from a build directory:
# make bench-serve.
set -u
licenses=${1:-100000}
conns=${BENCH_CONNECTIONS:-64}
ncpu=$(nproc)
modes=${BENCH_MODES:-pinned shared}
secs=${BENCH_SECONDS:-10}
src=${LICGATE_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${LICGATE_BUILDDIR:-$PWD}
command -v wrk >/dev/null || { echo "bench/serve.sh: wrk is missing (scripts/deps.sh installs it)" >&2; exit 1; }
. "$src/tests/chain/anvil.sh"
tmp=$(mktemp -d)
cleanup() { kill -9 ${pid:-} ${hpid:-} 2>/dev/null; chain_stop; rm -rf "$tmp"; }
trap cleanup EXIT
# Big blocks (200 licenses each) on a base fee that stays 0: few blocks, and
# licgated syncs them in one batch, proved at the head, so anvil needs to
# keep no old state.
chain_start --base-fee 0 --gas-limit 100000000 || exit 1
trap cleanup EXIT	# chain_start set its own
echo "putting $licenses licenses on anvil ..."
info=$(node "$src/tests/chain/bulk.mjs" --rpc "$ANVIL_URL" --events "$licenses" --only-licenses \
	--per-block 200 --empty 0 | tail -1) || exit 1
get() { node -e 'console.log(JSON.parse(process.argv[1])[process.argv[2]])' "$info" "$1"; }
h0=$(curl -sf -H 'Content-Type: application/json' --data \
	'{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["0x0",false]}' "$ANVIL_URL" |
	node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).result.hash))')
"$build/src/licgatectl" keygen -o "$tmp/key" >/dev/null
cat > "$tmp/gw.conf" <<EOC
rpc.url = $ANVIL_URL
chain.id = 31337
chain.checkpoint_number = 0
chain.checkpoint_hash = $h0
chain.confirmations = 0
registry.address = $(get registry)
db.path = $tmp/gw.db
http.port = 0
key.file = $tmp/key
attestation.max_staleness = 1d
sync.batch_size = 10000
EOC
# start_gw: licgated in the background until it is caught up.
start_gw() {	# start_gw [PIN...]
	: > "$tmp/log"
	"$@" "$build/src/licgated" -d -c "$tmp/gw.conf" 2>"$tmp/log" &
	pid=$!
	until grep -q "caught up" "$tmp/log"; do
		kill -0 "$pid" 2>/dev/null || { cat "$tmp/log"; exit 1; }
		sleep 0.1
	done
}
echo "licgated syncs the licenses ..."
start_gw
sync_rss=$(awk '/^VmHWM/ {print $2}' /proc/$pid/status)
# Serving is measured on a fresh process over the synced database: its peak
# RSS is the serving daemon's, not the sync's.
kill -TERM "$pid"; wait "$pid"; pid=
nlic=$(sqlite3 "$tmp/gw.db" "SELECT count(*) FROM licenses")
read -r dev fw < <(sqlite3 -separator ' ' "$tmp/gw.db" \
	"SELECT l.device, f.image_hash FROM licenses l JOIN firmware f ON f.vendor = l.vendor AND f.role = l.role LIMIT 1")
path="/v1/attestation?device=$dev&firmware=$fw"
cat > "$tmp/nonce.lua" <<EOL
math.randomseed(os.time())
request = function()
  local t = {}
  for i = 1, 16 do t[i] = string.format("%02x", math.random(0, 255)) end
  return wrk.format("GET", "$path&nonce=0x" .. table.concat(t))
end
EOL
run() {	# run URL [wrk args]: "rps p99ms"
	local out
	out=$("${pin_load[@]}" wrk -t"$wrk_threads" -c"$conns" -d"${secs}s" --latency "$@" 2>&1)
	awk '/Requests\/sec/ {r=$2} / 99%/ {p=$2} END {print r, p}' <<<"$out"
}
ms() { node -e 'const v=process.argv[1]; const n=parseFloat(v); console.log((v.endsWith("us")?n/1000:v.endsWith("ms")?n:n*1000).toFixed(2))' "$1"; }

# measure MODE: (a) to (d) with the CPUs arranged as MODE says.
measure() {
	local mode=$1 a ap b bp c cp d d1 rss size verdict port hport cpus half
	pin_serve=() pin_load=()
	if [ "$mode" = pinned ]; then
		if [ "$ncpu" -lt 2 ] || ! command -v taskset >/dev/null; then
			echo "pinned: skipped (needs 2 CPUs and taskset)"
			return 0
		fi
		half=$((ncpu / 2))
		pin_load=(taskset -c "0-$((half - 1))")
		pin_serve=(taskset -c "$half-$((ncpu - 1))")
		threads=$((ncpu - half)) wrk_threads=$half
		cpus="servers and (d) on CPUs $half-$((ncpu - 1)), wrk on CPUs 0-$((half - 1))"
	else
		threads=${BENCH_THREADS:-$ncpu}
		wrk_threads=${BENCH_WRK_THREADS:-$(( ncpu / 2 > 0 ? ncpu / 2 : 1 ))}
		cpus="wrk and the servers share all $ncpu CPUs"
	fi
	# Serving is measured on a fresh process over the synced database:
	# its peak RSS is the serving daemon's, not the sync's.
	sed -i '/^http.threads/d' "$tmp/gw.conf"
	echo "http.threads = $threads" >> "$tmp/gw.conf"
	start_gw "${pin_serve[@]}"
	port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$tmp/log")
	verdict=$(curl -sf -H 'Accept: application/json' "http://127.0.0.1:$port$path" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).verdict))')
	size=$(curl -sf "http://127.0.0.1:$port$path&nonce=0x00112233445566778899aabbccddeeff" | wc -c)
	: > "$tmp/hello.out"
	"${pin_serve[@]}" "$build/bench/hello" "$threads" > "$tmp/hello.out" &
	hpid=$!
	until grep -q '^port' "$tmp/hello.out"; do sleep 0.05; done
	hport=$(awk '{print $2}' "$tmp/hello.out")
	echo "$mode: ${secs}s per run at $conns connections ($cpus) ..."
	read -r a ap < <(run "http://127.0.0.1:$hport/")
	read -r b bp < <(run "http://127.0.0.1:$port$path")
	read -r c cp < <(run -s "$tmp/nonce.lua" "http://127.0.0.1:$port")
	read -r d d1 < <("${pin_serve[@]}" "$build/bench/signrate" "$threads" | awk '{print $2, $6}')
	rss=$(awk '/^VmHWM/ {print $2}' /proc/$pid/status)
	kill -TERM "$pid" "$hpid"; wait "$pid" "$hpid" 2>/dev/null; pid= hpid=
	node -e '
	  const [mode, a, ap, b, bp, c, cp, d, rss, size, n, verdict, threads, d1, wrkThreads] = process.argv.slice(1);
	  const f = (x) => Number(x).toFixed(0).padStart(8);
	  console.log(`${mode}: ${threads} thread(s) in licgated, the hello world and (d); wrk -t${wrkThreads}`);
	  console.log(`  (a) hello world          ${f(a)} req/s  p99 ${ap} ms`);
	  console.log(`  (b) attestation          ${f(b)} req/s  p99 ${bp} ms   b/a = ${(b / a).toFixed(2)} (goal >= 0.9)`);
	  console.log(`  (c) attestation + nonce  ${f(c)} req/s  p99 ${cp} ms   c/d = ${(c / d).toFixed(2)} (goal >= 0.7)`);
	  console.log(`  (d) secp256k1 signing    ${f(d)} signatures/s (${Number(d1).toFixed(0)} on one thread: c is ${(c / d1).toFixed(2)} of that)`);
	  /* A request costs at least the hello world its exchange, and one
	   * with a nonce a signature as well: a·d/(a+d) is what a server on
	   * this library that did nothing but sign could reach here. */
	  const A = Number(a), D = Number(d), top = A * D / (A + D);
	  console.log(`  ceiling of (c)           ${f(top)} req/s: the hello world plus one signature per request; c/d <= ${(top / D).toFixed(2)} on this machine, c is ${(c / top).toFixed(2)} of it`);
	  console.log(`  token size               ${size} bytes with a 16-byte nonce (verdict ${verdict})`);
	  console.log(`  licgated peak RSS        ${(rss / 1024).toFixed(1)} MiB serving, ${n} licenses in its database (goal < 32)`);
	' "$mode" "$a" "$(ms "$ap")" "$b" "$(ms "$bp")" "$c" "$(ms "$cp")" "$d" "$rss" "$size" "$nlic" "$verdict" "$threads" "$d1" "$wrk_threads"
}
echo "licgated: $nlic licenses in the database (peak RSS while syncing them in one batch: $((sync_rss / 1024)) MiB)"
for mode in $modes; do
	measure "$mode"
done
