# SPDX-License-Identifier: GPL-3.0-or-later
"""Real-Debrid's pause in /status/health, from the repairer's throttle:
shown while Real-Debrid refuses requests for their rate, with its end and
its cause, and gone once the pause is over and a request went through."""

from test_repair import rd_mount, setup  # noqa: F401


def realdebrid_lines(s):
    return [line for line in s.m.read("status/health").decode().splitlines()
            if line.split(": ")[1:2] == ["realdebrid"]]


def test_pause_shown_until_a_request_goes_through(setup):
    s = setup(dry_run=True)
    s.inject(path_regex="^/torrents$", status=429,
             body={"error": "too_many_requests", "error_code": 34},
             headers={"Retry-After": "1"})
    s.command("scan")
    lines = realdebrid_lines(s)
    paused = [line for line in lines if " paused until " in line]
    assert len(paused) == 1, lines
    assert paused[0].startswith("warn: realdebrid: paused until ")
    assert paused[0].endswith("Z (429 too many requests)")
    assert s.m.json("metrics/repair.json")["passes"] == 1
    # the pause (the backoff's 10 s, longer than Retry-After) ends
    s.wait(lambda: not [line for line in realdebrid_lines(s)
                        if " paused until " in line], "the pause's end")
    n = len(s.requests())
    s.command("scan")
    # the account listed, and a last page that brings nothing new
    assert [r["status"] for r in s.requests()[n:]
            if r["path"] == "/torrents"] == [200, 200]
    assert realdebrid_lines(s) == []
