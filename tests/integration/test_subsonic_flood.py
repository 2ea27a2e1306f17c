# SPDX-License-Identifier: GPL-3.0-or-later
"""One account's loop of heavy Subsonic calls holds no other account
(issue 76). Root's 12 connections (3 on each of the listener's 4
threads, kept alive as players keep them) ask getPlaylists, an answer
made whole over every track of the library, again and again; another
account's ping is answered meanwhile, and so are root's calls once
asked again: an account has at most [http] max_answers_per_account
answers in progress, one more is refused at once with 429 and a
Retry-After (one log line), not queued behind the others on a thread
every account shares. Nor is another account's connection kept alive
from before the flood: each connection has a thread of its own
(fs/http/http.c), where on a pool it shared one with the flooder's and
waited behind its answers. The library is tiny tagged MP3 files
(tests/bench/gen_tiny.py): 2,000 in make test, the issue's 20,000 in
make flood, where another account's ping, on a new connection or on its
kept one, must come within a second."""

import http.client
import json
import os
import subprocess
import threading
import time
import urllib.parse

import pytest

from conftest import unmount, wait_for
from access_users import drop_user, make_user
from subsonic_calls import ok
from test_http import PASSWORD, Web

GEN_TINY = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "..", "bench", "gen_tiny.py")
LOOPS = 12
PINGS = 20

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0, reason="needs root to make a second account")


def rest(conn, user, method):
    """(status, headers, the subsonic-response or None) of one call of
    method by user on the kept-alive connection conn."""
    q = urllib.parse.urlencode({"u": user, "p": PASSWORD, "v": "1.16.1",
                                "c": "mediamon-test", "f": "json"})
    conn.request("GET", "/rest/%s.view?%s" % (method, q))
    r = conn.getresponse()
    body = r.read()
    answer = None
    if r.status == 200:
        answer = json.loads(body)["subsonic-response"]
    return r.status, r.headers, answer


class Loop(threading.Thread):
    """One of the flooder's players: getPlaylists on one kept-alive
    connection until stopped, asking again soon after a 429."""

    def __init__(self, w, stop):
        super().__init__(daemon=True)
        self.w, self.stop, self.done, self.refused = w, stop, 0, 0
        self.error = None

    def run(self):
        host = urllib.parse.urlsplit(self.w.base).netloc
        conn = http.client.HTTPConnection(host, timeout=300)
        try:
            while not self.done or not self.stop.is_set():
                status, headers, answer = rest(conn, "root",
                                               "getPlaylists")
                if status == 429:
                    assert int(headers["Retry-After"]) >= 1
                    self.refused += 1
                    time.sleep(0.01)
                    continue
                assert status == 200, status
                ok(answer)
                assert answer["playlists"]["playlist"], answer
                self.done += 1
        except BaseException as e:  # noqa: B902 (reported by the test)
            self.error = e
        finally:
            conn.close()


def daemon_figures(pid):
    """The threads and resident memory of the process pid, as its
    /proc/PID/status says them."""
    with open("/proc/%d/status" % pid) as f:
        lines = dict(line.split(":", 1) for line in f if ":" in line)
    return "%s threads, %s resident" % (lines["Threads"].strip(),
                                         lines["VmRSS"].strip())


@pytest.mark.parametrize("tracks", [
    2000,
    # the case: `make flood` (tests/integration/conftest.py)
    pytest.param(20000, marks=pytest.mark.flood)])
def test_one_accounts_loop_holds_no_other_account(tmp_path, tracks):
    music = tmp_path / "music"
    subprocess.run(["/usr/bin/python3", GEN_TINY, str(music), "--files",
                    str(tracks), "--jobs", "1"], check=True,
                   capture_output=True, timeout=600)
    other = make_user()
    stop = threading.Event()
    loops = []
    try:
        w = Web(tmp_path, names=("root", other.name), music=music)
        try:
            wait_for(lambda: w.m.json("status/summary.json")["counts"][
                "tracks"], 600, "the tracks indexed",
                until=lambda n: n == tracks, mount=w.m, interval=0.5)
            host = urllib.parse.urlsplit(w.base).netloc
            # a player of the other account, kept alive from before
            kept = http.client.HTTPConnection(host, timeout=300)
            assert rest(kept, other.name, "ping")[0] == 200
            loops = [Loop(w, stop) for _ in range(LOOPS)]
            for t in loops:
                t.start()
            wait_for(lambda: "answers in progress" in w.log(), 300,
                     "the flooder at its cap", mount=w.m)
            worst = 0
            for _ in range(PINGS):
                conn = http.client.HTTPConnection(host, timeout=300)
                began = time.monotonic()
                status, _, answer = rest(conn, other.name, "ping")
                worst = max(worst, time.monotonic() - began)
                conn.close()
                assert status == 200, status
                ok(answer)
            print("another account's ping: %.3f s at worst" % worst)
            worst_kept = 0
            for _ in range(PINGS):
                began = time.monotonic()
                status, _, answer = rest(kept, other.name, "ping")
                worst_kept = max(worst_kept, time.monotonic() - began)
                assert status == 200, status
                ok(answer)
            kept.close()
            print("its ping on a connection kept alive: %.3f s at worst"
                  % worst_kept)
            print("the daemon meanwhile: %s" % daemon_figures(w.m.proc.pid))
            assert all(t.is_alive() for t in loops), \
                "the flood ended before the pings"
            stop.set()
            for t in loops:
                t.join(600)
                assert not t.is_alive()
                assert t.error is None, repr(t.error)
                assert t.done >= 1
            assert sum(t.refused for t in loops) >= 1
            # the refusals are logged once while they last
            assert w.log().count("answers in progress") <= 2 * LOOPS
            if tracks >= 20000:
                assert worst < 1.0, "another account's ping took " \
                    "%.1f s" % worst
                assert worst_kept < 1.0, "another account's ping on its" \
                    " kept connection took %.1f s" % worst_kept
        finally:
            stop.set()
            for t in loops:
                t.join(600)
            unmount(w.m.path, w.m.proc)
    finally:
        drop_user(other)
