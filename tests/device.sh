#!/usr/bin/env bash
# device.sh: the device verifier (src/verify/lgv.c) on an emulated
# microcontroller.  It is cross-built for a Cortex-M3 with libsecp256k1
# from Debian 12's source package (src/verify/device/build.sh) and run on
# QEMU's mps2-an385 board: it must accept a token licgated served through
# the real chain and refuse copies with one byte changed, each with the
# result the host verifier (licgatectl verify --json) gives; the same
# for an ES256 token from licgated with a P-256 key, with Mbed TLS's
# P-256 (lgv_p256_verify) in the image.  The P-256 verify alone must also
# accept a signature made on the host and refuse altered ones.  Then the flash, RAM and stack
# each needs (src/verify/device/size.sh; `make device-size` prints it).
# The cross tools are in scripts/deps.sh's list: missing ones fail.
set -u
dev=${LICGATE_SRCDIR:-.}/src/verify/device
out=${LICGATE_BUILDDIR:-.}/device
fail=0
check() { if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi; }

missing=
command -v arm-none-eabi-gcc >/dev/null || missing="$missing gcc-arm-none-eabi"
command -v qemu-system-arm >/dev/null || missing="$missing qemu-system-arm"
[ -z "$missing" ] && [ "$(arm-none-eabi-gcc --specs=nano.specs -print-file-name=libc_nano.a)" = libc_nano.a ] &&
	missing="$missing libnewlib-arm-none-eabi"
check "the cross tools scripts/deps.sh installs are here" \
	'[ -z "$missing" ] || { echo "# missing:$missing (. scripts/deps.sh && lg_install_deps)"; false; }'
[ -z "$missing" ] || exit 1

. "${LICGATE_SRCDIR:-.}/tests/gw.sh"
gw_chain
V="$R --from 1"
$R vendor add "$($R account 1 | jget address)" "Acme" >/dev/null 2>&1
A=$($R devkey 1 | jget address)
$V device register "$($R devkey 1 | jget publicKey)" 1 >/dev/null 2>&1
F=0x$(printf 'image-1' | sha256sum | cut -c1-64)
$V firmware register "$F" 5 1 2000000000 https://fw.example/1 >/dev/null 2>&1
$V license issue "$A" 1 10 0 2000000000 7 >/dev/null 2>&1
gw_conf "chain.confirmations = 2"
gw_start || { echo "not ok - licgated starts"; exit 1; }
gw_settle 2
pub=$("$ctl" key-info -k "$GW_TMP/gw.key" | awk '/^public key/ {print $3}')
nonce=0x$(printf '%032x' 17)
curl -sf -o "$GW_TMP/tok" "http://127.0.0.1:$GW_PORT/v1/attestation?device=$A&firmware=$F&nonce=$nonce"
check "licgated serves a token" '[ -s "$GW_TMP/tok" ]'

# The host verifier's result for a token file, everything pinned, at the
# time the token was issued.
now=$("$ctl" verify "$GW_TMP/tok" --gateway-key "$pub" --json | jget iat)
host() { "$ctl" verify "$1" --gateway-key "$pub" --device "$A" --nonce "$nonce" \
	--firmware "$F" --chain-id 31337 --registry "$REG" --now "$now" --json | jget result; }
# tamper SRC NAME OFFSET: a copy of SRC with the byte at OFFSET changed.
tamper() {
	cp "$GW_TMP/$1" "$GW_TMP/$2"
	printf "$(printf '\\%03o' $(( $(od -An -tu1 -j "$3" -N1 "$GW_TMP/$1") ^ 1 )))" |
		dd of="$GW_TMP/$2" bs=1 seek="$3" conv=notrunc status=none
}
len=$(stat -c %s "$GW_TMP/tok")
tamper tok head 0				# the COSE_Sign1 tag
tamper tok claim $((len - 70))		# a claim's byte, just before the signature
tamper tok sig $((len - 1))			# the signature's last byte
check "the host verifier accepts the token" '[ "$(host "$GW_TMP/tok")" = ok ]'
for t in head claim sig; do
	check "the host verifier refuses the copy with a byte changed ($t: $(host "$GW_TMP/$t"))" \
		'[ "$(host "$GW_TMP/$t")" != ok ] && ! cmp -s "$GW_TMP/tok" "$GW_TMP/$t"'
done

# The same from licgated with a P-256 key (attestation.alg = ES256): the
# same chain and database, licgated started again with the other key.
gw_stop
"$ctl" keygen --alg es256 -o "$GW_TMP/es.key" >/dev/null
gw_conf "chain.confirmations = 2" "attestation.alg = ES256" "key.file = $GW_TMP/es.key"
gw_start || { echo "not ok - licgated starts with a P-256 key"; exit 1; }
gw_settle 2
# Uncompressed: Mbed TLS 2.28 reads no compressed P-256 point.
espub=$("$ctl" key-info -k "$GW_TMP/es.key" --json | jget public_key_uncompressed)
curl -sf -o "$GW_TMP/es" "http://127.0.0.1:$GW_PORT/v1/attestation?device=$A&firmware=$F&nonce=$nonce"
check "licgated with a P-256 key serves an ES256 token" '[ -s "$GW_TMP/es" ]'
esnow=$("$ctl" verify "$GW_TMP/es" --gateway-key "$espub" --alg es256 --json | jget iat)
eshost() { "$ctl" verify "$1" --gateway-key "$espub" --alg es256 --device "$A" --nonce "$nonce" \
	--firmware "$F" --chain-id 31337 --registry "$REG" --now "$esnow" --json | jget result; }
eslen=$(stat -c %s "$GW_TMP/es")
tamper es eshead 0
tamper es esclaim $((eslen - 70))
tamper es essig $((eslen - 1))
check "the host verifier accepts the ES256 token" '[ "$(eshost "$GW_TMP/es")" = ok ]'
for t in eshead esclaim essig; do
	check "the host verifier refuses the ES256 copy with a byte changed ($t: $(eshost "$GW_TMP/$t"))" \
		'[ "$(eshost "$GW_TMP/$t")" != ok ]'
done

# vectors.c (vectors.h): the tokens, the host's results, the pins.
carr() { od -An -tx1 -v "$1" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//; s/ /, 0x/g; s/^/{ 0x/; s/$/ }/'; }
hexarr() { printf '%s' "${1#0x}" | sed 's/../0x&, /g; s/, $//; s/^/{ /; s/$/ }/'; }
{
	echo '#include "vectors.h"'
	for t in tok head claim sig; do echo "static const uint8_t v_$t[] = $(carr "$GW_TMP/$t");"; done
	echo "const struct vec_token vec_tokens[] = {"
	for t in tok head claim sig; do
		echo "	{ \"$t\", v_$t, sizeof(v_$t), \"$(host "$GW_TMP/$t")\" },"
	done
	echo "};"
	echo "const size_t vec_ntokens = sizeof(vec_tokens) / sizeof(vec_tokens[0]);"
	echo "static const uint8_t v_key[] = $(hexarr "$pub");"
	echo "static const uint8_t v_device[] = $(hexarr "$A");"
	echo "static const uint8_t v_nonce[] = $(hexarr "$nonce");"
	echo "static const uint8_t v_firmware[] = $(hexarr "$F");"
	echo "static const uint8_t v_registry[] = $(hexarr "$REG");"
	echo "const struct lgv_expect vec_expect = { .gateway_key = v_key,"
	echo "	.gateway_key_len = sizeof(v_key), .device = v_device, .nonce = v_nonce,"
	echo "	.nonce_len = sizeof(v_nonce), .now = ${now}u, .firmware = v_firmware,"
	echo "	.has_chain_id = 1, .chain_id = 31337, .registry = v_registry };"
	for t in es eshead esclaim essig; do echo "static const uint8_t v_$t[] = $(carr "$GW_TMP/$t");"; done
	echo "const struct vec_token vec_tokens_es256[] = {"
	for t in es eshead esclaim essig; do
		echo "	{ \"$t\", v_$t, sizeof(v_$t), \"$(eshost "$GW_TMP/$t")\" },"
	done
	echo "};"
	echo "const size_t vec_ntokens_es256 = sizeof(vec_tokens_es256) / sizeof(vec_tokens_es256[0]);"
	echo "static const uint8_t v_eskey[] = $(hexarr "$espub");"
	echo "const struct lgv_expect vec_expect_es256 = { .gateway_key = v_eskey,"
	echo "	.gateway_key_len = sizeof(v_eskey), .gateway_alg = LGV_ALG_ES256,"
	echo "	.device = v_device, .nonce = v_nonce, .nonce_len = sizeof(v_nonce),"
	echo "	.now = ${esnow}u, .firmware = v_firmware, .has_chain_id = 1,"
	echo "	.chain_id = 31337, .registry = v_registry };"
	node "$dev/p256_vectors.mjs"
} > "$GW_TMP/vectors.c"

mkdir -p "$out"
check "the images build (libsecp256k1 and Mbed TLS from Debian 12's sources)" \
	'"$dev/build.sh" "$out" "$GW_TMP/vectors.c" > "$out/build.log" 2>&1 || { tail -n 20 "$out/build.log" | sed "s/^/# /"; false; }'
# run IMAGE: QEMU's Cortex-M3 board; semihosting output to OUT/IMAGE.out.
run() {
	rm -f "$out/$1.out"
	timeout 60 qemu-system-arm -M mps2-an385 -display none -monitor none -serial none \
		-chardev file,id=semi,path="$out/$1.out" \
		-semihosting-config enable=on,target=native,chardev=semi -kernel "$out/$1.elf"
}
run es256k; rc=$?
sed 's/^/# es256k: /' "$out/es256k.out"
check "on the Cortex-M3, lgv_verify accepts the token" \
	'grep -qx "tok: ok (as the host)" "$out/es256k.out"'
for t in head claim sig; do
	check "on the Cortex-M3, the copy with a byte changed ($t) is refused as the host refuses it" \
		'grep -qx "$t: $(host "$GW_TMP/$t") (as the host)" "$out/es256k.out"'
done
check "the ES256K image exits 0" '[ $rc -eq 0 ]'
run es256; rc=$?
sed 's/^/# es256: /' "$out/es256.out"
check "on the Cortex-M3, lgv_verify accepts the ES256 token (P-256 by Mbed TLS)" \
	'grep -qx "es: ok (as the host)" "$out/es256.out"'
for t in eshead esclaim essig; do
	check "on the Cortex-M3, the ES256 copy with a byte changed ($t) is refused as the host refuses it" \
		'grep -qx "$t: $(eshost "$GW_TMP/$t") (as the host)" "$out/es256.out"'
done
check "the ES256 image exits 0" '[ $rc -eq 0 ]'
run p256; rc=$?
sed 's/^/# p256: /' "$out/p256.out"
check "on the Cortex-M3, lgv_p256_verify (Mbed TLS) accepts the host's P-256 signature" \
	'grep -qx "the host.s signature: valid (right)" "$out/p256.out"'
check "on the Cortex-M3, lgv_p256_verify refuses the 4 altered ones" \
	'[ "$(grep -c ": refused (right)$" "$out/p256.out")" -eq 4 ]'
check "the P-256 image exits 0" '[ $rc -eq 0 ]'

check "the sizes of the verifier, libsecp256k1 and Mbed TLS are read from the link maps" \
	'"$dev/size.sh" "$out" > "$out/size.md"'
sed 's/^/# /' "$out/size.md"
check "ES256K verification fits the goal, 64 KiB flash and 8 KiB RAM with the stack" \
	'grep -q "(goal <= 65536: met).*(goal <= 8192: met)" "$out/size.md"'
exit $fail
