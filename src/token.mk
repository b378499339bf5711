# Attestations: the token writer (gateway) and the device verifier.
src_liblicgate_a_SOURCES += src/token.c src/token.h src/verify/lgv.c \
	src/verify/lgv.h src/verify/lgv_sha256.c src/verify/lgv_p256.c \
	src/replay.c src/replay.h
src_licgatectl_SOURCES += src/ctl_verify_token.c src/ctl_request.c \
	src/ctl_install_report.c
check_PROGRAMS += tests/check_token
TESTS += tests/check_token tests/verify_freestanding.sh
EXTRA_DIST += tests/verify_freestanding.sh
tests_check_token_SOURCES = tests/check_token.c
tests_check_token_CFLAGS = $(TEST_CC_OPTS)
tests_check_token_LDADD = $(TEST_LIBS)
check_PROGRAMS += tests/check_replay
TESTS += tests/check_replay
tests_check_replay_SOURCES = tests/check_replay.c
tests_check_replay_CFLAGS = $(TEST_CC_OPTS)
tests_check_replay_LDADD = $(TEST_LIBS) -lpthread

TESTS += tests/attest.sh
EXTRA_DIST += tests/attest.sh tests/cose/package.json tests/cose/package-lock.json \
	tests/cose/verify.mjs tests/cose/verify_es256.py

FUZZ_TARGETS += fuzz/fuzz_token
fuzz_fuzz_token_SOURCES = fuzz/fuzz_token.c src/verify/lgv.c src/verify/lgv_sha256.c \
	src/verify/lgv_p256.c src/chain/p256.c src/chain/hash.c
fuzz_fuzz_token_CFLAGS = $(WARN_CFLAGS) $(FUZZ_CC_OPTS) $(SECP256K1_CFLAGS) $(NETTLE_CFLAGS)
fuzz_fuzz_token_LDFLAGS = $(FUZZ_LD_OPTS)
fuzz_fuzz_token_LDADD = $(SECP256K1_LIBS) $(NETTLE_LIBS)

# bench/serve.sh: wrk against licgated, a hello world and the signing rate.
BENCH_TARGETS += bench/hello bench/signrate
bench_hello_SOURCES = bench/hello.c
bench_hello_LDADD = $(LG_LIBS)
bench_signrate_SOURCES = bench/signrate.c
bench_signrate_LDADD = $(LG_LIBS) -lpthread
EXTRA_DIST += bench/serve.sh
# Needs anvil and wrk (scripts/deps.sh); minutes, not part of make check.
bench-serve: src/licgated src/licgatectl bench/hello bench/signrate
	LICGATE_SRCDIR='$(abs_top_srcdir)' $(abs_top_srcdir)/bench/serve.sh
.PHONY: bench-serve
# Install reports accepted per second against nonce attestations per
# second, on the same licgated (bench/installs.sh; needs anvil and wrk).
BENCH_TARGETS += bench/installgen bench/hellopost
bench_installgen_SOURCES = bench/installgen.c
bench_installgen_LDADD = $(LG_LIBS)
bench_hellopost_SOURCES = bench/hellopost.c
bench_hellopost_LDADD = $(LG_LIBS) -lpthread
EXTRA_DIST += bench/installs.sh bench/installs.lua bench/gateway.sh
# Then the gas per anchored report (bench-anchor-gas, src/daemon.mk).
bench-installs: src/licgated src/licgatectl bench/installgen bench/hello \
    bench/hellopost
	LICGATE_SRCDIR='$(abs_top_srcdir)' $(abs_top_srcdir)/bench/installs.sh
	LICGATE_SRCDIR='$(abs_top_srcdir)' $(abs_top_srcdir)/bench/anchor_gas.sh
.PHONY: bench-installs

# Device requests: POST /v1/attestation signed by the device.
TESTS += tests/device_auth.sh
EXTRA_DIST += tests/device_auth.sh tests/cose/request.mjs tests/cose/timing.mjs
TESTS += tests/installs.sh
EXTRA_DIST += tests/installs.sh

FUZZ_TARGETS += fuzz/fuzz_request
fuzz_fuzz_request_SOURCES = fuzz/fuzz_request.c src/verify/lgv.c \
	src/verify/lgv_sha256.c src/verify/lgv_p256.c src/chain/p256.c \
	src/chain/hash.c
fuzz_fuzz_request_CFLAGS = $(WARN_CFLAGS) $(FUZZ_CC_OPTS) $(SECP256K1_CFLAGS) $(NETTLE_CFLAGS)
fuzz_fuzz_request_LDFLAGS = $(FUZZ_LD_OPTS)
fuzz_fuzz_request_LDADD = $(SECP256K1_LIBS) $(NETTLE_LIBS)
FUZZ_TARGETS += fuzz/fuzz_install
fuzz_fuzz_install_SOURCES = fuzz/fuzz_install.c src/verify/lgv.c \
	src/verify/lgv_sha256.c src/verify/lgv_p256.c src/chain/p256.c \
	src/chain/hash.c
fuzz_fuzz_install_CFLAGS = $(WARN_CFLAGS) $(FUZZ_CC_OPTS) $(SECP256K1_CFLAGS) $(NETTLE_CFLAGS)
fuzz_fuzz_install_LDFLAGS = $(FUZZ_LD_OPTS)
fuzz_fuzz_install_LDADD = $(SECP256K1_LIBS) $(NETTLE_LIBS)
