#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs every libFuzzer harness built in BUILD/fuzz for SECONDS each,
# starting from its committed corpus tests/fuzz/corpus/NAME/ (new inputs
# go to BUILD/fuzz/corpus/NAME/, crashing ones to BUILD/fuzz/crashes/).
# Prints one line per harness with the executions it ran, writes them as
# "name: value" figures to BUILD/fuzz/stats, and fails when any harness
# found a crash, a leak or a timeout. Ends with "fuzz: N passed, N failed".
set -u

build=${1:-build-fuzz}
seconds=${2:-20}
# A fixed seed (FUZZ_SEED) makes a run repeat the last one's mutations, so
# a short CI run fails only on what it found before, not by chance.
seed=${FUZZ_SEED:+-seed=$FUZZ_SEED}
passed=0
failed=0
stats="$build/fuzz/stats"
: >"$stats"

for h in "$build"/fuzz/fuzz_*; do
	[ -x "$h" ] || continue
	name=${h##*/fuzz_}
	seeds="tests/fuzz/corpus/$name"
	work="$build/fuzz/corpus/$name"
	log="$build/fuzz/$name.log"
	mkdir -p "$work" "$seeds" "$build/fuzz/crashes"
	# Inputs grow slowly up to 64 KiB: a page, a tag of many frames.
	# shellcheck disable=SC2086
	"$h" $seed -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$build/fuzz/crashes/$name-" \
		"$work" "$seeds" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
		tail -n 1)
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		echo "fuzz: $name: ${runs:-0} executions in ${seconds} s," \
			"no crash"
		echo "fuzz executions without a crash, $name: ${runs:-0}" \
			>>"$stats"
	else
		failed=$((failed + 1))
		tail -n 60 "$log"
		echo "fuzz: $name: FAILED (status $rc) after ${runs:-?}" \
			"executions; input in $build/fuzz/crashes/"
		echo "fuzz executions without a crash, $name: failed" \
			>>"$stats"
	fi
done

echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
