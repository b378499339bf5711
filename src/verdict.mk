# The verdict engine: pure rules, table-tested.
src_liblicgate_a_SOURCES += src/verdict.c src/verdict.h \
	src/verdict_store.c src/verdict_store.h

check_PROGRAMS += tests/check_verdict
TESTS += tests/check_verdict
tests_check_verdict_SOURCES = tests/check_verdict.c
tests_check_verdict_CFLAGS = $(TEST_CC_OPTS)
tests_check_verdict_LDADD = $(TEST_LIBS)
