# SPDX-License-Identifier: GPL-3.0-or-later
"""The [http] listener's limits and checks probed by a local user
(issue 76): what one user does must not shut the others out, and what a
login or a POST carries must be checked as the protocols say. Each case
is one the probe found open."""

import signal
import subprocess

from conftest import wait_for
from subsonic_calls import call, failed, ok, passwords_file, token
from test_http import PASSWORD, Web


def test_token_needs_a_salt_of_six_characters(tmp_path):
    """A token with no salt (t the password's bare MD5, which a player's
    or a proxy's log of URLs keeps for reuse) or a salt shorter than the
    six characters the API asks is a wrong password, counted as one;
    a salt of six is heard."""
    kept = passwords_file(tmp_path / "subsonic-passwords",
                          "root:%s\n" % PASSWORD)
    w = Web(tmp_path, conf_extra="subsonic_passwords = %s\n" % kept)
    try:
        for salt in ("", "abcde"):
            failed(call(w, "ping", auth={"u": "root", "s": salt,
                                         "t": token(PASSWORD, salt)})[2],
                   40)
        ok(call(w, "ping", auth={"u": "root", "s": "abcdef",
                                 "t": token(PASSWORD, "abcdef")})[2])
        # the two count toward the hold: four more and it holds
        for n in range(4):
            failed(call(w, "ping", auth={"u": "root", "p": "x%d" % n})[2],
                   40)
        status, head, _ = w.curl("/rest/ping?u=root&v=1.16.1&c=t&p="
                                 + PASSWORD.replace(" ", "%20"),
                                 user=None)
        assert status == 429 and int(head["retry-after"]) > 0
    finally:
        w.stop()


def cpu_ticks(pid):
    """The CPU time the process pid has used, user and system, in
    clock ticks (its threads' included)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def test_unknown_names_cost_the_costliest_accounts_check(tmp_path):
    """An account written with htpasswd -B -C 12 beside cheaper ones: a
    name that is none is checked against a hash of cost 12 too, so it
    costs the listener as much work as that account's wrong password
    (before, a hash of cost 5: the name told apart by its quick
    answer). Measured in the daemon's CPU time, not in wall time."""
    w = Web(tmp_path, names=("root", "daemon"))
    try:
        r = subprocess.run(["htpasswd", "-nbB", "-C", "12", "daemon",
                            PASSWORD], capture_output=True, text=True,
                           check=True)
        pw = tmp_path / "htpasswd"
        lines = [line for line in pw.read_text().splitlines()
                 if not line.startswith("daemon:")]
        pw.write_text("\n".join(lines + [r.stdout.strip()]) + "\n")
        done = w.log().count("reload: done")
        w.m.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: w.log().count("reload: done") > done, 60,
                 "reload: done in the log", mount=w.m)
        assert "a name that is none is checked at cost 12" in w.log()

        def work(name):
            before = cpu_ticks(w.m.proc.pid)
            for _ in range(2):
                assert w.curl("/status/health", user=name,
                              password="wrong")[0] == 401
            return cpu_ticks(w.m.proc.pid) - before

        known, unknown = work("daemon"), work("nosuchuser")
        assert known > 0 and 2 * unknown >= known, (known, unknown)
        assert w.curl("/status/health")[0] == 200
    finally:
        w.stop()

