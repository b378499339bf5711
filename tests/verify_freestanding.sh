#!/usr/bin/env bash
# verify_freestanding.sh: the device verifier (src/verify/lgv.c) compiles on
# its own, freestanding, and needs nothing beyond memcpy, memcmp,
# libsecp256k1 and the integrator's lgv_sha256 and lgv_p256_verify (not even
# that with -DLGV_NO_ES256): no heap, no other libc.
# The device example in licgate-token(7), VERIFYING, compiles the same way.
set -u
src=${LICGATE_SRCDIR:-.}/src/verify
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi; }
cc=${CC:-cc}
check "lgv.c compiles alone with -ffreestanding -Wall -Wextra -Werror" \
	'$cc -std=c11 -O2 -ffreestanding -fno-tree-loop-distribute-patterns -Wall -Wextra -Werror -c "$src/lgv.c" -o "$tmp/lgv.o"'
undef=$(nm -u "$tmp/lgv.o" 2>/dev/null | awk '{print $2}' | grep -vE '^(memcpy|memcmp|lgv_sha256|lgv_p256_verify|secp256k1_.*)$')
check "its only undefined symbols are memcpy, memcmp, secp256k1_*, lgv_sha256 and lgv_p256_verify" '[ -z "$undef" ] || { echo "# also needs: $undef"; false; }'
check "it asks the integrator for lgv_p256_verify (ES256 tokens)" 'nm -u "$tmp/lgv.o" | grep -qw lgv_p256_verify'
check "with -DLGV_NO_ES256 it compiles without lgv_p256_verify" \
	'$cc -std=c11 -O2 -ffreestanding -fno-tree-loop-distribute-patterns -Wall -Wextra -Werror -DLGV_NO_ES256 -c "$src/lgv.c" -o "$tmp/lgv_no.o" &&
	 ! nm -u "$tmp/lgv_no.o" | grep -qw lgv_p256_verify'
check "it has no writable static data" '[ -z "$(nm "$tmp/lgv.o" | awk "\$2 ~ /^[BbDd]$/")" ]'
page=${LICGATE_SRCDIR:-.}/man/licgate-token.7
sed -n '/^\.Sh VERIFYING/,/^\.Sh /p' "$page" | sed -n '/^#include <stddef.h>/,/^\.Ed/p' | sed '$d' > "$tmp/example.c"
check "licgate-token(7) has a C example under VERIFYING" 'grep -q "lgv_verify(&t, tok, len, &e)" "$tmp/example.c"'
check "the example compiles freestanding with -Wall -Wextra -Werror" \
	'$cc -std=c11 -O2 -ffreestanding -Wall -Wextra -Werror -Wmissing-prototypes -I"$src" -c "$tmp/example.c" -o "$tmp/example.o"'
undef=$(nm -u "$tmp/example.o" 2>/dev/null | awk '{print $2}' | grep -vx lgv_verify)
check "the example needs nothing but lgv_verify" '[ -z "$undef" ] || { echo "# also needs: $undef"; false; }'
exit $fail
