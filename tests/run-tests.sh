#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs every test a clean machine can run: the layout's rules
# (tests/check-layout.py), the cmocka unit tests, then the pytest
# integration tests over a real mount. Ends with one line that sums
# them up: "tests: N passed, N failed". MEDIAMON_UNIT_ONLY=1 stops after
# the unit tests, and MEDIAMON_UNIT_WRAPPER runs each unit test binary
# through a program (make cross-test: qemu-user); MEDIAMON_UNIT_SKIP names
# unit test binaries not to run (said so, counted as neither).
set -u

build=${1:-build}
# A unit test binary stuck in the code under test is ended and counts as a
# failure, rather than hang the suite; the slowest takes seconds.
unit_timeout=${MEDIAMON_UNIT_TIMEOUT:-300}
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== check-layout"
if /usr/bin/python3 tests/check-layout.py; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
fi

for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	echo "== $(basename "$t")"
	case " ${MEDIAMON_UNIT_SKIP:-} " in
	*" $(basename "$t") "*)
		echo "skipped (MEDIAMON_UNIT_SKIP)"
		continue ;;
	esac
	# shellcheck disable=SC2086
	MEDIAMON_FIXTURES="$build/fixtures" timeout -k 10 "$unit_timeout" \
		${MEDIAMON_UNIT_WRAPPER:-} "$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	[ "$rc" -eq 124 ] &&
		echo "$(basename "$t") did not end within ${unit_timeout}s"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	# A crash leaves no summary: count the binary as one failure.
	if [ "$rc" -ne 0 ] && [ -z "$f" ]; then
		echo "$(basename "$t") exited with status $rc"
		failed=$((failed + 1))
	fi
done

if [ -n "${MEDIAMON_UNIT_ONLY:-}" ]; then
	echo "tests: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
fi

echo "== integration (pytest)"
# A folder of this checkout's own: pytest prunes old folders in its shared
# default place, which would pull a running mount's files from under it
# when another checkout tests at the same time.
/usr/bin/python3 -m pytest -q -rfEs --durations=20 -p no:cacheprovider \
	--basetemp="$(cd "$build" && pwd)/pytest" tests/integration 2>&1 |
	tee "$log"
summary=$(grep -E '[0-9]+ (passed|failed|errors?)' "$log" | tail -n 1)
p=$(echo "$summary" | awk '{ for (i = 2; i <= NF; i++)
	if ($i ~ /^passed/) n += $(i - 1) } END { print n + 0 }')
f=$(echo "$summary" | awk '{ for (i = 2; i <= NF; i++)
	if ($i ~ /^(failed|error)/) n += $(i - 1) } END { print n + 0 }')
if [ -z "$summary" ]; then
	echo "pytest printed no summary"
	f=1
fi
passed=$((passed + ${p:-0}))
failed=$((failed + ${f:-0}))

echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
