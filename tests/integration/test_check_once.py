# SPDX-License-Identifier: GPL-3.0-or-later
"""mediamon --check [--apply]: one scan, one missing-volume check and one
Real-Debrid repair pass without a mount, against the fake Prowlarr, the
fake qBittorrent and the fake Real-Debrid (test_monitor.py's and
test_repair.py's setups); what it prints, that a dry-run changes
nothing (the fakes saw no change, the file trees are the same), that
--apply acts, and its refusals (exit 2) and failures (exit 1)."""

import datetime
import os
import subprocess
import sys

import pytest

import conftest
from conftest import wait_for
from test_monitor import Monitor, monitored, qbit_conf, saga  # noqa: F401
from test_repair import DEAD, Setup, rd_mount  # noqa: F401 (fixture)

sys.path.insert(0, os.path.join(conftest.REPO, "tests", "fakes"))
from realdebrid_fake import make_id  # noqa: E402


def tree(*roots):
    """Every name under roots with what it is: a link's target, a file's
    size and modification time."""
    seen = {}
    for root in roots:
        for d, dirs, files in os.walk(str(root)):
            for name in dirs + files:
                p = os.path.join(d, name)
                st = os.lstat(p)
                seen[p] = (os.readlink(p) if os.path.islink(p) else
                           None, st.st_size if not os.path.isdir(p)
                           else None, st.st_mtime_ns
                           if not os.path.isdir(p) else None)
    return seen


class Check:
    """A manga library watched through the fake Prowlarr, with qBittorrent
    to send to, and test_repair.py's links into a tmpfs with the fake
    Real-Debrid, in one configuration; [general] dry_run = no unless
    asked, so that --check's own dry-run is what holds it back."""

    def __init__(self, tmp_path, rd_mount, fake, dry_run=False):
        self.tmp = tmp_path
        self.qbit = fake("qbittorrent_fake.py")
        mon = Monitor(tmp_path, fake, [saga(1)],
                      monitor="auto_download = yes\n",
                      extra=qbit_conf(self.qbit))
        self.mon = mon
        manga = mon.conf.read_text().split("\n", 2)[2]
        self.rd = Setup(tmp_path, rd_mount, fake, None, dry_run=dry_run,
                        start_mount=False, sections=manga)
        self.conf = tmp_path / "m.conf"
        self.db = tmp_path / "state" / "mediamon.db"

    def run(self, *args, conf=None):
        argv = ["nice", conftest.BINARY, *args,
                "-o", "config=" + str(conf or self.conf),
                "-o", "db=" + str(self.db)]
        return subprocess.run(argv, capture_output=True, text=True,
                              timeout=120 * conftest.SLOW)

    def trees(self):
        return tree(self.mon.root, self.rd.rdm, self.rd.tv, self.rd.movies,
                    self.tmp / "music")

    def changes(self):
        """What a client or Real-Debrid was asked that changes them."""
        return ([r for r in self.qbit.call("/_requests")
                 if "/add" in r["path"] or "/delete" in r["path"]] +
                self.rd.changes())


@pytest.fixture
def check(tmp_path, rd_mount, fake):  # noqa: F811
    def make(**kw):
        return Check(tmp_path, rd_mount, fake, **kw)
    return make


def test_dry_run_tells_and_changes_nothing(check):
    c = check()
    before = c.trees()
    r = c.run("--check")
    assert r.returncode == 1, r.stderr
    out = r.stdout.splitlines()
    assert out[0].startswith("check: dry-run")
    assert any(line.startswith("scan: ") for line in out)
    assert "missing: Saga 01: volume 2, 4, 6, 8, 10" in out
    assert ("missing-volume check: 1 series, 5 volumes wanted, 4 found,"
            " 0 sent, 0 skipped, 0 failed, 0 errors") in out
    assert any(line.startswith("repair pass: 11 links, 5 dead, 1 unmapped,"
                               " 0 repairs started") for line in out), out
    assert ('release: Saga 01 volume 2: would send'
            ' "Saga 01 T02 FRENCH CBZ (HQ)"') in out
    dead = [line for line in out if line.startswith("dead link: " +
                                                    c.rd.dead_link)]
    assert len(dead) == 1 and make_id(DEAD) in dead[0]
    assert "would re-add" in dead[0]
    assert c.changes() == []
    assert c.qbit.call("/_adds") == []
    assert c.trees() == before
    assert c.rd.told() == []


def test_apply_sends_and_repairs(check):
    c = check()
    r = c.run("--check", "--apply")
    assert r.returncode == 1, r.stderr
    out = r.stdout.splitlines()
    assert out[0].startswith("check: applying")
    assert ('release: Saga 01 volume 2: sent'
            ' "Saga 01 T02 FRENCH CBZ (HQ)"') in out
    assert any(line.startswith("missing-volume check: ") and
               ", 3 sent, " in line for line in out), out
    adds = c.qbit.call("/_adds")
    assert len(adds) == 3
    added = [q for q in c.rd.requests() if q["method"] == "POST" and
             "addMagnet" in q["path"]]
    assert len(added) == 2
    # the store keeps what was sent: a second run sends nothing again
    r = c.run("--check", "--apply")
    assert r.returncode == 1, r.stderr
    assert len(c.qbit.call("/_adds")) == 3


def test_service_down_is_told(check):
    c = check()
    c.mon.prowlarr.stop()
    before = c.trees()
    r = c.run("--check")
    assert r.returncode == 1, r.stderr
    # out of reach: a warning, as health says it (issue 62)
    assert "warn: prowlarr: unreachable" in r.stdout.splitlines(), r.stdout
    assert c.changes() == [] and c.trees() == before


def test_refused_while_a_daemon_holds_the_store(check, make_mount):
    # the daemon's own dry-run: what changes would be --check's
    c = check(dry_run=True)
    m = make_mount("config=" + str(c.conf))
    before = c.trees()
    r = c.run("--check")
    assert r.returncode == 2
    assert r.stdout == ""
    assert "in use by another mediamon (pid %d)" % m.proc.pid in r.stderr
    assert c.changes() == [] and c.trees() == before


@pytest.mark.parametrize("args, why", [
    (("--apply",), "--apply goes only with --check"),
    (("--check", "--check-connections"), "--check takes no mount point"),
    (("--check", "--check-config"), "--check takes no mount point"),
    (("--apply", "--check-config"), "--apply goes only with --check"),
])
def test_bad_usage_exit_2(check, args, why):
    c = check()
    before = c.trees()
    r = c.run(*args)
    assert (r.returncode, r.stdout) == (2, "")
    assert why in r.stderr
    assert not c.db.exists()
    assert c.changes() == [] and c.trees() == before


def test_mount_point_refused(check, tmp_path):
    c = check()
    r = c.run("--check", str(tmp_path))
    assert (r.returncode, r.stdout) == (2, "")
    assert "--check takes no mount point" in r.stderr
    assert not c.db.exists()


def test_bad_configuration_exit_2(check, tmp_path):
    c = check()
    bad = tmp_path / "bad.conf"
    bad.write_text(c.conf.read_text() + "[prowlarr]\nnot_a_key = 1\n")
    bad.chmod(0o600)
    before = c.trees()
    r = c.run("--check", "--apply", conf=bad)
    assert (r.returncode, r.stdout) == (2, "")
    assert "not_a_key" in r.stderr
    assert not c.db.exists()
    assert c.changes() == [] and c.trees() == before


def test_daemon_tells_what_a_dry_run_found(monitored, fake):
    """mediamon --check's dry-run tells no one of the releases it finds
    (no notifier runs); the daemon's next check tells release_found for
    each of them, once (issue 62), as if it had found them itself."""
    hooks = fake("webhook_fake.py")
    mon = monitored([saga(1)], extra="[notify]\nwebhook = %s/hook\n"
                    "events = release_found\n" % hooks.url)
    mon.unmount()
    done = mon.check_once()
    assert ('release: Saga 01 volume 2: found'
            ' "Saga 01 T02 FRENCH CBZ (HQ)"') in done.stdout.splitlines(), \
        done.stdout + done.stderr
    assert hooks.call("/_posts") == []
    mon.mount()
    mon.check("missing")

    def told():
        return sorted(p["body"]["subject"] for p in hooks.call("/_posts")
                      if p["body"]["event"] == "release_found")
    want = ["Saga 01 volume %d" % v for v in (10, 2, 4, 6)]
    wait_for(told, 60, "release_found of the dry-run's finds",
             until=lambda got: len(got) >= 4, mount=mon.m)
    # a second check finds them again: no news
    mon.check("missing")
    assert told() == want


def test_daemon_checks_at_start_after_a_check(tmp_path, fake):
    """A run of mediamon --check does not set the daemon's timer: the
    daemon started after the guide's "try it once" runs its first timed
    check at its start, not auto_check_interval later (issue 81)."""
    mon = Monitor(tmp_path, fake, [saga(1)],
                  monitor="auto_check_interval = 1h\n")
    (tmp_path / "state").mkdir(exist_ok=True)
    done = mon.check_once()
    assert done.returncode == 1, done.stdout + done.stderr
    assert len(mon.searches()) == 1
    mon.mount()
    try:
        last = wait_for(lambda: mon.last("missing"), 60,
                        "the daemon's first timed check",
                        until=lambda last: last and last["finished_at_s"]
                        and last["trigger"] == "schedule", mount=mon.m)
        assert last["series"] == 1
        # the next one is an interval after the daemon's own
        at = mon.m.json("metrics/monitor.json")["next_check_at"]
        at = datetime.datetime.fromisoformat(at.replace("Z", "+00:00"))
        assert at.timestamp() >= last["finished_at_s"] + 3500
    finally:
        mon.unmount()
