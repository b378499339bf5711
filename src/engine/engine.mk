# Consensus engines behind one interface (src/engine/engine.h).
src_liblicgate_a_SOURCES += src/engine/engine.c src/engine/engine.h \
	src/engine/none.c

check_PROGRAMS += tests/check_engine
TESTS += tests/check_engine
tests_check_engine_SOURCES = tests/check_engine.c
tests_check_engine_CFLAGS = $(TEST_CC_OPTS)
tests_check_engine_LDADD = $(TEST_LIBS)
