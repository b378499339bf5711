# The SQLite cache of verified state.
src_liblicgate_a_SOURCES += src/store.c src/store.h src/store_int.h \
	src/store_open.c src/store_apply.c src/store_query.c \
	src/store_install.c src/store_anchor.c
check_PROGRAMS += tests/check_store
TESTS += tests/check_store
tests_check_store_SOURCES = tests/check_store.c
tests_check_store_CFLAGS = $(TEST_CC_OPTS)
tests_check_store_LDADD = $(TEST_LIBS)
