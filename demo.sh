#!/usr/bin/env bash
# demo.sh: the README's first command.  Installs what is missing, builds,
# starts a local chain (anvil) with the license registry and sample data,
# and shows licgate verifying what the node serves instead of trusting it.
#   ./demo.sh          run the demo, stop everything it started
#   ./demo.sh --keep   leave anvil running and print commands to try
set -uo pipefail
cd "$(dirname "$0")"
keep=0
case "${1:-}" in
--keep) keep=1 ;;
--help | -h) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
"") ;;
*) echo "demo.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
esac
. scripts/deps.sh
step() { printf '\n==> %s\n' "$*"; }
die() { echo "demo.sh: $*" >&2; exit 1; }

step "installing what is missing"
lg_install_deps || die "installing dependencies failed"
step "building licgate (build/)"
autoreconf -fi >/dev/null 2>&1 || die "autoreconf failed"
mkdir -p build
(cd build && ../configure -q >/dev/null && make -s -j"$(nproc)" >/dev/null 2>&1) ||
	die "build failed: run 'cd build && make' to see why"
ctl=$PWD/build/src/licgatectl

. tests/chain/anvil.sh
step "starting a local chain (anvil)"
chain_start || die "anvil did not start"
[ $keep -eq 1 ] && trap - EXIT
echo "anvil at $ANVIL_URL (pid $ANVIL_PID)"
R() { node tests/chain/registry.mjs --rpc "$ANVIL_URL" "$@"; }
J() { node -e "const d = JSON.parse(require('fs').readFileSync(0)); console.log($1)"; }
tmp=$(mktemp -d)

step "deploying the license registry and sample data"
LICGATE_REGISTRY=$(R deploy | J d.address) || die "deploy failed"
export LICGATE_REGISTRY
echo "registry at $LICGATE_REGISTRY"
vendor=$(R account 1 | J d.address)
gateway=$(R account 9 | J d.address)
R vendor add "$vendor" "Acme Sensors" >/dev/null
R gateway add "$gateway" "hall 3 gateway" >/dev/null
now=$(date +%s)
fw=0x$(printf 'acme controller firmware 7' | sha256sum | cut -c1-64)
R --from 1 firmware register "$fw" 7 3 $((now + 86400 * 365)) https://fw.example/acme/7.bin >/dev/null
for i in 1 2 3; do
	key=$(R devkey $i | J d.publicKey)
	dev[$i]=$(R devkey $i | J d.address)
	R --from 1 device register "$key" $i >/dev/null
done
R --from 1 device role "${dev[3]}" 3 >/dev/null
valid=$(R --from 1 license issue "${dev[1]}" 3 9 0 $((now + 86400 * 30)) 1 | J d.events[0].args.licenseId)
expired=$(R --from 1 license issue "${dev[2]}" 3 9 0 $((now - 60)) 1 | J d.events[0].args.licenseId)
revoked=$(R --from 1 license issue "${dev[3]}" 3 9 0 0 1 | J d.events[0].args.licenseId)
R --from 1 license revoke "$revoked" 2 >/dev/null
printf '  vendor   %s\n  gateway  %s\n  firmware %s (version 7, role 3)\n' "$vendor" "$gateway" "$fw"
printf '  device 1 %s  license %s valid for 30 days\n' "${dev[1]}" "$valid"
printf '  device 2 %s  license %s expired a minute ago\n' "${dev[2]}" "$expired"
printf '  device 3 %s  license %s revoked\n' "${dev[3]}" "$revoked"

rpc() { curl -s -H 'Content-Type: application/json' --data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":$2}" "$ANVIL_URL" | J "JSON.stringify(d.result)"; }
step "verifying, without trusting the node"
head=$(rpc eth_blockNumber '[]' | J d)
echo "the node says its head is block $((head))"
rpc eth_getBlockByNumber "[\"$head\",false]" > "$tmp/block.json"
rpc eth_getBlockReceipts "[\"$head\"]" > "$tmp/receipts.json"
node -e 'const fs = require("fs"); fs.writeFileSync(process.argv[3], JSON.stringify({header: JSON.parse(fs.readFileSync(process.argv[1])), receipts: JSON.parse(fs.readFileSync(process.argv[2]))}))' \
	"$tmp/block.json" "$tmp/receipts.json" "$tmp/full.json"
echo "\$ licgatectl verify-block (head block with its receipts)"
"$ctl" verify-block "$tmp/full.json"
R proof > "$tmp/proof.json"
echo "\$ licgatectl verify-proof (registry slots 0 = eventCount, 1 = eventDigest)"
"$ctl" verify-proof "$tmp/proof.json"
echo "the digest recomputed from every registry log, against the proven slots:"
R digest | J '"  " + d.logs.count + " events, digest " + d.logs.digest + (d.equal ? "  == contract storage" : "  DIFFERS from contract storage")'
echo "and a node that lies is caught: the same block with one log's data changed:"
node -e 'const fs = require("fs"); const d = JSON.parse(fs.readFileSync(process.argv[1]));
  const l = d.receipts.flatMap((r) => r.logs).find((l) => l.data.length > 2);
  if (l) l.data = l.data.slice(0, -1) + (l.data.endsWith("0") ? "1" : "0");
  fs.writeFileSync(process.argv[2], JSON.stringify(d));' "$tmp/full.json" "$tmp/lie.json"
"$ctl" verify-block "$tmp/lie.json"; echo "  (exit status $?)"

cat <<EOT

Not built yet: licgated, the daemon that follows this chain into a SQLite cache
and serves signed attestations over HTTP (issues 4 and 5).  Until it exists, this
demo shows the verification it rests on.
EOT
rm -rf "$tmp"
if [ $keep -eq 1 ]; then
	cat <<EOT

anvil keeps running at $ANVIL_URL (pid $ANVIL_PID); the registry is $LICGATE_REGISTRY.
Try:
  node tests/chain/registry.mjs --rpc $ANVIL_URL --registry $LICGATE_REGISTRY dump
  node tests/chain/registry.mjs --rpc $ANVIL_URL --registry $LICGATE_REGISTRY digest
Stop it with: kill $ANVIL_PID
EOT
fi
