# SPDX-License-Identifier: GPL-3.0-or-later
"""A flood of tracks made and removed holds no other track's analysis:
the queue entries of files that are gone are taken off the queue in
batches once one of them failed, not failed one at a time ahead of
everyone else's tracks (issue 60)."""

import os
import shutil

from conftest import start, unmount, wait_for
from test_analysis import add_tracks, analysis, sounds  # noqa: F401

# Small enough for `make test` on a loaded machine; failing one at a
# time, so many phantoms held the analysis for minutes.
FLOOD = 3000


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
