#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs the reliability tests (crash safety, hostile trees, concurrency,
# secrets, access of other users, the import against them, their caps on
# open files and on the memory of covers, the analysis child's
# confinement, status reads during a first scan, faults of the store,
# roots that go away) and appends their figures, one "name: value" line
# each, to
# BUILD/reliability.txt. Exits non-zero when a test failed.
set -u

build=${1:-build}
figures="$(cd "$build" && pwd)/reliability.txt"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

MEDIAMON_FIGURES=$figures /usr/bin/python3 -m pytest -q -rA \
	-p no:cacheprovider --basetemp="$(cd "$build" && pwd)/pytest-rel" \
	tests/integration/test_crash.py tests/integration/test_hostile.py \
	tests/integration/test_concurrency.py \
	tests/integration/test_secrets.py \
	tests/integration/test_access.py \
	tests/integration/test_import_hostile.py \
	tests/integration/test_caps.py \
	tests/integration/test_cover_bomb.py \
	tests/integration/test_analysis_confined.py \
	tests/integration/test_status_speed.py \
	tests/integration/test_faults.py \
	tests/integration/test_root_guard.py >"$log" 2>&1
rc=$?
tail -n 1 "$log"
[ "$rc" -eq 0 ] || cat "$log"

# One line per test in pytest's short summary: "PASSED file::name".
count() {
	grep -c "^$1 tests/integration/$2::" "$log"
}
for f in hostile:test_hostile.py secrets:test_secrets.py \
	faults:test_faults.py confined:test_analysis_confined.py \
	status:test_status_speed.py import:test_import_hostile.py \
	roots:test_root_guard.py; do
	name=${f%%:*}
	file=${f#*:}
	passed=$(count PASSED "$file")
	tried=$((passed + $(count FAILED "$file") + $(count ERROR "$file")))
	# skips are summed up by reason: "SKIPPED [2] tests/...py:12: why"
	skip="^SKIPPED \[\([0-9]*\)\] tests/integration/$file:.*"
	skipped=$(sed -n "s|$skip|\1|p" "$log" |
		awk '{ n += $1 } END { print n + 0 }')
	case $name in
	hostile) label="hostile cases passed" ;;
	secrets) label="secret and permission checks passed" ;;
	faults) label="store faults survived and reported right" ;;
	confined) label="analysis child confinement checks passed" ;;
	status) label="status reads answered within 1 s during a scan" ;;
	import) label="imports refused against other users' links" ;;
	roots) label="root guard cases passed (gone, emptied, moved, half gone)" ;;
	esac
	if [ "$skipped" -gt 0 ]; then
		echo "$label: $passed/$tried ($skipped not tried here)"
	else
		echo "$label: $passed/$tried"
	fi >>"$figures"
done
grep -q "^kills survived" "$figures" ||
	echo "kills survived with integrity ok: failed (see above)" >>"$figures"
grep -q "^access denials" "$figures" ||
	echo "access denials tried / leaked: not measured (needs root)" \
		>>"$figures"
grep -q "^opens past the per-user cap" "$figures" ||
	echo "opens past the per-user cap refused: not measured (needs root)" \
		>>"$figures"
grep -q "^concurrent reads" "$figures" ||
	echo "concurrent reads served without error: failed (see above)" \
		>>"$figures"
exit "$rc"
