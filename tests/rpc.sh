#!/usr/bin/env bash
# rpc.sh: runs the JSON-RPC client's tests (tests/check_rpc) against a real
# anvil, started and stopped here.
set -u
. "${LICGATE_SRCDIR:-.}/tests/chain/anvil.sh"
chain_start || { echo "not ok - anvil did not start"; exit 1; }
LICGATE_RPC_URL=$ANVIL_URL "${LICGATE_BUILDDIR:-.}/tests/check_rpc"
rc=$?
chain_stop
exit $rc
