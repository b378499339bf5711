#!/usr/bin/env bash
# demo.sh: the README's first command.  Installs what is missing, builds,
# starts a local chain (anvil) with the license registry and sample data,
# starts licgated, fetches an attestation for each device with curl and
# verifies it as the device would, and once more from a second licgated
# with an ES256 (P-256) key; then shows a lying node caught.
#   ./demo.sh          run the demo, stop everything it started
#   ./demo.sh --keep   leave anvil and licgated running, print what to try
set -uo pipefail
cd "$(dirname "$0")"
keep=0
case "${1:-}" in
--keep) keep=1 ;;
--help | -h) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
# The registry CLI keeps the contract's solc output in the build directory
# (tests/chain/compile.mjs): solc runs once, not once per call.
export LICGATE_BUILDDIR=$PWD/build

. tests/chain/anvil.sh
step "starting a local chain (anvil)"
chain_start || die "anvil did not start"
[ $keep -eq 1 ] && trap - EXIT
echo "anvil at $ANVIL_URL (pid $ANVIL_PID)"
R() { node tests/chain/registry.mjs --rpc "$ANVIL_URL" "$@"; }
J() { node -e "const d = JSON.parse(require('fs').readFileSync(0)); console.log($1)"; }
tmp=$(mktemp -d /tmp/licgate-demo.XXXXXX)

step "deploying the license registry and sample data"
LICGATE_REGISTRY=$(R deploy | J "d.address.toLowerCase()") || die "deploy failed"
export LICGATE_REGISTRY
echo "registry at $LICGATE_REGISTRY"
step "creating the gateway's signing key"
"$ctl" keygen -o "$tmp/gateway.key" || die "keygen failed"
gateway=$("$ctl" key-info -k "$tmp/gateway.key" | awk '/^address/ {print $2}')
gwpub=$("$ctl" key-info -k "$tmp/gateway.key" | awk '/^public key/ {print $3}')
vendor=$(R account 1 | J d.address)
R vendor add "$vendor" "Acme Sensors" >/dev/null
R gateway add "$gateway" "hall 3 gateway" >/dev/null
now=$(date +%s)
roles=([1]=sensor [2]=controller [3]=gateway)
for i in 1 2 3; do
	fw[$i]=0x$(printf 'acme %s firmware 7' "${roles[$i]}" | sha256sum | cut -c1-64)
	R --from 1 firmware register "${fw[$i]}" 7 $i $((now + 86400 * 365)) "https://fw.example/acme/${roles[$i]}-7.bin" >/dev/null
	R --from 1 device register "$(R devkey $i | J d.publicKey)" $i >/dev/null
	dev[$i]=$(R devkey $i | J d.address)
done
valid=$(R --from 1 license issue "${dev[1]}" 1 9 0 $((now + 86400 * 30)) 1 | J d.events[0].args.licenseId)
expired=$(R --from 1 license issue "${dev[2]}" 2 9 0 $((now - 60)) 1 | J d.events[0].args.licenseId)
revoked=$(R --from 1 license issue "${dev[3]}" 3 9 0 0 1 | J d.events[0].args.licenseId)
revblock=$(R --from 1 license revoke "$revoked" 2 | J d.block)
printf '  vendor   %s\n  gateway  %s (its key: %s)\n' "$vendor" "$gateway" "$tmp/gateway.key"
printf '  device 1 %s  %-10s license %s valid for 30 days\n' "${dev[1]}" "${roles[1]}" "$valid"
printf '  device 2 %s  %-10s license %s expired a minute ago\n' "${dev[2]}" "${roles[2]}" "$expired"
printf '  device 3 %s  %-10s license %s revoked\n' "${dev[3]}" "${roles[3]}" "$revoked"

rpc() { curl -s -H 'Content-Type: application/json' --data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":$2}" "$ANVIL_URL" | J "JSON.stringify(d.result)"; }
# Two more blocks so that every change has its confirmations.
rpc anvil_mine '["0x2"]' >/dev/null
step "starting licgated (it verifies the chain into $tmp/gateway.db)"
cat > "$tmp/gateway.conf" <<EOC
rpc.url = $ANVIL_URL
chain.id = 31337
chain.checkpoint_number = 0
chain.checkpoint_hash = $(rpc eth_getBlockByNumber '["0x0",false]' | J d.hash)
chain.confirmations = 2
registry.address = $LICGATE_REGISTRY
db.path = $tmp/gateway.db
http.listen = 127.0.0.1
http.port = 0
key.file = $tmp/gateway.key
anchor.max_pending = 1
EOC
./build/src/licgated -d -c "$tmp/gateway.conf" 2>"$tmp/licgated.log" &
gwpid=$!
[ $keep -eq 1 ] || trap 'kill $gwpid 2>/dev/null; chain_stop; rm -rf "$tmp"' EXIT
# caught_up LOG PID NAME: waits (30 s at most) until the licgated of PID,
# logging to LOG, has caught up with the chain; prints its HTTP port.
caught_up() {
	for i in $(seq 1 600); do
		grep -q "caught up" "$1" && break
		kill -0 "$2" 2>/dev/null || { cat "$1" >&2; die "$3 stopped"; }
		sleep 0.05
	done
	grep -q "caught up" "$1" || die "$3 did not catch up"
	sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$1"
}
port=$(caught_up "$tmp/licgated.log" $gwpid licgated) || exit 1
sed 's/^/  /' "$tmp/licgated.log"
base=http://127.0.0.1:$port
echo "\$ licgatectl status"
"$ctl" status --db "$tmp/gateway.db" | sed 's/^/  /'
echo "\$ licgatectl key-info -c gateway.conf"
"$ctl" key-info -c "$tmp/gateway.conf" | sed 's/^/  /'

step "each device asks for an attestation; licgatectl verify reads it as the device would"
for i in 1 2 3; do
	nonce=0x$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
	echo "\$ curl '$base/v1/attestation?device=${dev[$i]}&firmware=${fw[$i]}&nonce=$nonce'"
	curl -sf -o "$tmp/token.$i" "$base/v1/attestation?device=${dev[$i]}&firmware=${fw[$i]}&nonce=$nonce" || die "no attestation"
	echo "\$ licgatectl verify token.$i --gateway-key $gwpub --device ${dev[$i]} --nonce $nonce --firmware ${fw[$i]}"
	"$ctl" verify "$tmp/token.$i" --gateway-key "$gwpub" --device "${dev[$i]}" --nonce "$nonce" --firmware "${fw[$i]}" | sed 's/^/  /'
done

step "the same device and image from an ES256 (P-256) gateway, for devices with a stock COSE library"
"$ctl" keygen --alg es256 -o "$tmp/es256.key" | sed 's/^/  /' || die "keygen --alg es256 failed"
sed -e "s|^key.file = .*|key.file = $tmp/es256.key|" -e "s|^db.path = .*|db.path = $tmp/es256.db|" \
	"$tmp/gateway.conf" > "$tmp/es256.conf"
echo "attestation.alg = ES256" >> "$tmp/es256.conf"
./build/src/licgated -d -c "$tmp/es256.conf" 2>"$tmp/es256.log" &
espid=$!
[ $keep -eq 1 ] || trap 'kill $gwpid $espid 2>/dev/null; chain_stop; rm -rf "$tmp"' EXIT
esport=$(caught_up "$tmp/es256.log" $espid "the ES256 licgated") || exit 1
[ -n "$esport" ] || die "the ES256 licgated did not start"
espub=$("$ctl" key-info -k "$tmp/es256.key" | awk '/^public key/ {print $3}')
nonce=0x$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "\$ curl 'http://127.0.0.1:$esport/v1/attestation?device=${dev[1]}&firmware=${fw[1]}&nonce=$nonce'"
curl -sf -o "$tmp/token.es256" "http://127.0.0.1:$esport/v1/attestation?device=${dev[1]}&firmware=${fw[1]}&nonce=$nonce" || die "no ES256 attestation"
echo "\$ licgatectl verify token.es256 --gateway-key $espub --alg es256 --device ${dev[1]} --nonce $nonce --firmware ${fw[1]}"
"$ctl" verify "$tmp/token.es256" --gateway-key "$espub" --alg es256 --device "${dev[1]}" --nonce "$nonce" --firmware "${fw[1]}" | sed 's/^/  /'
echo "\$ python3 tests/cose/verify_es256.py --key $espub token.es256   (python3-cryptography and cbor2)"
/usr/bin/python3 tests/cose/verify_es256.py --key "$espub" "$tmp/token.es256" | sed 's/^/  /' || die "the stock COSE check failed"

step "device 1 signs its request with its own key (POST); the gateway checks it against the registry"
k=$(R devkey 1 | J d.privateKey)
(umask 077; printf '%s\n' "${k#0x}" > "$tmp/device1.key")
nonce=0x$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "\$ licgatectl request -k device1.key --gateway $gwpub --firmware ${fw[1]} --nonce $nonce |"
echo "    curl -H 'Content-Type: application/cose' --data-binary @- $base/v1/attestation"
"$ctl" request -k "$tmp/device1.key" --gateway "$gwpub" --firmware "${fw[1]}" --nonce "$nonce" |
	curl -sf -H 'Content-Type: application/cose' --data-binary @- -o "$tmp/token.post" "$base/v1/attestation" ||
	die "no attestation for the signed request"
"$ctl" verify "$tmp/token.post" --gateway-key "$gwpub" --device "${dev[1]}" --nonce "$nonce" --firmware "${fw[1]}" | sed 's/^/  /'

step "device 1 reports its install; licgated anchors it on chain; an auditor proves it"
# The gateway pays for its anchors: anvil's first account funds it.
rpc eth_sendTransaction "[{\"from\":\"$(R account 0 | J d.address)\",\"to\":\"$gateway\",\"value\":\"0xde0b6b3a7640000\"}]" >/dev/null
echo "\$ licgatectl install-report -k device1.key --gateway $gateway --firmware ${fw[1]} --version 9 |"
echo "    curl -H 'Content-Type: application/cose' --data-binary @- $base/v1/installs"
"$ctl" install-report -k "$tmp/device1.key" --gateway "$gateway" --firmware "${fw[1]}" --version 9 |
	curl -sf -H 'Content-Type: application/cose' --data-binary @- "$base/v1/installs" | sed 's/^/  /' ||
	die "the install report was refused"
echo
# licgated sends the anchor at once (anchor.max_pending = 1) and marks it
# anchored once its own follower has verified it with its confirmations.
for i in $(seq 1 300); do
	[ "$(sqlite3 "$tmp/gateway.db" 'SELECT count(*) FROM installs WHERE anchor_block IS NOT NULL')" = 1 ] && break
	kill -0 $gwpid 2>/dev/null || { cat "$tmp/licgated.log"; die "licgated stopped"; }
	rpc anvil_mine '["0x1"]' >/dev/null
	sleep 0.1
done
grep -E "anchor" "$tmp/licgated.log" | sed 's/^/  /'
echo "\$ licgatectl installs -c gateway.conf"
"$ctl" installs -c "$tmp/gateway.conf" | sed 's/^/  /'
echo "\$ licgatectl install-proof 1 -c gateway.conf -o proof.json"
"$ctl" install-proof 1 -c "$tmp/gateway.conf" -o "$tmp/proof.json" | sed 's/^/  /' || die "no install proof"
echo "\$ licgatectl verify-install proof.json --rpc $ANVIL_URL --conf gateway.conf"
"$ctl" verify-install "$tmp/proof.json" --rpc "$ANVIL_URL" --conf "$tmp/gateway.conf" | sed 's/^/  /' ||
	die "the install proof did not verify"

step "and a node that lies is caught"
blk=$(printf '"0x%x"' "$revblock")
rpc eth_getBlockByNumber "[$blk,false]" > "$tmp/block.json"
rpc eth_getBlockReceipts "[$blk]" > "$tmp/receipts.json"
node -e 'const fs = require("fs"); const d = {header: JSON.parse(fs.readFileSync(process.argv[1])), receipts: JSON.parse(fs.readFileSync(process.argv[2]))};
  const l = d.receipts.flatMap((r) => r.logs).find((l) => l.data.length > 2);
  if (l) l.data = l.data.slice(0, -1) + (l.data.endsWith("0") ? "1" : "0");
  fs.writeFileSync(process.argv[3], JSON.stringify(d));' "$tmp/block.json" "$tmp/receipts.json" "$tmp/lie.json"
echo "\$ licgatectl verify-block (block $revblock as the node serves it)"
node -e 'const fs = require("fs"); fs.writeFileSync(process.argv[3], JSON.stringify({header: JSON.parse(fs.readFileSync(process.argv[1])), receipts: JSON.parse(fs.readFileSync(process.argv[2]))}))' \
	"$tmp/block.json" "$tmp/receipts.json" "$tmp/full.json"
"$ctl" verify-block "$tmp/full.json" | sed 's/^/  /'
echo "\$ licgatectl verify-block (the same block, the revocation's data changed by the node)"
"$ctl" verify-block "$tmp/lie.json" | sed 's/^/  /'
echo "  (licgated refuses such a block the same way, and keeps serving the last verified state)"

if [ $keep -eq 1 ]; then
	cat <<EOT

licgated keeps running (pid $gwpid) on $base, the ES256 one (pid $espid) on
http://127.0.0.1:$esport, anvil at $ANVIL_URL (pid $ANVIL_PID).
Try:
  curl -s -H 'Accept: application/json' '$base/v1/attestation?device=${dev[1]}&firmware=${fw[1]}'
  curl -s $base/v1/status
  build/src/licgatectl status -c $tmp/gateway.conf
  sqlite3 $tmp/gateway.db 'SELECT * FROM v_licenses'
Stop them with: kill $gwpid $espid $ANVIL_PID; rm -rf $tmp
EOT
else
	kill -TERM $gwpid $espid; wait $gwpid $espid
	rm -rf "$tmp"
	echo
	echo "demo finished; everything it started is stopped."
fi
