# Install proofs: the proof file, licgatectl install-proof and
# verify-install, their test through anvil and licgated, the file's fuzzer.
src_liblicgate_a_SOURCES += src/install_proof.c src/install_proof.h
src_licgatectl_SOURCES += src/ctl_install_proof.c src/ctl_verify_install.c

TESTS += tests/install_proof.sh
EXTRA_DIST += tests/install_proof.sh tests/chain/anchor.mjs

FUZZ_TARGETS += fuzz/fuzz_install_proof
fuzz_fuzz_install_proof_SOURCES = fuzz/fuzz_install_proof.c src/install_proof.c \
	src/chain/jsonv.c src/chain/hex.c src/xmalloc.c src/log.c
fuzz_fuzz_install_proof_CFLAGS = $(WARN_CFLAGS) $(FUZZ_CC_OPTS) $(JANSSON_CFLAGS)
fuzz_fuzz_install_proof_LDFLAGS = $(FUZZ_LD_OPTS)
fuzz_fuzz_install_proof_LDADD = $(JANSSON_LIBS)
