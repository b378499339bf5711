#!/usr/bin/env bash
# reseal.sh: the re-sealing proxy (tests/chain/reseal.mjs) on a real anvil,
# checked by node's test runner against Clique and QBFT rules written out
# again in tests/chain/reseal.test.mjs and a real Besu QBFT header.
set -u
chain=${LICGATE_SRCDIR:-.}/tests/chain
. "$chain/anvil.sh"
chain_start || { echo "not ok - anvil did not start"; exit 1; }
export ANVIL_URL
# TAP from node's runner: top-level "ok N - name" lines are counted by test.sh.
timeout 300 node --test --test-reporter=tap "$chain/reseal.test.mjs" | grep -E '^(ok|not ok) |^# (pass|fail)|error:|expected|actual'
rc=${PIPESTATUS[0]}
chain_stop
exit $rc
