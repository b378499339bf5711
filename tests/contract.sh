#!/usr/bin/env bash
# contract.sh: the registry contract's tests on a real anvil, and the check
# that the committed ABI is what solc emits for the committed source.
set -u
chain=${LICGATE_SRCDIR:-.}/tests/chain
. "$chain/anvil.sh"
export LICGATECTL=${LICGATE_BUILDDIR:-.}/src/licgatectl
if node "$chain/compile.mjs" --check; then echo "ok - committed ABI matches solc's output"
else echo "not ok - committed ABI is stale (make abi)"; exit 1; fi
chain_start || { echo "not ok - anvil did not start"; exit 1; }
export ANVIL_URL
# TAP from node's runner: top-level "ok N - name" lines are counted by test.sh.
timeout 600 node --test --test-reporter=tap "$chain/contract.test.mjs" | grep -E '^(ok|not ok) |^# (pass|fail)|error:|expected|actual'
rc=${PIPESTATUS[0]}
chain_stop
exit $rc
