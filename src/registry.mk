# The registry contract: its ABI, its tests on a real anvil, and the C decoder
# of its events.
TESTS += tests/contract.sh
EXTRA_DIST += tests/contract.sh tests/chain contracts-abi

# Regenerates contracts-abi/LicenseRegistry.abi.json and .bin with the pinned solc.
abi:
	node $(top_srcdir)/tests/chain/compile.mjs
.PHONY: abi
