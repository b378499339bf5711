#!/usr/bin/env bash
# keys.sh: licgatectl keygen and key-info: mode 0600, no silent overwrite,
# refusal of readable keys, and the address ethers computes from the key.
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
exit $fail
