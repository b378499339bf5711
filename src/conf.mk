# gateway.conf: the option table and its parser.
src_liblicgate_a_SOURCES += src/conf.c src/conf.h

check_PROGRAMS += tests/check_conf tests/conf_example
TESTS += tests/check_conf tests/conf_example.sh
EXTRA_DIST += tests/conf_example.sh gateway.conf.example
tests_check_conf_SOURCES = tests/check_conf.c
tests_check_conf_CFLAGS = $(TEST_CC_OPTS)
tests_check_conf_LDADD = $(TEST_LIBS)
tests_conf_example_SOURCES = tests/conf_example.c
tests_conf_example_LDADD = $(LG_LIBS)

# Gateway keys (licgatectl keygen, key-info).
src_licgatectl_SOURCES += src/ctl_keygen.c src/ctl_key_info.c
TESTS += tests/keys.sh
EXTRA_DIST += tests/keys.sh
