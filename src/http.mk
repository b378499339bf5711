# The local HTTP API and the metrics it serves.
src_liblicgate_a_SOURCES += src/http.c src/http.h src/http_input.c src/http_input.h \
	src/http_reply.c src/http_reply.h src/metrics.c src/metrics.h

check_PROGRAMS += tests/check_http
TESTS += tests/check_http
tests_check_http_SOURCES = tests/check_http.c
tests_check_http_CFLAGS = $(TEST_CC_OPTS)
tests_check_http_LDADD = $(TEST_LIBS) -lpthread

FUZZ_TARGETS += fuzz/fuzz_query
fuzz_fuzz_query_SOURCES = fuzz/fuzz_query.c src/http_input.c src/http_reply.c \
	src/chain/hex.c \
	src/xmalloc.c src/log.c
fuzz_fuzz_query_CFLAGS = $(WARN_CFLAGS) $(FUZZ_CC_OPTS) $(JANSSON_CFLAGS)
fuzz_fuzz_query_LDFLAGS = $(FUZZ_LD_OPTS)
fuzz_fuzz_query_LDADD = $(JANSSON_LIBS)
