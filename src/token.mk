# Attestations: the token writer (gateway) and the device verifier.
src_liblicgate_a_SOURCES += src/token.c src/token.h src/verify/lgv.c \
	src/verify/lgv.h src/verify/lgv_sha256.c
src_licgatectl_SOURCES += src/ctl_verify_token.c
check_PROGRAMS += tests/check_token
TESTS += tests/check_token tests/verify_freestanding.sh
EXTRA_DIST += tests/verify_freestanding.sh
tests_check_token_SOURCES = tests/check_token.c
tests_check_token_CFLAGS = $(TEST_CC_OPTS)
tests_check_token_LDADD = $(TEST_LIBS)

TESTS += tests/attest.sh
EXTRA_DIST += tests/attest.sh tests/cose/package.json tests/cose/package-lock.json \
	tests/cose/verify.mjs

FUZZ_TARGETS += fuzz/fuzz_token
fuzz_fuzz_token_SOURCES = fuzz/fuzz_token.c src/verify/lgv.c src/verify/lgv_sha256.c \
	src/chain/hash.c
fuzz_fuzz_token_CFLAGS = $(WARN_CFLAGS) $(FUZZ_CC_OPTS) $(SECP256K1_CFLAGS) $(NETTLE_CFLAGS)
fuzz_fuzz_token_LDFLAGS = $(FUZZ_LD_OPTS)
fuzz_fuzz_token_LDADD = $(SECP256K1_LIBS) $(NETTLE_LIBS)
