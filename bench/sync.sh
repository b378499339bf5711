#!/usr/bin/env bash
# bench/sync.sh [EVENTS]: licgated from an empty database to caught up on an
# anvil holding EVENTS registry events (default 20000) across many blocks,
# against a plain eth_getLogs download of the same events in the same run.
# Prints both times, their ratio (goal < 2) and licgated's peak RSS (goal
# < 32 MiB).  Run from a build directory: make bench-sync.
set -u
events=${1:-20000}
src=${LICGATE_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${LICGATE_BUILDDIR:-$PWD}
. "$src/tests/chain/anvil.sh"
tmp=$(mktemp -d)
cleanup() { [ -n "${pid:-}" ] && kill -9 "$pid" 2>/dev/null; chain_stop; rm -rf "$tmp"; }
trap cleanup EXIT
chain_start --max-persisted-states 1000000 --cache-path "$tmp/anvil-states" || exit 1
trap cleanup EXIT	# chain_start set its own
echo "generating $events registry events on anvil ..."
info=$(node "$src/tests/chain/bulk.mjs" --rpc "$ANVIL_URL" --events "$events" | tail -1) || exit 1
get() { node -e 'console.log(JSON.parse(process.argv[1])[process.argv[2]])' "$info" "$1"; }
reg=$(get registry); last=$(get lastBlock)
h0=$(curl -sf -H 'Content-Type: application/json' --data \
	'{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["0x0",false]}' "$ANVIL_URL" |
	node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).result.hash))')
"$build/src/licgatectl" keygen -o "$tmp/key" >/dev/null
cat > "$tmp/gw.conf" <<EOC
rpc.url = $ANVIL_URL
chain.id = 31337
chain.checkpoint_number = 0
chain.checkpoint_hash = $h0
registry.address = $reg
db.path = $tmp/gw.db
http.port = 0
key.file = $tmp/key
EOC
echo "chain: $last blocks, $(get eventCount) events; syncing ..."
# The log comes through a pipe and is read as it is written: polling the
# file would take CPU from the two processes being measured.
mkfifo "$tmp/logpipe"
t0=$(date +%s.%N)
"$build/src/licgated" -d -c "$tmp/gw.conf" 2>"$tmp/logpipe" &
pid=$!
exec 3<"$tmp/logpipe"
caught=
while IFS= read -r line <&3; do
	printf '%s\n' "$line" >> "$tmp/log"
	case $line in *"caught up"*) caught=1; break;; esac
done
t1=$(date +%s.%N)
[ -n "$caught" ] || { cat "$tmp/log"; exit 1; }
cat <&3 >> "$tmp/log" &
rss=$(awk '/^VmHWM/ {print $2}' /proc/$pid/status)
kill -TERM "$pid"; wait "$pid"; pid=
stored=$(sqlite3 "$tmp/gw.db" "SELECT count(*) FROM events")
base=$("$build/bench/getlogs" "$ANVIL_URL" "$reg" 0 "$last" 500) || exit 1
node -e '
  const [t0, t1, base, rss, stored, events, blocks] = process.argv.slice(1);
  const sync = t1 - t0, logs = Number(base.split(" ")[3]);
  console.log(`blocks                 ${blocks}`);
  console.log(`events                 ${events} on chain, ${stored} verified and stored`);
  console.log(`licgated empty->caught ${sync.toFixed(2)} s`);
  console.log(`eth_getLogs download   ${logs.toFixed(2)} s (${base.split(" ")[1]} logs)`);
  console.log(`ratio                  ${(sync / logs).toFixed(2)} (goal < 2)`);
  console.log(`peak RSS               ${(rss / 1024).toFixed(1)} MiB (goal < 32)`);
' "$t0" "$t1" "$base" "$rss" "$stored" "$(get eventCount)" "$last"
[ "$stored" = "$(get eventCount)" ]
