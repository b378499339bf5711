#!/usr/bin/env bash
# conf_example.sh: gateway.conf.example is what the option table generates,
# and the example with its required options filled in loads.
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"${LICGATE_BUILDDIR:-.}/tests/conf_example" > "$out"
if cmp -s "$out" "${LICGATE_SRCDIR:-.}/gateway.conf.example"; then
	echo "ok - gateway.conf.example matches the option table"
else
	echo "not ok - gateway.conf.example is stale: regenerate it with tests/conf_example > gateway.conf.example"
	diff "$out" "${LICGATE_SRCDIR:-.}/gateway.conf.example" | head -20
	exit 1
fi
