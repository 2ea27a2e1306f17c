# SPDX-License-Identifier: GPL-3.0-or-later
"""Credentials verified lately are kept a short while (issue 78): an
account hashed at bcrypt cost 12 pays its hash once, not at each of ten
requests, measured in the daemon's CPU time (not wall time); a wrong
password is never kept, and a reload of the htpasswd file forgets what
was kept, so a changed password takes effect at once."""

import signal
import subprocess

from conftest import wait_for
from test_http import PASSWORD, Web
from test_probe_door_limits import cpu_ticks


def write_account(path, name, password, cost):
    line = subprocess.run(["htpasswd", "-nbB", "-C", str(cost), name,
                           password], capture_output=True, text=True,
                          check=True).stdout.strip()
    path.write_text(line + "\n")
    path.chmod(0o600)


def reload(w):
    done = w.log().count("reload: done")
    w.m.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: w.log().count("reload: done") > done, 60,
             "reload: done in the log", mount=w.m)


def test_a_costly_account_pays_its_hash_once(tmp_path):
    w = Web(tmp_path)
    try:
        pw = tmp_path / "htpasswd"
        write_account(pw, "root", PASSWORD, 12)
        reload(w)

        def ticks(n, password=PASSWORD, want=200):
            before = cpu_ticks(w.m.proc.pid)
            for _ in range(n):
                assert w.curl("/status/health",
                              password=password)[0] == want
            return cpu_ticks(w.m.proc.pid) - before

        one = ticks(1)
        assert one > 0
        # nine more: what the first one paid, not nine times it
        more = ticks(9)
        assert more < 3 * one, (one, more)
        # a wrong password is checked each time and never kept
        wrong = ticks(2, password="wrong", want=401)
        assert wrong >= one, (one, wrong)
        # a new password: the old one is refused at once after a reload
        write_account(pw, "root", "another word", 12)
        reload(w)
        assert w.curl("/status/health")[0] == 401
        assert w.curl("/status/health", password="another word")[0] == 200
    finally:
        w.stop()
