# SPDX-License-Identifier: GPL-3.0-or-later
"""A few thousand bad files leave /log useful: the lines of one message
pattern beyond a burst are counted in one summary line, not repeated, so
the lines logged before them stay in the ring (it keeps 500)."""

from conftest import start, unmount
from test_analysis import wait_analysed

FILES = 3000


def test_bad_files_keep_earlier_lines(tmp_path):
    root = tmp_path / "music" / "a"
    root.mkdir(parents=True)
    for n in range(FILES):
        (root / ("t%04d.mp3" % n)).write_bytes(b"")
    m = start(tmp_path, "music=" + str(tmp_path / "music"))
    try:
        a = wait_analysed(m, timeout=300)
        assert a["failed"] == FILES
        log = m.read("log").decode()
    finally:
        unmount(m.path, m.proc)
    assert "scan 1 started" in log
    assert "scan 1 finished" in log
    bad = [line for line in log.splitlines()
           if "not audio the analysis decodes" in line]
    left_out = [line for line in bad if " more lines like this one left" in
                line]
    assert left_out
    assert len(bad) < 100
    # every file is counted: those written and those left out
    assert len(bad) - len(left_out) + sum(
        int(line.split("log: ")[1].split()[0]) for line in left_out) == FILES
