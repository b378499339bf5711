#!/usr/bin/env bash
# scripts/fuzz-smoke.sh DIR RUNS: builds the libFuzzer targets with clang in
# DIR and runs each for RUNS inputs from its seed corpus (fuzz/seeds/NAME).
# Longer runs: see README, "Fuzzing".
set -uo pipefail
dir=${1:-build-fuzz} runs=${2:-2000}
top=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$dir" && mkdir -p "$dir" || exit 1
(cd "$dir" && "$top/configure" -q CC=clang --enable-fuzzing >configure.out 2>&1) ||
	{ cat "$dir/configure.out"; exit 1; }
targets=$(make -s -C "$dir" print-fuzz-targets)
make -C "$dir" -j"$(nproc)" $targets >"$dir/make.out" 2>&1 ||
	{ tail -40 "$dir/make.out"; exit 1; }
rc=0
for t in $targets; do
	name=$(basename "$t")
	seeds="$top/fuzz/seeds/$name"
	mkdir -p "$dir/corpus-$name"
	args=("$dir/corpus-$name")
	[ -d "$seeds" ] && args+=("$seeds")
	if "$dir/$t" -runs="$runs" -max_len=4096 "${args[@]}" >"$dir/$name.out" 2>&1; then
		echo "fuzz $name: $(grep -E '^(#[0-9]+).*DONE' "$dir/$name.out" | tail -1)"
	else
		echo "fuzz $name: FAILED"; tail -30 "$dir/$name.out"; rc=1
	fi
done
exit $rc
