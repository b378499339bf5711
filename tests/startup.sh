#!/usr/bin/env bash
# startup.sh: licgated refuses to start on a bad configuration, an
# unreachable node, the wrong chain, a readable key or another chain's
# database: one clear line on stderr and exit status 2, nothing left running.
. "${LICGATE_SRCDIR:-.}/tests/gw.sh"
gw_chain
dead=$(chain_free_port)

# refuse NAME PATTERN [CONF LINES...]: licgated -d exits 2 with one line.
refuse() {
	local name=$1 pat=$2 out rc
	shift 2
	gw_conf "$@"
	out=$(timeout 60 "$gwd" -d -c "$GW_TMP/gw.conf" 2>&1 >/dev/null); rc=$?
	check "$name: exit 2, one line naming it" \
		'[ $rc -eq 2 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -qE "$pat" <<<"$out" || { echo "# rc $rc: $out"; false; }'
}

refuse "unknown option" "gw.conf:1[0-9]: unknown option 'sync.batchsize' \\(did you mean 'sync.batch_size'" "sync.batchsize = 3"
refuse "bad value" 'gw.conf:1[0-9]: chain.confirmations' "chain.confirmations = many"
refuse "unknown engine" 'chain.engine' "chain.engine = proof-of-luck"
GW_RPC=http://127.0.0.1:$dead refuse "unreachable node" "127.0.0.1:$dead.*eth_chainId"
refuse "wrong chain" "eth_chainId is 31337, chain.id is 5" "chain.id = 5" "chain.node_is_trusted = yes"
refuse "engine none off a development chain" "gw.conf: chain.engine = none checks no consensus.*chain.node_is_trusted = yes" "chain.id = 5"
refuse "chain.signers without clique or qbft" "gw.conf:1[0-9]: chain.signers is for chain.engine = clique or qbft" \
	"chain.signers = 0x7e5f4552091a69125d5dfcb7b8c2659029395bdf"
chmod 644 "$GW_TMP/gw.key"
refuse "group-readable key" "gw.key.*mode 0644.*chmod 600"
chmod 600 "$GW_TMP/gw.key"
check "a refused start leaves no database behind" '[ ! -e "$GW_TMP/gw.db" ]'
sqlite3 "$GW_TMP/gw.db" "CREATE TABLE t (x)"
refuse "foreign database" "gw.db: not a licgate database"
rm -f "$GW_TMP/gw.db"
out=$("$gwd" -n -c "$GW_TMP/missing.conf" 2>&1); rc=$?
check "-n on a missing file: exit 2 naming it" '[ $rc -eq 2 ] && grep -q "missing.conf" <<<"$out"'
out=$("$gwd" --bogus 2>&1); rc=$?
check "an unknown flag prints usage and exits 2" '[ $rc -eq 2 ] && grep -q "^usage: licgated" <<<"$out"'
check "--help describes the flags" '"$gwd" --help | grep -q -- "-n, --check"'
check "nothing is left listening" '! pgrep -f "licgated -d -c $GW_TMP" >/dev/null'
exit $fail
