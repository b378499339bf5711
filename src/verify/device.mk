# The device verifier on a microcontroller: src/verify/lgv.c cross-built
# for a Cortex-M3 and run on QEMU (tests/device.sh, src/verify/device/).
TESTS += tests/device.sh
EXTRA_DIST += tests/device.sh src/verify/device

# Builds and runs it (a real token from licgated, as the test does) and
# prints its flash, RAM and stack, the table in README.md.
device-size: src/licgated src/licgatectl
	@mkdir -p device
	@$(AM_TESTS_ENVIRONMENT) $(SHELL) $(abs_top_srcdir)/tests/device.sh \
		> device/test.log 2>&1 || { cat device/test.log; exit 1; }
	@cat device/size.md
.PHONY: device-size
