#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs every test a clean machine can run: the layout's rules
# (tests/check-layout.py), the cmocka unit tests, then the pytest
# integration tests over a real mount. Ends with the ten slowest tests
# and one line that sums them up: "tests: N passed, N failed".
#
# Most of a test's time is waiting (a mount, a scan, a client), so tests
# run side by side: MEDIAMON_UNIT_JOBS unit test binaries at a time (4),
# and the integration tests in MEDIAMON_TEST_WORKERS pytest-xdist workers
# (4; 0 runs them in this process), then those marked serial (a resource
# of the whole machine, such as a kernel limit they change) one at a
# time, apart. MEDIAMON_UNIT_ONLY=1 stops after the unit tests, and
# MEDIAMON_UNIT_WRAPPER runs each unit test binary through a program
# (make cross-test: qemu-user); MEDIAMON_UNIT_SKIP names unit test
# binaries not to run (said so, counted as neither).
set -u

build=${1:-build}
# A unit test binary stuck in the code under test is ended and counts as a
# failure, rather than hang the suite; the slowest takes seconds.
unit_timeout=${MEDIAMON_UNIT_TIMEOUT:-300}
unit_jobs=${MEDIAMON_UNIT_JOBS:-4}
workers=${MEDIAMON_TEST_WORKERS:-4}
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/unit.times"

# Adds the counts of a cmocka binary's log $1, run with status $2, to the
# sums; a crash leaves no summary and counts as one failure.
count_unit() {
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$1" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$1" | tail -n 1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ "$2" -ne 0 ] && [ -z "$f" ]; then
		echo "$(basename "$1" .log) exited with status $2"
		failed=$((failed + 1))
	fi
}

# Runs pytest with the arguments given, its output teed to $tmp/pytest.log,
# and adds what its summary line counts to the sums. A run that selects
# nothing is not a failure; one that prints no summary is.
summary_line='^(=+ )?[0-9]+ (passed|failed|errors?|skipped|deselected)'
summary_line="$summary_line|no tests ran"
run_pytest() {
	/usr/bin/python3 -m pytest -q -rfEs -p no:cacheprovider "$@" 2>&1 |
		tee "$tmp/pytest.log"
	summary=$(grep -E "$summary_line" "$tmp/pytest.log" | tail -n 1)
	if [ -z "$summary" ]; then
		echo "pytest printed no summary"
		failed=$((failed + 1))
		return
	fi
	p=$(echo "$summary" | awk '{ for (i = 2; i <= NF; i++)
		if ($i ~ /^passed/) n += $(i - 1) } END { print n + 0 }')
	f=$(echo "$summary" | awk '{ for (i = 2; i <= NF; i++)
		if ($i ~ /^(failed|error)/) n += $(i - 1) } END { print n + 0 }')
	passed=$((passed + p))
	failed=$((failed + f))
}

echo "== check-layout"
if /usr/bin/python3 tests/check-layout.py; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
fi

# Each unit test binary writes NAME.log, NAME.rc and a line to unit.times
# in $tmp; they run unit_jobs at a time and are shown in name order.
echo "== unit tests, $unit_jobs at a time"
# shellcheck disable=SC2016
for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	case " ${MEDIAMON_UNIT_SKIP:-} " in
	*" $(basename "$t") "*)
		echo "$(basename "$t"): skipped (MEDIAMON_UNIT_SKIP)" >&2
		continue ;;
	esac
	echo "$t"
done | MEDIAMON_FIXTURES="$build/fixtures" UNIT_TIMEOUT=$unit_timeout \
	UNIT_OUT=$tmp xargs -r -n 1 -P "$unit_jobs" sh -c '
	n=$(basename "$1")
	start=$(date +%s.%N)
	# shellcheck disable=SC2086
	timeout -k 10 "$UNIT_TIMEOUT" ${MEDIAMON_UNIT_WRAPPER:-} "$1" \
		>"$UNIT_OUT/$n.log" 2>&1
	echo $? >"$UNIT_OUT/$n.rc"
	echo "$(date +%s.%N) $start $n" |
		awk "{ printf \"%.2f %s\\n\", \$1 - \$2, \$3 }" \
		>>"$UNIT_OUT/unit.times"' sh
for rc in "$tmp"/test_*.rc; do
	[ -e "$rc" ] || continue
	n=$(basename "$rc" .rc)
	echo "== $n"
	cat "$tmp/$n.log"
	rc=$(cat "$rc")
	[ "$rc" -eq 124 ] && echo "$n did not end within ${unit_timeout}s"
	count_unit "$tmp/$n.log" "$rc"
done

if [ -n "${MEDIAMON_UNIT_ONLY:-}" ]; then
	echo "== the ten slowest unit test binaries"
	/usr/bin/python3 tests/slowest.py "$tmp/unit.times"
	echo "tests: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
fi

# Folders of this checkout's own: pytest prunes old folders in its shared
# default place, which would pull a running mount's files from under it
# when another checkout tests at the same time. Each run empties its own;
# each part's JUnit XML, with every test's time, is kept beside them. The
# paths stay short: tests write them into configurations, whose lines
# have a length limit.
base=$(cd "$build" && pwd)/pt
# What an earlier run left there (hundreds of MB in small files, minutes
# to remove on a busy machine) is set aside at once and removed beside
# the tests, at a low priority.
mkdir -p "$base.old"
[ -e "$base" ] && mv "$base" "$base.old/$$"
nice -n 19 rm -rf "$base.old" &
parallel="-n $workers"
if [ "$workers" -gt 0 ] &&
   ! /usr/bin/python3 -c 'import xdist' 2>/dev/null; then
	echo "pytest-xdist is not installed (contrib/install-deps.sh):" \
		"the integration tests run one at a time"
	parallel=""
fi
echo "== integration (pytest, ${parallel:-one process})"
# shellcheck disable=SC2086
run_pytest $parallel -m "not serial" --basetemp="$base" \
	--junitxml="$base-parallel.xml" tests/integration
echo "== integration (pytest, the serial tests, one at a time)"
run_pytest -m serial --basetemp="$base-serial" \
	--junitxml="$base-serial.xml" tests/integration

echo "== the ten slowest tests"
/usr/bin/python3 tests/slowest.py "$tmp/unit.times" "$base-parallel.xml" \
	"$base-serial.xml"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
