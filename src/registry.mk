# The registry contract: its ABI, its tests on a real anvil, and the C decoder
# of its events.
TESTS += tests/contract.sh
EXTRA_DIST += tests/contract.sh tests/chain contracts-abi

# Regenerates contracts-abi/LicenseRegistry.abi.json and .bin with the pinned solc.
abi:
	node $(top_srcdir)/tests/chain/compile.mjs
.PHONY: abi

src_liblicgate_a_SOURCES += src/registry.c src/registry.h
check_PROGRAMS += tests/check_registry
TESTS += tests/check_registry
tests_check_registry_SOURCES = tests/check_registry.c
tests_check_registry_CFLAGS = $(TEST_CC_OPTS)
tests_check_registry_LDADD = $(TEST_LIBS)
# What registry parties write cannot stop a gateway or deny another's device.
TESTS += tests/registry_rules.sh
EXTRA_DIST += tests/registry_rules.sh

FUZZ_TARGETS += fuzz/fuzz_registry
fuzz_fuzz_registry_SOURCES = fuzz/fuzz_registry.c src/registry.c src/chain/hex.c \
	src/chain/hash.c src/xmalloc.c src/log.c
fuzz_fuzz_registry_CFLAGS = $(WARN_CFLAGS) $(FUZZ_CC_OPTS) $(JANSSON_CFLAGS) \
	$(NETTLE_CFLAGS)
fuzz_fuzz_registry_LDFLAGS = $(FUZZ_LD_OPTS)
fuzz_fuzz_registry_LDADD = $(JANSSON_LIBS) $(NETTLE_LIBS)
