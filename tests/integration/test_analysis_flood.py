# SPDX-License-Identifier: GPL-3.0-or-later
"""A flood of tracks made and removed holds no other track's analysis:
the queue entries of files that are gone are taken off the queue in
batches once one of them failed, not failed one at a time ahead of
everyone else's tracks; and one owner's flood of tracks still there
holds no other owner's new track behind it: the owners are served in
turn (issue 60)."""

import os
import shutil

import pytest

from conftest import start, unmount, wait_for
from test_analysis import add_tracks, analysis, sounds  # noqa: F401

# Small enough for `make test` on a loaded machine; failing one at a
# time, so many phantoms held the analysis for minutes.
FLOOD = 3000
# The other owner, any uid: the daemon (root) reads its 0644 file.
OTHER_UID = 60001


def tracks(m):
    return m.json("status/summary.json")["counts"]["tracks"]


def test_gone_flood_holds_no_other_track(sounds, tmp_path):  # noqa: F811
    """Tracks of FLOOD empty .mp3 files, queued ahead of another track,
    are removed while the watcher waits (watch_debounce of a minute, so
    the scan has not taken their rows yet): the other track is analysed
    after at most a few of them failed."""
    root = tmp_path / "music"
    flood = root / "flood"
    flood.mkdir(parents=True)
    conf = tmp_path / "flood.conf"
    conf.write_text("[general]\nwatch_debounce = 60000ms\n"
                    "[music]\nroot = %s\n" % root)
    m = start(tmp_path, "config=" + str(conf))
    try:
        assert m.write("control/pause", "1\n") == 2
        for i in range(FLOOD):
            with open(str(flood / ("%05d.mp3" % i)), "wb"):
                pass
        m.rescan(timeout=300)
        wait_for(lambda: tracks(m), 300, "the flood indexed",
                 until=lambda n: n == FLOOD, mount=m, interval=0.2)
        add_tracks(sounds, root, 1, "victim")
        m.rescan(timeout=300)
        wait_for(lambda: tracks(m), 300, "the other track indexed",
                 until=lambda n: n == FLOOD + 1, mount=m, interval=0.2)
        shutil.rmtree(str(flood))
        assert not os.path.exists(str(flood))
        assert m.write("control/pause", "0\n") == 2
        a = wait_for(lambda: analysis(m), 300, "the other track analysed",
                     until=lambda a: a["analysed"] >= 1, mount=m,
                     interval=0.1)
        # without the batches, every phantom failed before it (or the
        # scan came first and took them: fewer still)
        assert a["failed"] < 100, a
    finally:
        unmount(m.path, m.proc)


@pytest.mark.parametrize("size,deadline", [
    (10000, 300),
    # the case: `make flood` (tests/integration/conftest.py)
    pytest.param(200000, 840, marks=pytest.mark.flood)])
def test_one_owners_flood_holds_no_other_owners_track(
        sounds, tmp_path, size, deadline):  # noqa: F811
    """size empty .mp3 of one owner (root), each failing its analysis,
    queued ahead of a track of another owner (OTHER_UID), all staying:
    the other owner's track is analysed in its turn, right after the
    first of the flood, not after the flood failed through (taken in the
    order of track ids, all of them came first). The deadlines are what
    a loaded machine needs, not a measure of speed."""
    root = tmp_path / "music"
    flood = root / "flood"
    flood.mkdir(parents=True)
    m = start(tmp_path, "music=" + str(root))
    try:
        assert m.write("control/pause", "1\n") == 2
        for i in range(size):
            with open(str(flood / ("%05d.mp3" % i)), "wb"):
                pass
        m.rescan(timeout=deadline)
        wait_for(lambda: tracks(m), deadline, "the flood indexed",
                 until=lambda n: n == size, mount=m, interval=0.2)
        add_tracks(sounds, root, 1, "other")
        for path in (root / "other", root / "other" / "00.flac"):
            os.chown(str(path), OTHER_UID, OTHER_UID)
        m.rescan(timeout=deadline)
        wait_for(lambda: tracks(m), deadline, "the other track indexed",
                 until=lambda n: n == size + 1, mount=m, interval=0.2)
        assert analysis(m)["queued"] == size + 1
        assert m.write("control/pause", "0\n") == 2
        a = wait_for(lambda: analysis(m), deadline,
                     "the other track analysed",
                     until=lambda a: a["analysed"] >= 1, mount=m,
                     interval=0.1)
        # in turn: a few of the flood's went first (one per worker and
        # turn), not the thousands before it in the order of ids
        assert a["failed"] + a.get("too_short", 0) < size // 2, a
        assert a["queued"] > size // 2, a
    finally:
        unmount(m.path, m.proc)
