#!/usr/bin/env bash
# build.sh OUT VECTORS.c: the Cortex-M3 images of the device verifier,
# OUT/es256k.elf (lgv.c, sha256.c, libsecp256k1) and OUT/p256.elf
# (lgv_p256_verify with Mbed TLS), each with a linker map OUT/*.map that
# size.sh reads.  The two libraries come from Debian 12's source packages,
# fetched with apt with a private source list (the machine's apt sources
# are not changed) and cross-built once into a cache that outlives build
# directories (test.sh removes them): $LICGATE_DEVICE_CACHE, by default
# ~/.cache/licgate-device.  Needs arm-none-eabi-gcc and newlib
# (scripts/deps.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
out=$1 vec=$2
cache=${LICGATE_DEVICE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/licgate-device}
mkdir -p "$out" "$cache"
# One build at a time uses the cache (two build directories, worktrees).
exec 9>"$cache/.lock"
flock 9

# The versions Debian 12 (bookworm) ships.
SECP_VERSION=0.2.0-2
MBEDTLS_VERSION=2.28.3-1
TARGET="-mthumb -mcpu=cortex-m3"
CFLAGS_T="$TARGET -Os -g -ffunction-sections -fdata-sections"
CC_T=arm-none-eabi-gcc

# The Debian mirror the machine already uses for bookworm (one-line
# sources.list entries or deb822 .sources files).
apt_mirror() {
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk '$1 == "deb" && / bookworm / { for (i = 2; i <= NF; i++)
			if ($i ~ /^https?:/) { print $i; exit } }'
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && awk '/^URIs:/ { u = $2 } /^Suites:/ && / bookworm( |$)/ { s = 1 }
			/^$/ { if (u != "" && s) exit; u = ""; s = 0 }
			END { if (u != "" && s) print u }' "$f"
	done
}

# apt-get with this cache's own source list, lists and archives.
apt_private() {
	apt-get -q -o Dir::Etc::SourceList="$cache/apt/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$cache/apt/lists" \
		-o Dir::Cache="$cache/apt/cache" "$@"
}

# fetch PACKAGE VERSION: Debian's source of PACKAGE, unpacked with its
# patches into $cache/PACKAGE-VERSION, unless already there.
fetch() {
	local mirror
	local dir=$cache/$1-$2
	[ -f "$dir/.lg-fetched" ] && return 0
	if [ ! -f "$cache/apt/lists/.lg-updated" ]; then
		mirror=$(apt_mirror | head -n 1)
		[ -n "$mirror" ] || { echo "build.sh: no bookworm mirror in /etc/apt" >&2; return 1; }
		mkdir -p "$cache/apt/lists/partial" "$cache/apt/cache/archives/partial"
		echo "deb-src $mirror bookworm main" > "$cache/apt/sources.list"
		apt_private update > "$cache/apt/update.log" 2>&1 ||
			{ cat "$cache/apt/update.log" >&2; return 1; }
		touch "$cache/apt/lists/.lg-updated"
	fi
	rm -rf "$dir" "$dir.tmp"
	mkdir -p "$dir.tmp"
	(cd "$dir.tmp" && apt_private source "$1=$2") > "$dir.log" 2>&1 ||
		{ cat "$dir.log" >&2; return 1; }
	mv "$dir.tmp/$1-${2%-*}" "$dir"
	rm -rf "$dir.tmp"
	touch "$dir/.lg-fetched"
}

# cc OUTDIR FLAGS... FILES: each file compiled for the target into OUTDIR.
cc_each() {
	local dir=$1 f flags=() ; shift
	while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do flags+=("$1"); shift; done
	mkdir -p "$dir"
	for f in "$@"; do
		$CC_T $CFLAGS_T "${flags[@]}" -c "$f" -o "$dir/$(basename "${f%.c}").o"
	done
}

# The libraries into $lib, named after this script and the Mbed TLS
# configuration, so that a change to either builds them again.
build_libs() {
	local s=$cache/libsecp256k1-$SECP_VERSION m=$cache/mbedtls-$MBEDTLS_VERSION
	[ -f "$lib/.lg-built" ] && return 0
	rm -rf "$lib"
	# Verification only: the smallest table of multiples of G (window 2),
	# the smallest signing table (never linked: gc-sections), no modules.
	cc_each "$lib/secp256k1" -DECMULT_WINDOW_SIZE=2 -DECMULT_GEN_PREC_BITS=2 \
		-DUSE_EXTERNAL_DEFAULT_CALLBACKS -I"$s/include" -I"$s/src" \
		"$s/src/secp256k1.c" "$s/src/precomputed_ecmult.c" \
		"$s/src/precomputed_ecmult_gen.c"
	cc_each "$lib/mbedtls" -DMBEDTLS_CONFIG_FILE='"mbedtls_config.h"' \
		-I"$here" -I"$m/include" "$m"/library/{bignum,ecp,ecp_curves,ecdsa,asn1parse,asn1write,constant_time,platform,platform_util,memory_buffer_alloc}.c
	touch "$lib/.lg-built"
}

# link NAME OBJECTS...: OUT/NAME.elf and its map; newlib (nano) supplies
# memcpy, memcmp and memmove, nothing else (no syscalls are linked, so
# anything reaching for malloc or stdio fails here).
link() {
	local name=$1; shift
	$CC_T $TARGET -nostartfiles --specs=nano.specs -T "$here/mps2-an385.ld" \
		-Wl,--gc-sections -Wl,-Map="$out/$name.map" "$@" -o "$out/$name.elf"
}

fetch libsecp256k1 "$SECP_VERSION"
fetch mbedtls "$MBEDTLS_VERSION"
lib=$cache/lib-$(cat "$0" "$here/mbedtls_config.h" | md5sum | cut -c1-12)
build_libs
W="-std=c11 -Wall -Wextra -Werror"
cc_each "$out/obj" $W -ffreestanding -I"$top/src" -I"$cache/libsecp256k1-$SECP_VERSION/include" \
	"$top/src/verify/lgv.c"
cc_each "$out/obj" $W -I"$top/src" -I"$here" "$here/sha256.c" "$here/board.c" \
	"$here/tokens.c" "$here/es256k.c" "$vec"
cc_each "$out/obj" $W -I"$top/src" -I"$here" -I"$cache/mbedtls-$MBEDTLS_VERSION/include" \
	-DMBEDTLS_CONFIG_FILE='"mbedtls_config.h"' "$here/p256.c" "$here/p256_mbedtls.c" \
	"$here/es256.c"
o=$out/obj l=$lib
# lgv.c with ES256 asks for the integrator's P-256 verify: the ES256K
# image gets one that refuses (p256_none.c).
none=
if arm-none-eabi-nm -u "$o/lgv.o" | grep -qw lgv_p256_verify; then
	cc_each "$o" $W "$here/p256_none.c"
	none=$o/p256_none.o
fi
v=$o/$(basename "${vec%.c}").o
link es256k "$o/es256k.o" "$o/tokens.o" "$o/lgv.o" "$o/sha256.o" "$o/board.o" "$v" \
	$none "$l"/secp256k1/*.o
link es256 "$o/es256.o" "$o/tokens.o" "$o/lgv.o" "$o/sha256.o" "$o/board.o" "$v" \
	"$o/p256_mbedtls.o" "$l"/secp256k1/*.o "$l"/mbedtls/*.o
link p256 "$o/p256.o" "$o/p256_mbedtls.o" "$o/board.o" "$v" \
	"$l"/mbedtls/*.o
