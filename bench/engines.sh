#!/usr/bin/env bash
# bench/engines.sh [EVENTS]: the cost of checking consensus while syncing.
# anvil gets EVENTS registry events (default 5000, tests/chain/bulk.mjs);
# the re-sealing proxy (tests/chain/reseal.mjs) serves that chain as Clique
# and as QBFT.  licgated syncs it from an empty database, each run timed to
# "caught up": chain.engine = none and = clique behind the same Clique
# proxy (the same bytes, so the difference is the engine), and qbft behind
# the QBFT proxy (the same blocks with commit seals; its time is set
# against none behind the Clique proxy).  Rounds alternate the engines, and
# the median of ROUNDS (default 3) is printed with the ratios (goal <= 1.3).
# Run from a build directory: make bench-engines.
set -u
events=${1:-5000}
rounds=${ROUNDS:-3}
src=${LICGATE_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${LICGATE_BUILDDIR:-$PWD}
. "$src/tests/chain/anvil.sh"
tmp=$(mktemp -d)
pids=
cleanup() { [ -n "$pids" ] && kill $pids 2>/dev/null; chain_stop; rm -rf "$tmp"; }
trap cleanup EXIT
chain_start --max-persisted-states 1000000 --cache-path "$tmp/anvil-states" || exit 1
trap cleanup EXIT	# chain_start set its own
echo "generating $events registry events on anvil ..."
info=$(node "$src/tests/chain/bulk.mjs" --rpc "$ANVIL_URL" --events "$events" | tail -1) || exit 1
reg=$(node -e 'console.log(JSON.parse(process.argv[1]).registry)' "$info")
last=$(node -e 'console.log(JSON.parse(process.argv[1]).lastBlock)' "$info")
"$build/src/licgatectl" keygen -o "$tmp/key" >/dev/null

# proxy ENGINE: starts reseal.mjs (it re-seals every block before it
# answers); prints its URL and the re-sealed genesis hash.
proxy() {
	local out=$tmp/reseal.$1 i
	node "$src/tests/chain/reseal.mjs" --upstream "$ANVIL_URL" --engine "$1" \
		> "$out" 2>/dev/null &
	pids="$pids $!"
	for i in $(seq 1 6000); do [ "$(wc -l < "$out")" -ge 2 ] && break; sleep 0.05; done
	echo "$(sed -n 's/^reseal listening on //p' "$out") $(sed -n 2p "$out" |
		node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).genesis))')"
}
echo "re-sealing $last blocks as Clique and as QBFT ..."
read -r cl_url cl_gen < <(proxy clique)
read -r qb_url qb_gen < <(proxy qbft)

# sync ENGINE URL GENESIS: seconds from start to caught up.
sync() {
	rm -f "$tmp"/gw.db*
	cat > "$tmp/gw.conf" <<EOC
rpc.url = $2
chain.id = 31337
chain.engine = $1
chain.checkpoint_number = 0
chain.checkpoint_hash = $3
registry.address = $reg
db.path = $tmp/gw.db
http.port = 0
key.file = $tmp/key
EOC
	mkfifo "$tmp/logpipe.$$" 2>/dev/null
	local t0 t1 pid line caught=
	t0=$(date +%s.%N)
	"$build/src/licgated" -d -c "$tmp/gw.conf" 2>"$tmp/logpipe.$$" &
	pid=$!
	exec 3<"$tmp/logpipe.$$"
	while IFS= read -r line <&3; do
		case $line in *"caught up"*) caught=1; break;; *refuses*|*mismatch*) break;; esac
	done
	t1=$(date +%s.%N)
	cat <&3 >/dev/null &
	kill -TERM "$pid"; wait "$pid" 2>/dev/null
	exec 3<&-
	rm -f "$tmp/logpipe.$$"
	[ -n "$caught" ] || { echo "licgated with $1 did not catch up: $line" >&2; return 1; }
	node -e 'console.log((process.argv[2] - process.argv[1]).toFixed(3))' "$t0" "$t1"
}

n=() c=() q=()
for r in $(seq 1 "$rounds"); do
	n+=("$(sync none "$cl_url" "$cl_gen")") || exit 1
	c+=("$(sync clique "$cl_url" "$cl_gen")") || exit 1
	q+=("$(sync qbft "$qb_url" "$qb_gen")") || exit 1
	echo "round $r: none ${n[-1]} s, clique ${c[-1]} s, qbft ${q[-1]} s"
done
node -e '
  const med = (s) => { const v = s.split(" ").map(Number).sort((a, b) => a - b); return v[v.length >> 1]; };
  const [n, c, q, blocks, events] = process.argv.slice(1);
  const mn = med(n), mc = med(c), mq = med(q);
  console.log(`chain: ${blocks} blocks, ${events} registry events; medians of ${n.split(" ").length} rounds`);
  console.log(`none   ${mn.toFixed(2)} s (behind the Clique proxy)`);
  console.log(`clique ${mc.toFixed(2)} s  ratio ${(mc / mn).toFixed(3)} (goal <= 1.3)`);
  console.log(`qbft   ${mq.toFixed(2)} s  ratio ${(mq / mn).toFixed(3)} (goal <= 1.3; behind the QBFT proxy)`);
' "${n[*]}" "${c[*]}" "${q[*]}" "$last" "$events"
