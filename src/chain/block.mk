# Block contents: tries, receipts, blooms, and the verify-block verb.
src_liblicgate_a_SOURCES += src/chain/trie.c src/chain/trie.h \
	src/chain/bloom.c src/chain/bloom.h \
	src/chain/receipts.c src/chain/receipts.h \
	src/chain/blockcheck.c src/chain/blockcheck.h \
	src/chain/loghint.c src/chain/loghint.h
src_licgatectl_SOURCES += src/ctl_util.c src/ctl_util.h src/ctl_verify_block.c

check_PROGRAMS += tests/check_trie tests/check_receipts
TESTS += tests/check_trie tests/check_receipts tests/verify_block.sh
tests_check_trie_SOURCES = tests/check_trie.c
tests_check_trie_CFLAGS = $(TEST_CC_OPTS)
tests_check_trie_LDADD = $(TEST_LIBS)
tests_check_receipts_SOURCES = tests/check_receipts.c
tests_check_receipts_CFLAGS = $(TEST_CC_OPTS)
tests_check_receipts_LDADD = $(TEST_LIBS)
EXTRA_DIST += tests/verify_block.sh tests/mutate.mjs

FUZZ_TARGETS += fuzz/fuzz_header_json
fuzz_fuzz_header_json_SOURCES = fuzz/fuzz_header_json.c src/chain/header.c \
	src/chain/jsonv.c src/chain/hex.c src/chain/rlp.c src/chain/hash.c \
	src/chain/receipts.c src/chain/jscan.c src/chain/trie.c src/chain/bloom.c \
	src/xmalloc.c src/log.c
fuzz_fuzz_header_json_CFLAGS = $(WARN_CFLAGS) $(FUZZ_CC_OPTS) $(JANSSON_CFLAGS) $(NETTLE_CFLAGS)
fuzz_fuzz_header_json_LDFLAGS = $(FUZZ_LD_OPTS)
fuzz_fuzz_header_json_LDADD = $(JANSSON_LIBS) $(NETTLE_LIBS)

BENCH_TARGETS += bench/primitives
bench_primitives_SOURCES = bench/primitives.c
bench_primitives_LDADD = $(LG_LIBS)

bench: $(BENCH_TARGETS)
	LICGATE_TESTDATA='$(abs_top_srcdir)/tests/data' ./bench/primitives

FUZZ_TARGETS += fuzz/fuzz_loghint
fuzz_fuzz_loghint_SOURCES = fuzz/fuzz_loghint.c src/chain/loghint.c \
	src/chain/jscan.c src/chain/hex.c src/xmalloc.c src/log.c
fuzz_fuzz_loghint_CFLAGS = $(WARN_CFLAGS) $(FUZZ_CC_OPTS)
fuzz_fuzz_loghint_LDFLAGS = $(FUZZ_LD_OPTS)
