#!/usr/bin/env bash
# keys.sh: licgatectl keygen and key-info: mode 0600, no silent overwrite,
# refusal of readable keys, of symbolic links, of other users' and of
# oversized files, and the address ethers computes from the key; P-256
# keys (keygen --alg es256) and licgated's refusal of a key whose curve is
# not attestation.alg's.
set -u
ctl=${LICGATE_BUILDDIR:-.}/src/licgatectl
chain=${LICGATE_SRCDIR:-.}/tests/chain
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi; }

out=$("$ctl" keygen -o "$tmp/gw.key"); rc=$?
check "keygen exits 0" '[ $rc -eq 0 ]'
check "key file has mode 0600" '[ "$(stat -c %a "$tmp/gw.key")" = 600 ]'
check "key file is 64 hex digits and a newline" '[ "$(wc -c < "$tmp/gw.key")" -eq 65 ] && grep -qxE "[0-9a-f]{64}" "$tmp/gw.key"'
addr=$(awk '/^address/ {print $2}' <<<"$out")
want=$(cd "$chain" && node -e 'const {ethers} = require("ethers");
  const k = require("fs").readFileSync(process.argv[1], "utf8").trim();
  console.log(new ethers.Wallet("0x" + k).address.toLowerCase())' "$tmp/gw.key")
check "keygen prints the address ethers derives from the key" '[ -n "$addr" ] && [ "$addr" = "$want" ]'
info=$("$ctl" key-info -k "$tmp/gw.key")
check "key-info prints the same address" 'grep -q "^address    $want$" <<<"$info"'
msg=$("$ctl" keygen -o "$tmp/gw.key" 2>&1); rc=$?
check "keygen refuses to overwrite without --force" '[ $rc -eq 2 ] && grep -q "use --force" <<<"$msg"'
check "the refused keygen left the key alone" '[ "$("$ctl" key-info -k "$tmp/gw.key" | head -1)" = "address    $want" ]'
"$ctl" keygen -o "$tmp/gw.key" --force >/dev/null
check "keygen --force makes a new key" '! grep -q "$want" <<<"$("$ctl" key-info -k "$tmp/gw.key")"'
chmod 640 "$tmp/gw.key"
msg=$("$ctl" key-info -k "$tmp/gw.key" 2>&1); rc=$?
check "key-info refuses a group-readable key and names the fix" '[ $rc -eq 2 ] && grep -q "mode 0640 .*chmod 600" <<<"$msg"'
printf 'not a key\n' > "$tmp/bad.key"; chmod 600 "$tmp/bad.key"
msg=$("$ctl" key-info -k "$tmp/bad.key" 2>&1); rc=$?
check "key-info refuses a malformed key file" '[ $rc -eq 2 ] && grep -q "not a licgate key file" <<<"$msg"'
printf '%064d\n' 0 > "$tmp/zero.key"; chmod 600 "$tmp/zero.key"
"$ctl" key-info -k "$tmp/zero.key" >/dev/null 2>&1; rc=$?
check "key-info refuses the zero key (not a valid secret)" '[ $rc -eq 2 ]'
"$ctl" keygen -o "$tmp/real.key" >/dev/null
ln -s "$tmp/real.key" "$tmp/link.key"
msg=$("$ctl" key-info -k "$tmp/link.key" 2>&1); rc=$?
check "key-info refuses a key file that is a symbolic link" '[ $rc -eq 2 ] && grep -q "link.key: is a symbolic link" <<<"$msg"'
if [ "$(id -u)" -eq 0 ]; then
	cp "$tmp/real.key" "$tmp/theirs.key"; chmod 600 "$tmp/theirs.key"; chown 65534 "$tmp/theirs.key"
	msg=$("$ctl" key-info -k "$tmp/theirs.key" 2>&1); rc=$?
	check "key-info refuses a key file owned by another user" '[ $rc -eq 2 ] && grep -q "owned by uid 65534" <<<"$msg"'
fi
head -c 4096 /dev/zero > "$tmp/big.key"; chmod 600 "$tmp/big.key"
msg=$("$ctl" key-info -k "$tmp/big.key" 2>&1); rc=$?
check "key-info refuses an oversized key file by its size" '[ $rc -eq 2 ] && grep -q "big.key: file too large" <<<"$msg"'

# P-256 keys for ES256: the file says its curve, the address is keccak of
# X||Y as Node's OpenSSL and ethers compute it, and licgated will not sign
# with a key of another curve than attestation.alg names.
check "key-info says a secp256k1 key is ES256K" '"$ctl" key-info -k "$tmp/real.key" | grep -qx "algorithm  ES256K"'
out=$("$ctl" keygen --alg es256 -o "$tmp/p256.key"); rc=$?
check "keygen --alg es256 exits 0, mode 0600" '[ $rc -eq 0 ] && [ "$(stat -c %a "$tmp/p256.key")" = 600 ]'
check "a P-256 key file is the line p256, then 64 hex digits and a newline" \
	'[ "$(wc -c < "$tmp/p256.key")" -eq 70 ] && [ "$(head -1 "$tmp/p256.key")" = p256 ] && tail -n +2 "$tmp/p256.key" | grep -qxE "[0-9a-f]{64}"'
want=$(cd "$chain" && node -e 'const {ethers} = require("ethers");
  const k = require("fs").readFileSync(process.argv[1], "utf8").split("\n")[1];
  const e = require("crypto").createECDH("prime256v1"); e.setPrivateKey(k, "hex");
  console.log("0x" + ethers.keccak256(e.getPublicKey().subarray(1)).slice(-40))' "$tmp/p256.key")
check "keygen --alg es256 prints the address of keccak(X||Y) of the P-256 key" \
	'[ -n "$want" ] && grep -q "^address    $want$" <<<"$out" && grep -qx "algorithm  ES256" <<<"$out"'
info=$("$ctl" key-info -k "$tmp/p256.key" --json)
check "key-info reads a P-256 key: its address and alg ES256" \
	'grep -q "\"address\": \"$want\"" <<<"$info" && grep -q "\"alg\": \"ES256\"" <<<"$info"'
"$ctl" keygen --alg rsa -o "$tmp/rsa.key" >/dev/null 2>&1; rc=$?
check "keygen --alg of an unknown algorithm is a usage error" '[ $rc -eq 2 ] && [ ! -e "$tmp/rsa.key" ]'
gwd=${LICGATE_BUILDDIR:-.}/src/licgated
conf() {	# conf KEYFILE [ALG]: a configuration licgated -n checks
	printf '%s\n' "rpc.url = http://127.0.0.1:1" "chain.id = 31337" \
		"chain.checkpoint_number = 0" "chain.checkpoint_hash = 0x$(printf '%064d' 1)" \
		"registry.address = 0x$(printf '%040d' 5)" "db.path = $tmp/gw.db" \
		"key.file = $1" ${2:+"attestation.alg = $2"} > "$tmp/gw.conf"
}
conf "$tmp/p256.key"
msg=$("$gwd" -n -c "$tmp/gw.conf" 2>&1); rc=$?
check "licgated refuses a P-256 key under the default attestation.alg, naming both" \
	'[ $rc -ne 0 ] && grep -q "p256.key: a P-256 key (ES256), but attestation.alg = ES256K" <<<"$msg"'
conf "$tmp/real.key" ES256
msg=$("$gwd" -n -c "$tmp/gw.conf" 2>&1); rc=$?
check "licgated refuses a secp256k1 key under attestation.alg = ES256, naming both" \
	'[ $rc -ne 0 ] && grep -q "real.key: a secp256k1 key (ES256K), but attestation.alg = ES256" <<<"$msg"'
conf "$tmp/p256.key" ES256
msg=$("$gwd" -n -c "$tmp/gw.conf" 2>&1); rc=$?
check "licgated -n accepts a P-256 key under attestation.alg = ES256" '[ $rc -eq 0 ] || { echo "# $msg"; false; }'
exit $fail
