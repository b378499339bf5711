#!/usr/bin/env bash
# scripts/registry-gas.sh: measures the gas of every registry call on a fresh
# local anvil and prints a table (the one in licgate-registry(7)).
set -eu
cd "$(dirname "$0")/.."
. tests/chain/anvil.sh
chain_start
printf '%-32s %10s\n' call gasUsed
node tests/chain/registry.mjs --rpc "$ANVIL_URL" gas |
	node -e 'require("readline").createInterface({input: process.stdin}).on("line", (l) => {
	  const r = JSON.parse(l); console.log(r.call.padEnd(32) + " " + String(r.gasUsed).padStart(10)); })'
