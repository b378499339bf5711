#!/usr/bin/env bash
# contract.sh: the registry contract's tests on a real anvil, and the check
# that the committed ABI is what solc emits for the committed source.
set -u
chain=${LICGATE_SRCDIR:-.}/tests/chain
. "$chain/anvil.sh"
export LICGATECTL=${LICGATE_BUILDDIR:-.}/src/licgatectl
if node "$chain/compile.mjs" --check; then echo "ok - committed ABI matches solc's output"
else echo "not ok - committed ABI is stale (make abi)"; exit 1; fi
# The suite on the newest rules, then on the older rules consortium chains
# still run: the bytecode is compiled for Byzantium and must deploy and
# answer every call there (ethers sends legacy transactions before London).
rc=0
for hardfork in ${LICGATE_HARDFORKS:-newest london byzantium}; do
	if [ "$hardfork" = newest ]; then set --; else set -- --hardfork "$hardfork"; fi
	chain_start "$@" || { echo "not ok - anvil --hardfork $hardfork did not start"; exit 1; }
	export ANVIL_URL
	echo "# anvil --hardfork $hardfork"
	# TAP from node's runner: top-level "ok N - name" lines are counted by test.sh.
	timeout 600 node --test --test-reporter=tap "$chain/contract.test.mjs" |
		grep -E '^(ok|not ok) |^# (pass|fail)|error:|expected|actual' |
		sed "s/^\(not \)\{0,1\}ok [0-9]* - /&[$hardfork] /"
	[ "${PIPESTATUS[0]}" = 0 ] || rc=1
	chain_stop
done
exit $rc
