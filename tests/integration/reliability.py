# SPDX-License-Identifier: GPL-3.0-or-later
"""What the reliability tests share: walking every file of a mount, the
daemon's memory, and the figures they measure for `make reliability`."""

import os

# Folders that list nothing until asked for by name.
QUERIES = ["search/a", "search/one piece", "search/x"]


def every_file(mnt):
    """Every path of the mount that is not a folder, the queries in
    QUERIES included; a folder that vanishes while walked is skipped."""
    stack = [mnt] + [os.path.join(mnt, q) for q in QUERIES]
    while stack:
        d = stack.pop()
        try:
            names = os.listdir(d)
        except FileNotFoundError:
            continue
        for name in names:
            path = os.path.join(d, name)
            try:
                is_dir = os.path.isdir(path)
            except FileNotFoundError:
                continue
            if is_dir:
                stack.append(path)
            else:
                yield path


def rss_kb(pid):
    """The resident memory of process pid, in kB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def record(name, value):
    """Append "name: value" to the file $MEDIAMON_FIGURES names, if set."""
    path = os.environ.get("MEDIAMON_FIGURES")
    if path:
        with open(path, "a") as f:
            f.write("%s: %s\n" % (name, value))
