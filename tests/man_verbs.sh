#!/usr/bin/env bash
# man_verbs.sh: licgatectl(8) documents exactly the verbs licgatectl has, and
# each verb answers --help.
set -u
ctl=${LICGATE_BUILDDIR:-.}/src/licgatectl
page=${LICGATE_SRCDIR:-.}/man/licgatectl.8
fail=0
verbs=$("$ctl" --help | awk '/^Verbs:/ {v = 1; next} v && /^  [a-z]/ {print $1}')
[ -n "$verbs" ] || { echo "not ok - licgatectl --help lists no verbs"; exit 1; }
for v in $verbs; do
	if grep -qE "^\.It Cm $v( |$)" "$page"; then echo "ok - $v documented in licgatectl.8"
	else echo "not ok - $v missing from licgatectl.8"; fail=1; fi
	if "$ctl" "$v" --help | grep -q "^usage: licgatectl $v"; then echo "ok - $v --help"
	else echo "not ok - $v --help"; fail=1; fi
done
for v in $(sed -n 's/^\.It Cm \([a-z-]*\).*/\1/p' "$page"); do
	grep -qx "$v" <<<"$verbs" || { echo "not ok - licgatectl.8 documents unknown verb $v"; fail=1; }
done
exit $fail
