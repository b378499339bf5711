# EIP-1186 proofs and the verify-proof verb.
src_liblicgate_a_SOURCES += src/chain/proof.c src/chain/proof.h
src_licgatectl_SOURCES += src/ctl_verify_proof.c

check_PROGRAMS += tests/check_proof
TESTS += tests/check_proof tests/verify_proof.sh
tests_check_proof_SOURCES = tests/check_proof.c
tests_check_proof_CFLAGS = $(TEST_CC_OPTS)
tests_check_proof_LDADD = $(TEST_LIBS)
EXTRA_DIST += tests/verify_proof.sh

FUZZ_TARGETS += fuzz/fuzz_proof
fuzz_fuzz_proof_SOURCES = fuzz/fuzz_proof.c src/chain/proof.c src/chain/trie.c \
	src/chain/jsonv.c src/chain/hex.c src/chain/rlp.c src/chain/hash.c \
	src/xmalloc.c src/log.c
fuzz_fuzz_proof_CFLAGS = $(WARN_CFLAGS) $(FUZZ_CC_OPTS) $(JANSSON_CFLAGS) $(NETTLE_CFLAGS)
fuzz_fuzz_proof_LDFLAGS = $(FUZZ_LD_OPTS)
fuzz_fuzz_proof_LDADD = $(JANSSON_LIBS) $(NETTLE_LIBS)
