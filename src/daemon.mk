# licgated: the follower, the key file, and the daemon around them.
src_liblicgate_a_SOURCES += src/follow.c src/follow.h src/fetch.c src/fetch.h \
	src/key.c src/key.h \
	src/sdnotify.c src/sdnotify.h
sbin_PROGRAMS += src/licgated
src_licgated_SOURCES = src/licgated.c src/daemon.c src/daemon.h \
	src/daemon_web.c src/daemon_http.c src/daemon_attest.c \
	src/daemon_install.c src/daemon_anchor.c
src_licgated_CPPFLAGS = $(AM_CPPFLAGS) -DSYSCONFDIR='"$(sysconfdir)"'
src_licgated_LDADD = $(LG_LIBS) -lpthread

src_licgatectl_SOURCES += src/ctl_status.c src/ctl_events.c src/ctl_dump.c \
	src/ctl_init.c src/ctl_installs.c
src_licgatectl_CPPFLAGS = $(AM_CPPFLAGS) -DSYSCONFDIR='"$(sysconfdir)"'

TESTS += tests/sync.sh
EXTRA_DIST += tests/gw.sh tests/sync.sh
TESTS += tests/crash.sh
EXTRA_DIST += tests/crash.sh
TESTS += tests/reorg.sh
EXTRA_DIST += tests/reorg.sh
TESTS += tests/startup.sh
EXTRA_DIST += tests/startup.sh
TESTS += tests/lying.sh
EXTRA_DIST += tests/lying.sh
TESTS += tests/gateway_key.sh
EXTRA_DIST += tests/gateway_key.sh
TESTS += tests/init.sh
EXTRA_DIST += tests/init.sh
TESTS += tests/pruned.sh
EXTRA_DIST += tests/pruned.sh
TESTS += tests/anchor.sh tests/anchor_legacy.sh
EXTRA_DIST += tests/anchor.sh tests/anchor_legacy.sh tests/anchor_lib.sh
TESTS += tests/hint_lie.sh
EXTRA_DIST += tests/hint_lie.sh tests/chain/hintliar.mjs
# The follower against a node replaying recorded answers (tests/data/follow).
check_PROGRAMS += tests/check_follow
TESTS += tests/check_follow
tests_check_follow_SOURCES = tests/check_follow.c tests/rpcreplay.c \
	tests/rpcreplay.h
tests_check_follow_CFLAGS = $(TEST_CC_OPTS)
tests_check_follow_LDADD = $(TEST_LIBS) -lpthread

BENCH_TARGETS += bench/getlogs bench/fetchfloor
bench_getlogs_SOURCES = bench/getlogs.c
bench_getlogs_LDADD = $(LG_LIBS)
bench_fetchfloor_SOURCES = bench/fetchfloor.c
bench_fetchfloor_LDADD = $(LG_LIBS) -lpthread
EXTRA_DIST += bench/sync.sh tests/chain/bulk.mjs tests/chain/liar.mjs
# Needs anvil (scripts/deps.sh); minutes, not part of make check.
bench-sync: src/licgated src/licgatectl bench/getlogs
	LICGATE_SRCDIR='$(abs_top_srcdir)' $(abs_top_srcdir)/bench/sync.sh
.PHONY: bench-sync
EXTRA_DIST += bench/busy.sh tests/chain/busy.mjs tests/chain/delay.mjs
# The busy and the heavy chain (bench-busy) and bench-sync's chain 50 ms
# away (bench-distance); need anvil, minutes each.
bench-busy: src/licgated src/licgatectl bench/getlogs
	LICGATE_SRCDIR='$(abs_top_srcdir)' $(abs_top_srcdir)/bench/busy.sh --normal --heavy
bench-distance: src/licgated src/licgatectl bench/getlogs bench/fetchfloor
	LICGATE_SRCDIR='$(abs_top_srcdir)' $(abs_top_srcdir)/bench/busy.sh --delay 50
.PHONY: bench-busy bench-distance

# The systemd unit, with the configured paths.
systemdunitdir = $(prefix)/lib/systemd/system
systemdunit_DATA = contrib/licgated.service
CLEANFILES = contrib/licgated.service
EXTRA_DIST += contrib/licgated.service.in
contrib/licgated.service: $(top_srcdir)/contrib/licgated.service.in Makefile
	@mkdir -p contrib
	sed -e 's|@sbindir@|$(sbindir)|g' -e 's|@sysconfdir@|$(sysconfdir)|g' \
		$(top_srcdir)/contrib/licgated.service.in > $@
TESTS += tests/man_conf.sh
EXTRA_DIST += tests/man_conf.sh
TESTS += tests/http_load.sh
EXTRA_DIST += tests/http_load.sh tests/chain/load.mjs
# systemd's notify protocol, with tests/notify_listen as systemd.
check_PROGRAMS += tests/notify_listen
tests_notify_listen_SOURCES = tests/notify_listen.c
TESTS += tests/sdnotify.sh
EXTRA_DIST += tests/sdnotify.sh
# The gas licgated pays per anchored install report at batch sizes 1, 100
# and 10,000 (bench/anchor_gas.sh; needs anvil).
EXTRA_DIST += bench/anchor_gas.sh
bench-anchor-gas: src/licgated src/licgatectl bench/installgen
	LICGATE_SRCDIR='$(abs_top_srcdir)' $(abs_top_srcdir)/bench/anchor_gas.sh
.PHONY: bench-anchor-gas
