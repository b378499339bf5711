#!/usr/bin/env bash
# test.sh: the README's test command.  Installs what is missing, builds with
# -Werror and runs the C test programs, builds again with -Werror under
# ASan+UBSan and runs every test there (the few that run none of our C
# code in the first build instead), then gives each libFuzzer target a
# short run.  The last line is "N passed, N failed"; the exit status is
# the truth.
set -uo pipefail
cd "$(dirname "$0")"
. scripts/deps.sh

if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
	echo "usage: ./test.sh [--quick]"
	echo "  --quick  skip the sanitizer build and the fuzz smoke run"
	exit 0
fi
quick=0
[ "${1:-}" = "--quick" ] && quick=1

jobs=$(nproc 2>/dev/null || echo 2)
failed_stage=""

lg_install_deps || { echo "test.sh: installing dependencies failed"; exit 1; }

echo "==> autoreconf"
autoreconf -fi >/dev/null 2>&1 || { autoreconf -fi; echo "test.sh: autoreconf failed"; exit 1; }

# tests_pick DIR but|only NAME...: the tests DIR's Makefile lists, less
# the scripts tests/NAME.sh (but), or the C test programs and those
# scripts alone (only).
tests_pick() {
	local dir=$1 mode=$2 t n named out=""; shift 2
	for t in $(printf 'lg-tests:\n\t@echo $(TESTS)\n' |
	    make -s -C "$dir" -f Makefile -f - lg-tests); do
		named=0
		for n in "$@"; do [ "$t" = "tests/$n.sh" ] && named=1; done
		case $mode:$named:$t in
		but:0:*|only:1:*|only:0:tests/check_*) out="$out $t " ;;
		esac
	done
	# The slowest first, so that two jobs do not end on one long tail.
	for n in $LG_SLOW; do
		case $out in
		*" tests/$n.sh "*) out=" tests/$n.sh ${out/ tests\/$n.sh / }" ;;
		esac
	done
	echo $out
}
LG_SLOW="ganache contract device anchor_legacy lying install_proof anchor registry_rules attest installs verify_block engines crash"


# build DIR CONFIGURE-ARGS...: configure out of tree, make, make check
# (all of it, or what LG_PICK, "but NAME..." or "only NAME...", picks).
build() {
	local dir=$1; shift
	echo "==> $dir: configure $*"
	rm -rf "$dir" && mkdir -p "$dir" || return 1
	(cd "$dir" && ../configure -q "$@" >configure.out 2>&1) ||
		{ cat "$dir/configure.out"; return 1; }
	echo "==> $dir: make"
	make -C "$dir" -j"$jobs" >"$dir/make.out" 2>&1 ||
		{ tail -50 "$dir/make.out"; return 1; }
	echo "==> $dir: make check${LG_PICK:+ (${LG_PICK%% *}: ${LG_PICK#* })}"
	# shellcheck disable=SC2086
	make -C "$dir" -j"$jobs" check ${LG_PICK:+TESTS="$(tests_pick "$dir" $LG_PICK)"} 2>&1 |
		grep -E '^(PASS|FAIL|ERROR|XPASS|SKIP):'
	local rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 0 ]; then
		for f in "$dir"/tests/*.log; do
			grep -qE '^:test-result: (FAIL|ERROR)' "${f%.log}.trs" 2>/dev/null &&
				{ echo "---- $f"; tail -40 "$f"; }
		done
	fi
	return "$rc"
}

# Every script test runs once, under the sanitizers, where a memory or
# undefined-behaviour error in licgated fails it, except those that run no
# C code of ours beyond what others run (the contract's JavaScript suite,
# the man page and freestanding-compile checks, the ganache and EthereumJS
# nodes, whose paths noreceipts.sh and engines.sh take too, the verifier
# cross-built for a Cortex-M3): they run in the optimised -Werror build,
# with the C test programs, which run in both.  --quick runs everything in
# the first build and nothing else.
plain_only="contract man_conf man_verbs verify_freestanding ganache ejs_live device"
if [ "$quick" -eq 1 ]; then
	build build --enable-werror || failed_stage="$failed_stage build"
else
	LG_PICK="only $plain_only" build build --enable-werror ||
		failed_stage="$failed_stage build"
	# crash.sh kills licgated 12 times rather than 20 under ASan's
	# slower start.
	LICGATE_CRASH_ROUNDS=12 LG_PICK="but $plain_only" \
	    build build-asan --enable-werror --enable-asan ||
		failed_stage="$failed_stage asan"
	echo "==> fuzz smoke run (libFuzzer, clang)"
	if ! scripts/fuzz-smoke.sh build-fuzz 2000; then
		failed_stage="$failed_stage fuzz"
	fi
fi

# Count results: Check logs give per-case counts, script tests print
# "ok"/"not ok" lines, anything else counts as one test.
passed=0 failed=0
for trs in build/tests/*.trs build-asan/tests/*.trs; do
	[ -f "$trs" ] || continue
	log=${trs%.trs}.log
	if line=$(grep -E 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$log" | tail -1) && [ -n "$line" ]; then
		n=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
		f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
		e=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
		passed=$((passed + n - f - e)); failed=$((failed + f + e))
		grep -qE '^:test-result: PASS' "$trs" || [ $((f + e)) -gt 0 ] || failed=$((failed + 1))
	elif grep -qE '^(not )?ok ' "$log"; then
		passed=$((passed + $(grep -cE '^ok ' "$log")))
		failed=$((failed + $(grep -cE '^not ok ' "$log")))
		grep -qE '^:test-result: PASS' "$trs" || [ "$(grep -cE '^not ok ' "$log")" -gt 0 ] ||
			failed=$((failed + 1))
	elif grep -qE '^:test-result: PASS' "$trs"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done
if [ -n "$failed_stage" ]; then
	echo "test.sh: failed stages:$failed_stage"
	[ "$failed" -eq 0 ] && failed=1
fi
[ "$passed" -eq 0 ] && { echo "test.sh: no test ran"; failed=$((failed + 1)); }
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ -z "$failed_stage" ]
