# Chain primitives shared by everything: hex, hashes, RLP, secp256k1, P-256.
src_liblicgate_a_SOURCES += src/log.c src/log.h src/xmalloc.c src/xmalloc.h \
	src/chain/hex.c src/chain/hex.h src/chain/hash.c src/chain/hash.h \
	src/chain/rlp.c src/chain/rlp.h src/chain/sig.c src/chain/sig.h \
	src/chain/tx.c src/chain/tx.h src/chain/p256.c src/chain/p256.h \
	src/chain/jsonv.c src/chain/jsonv.h src/chain/jscan.c src/chain/jscan.h \
	src/chain/header.c src/chain/header.h \
	src/file.c src/file.h

check_PROGRAMS += tests/check_core tests/check_rlp tests/check_header
TESTS += tests/check_core tests/check_rlp tests/check_header
tests_check_core_SOURCES = tests/check_core.c
tests_check_core_CFLAGS = $(TEST_CC_OPTS)
tests_check_core_LDADD = $(TEST_LIBS)
tests_check_rlp_SOURCES = tests/check_rlp.c
tests_check_rlp_CFLAGS = $(TEST_CC_OPTS)
tests_check_rlp_LDADD = $(TEST_LIBS)
tests_check_header_SOURCES = tests/check_header.c
tests_check_header_CFLAGS = $(TEST_CC_OPTS)
tests_check_header_LDADD = $(TEST_LIBS)

FUZZ_TARGETS += fuzz/fuzz_rlp
fuzz_fuzz_rlp_SOURCES = fuzz/fuzz_rlp.c src/chain/rlp.c src/xmalloc.c src/log.c
fuzz_fuzz_rlp_CFLAGS = $(WARN_CFLAGS) $(FUZZ_CC_OPTS)
fuzz_fuzz_rlp_LDFLAGS = $(FUZZ_LD_OPTS)

# The Merkle tree of install reports (RFC 9162).
src_liblicgate_a_SOURCES += src/merkle.c src/merkle.h
check_PROGRAMS += tests/check_merkle
TESTS += tests/check_merkle
tests_check_merkle_SOURCES = tests/check_merkle.c
tests_check_merkle_CFLAGS = $(TEST_CC_OPTS)
tests_check_merkle_LDADD = $(TEST_LIBS)
