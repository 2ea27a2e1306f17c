#!/bin/sh
# Runs the reliability tests (crash safety, hostile trees, concurrency,
# secrets, access of other users) and appends their figures, one
# "name: value" line each, to
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
	tests/integration/test_access.py >"$log" 2>&1
rc=$?
tail -n 1 "$log"
[ "$rc" -eq 0 ] || cat "$log"

# One line per test in pytest's short summary: "PASSED file::name".
count() {
	grep -c "^$1 tests/integration/$2::" "$log"
}
for f in hostile:test_hostile.py secrets:test_secrets.py; do
	name=${f%%:*}
	file=${f#*:}
	passed=$(count PASSED "$file")
	tried=$((passed + $(count FAILED "$file") + $(count ERROR "$file")))
	case $name in
	hostile) label="hostile cases passed" ;;
	secrets) label="secret and permission checks passed" ;;
	esac
	echo "$label: $passed/$tried" >>"$figures"
done
grep -q "^kills survived" "$figures" ||
	echo "kills survived with integrity ok: failed (see above)" >>"$figures"
grep -q "^access denials" "$figures" ||
	echo "access denials tried / leaked: not measured (needs root)" \
		>>"$figures"
grep -q "^concurrent reads" "$figures" ||
	echo "concurrent reads served without error: failed (see above)" \
		>>"$figures"
exit "$rc"
