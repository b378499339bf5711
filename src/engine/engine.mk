# Consensus engines behind one interface (src/engine/engine.h).
src_liblicgate_a_SOURCES += src/engine/engine.c src/engine/engine.h \
	src/engine/none.c src/engine/clique.c src/engine/clique.h \
	src/engine/qbft.c src/engine/qbft.h src/engine/quorum.c \
	src/engine/bytes.h
src_licgatectl_SOURCES += src/ctl_verify_seal.c

check_PROGRAMS += tests/check_engine
TESTS += tests/check_engine
tests_check_engine_SOURCES = tests/check_engine.c
tests_check_engine_CFLAGS = $(TEST_CC_OPTS)
tests_check_engine_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/check_clique
TESTS += tests/check_clique
tests_check_clique_SOURCES = tests/check_clique.c
tests_check_clique_CFLAGS = $(TEST_CC_OPTS)
tests_check_clique_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/check_qbft
TESTS += tests/check_qbft
tests_check_qbft_SOURCES = tests/check_qbft.c
tests_check_qbft_CFLAGS = $(TEST_CC_OPTS)
tests_check_qbft_LDADD = $(TEST_LIBS)

FUZZ_TARGETS += fuzz/fuzz_seal
fuzz_fuzz_seal_SOURCES = fuzz/fuzz_seal.c src/engine/clique.c \
	src/engine/qbft.c src/chain/header.c src/chain/jsonv.c src/chain/hex.c \
	src/chain/rlp.c src/chain/hash.c src/chain/sig.c src/chain/jscan.c \
	src/xmalloc.c src/log.c
fuzz_fuzz_seal_CFLAGS = $(WARN_CFLAGS) $(FUZZ_CC_OPTS) $(JANSSON_CFLAGS) \
	$(NETTLE_CFLAGS) $(SECP256K1_CFLAGS)
fuzz_fuzz_seal_LDFLAGS = $(FUZZ_LD_OPTS)
fuzz_fuzz_seal_LDADD = $(JANSSON_LIBS) $(NETTLE_LIBS) $(SECP256K1_LIBS)

TESTS += tests/verify_seal.sh
EXTRA_DIST += tests/verify_seal.sh

# The re-sealing proxy the engines' script tests put in front of anvil.
TESTS += tests/reseal.sh
EXTRA_DIST += tests/reseal.sh

# A live Clique chain sealed by the EthereumJS client (npm, scripts/deps.sh).
TESTS += tests/ejs_live.sh
EXTRA_DIST += tests/ejs_live.sh tests/ejs/ejs.sh tests/ejs/loopback.cjs \
	tests/ejs/check.mjs tests/ejs/package.json tests/ejs/package-lock.json

# licgated under clique and qbft, through the re-sealing proxy.
TESTS += tests/engines.sh
EXTRA_DIST += tests/engines.sh

# Needs anvil (scripts/deps.sh); minutes, not part of make check.
EXTRA_DIST += bench/engines.sh
bench-engines: src/licgated src/licgatectl
	LICGATE_SRCDIR='$(abs_top_srcdir)' $(abs_top_srcdir)/bench/engines.sh
.PHONY: bench-engines

# chain.engine = quorum with three witnesses, one of another chain.
TESTS += tests/quorum.sh
EXTRA_DIST += tests/quorum.sh
