#!/usr/bin/env bash
# man_conf.sh: gateway.conf(5) documents exactly the options of the option
# table (as gateway.conf.example lists them), with the same defaults.
set -u
src=${LICGATE_SRCDIR:-.}
page=$src/man/gateway.conf.5
fail=0
opts=$(sed -n 's/^#\([a-z_]*\.[a-z_]*\) = *\(.*\)$/\1 \2/p' "$src/gateway.conf.example")
[ -n "$opts" ] || { echo "not ok - gateway.conf.example lists no options"; exit 1; }
while read -r name def; do
	line=$(grep -A1 -x "\.It Cm $name Ar value" "$page" | tail -1)
	if [ -z "$line" ]; then echo "not ok - $name missing from gateway.conf.5"; fail=1; continue; fi
	reload=$(grep -B1 -x "#$name = *.*" "$src/gateway.conf.example" | head -1 | grep -c '(reload)')
	if [ "$reload" = 1 ] && ! grep -qF "SIGHUP applies a change." <<<"$line"; then
		echo "not ok - $name: the table applies it on SIGHUP, gateway.conf.5 does not say so"; fail=1
	elif [ "$reload" = 0 ] && grep -qF "SIGHUP applies a change." <<<"$line"; then
		echo "not ok - $name: gateway.conf.5 says SIGHUP applies it, the table does not"; fail=1
	elif [ -n "$def" ] && ! grep -qF "Default: $def." <<<"$line"; then
		echo "not ok - $name: gateway.conf.5 does not give the default $def"; fail=1
	else echo "ok - $name documented with its default"; fi
done <<<"$opts"
for name in $(sed -n 's/^\.It Cm \([a-z_]*\.[a-z_]*\) Ar value$/\1/p' "$page"); do
	grep -q "^#$name =" "$src/gateway.conf.example" || { echo "not ok - gateway.conf.5 documents unknown option $name"; fail=1; }
done
exit $fail
