#!/usr/bin/env bash
# keys.sh: licgatectl keygen and key-info: mode 0600, no silent overwrite,
# refusal of readable keys, of symbolic links, of other users' and of
# oversized files, and the address ethers computes from the key.
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
exit $fail
