#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The worst time a status file takes to answer: bench.sh's scale section.

    status_latency.py MNT --stop FILE     until FILE exists (during a scan),
                                          one round at least
    status_latency.py MNT --rounds N      N rounds (after it)

Each round stat()s and then reads to its end each file under FOLDERS in
MNT (every status and metrics file the mount shows, found at the start),
one after the other, with a pause of PAUSE_S between rounds; a file that
cannot be read is a failure (exit 1). Prints the worst stat() or read
seen, in milliseconds, its file, the rounds made, the files read and
how many answers were EAGAIN (a list of status/ whose first rendering is
still being made at that size: mediamon(8), -o snapshot_files; timed as
any answer, and counted):

    worst_ms 12.3 status/summary.json rounds 57 files 35 pending 0
"""

import argparse
import errno
import os
import sys
import time

FOLDERS = ["status", "metrics"]
PAUSE_S = 0.05


def status_files(mnt):
    """Every file under FOLDERS, relative to mnt, sorted."""
    found = []
    for top in FOLDERS:
        for d, _, names in os.walk(os.path.join(mnt, top)):
            found += [os.path.relpath(os.path.join(d, n), mnt)
                      for n in names]
    return sorted(found)


def stat_and_read(path):
    """The worst of a stat() and a read to the end of path, in seconds,
    and whether an answer was EAGAIN."""
    t = time.monotonic()
    try:
        os.stat(path)
        took = time.monotonic() - t
        t = time.monotonic()
        with open(path, "rb") as f:
            while f.read(1 << 16):
                pass
    except OSError as e:
        if e.errno != errno.EAGAIN:
            raise
        return time.monotonic() - t, True
    return max(took, time.monotonic() - t), False


def timed_round(mnt, files, worst, pending):
    """Stat and read each file once; worst is [ms, name], kept up, and
    pending[0] counts the EAGAIN answers."""
    for rel in files:
        took, eagain = stat_and_read(os.path.join(mnt, rel))
        took *= 1000
        pending[0] += eagain
        if took > worst[0]:
            worst[0], worst[1] = took, rel


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mnt")
    ap.add_argument("--stop")
    ap.add_argument("--rounds", type=int)
    args = ap.parse_args()
    if (args.stop is None) == (args.rounds is None):
        ap.error("give one of --stop and --rounds")
    worst, rounds, pending = [0.0, "-"], 0, [0]

    def more():
        if args.stop:
            return not os.path.exists(args.stop)
        return rounds < args.rounds

    try:
        files = status_files(args.mnt)
        if not files:
            sys.exit("status_latency: no status file in %s" % args.mnt)
        while rounds == 0 or more():
            timed_round(args.mnt, files, worst, pending)
            rounds += 1
            time.sleep(PAUSE_S)
    except OSError as e:
        sys.exit("status_latency: %s" % e)
    print("worst_ms %.1f %s rounds %d files %d pending %d" %
          (worst[0], worst[1], rounds, len(files), pending[0]))


if __name__ == "__main__":
    main()
