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

# The re-sealing proxy the engines' script tests put in front of anvil.
TESTS += tests/reseal.sh
EXTRA_DIST += tests/reseal.sh
