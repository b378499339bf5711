# The local HTTP API and the metrics it serves.
src_liblicgate_a_SOURCES += src/http.c src/http.h src/metrics.c src/metrics.h

check_PROGRAMS += tests/check_http
TESTS += tests/check_http
tests_check_http_SOURCES = tests/check_http.c
tests_check_http_CFLAGS = $(TEST_CC_OPTS)
tests_check_http_LDADD = $(TEST_LIBS) -lpthread
