#!/usr/bin/env bash
# bench/busy.sh [--normal] [--heavy] [--delay MS] [--events N] [--blocks B]
# licgated from an empty database to caught up on chains that are hard on
# it, each on its own anvil, next to a plain eth_getLogs download of the
# same registry events in the same run:
#   --normal     a busy chain (tests/chain/busy.mjs): B blocks (default
#                1000) of 20 transactions logging 40 events each, about 100
#                registry events among them, so that nearly every block's
#                logsBloom matches the registry;
#   --heavy      the same with over 1 MiB of receipts a block: does
#                licgated reach the head with its default options?
#   --delay MS   the distance run: the registry-heavy chain of bench/sync.sh
#                (tests/chain/bulk.mjs, N events, default 20000) behind
#                tests/chain/delay.mjs, which holds every answer back MS ms;
#                both downloads go through it.
# Without options: --normal, then --heavy.  Prints times, bytes received
# (licgated's from /metrics, or as the delay proxy counted them), the blocks
# whose receipts licgated fetched next to those holding registry events,
# peak RSS, and one verdict line per goal.  Run from a build directory:
# make bench-busy, make bench-distance.
set -u
src=${LICGATE_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${LICGATE_BUILDDIR:-$PWD}
chain=$src/tests/chain
export LICGATE_BUILDDIR=$build	# solc's output is cached there
. "$chain/anvil.sh"
runs= delay= events=20000 blocks=1000
while [ $# -gt 0 ]; do
	case $1 in
	--normal|--heavy) runs="$runs ${1#--}";;
	--delay) delay=$2; runs="$runs distance"; shift;;
	--events) events=$2; shift;;
	--blocks) blocks=$2; shift;;
	*) echo "usage: bench/busy.sh [--normal] [--heavy] [--delay MS] [--events N] [--blocks B]" >&2; exit 2;;
	esac
	shift
done
runs=${runs:-normal heavy}
# How long licgated may take to reach the head, and how long it may go on
# failing once it has said why: the heavy chain never syncs on a follower
# that asks for more than its answer size limit.
limit=${LICGATE_BENCH_LIMIT:-900}
grace=${LICGATE_BENCH_GRACE:-60}
tmp=$(mktemp -d)
pid= proxy=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	[ -n "$proxy" ] && kill "$proxy" 2>/dev/null
	chain_stop; rm -rf "$tmp"
}
trap cleanup EXIT

get() { node -e 'console.log(JSON.parse(process.argv[1])[process.argv[2]])' "$info" "$1"; }
now() { date +%s.%N; }
# metric NAME: the sum of a /metrics family's samples, or n/a without one.
metric() {
	awk -v m="$1" '$1 == m || index($1, m "{") == 1 { s += $2; f = 1 }
	  END { if (f) printf "%.0f\n", s; else print "n/a" }' "$tmp/metrics"
}
mib() { case $1 in n/a) echo n/a;; *) awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }';; esac; }
kib() { awk -v b="$1" 'BEGIN { printf "%.1f KiB", b / 1024 }'; }
verdict() { printf 'goal  %-50s %s\n' "$1" "$2"; }

# start_proxy URL: delay.mjs in front of URL; sets PROXY_URL.
start_proxy() {
	local line
	rm -f "$tmp/proxy.out"; mkfifo "$tmp/proxy.out"
	node "$chain/delay.mjs" --upstream "$1" --delay "$delay" > "$tmp/proxy.out" 2>"$tmp/proxy.log" &
	proxy=$!
	# Its first line is its address, read as it comes.
	exec 4<"$tmp/proxy.out"
	read -r -t 30 -u 4 line || return 1
	PROXY_URL=${line#delay listening on }
	case $PROXY_URL in http://*) ;; *) return 1;; esac
}

# sync_licgated URL: licgated with default options from checkpoint 0 until
# it logs "caught up", or gives up: after $limit s, or after $grace s without a
# progress line once it has said something else (an error it may get
# past, or not).  Sets t_sync, reached (1 or empty), why (the last thing it
# said), rss (KiB), stored, and leaves /metrics in $tmp/metrics.
sync_licgated() {
	local h0 line t0 stop quiet left port
	h0=$(curl -sf -H 'Content-Type: application/json' --data \
		'{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["0x0",false]}' "$ANVIL_URL" |
		node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).result.hash))')
	rm -f "$tmp/gw.db" "$tmp/log" "$tmp/logpipe"
	[ -f "$tmp/key" ] || "$build/src/licgatectl" keygen -o "$tmp/key" >/dev/null
	cat > "$tmp/gw.conf" <<-EOC
	rpc.url = $1
	chain.id = 31337
	chain.checkpoint_number = 0
	chain.checkpoint_hash = $h0
	registry.address = $(get registry)
	db.path = $tmp/gw.db
	http.port = 0
	key.file = $tmp/key
	EOC
	# The log comes through a pipe and is read as it is written: polling
	# the file would take CPU from the processes being measured.
	mkfifo "$tmp/logpipe"
	t0=$(now)
	"$build/src/licgated" -d -c "$tmp/gw.conf" 2>"$tmp/logpipe" &
	pid=$!
	exec 3<"$tmp/logpipe"
	reached= why= port= quiet=
	stop=$(awk -v t="$t0" -v l="$limit" 'BEGIN { printf "%d", t + l }')
	while :; do
		left=$(( ${quiet:-$stop} - $(date +%s) ))
		[ "$left" -gt 0 ] || { why=${why:-"not at the head after $limit s"}; break; }
		IFS= read -r -t "$left" line <&3 || { [ $? -gt 128 ] && continue; why=${why:-"licgated exited"}; break; }
		printf '%s\n' "$line" >> "$tmp/log"
		case $line in
		*"caught up"*) reached=1; break;;
		*"listening on http://127.0.0.1:"*)
			port=${line##*127.0.0.1:}; port=${port%%/*};;
		*"sync: block "*|*"sync: verifying again after"*) quiet=;;
		*"started: "*|*"gateway address"*|*"authoris"*|*"chain.engine = none"*) ;;
		*)	why=${line#licgated: }
			[ -n "$quiet" ] || quiet=$(( $(date +%s) + grace ))
			[ "$quiet" -lt "$stop" ] || quiet=;;
		esac
	done
	t_sync=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
	cat <&3 >> "$tmp/log" &
	: > "$tmp/metrics"
	[ -n "$port" ] && curl -sf "http://127.0.0.1:$port/metrics" > "$tmp/metrics"
	rss=$(awk '/^VmHWM/ {print $2}' /proc/$pid/status 2>/dev/null)
	# CPU seconds licgated spent (user + system, all threads): with the
	# floor below, where its time goes.
	cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' /proc/$pid/stat 2>/dev/null)
	kill -TERM "$pid" 2>/dev/null; wait "$pid"; pid=
	exec 3<&-
	stored=$(sqlite3 "$tmp/gw.db" "SELECT count(*) FROM events" 2>/dev/null || echo 0)
}

# report URL TITLE KIND: the figures and verdicts of one run; getlogs
# through URL.
report() {
	local base logs_t logs_b recv blocks_f ratio src_recv= floor floor_t floor_b
	recv=$(metric licgate_rpc_received_bytes_total)
	# Behind the delay proxy its count is the figure, and is there before
	# the rpc metrics are.
	[ -n "$proxy" ] && recv=$(curl -sf "$1/__delay" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).bytes))') &&
		src_recv=" (counted by the proxy)"
	base=$("$build/bench/getlogs" "$1" "$(get registry)" 0 "$(get lastBlock)" 500) || return 1
	logs_t=$(echo "$base" | awk '{print $4}'); logs_b=$(echo "$base" | awk '{print $6}')
	blocks_f=$(metric licgate_sync_receipt_blocks_total)
	echo "== $2"
	printf '%-26s %s\n' "events" "$(get eventCount) on chain, $stored verified and stored"
	if [ -n "$reached" ]; then
		printf '%-26s %s\n' "licgated empty->head" "$t_sync s, received $(mib "$recv")$src_recv"
	else
		printf '%-26s %s\n' "licgated empty->head" "did NOT reach the head: gave up after $t_sync s, received $(mib "$recv")$src_recv"
	fi
	printf '%-26s %s\n' "eth_getLogs download" "$logs_t s, received $(kib "$logs_b") ($(echo "$base" | awk '{print $2}') logs)"
	ratio=$(awk -v a="$t_sync" -v b="$logs_t" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
	[ -n "$reached" ] || ratio=n/a
	printf '%-26s %s\n' "time ratio" "$ratio"
	printf '%-26s %s\n' "peak RSS" "$(awk -v k="${rss:-0}" 'BEGIN { printf "%.1f MiB", k / 1024 }')"
	printf '%-26s %s\n' "licgated CPU" "${cpu:-n/a} s (user + system, every thread)"
	[ -n "$why" ] && printf '%-26s %s\n' "licgated said" "$why"
	if [ "$3" != distance ]; then
		printf '%-26s %s\n' "receipts fetched" "$blocks_f blocks; $(get registryBlocks) hold registry events, the bloom matches $(get bloomBlocks)"
		verdict "blocks fetched = blocks with registry events" "$(
			case $blocks_f in n/a) echo "unknown (no licgate_sync_receipt_blocks_total)";;
			"$(get registryBlocks)") echo "met";; *) echo "NOT met ($blocks_f != $(get registryBlocks))";; esac)"
		verdict "peak RSS <= 32 MiB" "$([ "${rss:-0}" -le 32768 ] && echo met || echo NOT met)"
	else
		# The floor: what any verifying follower must download (every
		# header, the receipts of the blocks holding registry logs),
		# fetched by licgated's own fetch pool on as many connections,
		# with nothing checked or stored.
		floor=$("$build/bench/fetchfloor" "$1" "$(get registry)" 0 "$(get lastBlock)" 3) || return 1
		floor_t=$(echo "$floor" | awk '{print $6}'); floor_b=$(echo "$floor" | awk '{print $8}')
		printf '%-26s %s
' "headers+receipts only" "$floor_t s, received $(mib "$floor_b") (bench/fetchfloor: the same fetches, nothing verified)"
		printf '%-26s %s
' "floor / eth_getLogs" "$(awk -v a="$floor_t" -v b="$logs_t" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }') (the data a verifier must have; licgated / floor $(awk -v a="$t_sync" -v b="$floor_t" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'))"
		verdict "time <= 2 x eth_getLogs's over the same link" "$(awk -v r="$ratio" 'BEGIN { print (r != "n/a" && r <= 2) ? "met" : "NOT met" }')"
	fi
	if [ "$3" = heavy ]; then
		verdict "reaches the head with the default options" "$([ -n "$reached" ] && echo met || echo "NOT met: $why")"
	fi
	verdict "every event verified and stored" "$([ "$stored" = "$(get eventCount)" ] && echo met || echo NOT met)"
	echo
}

run() {
	local kind=$1 url title
	chain_start --max-persisted-states 1000000 --cache-path "$tmp/anvil-$kind" || return 1
	trap cleanup EXIT	# chain_start set its own
	echo "== generating the $kind chain on anvil ..."
	case $kind in
	distance)
		info=$(node "$chain/bulk.mjs" --rpc "$ANVIL_URL" --events "$events" | tail -1) || return 1
		info=$(node -e 'const o=JSON.parse(process.argv[1]);o.registryBlocks=o.bloomBlocks="-";console.log(JSON.stringify(o))' "$info")
		start_proxy "$ANVIL_URL" || { echo "busy.sh: delay.mjs did not start" >&2; return 1; }
		url=$PROXY_URL
		title="distance: $(get lastBlock) blocks, $(get eventCount) registry events, every answer $delay ms late";;
	*)
		info=$(node "$chain/busy.mjs" --rpc "$ANVIL_URL" --blocks "$blocks" $([ "$kind" = heavy ] && echo --heavy) | tail -1) || return 1
		url=$ANVIL_URL
		title="$kind busy chain: $(get lastBlock) blocks, receipts $(kib "$(get receiptBytesMin)")..$(kib "$(get receiptBytesMax)") a noisy block, $(get eventCount) registry events in $(get registryBlocks) blocks";;
	esac
	sync_licgated "$url"
	report "$url" "$title" "$kind" || return 1
	[ -n "$proxy" ] && { kill "$proxy"; wait "$proxy" 2>/dev/null; proxy=; exec 4<&-; }
	chain_stop
	rm -rf "$tmp/anvil-$kind"
	# A run that reached the head must have stored every event.
	[ -z "$reached" ] || [ "$stored" = "$(get eventCount)" ]
}

rc=0
for r in $runs; do run "$r" || rc=1; done
exit $rc
