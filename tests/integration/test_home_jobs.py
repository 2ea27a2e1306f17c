# SPDX-License-Identifier: GPL-3.0-or-later
"""What runs now on the page at / (issue 79): a missing-volume check and
a Real-Debrid repair pass, each held running by its service (the fake
holds the request until the test lets it go, no sleep), are on the page
as running, the page reloading every 5 s, and in summary.json's jobs by
name; once let go, both are gone and the page is idle again."""

import json
import re

from conftest import wait_for
from test_http import Web, htpasswd
from test_monitor import monitored, saga  # noqa: F401
from test_repair import rd_mount, setup  # noqa: F401


def listener_of(m, tmp_path):
    """A Web of the mount m, whose [http] the test gave."""
    w = Web.__new__(Web)
    w.where, w.m = tmp_path, m
    line = wait_for(lambda: re.search(
        r"http: listening on \S+ \(port (\d+)\)",
        (tmp_path / "mediamon.log").read_text()), 30,
        "the listener's port", mount=m)
    w.base = "http://127.0.0.1:%s" % line.group(1)
    return w


def http_section(tmp_path):
    htpasswd(tmp_path / "htpasswd", "root")
    return "[http]\nlisten = 127.0.0.1:0\nhtpasswd = %s\n" % (
        tmp_path / "htpasswd")


def summary(w):
    return json.loads(w.curl("/status/summary.json")[2])


def idle(w, m, what):
    """The page and summary.json once nothing runs: no job named, the
    page reloading every minute."""
    doc = wait_for(lambda: summary(w), 60, what, mount=m,
                   until=lambda d: d["last_scan"] and
                   d["state"] == "idle" and
                   d["jobs"] == {"running": [], "queued": []})
    body = w.curl("/")[2].decode()
    assert 'id="now-jobs"' not in body, body[-3000:]
    assert 'content="60"' in body and 'content="5"' not in body
    assert 'id="now-state">idle<' in body
    assert 'id="now-checks">0 running, 0 queued<' in body
    return doc


def running(w, m, state, job, words):
    """The page once job runs (summary.json's state state): its line,
    the page reloading every 5 s, and summary.json naming it."""
    body = wait_for(lambda: w.curl("/")[2].decode(), 60,
                    "%s on the page" % job, mount=m,
                    until=lambda b: 'id="now-state">%s<' % state in b)
    assert '<li id="now-job-%s">%s: <span class="state">running</span>' \
        % (job, words) in body, body[-3000:]
    assert 'id="now-checks">1 running, 0 queued<' in body
    assert 'content="5"' in body
    doc = summary(w)
    assert doc["state"] == state, doc
    assert doc["jobs"] == {"running": [job], "queued": []}, doc["jobs"]


def test_a_check_running_is_shown_then_gone(monitored, tmp_path):
    """A missing-volume check held by Prowlarr (its first search held) is
    on the page as running and in summary.json's jobs by its name; let
    go, it ends and is named nowhere; before it none is."""
    mon = monitored([saga(n) for n in (1, 2, 3)],
                    extra=http_section(tmp_path))
    w = listener_of(mon.m, tmp_path)
    idle(w, mon.m, "the first scan over")
    for n in (1, 2, 3):
        mon.prowlarr.call("/_inject", {"query": saga(n).lower(),
                                       "hold": "check", "times": 1})
    mon.m.write("control/check-missing", "1\n")
    running(w, mon.m, "checking", "check-missing",
            "the missing-volume check")
    mon.prowlarr.call("/_release", {"gate": "check"})
    wait_for(lambda: mon.last("missing"), 60, "the check over",
             mount=mon.m, until=lambda last: last and
             last["finished_at_s"])
    idle(w, mon.m, "the check gone")
    assert len(mon.searches()) == 3


def test_a_repair_pass_running_is_shown_then_gone(setup, tmp_path):
    """A repair pass held by Real-Debrid (its first request held) is on
    the page as running and in summary.json's jobs as repair-run; let
    go, it ends (the pass counted) and is named nowhere."""
    s = setup(sections=http_section(tmp_path))
    w = listener_of(s.m, tmp_path)
    idle(w, s.m, "the first scan over")
    before = s.passes()
    s.inject(path_regex=".", hold="repair", times=1)
    s.m.write("control/repair", "run\n")
    running(w, s.m, "repairing", "repair-run", "the repair pass")
    assert s.passes() == before
    s.rd.call("/_release", {"gate": "repair"})
    s.wait(lambda: s.passes() > before, "the pass over")
    idle(w, s.m, "the repair pass gone")
