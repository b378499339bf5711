#!/usr/bin/env bash
# size.sh OUT: the table of the device verifier's size on the Cortex-M3,
# from the linker maps build.sh wrote (what each part kept after
# gc-sections) and the runs tests/device.sh saved (OUT/es256k.out,
# OUT/es256.out, OUT/p256.out: the peak stack and heap each measured).  Flash is
# text + rodata (+ the initial values of data); static RAM is data + bss,
# Mbed TLS's heap buffer included.
set -eu
out=$1

# parts MAP: "part flash ram" for each part of the image.
parts() {
	sed -n '/^Linker script and memory map/,$p' "$1" | awk '
	function part(f) {
		if (f ~ /\/(lgv|sha256|p256_none)\.o$/) return "verifier"
		if (f ~ /\/secp256k1\/[^/]*\.o$/) return "secp256k1"
		if (f ~ /\/mbedtls\/[^/]*\.o$/ || f ~ /\/p256_mbedtls\.o$/) return "mbedtls"
		if (f ~ /lib(c_nano|gcc)\.a/) return "libc"
		return "harness"
	}
	function hex(s,   i, n) {
		n = 0
		for (i = 3; i <= length(s); i++)
			n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return n
	}
	function add(name, size, f,   n) {
		n = hex(size)
		if (name ~ /^\.(text|rodata|vectors|ARM)/) flash[part(f)] += n
		else if (name ~ /^\.data/) { flash[part(f)] += n; ram[part(f)] += n }
		else if (name ~ /^\.bss/ || name == "COMMON") ram[part(f)] += n
	}
	/^ [.A-Z]/ && $1 != "*fill*" {
		if (NF >= 4) add($1, $3, $4); else pending = $1
		next
	}
	/^ +0x/ && pending != "" && NF >= 3 { add(pending, $2, $3) }
	{ pending = "" }
	END { for (p in flash) print p, flash[p] + 0, ram[p] + 0
	      for (p in ram) if (!(p in flash)) print p, 0, ram[p] }'
}

# get FILE KEY: the number after KEY in a run's output.
get() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
col() { awk -v p="$2" -v c="$3" '$1 == p { print $c }' <<<"$1"; }

k=$(parts "$out/es256k.map") p=$(parts "$out/p256.map") e=$(parts "$out/es256.map")
vf=$(col "$k" verifier 2) vr=$(col "$k" verifier 3)
sf=$(col "$k" secp256k1 2) sr=$(col "$k" secp256k1 3)
lf=$(col "$k" libc 2) lr=$(col "$k" libc 3)
mf=$(col "$p" mbedtls 2) mr=$(col "$p" mbedtls 3)
plf=$(col "$p" libc 2) plr=$(col "$p" libc 3)
ks=$(get "$out/es256k.out" stack) ps=$(get "$out/p256.out" stack)
es=$(get "$out/es256.out" stack) eheap=$(get "$out/es256.out" heap)
ehbuf=$(get "$out/es256.out" heap_buffer)
ef=0 er=$ehbuf
for part in verifier secp256k1 mbedtls libc; do
	ef=$((ef + $(col "$e" "$part" 2))) er=$((er + $(col "$e" "$part" 3)))
done
heap=$(get "$out/p256.out" heap) hbuf=$(get "$out/p256.out" heap_buffer)
# A part missing from a map means this script no longer recognises its
# files: no table rather than a wrong one.
for v in "$vf" "$sf" "$mf"; do
	[ "${v:-0}" -gt 0 ] || { echo "size.sh: a part is missing from the maps" >&2; exit 1; }
done
kf=$((vf + sf + lf)) kr=$((vr + sr + lr))
pf=$((mf + plf)) pr=$((mr + plr + hbuf))
verdict() { [ "$1" -le "$2" ] && echo "met" || echo "NOT met"; }

printf '| %-52s | %7s | %10s | %11s |\n' "Cortex-M3, arm-none-eabi-gcc -Os -mthumb" \
	"flash" "static RAM" "peak stack"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..54})" "--------:" "-----------:" "------------:"
row() { printf '| %-52s | %7s | %10s | %11s |\n' "$@"; }
row "lgv.c + sha256.c (the verifier)" "$vf" "$vr" ""
row "libsecp256k1 0.2.0 (Debian 12), ecmult window 2" "$sf" "$sr" ""
row "newlib memcpy, memcmp, memmove; libgcc" "$lf" "$lr" ""
row "**ES256K verification (lgv_verify)**" "**$kf**" "**$kr**" "**$ks**"
row "Mbed TLS 2.28.3 (Debian 12) P-256, lgv_p256_verify" "$mf" "$mr" ""
row "newlib, libgcc (P-256 image)" "$plf" "$plr" ""
row "**P-256 verify alone** (RAM: a $hbuf B heap, $heap used)" "**$pf**" "**$pr**" "**$ps**"
row "**ES256 verification** (both curves linked; heap $eheap used)" "**$ef**" "**$er**" "**$es**"
echo
echo "Whole images (arm-none-eabi-size; the harness, board code and test vectors included,"
echo "bss holding the 32 KiB reserved for the stack):"
arm-none-eabi-size "$out/es256k.elf" "$out/es256.elf" "$out/p256.elf" | sed "s|$out/||; s/^/    /"
echo
echo "ES256K: $kf B flash (goal <= 65536: $(verdict "$kf" 65536)), $((kr + ks)) B RAM" \
	"with the stack (goal <= 8192: $(verdict $((kr + ks)) 8192))."
echo "ES256 (an image with both curves): $ef B flash (goal <= 65536: $(verdict "$ef" 65536))," \
	"$((er + es)) B RAM with the stack and Mbed TLS's heap buffer (goal <= 8192:" \
	"$(verdict $((er + es)) 8192))."
