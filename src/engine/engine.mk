# Consensus engines behind one interface (src/engine/engine.h).
src_liblicgate_a_SOURCES += src/engine/engine.c src/engine/engine.h \
	src/engine/none.c src/engine/clique.c src/engine/clique.h

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

# A live Clique chain sealed by the EthereumJS client (npm, scripts/deps.sh).
TESTS += tests/ejs_live.sh
EXTRA_DIST += tests/ejs_live.sh tests/ejs/ejs.sh tests/ejs/loopback.cjs \
	tests/ejs/check.mjs tests/ejs/package.json tests/ejs/package-lock.json
