# The JSON-RPC client.
src_liblicgate_a_SOURCES += src/rpc.c src/rpc.h

check_PROGRAMS += tests/check_rpc
TESTS += tests/rpc.sh
EXTRA_DIST += tests/rpc.sh
TESTS += tests/throttle.sh
EXTRA_DIST += tests/throttle.sh
tests_check_rpc_SOURCES = tests/check_rpc.c
tests_check_rpc_CFLAGS = $(TEST_CC_OPTS)
tests_check_rpc_LDADD = $(TEST_LIBS)

FUZZ_TARGETS += fuzz/fuzz_rpc_response
fuzz_fuzz_rpc_response_SOURCES = fuzz/fuzz_rpc_response.c src/rpc.c \
	src/chain/jscan.c src/chain/hex.c \
	src/xmalloc.c src/log.c
fuzz_fuzz_rpc_response_CFLAGS = $(WARN_CFLAGS) $(FUZZ_CC_OPTS) $(JANSSON_CFLAGS) $(CURL_CFLAGS)
fuzz_fuzz_rpc_response_LDFLAGS = $(FUZZ_LD_OPTS)
fuzz_fuzz_rpc_response_LDADD = $(JANSSON_LIBS) $(CURL_LIBS)

# Receipts from nodes with or without eth_getBlockReceipts.
src_liblicgate_a_SOURCES += src/receipts_fetch.c src/receipts_fetch.h
check_PROGRAMS += tests/check_receipts_fetch
TESTS += tests/check_receipts_fetch
tests_check_receipts_fetch_SOURCES = tests/check_receipts_fetch.c
tests_check_receipts_fetch_CFLAGS = $(TEST_CC_OPTS)
tests_check_receipts_fetch_LDADD = $(TEST_LIBS)

FUZZ_TARGETS += fuzz/fuzz_tx_hashes
fuzz_fuzz_tx_hashes_SOURCES = fuzz/fuzz_tx_hashes.c src/receipts_fetch.c \
	src/rpc.c src/chain/jscan.c src/chain/hex.c src/xmalloc.c src/log.c
fuzz_fuzz_tx_hashes_CFLAGS = $(WARN_CFLAGS) $(FUZZ_CC_OPTS) $(JANSSON_CFLAGS) $(CURL_CFLAGS)
fuzz_fuzz_tx_hashes_LDFLAGS = $(FUZZ_LD_OPTS)
fuzz_fuzz_tx_hashes_LDADD = $(JANSSON_LIBS) $(CURL_LIBS)

TESTS += tests/noreceipts.sh
EXTRA_DIST += tests/noreceipts.sh tests/chain/noblockreceipts.mjs
TESTS += tests/ganache.sh
EXTRA_DIST += tests/ganache.sh tests/chain/ganache.sh
