#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Prints the ten slowest tests of a run of tests/run-tests.sh, slowest
first: each pytest test (setup, call and teardown together, from the
JUnit XML files pytest wrote with --junitxml) and each unit test binary
(a file of "SECONDS NAME" lines).

Usage: tests/slowest.py UNIT_TIMES [JUNIT_XML...]; a file that is missing
or cannot be read is said so and skipped."""

import sys
import xml.etree.ElementTree as ET

SHOWN = 10


def unit_times(path):
    with open(path) as f:
        for line in f:
            seconds, name = line.split(None, 1)
            yield float(seconds), "unit " + name.strip()


def pytest_times(path):
    for case in ET.parse(path).getroot().iter("testcase"):
        name = case.get("classname", "").replace(".", "/") + ".py::" + \
            case.get("name", "")
        yield float(case.get("time") or 0), name


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__.split("\n\n")[-1] + "\n")
        return 2
    times = []
    for i, path in enumerate(argv[1:]):
        read = unit_times if i == 0 else pytest_times
        try:
            times += list(read(path))
        except (OSError, ValueError, ET.ParseError) as e:
            print("slowest: %s skipped: %s" % (path, e))
    for seconds, name in sorted(times, reverse=True)[:SHOWN]:
        print("%8.2fs %s" % (seconds, name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
