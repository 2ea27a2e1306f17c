"""Figures the reliability tests measure, for `make reliability`: each test
appends "name: value" lines to the file $MEDIAMON_FIGURES names, if set."""

import os


def record(name, value):
    path = os.environ.get("MEDIAMON_FIGURES")
    if path:
        with open(path, "a") as f:
            f.write("%s: %s\n" % (name, value))
