# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 76: the folders backups go to, against another local user of a
shared machine (useradd, setpriv) who owns [retention] backup_dir, or
may add names to it, and keeps links planted at the names the coming
seconds' backups take: the store is never written through them (not
into a file of root's, not into one the user then reads), a folder the
user may change is refused with the reason in /status/health and /log
until it is mended, and the store's own backups folder is held to the
same rule."""

import contextlib
import os
import sqlite3
import subprocess
import time

from access_users import pytestmark, user, world  # noqa: F401
from conftest import start, unmount, wait_for


# What the other user runs: until its deadline, links at the names of
# the copies (.tmp) and backups of the next seconds, each put back as
# soon as it is gone, leading by turns to root's file and to the user's
# own.
PLANT = """
import os, sys, time
folder, victims, until = sys.argv[1], sys.argv[2:4], float(sys.argv[4])
while time.time() < until:
    now = int(time.time())
    for t in range(now - 1, now + 4):
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))
        for name in ("mediamon-%s.db.tmp" % stamp, "mediamon-%s.db" % stamp):
            try:
                os.symlink(victims[t % 2], os.path.join(folder, name))
            except OSError:
                pass
"""


def settle(cond, what):
    return wait_for(cond, 60, what, ignore=(OSError,))


def health(m):
    return m.read("status/health").decode()


def log(m):
    return m.read("log").decode()


@contextlib.contextmanager
def planting(who, far, victims):
    """The user's planting of links in far for the block."""
    proc = subprocess.Popen(
        who.prefix() + ["/usr/bin/python3", "-c", PLANT, str(far)] +
        [str(v) for v in victims] + [str(time.time() + 300)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


def victims_of(world, who):
    """A file of root's (0600) and one of the user's own (0644), each
    holding a line of its own."""
    mine = os.path.join(world, "root-only")
    theirs = os.path.join(world, "theirs")
    with open(mine, "w") as f:
        f.write("root's own\n")
    os.chmod(mine, 0o600)
    with open(theirs, "w") as f:
        f.write("the user's own\n")
    os.chown(theirs, who.uid, who.gid)
    return mine, theirs


def assert_untouched(victims):
    for path, text in zip(victims, (b"root's own\n", b"the user's own\n")):
        with open(path, "rb") as f:
            got = f.read()
        assert got == text, "%s now holds %r" % (path, got[:40])


def backups(far):
    return sorted(n for n in os.listdir(far) if n.endswith(".db") and
                  not os.path.islink(os.path.join(far, n)))


def backup_once(m, far):
    """Ask for a backup and wait for its word on far in the log."""
    said = log(m).count(str(far))
    m.write("control/maintenance", "backup")
    settle(lambda: log(m).count(str(far)) > said, "the backup's word on %s"
           % far)


def conf(tmp_path, far):
    path = tmp_path / "backup.conf"
    path.write_text("[retention]\nbackup_dir = %s\nbackups_kept = 2\n" % far)
    return "config=" + str(path)


def attacked(m, far, user, victims):
    """Five backups while user plants links in far: none written
    through."""
    with planting(user, far, victims):
        for _ in range(5):
            backup_once(m, far)
            assert_untouched(victims)


def daemon(tmp_path, far):
    music = tmp_path / "music"
    music.mkdir()
    return start(tmp_path, conf(tmp_path, far), "music=" + str(music))


def test_backup_dir_of_another_user(tmp_path, world, user):
    """The folder is the other user's, and holds their links for every
    coming second: each backup refuses it (an error in health naming
    why), the links lead nowhere written; given to root, it is used and
    the error goes."""
    far = os.path.join(world, "far")
    os.mkdir(far, 0o755)
    os.chown(far, user.uid, user.gid)
    victims = victims_of(world, user)
    m = daemon(tmp_path, far)
    try:
        attacked(m, far, user, victims)
        why = ("the folder %s is not used: %s belongs to user %s (only"
               " root or mediamon's user may change it)"
               % (far, far, user.name))
        assert "error: backup: the copy into backup_dir refused at " in \
            health(m), health(m)
        assert why in health(m), health(m)
        assert "backup: " + why in log(m)
        assert backups(far) == []
        # the backup beside the store is made all the same
        assert backups(tmp_path / "state" / "backups")
        os.chown(far, 0, 0)
        for name in os.listdir(far):
            os.unlink(os.path.join(far, name))
        backup_once(m, far)
        settle(lambda: "backup_dir" not in health(m),
               "health without the refusal")
        assert len(backups(far)) == 1
        with contextlib.closing(sqlite3.connect(
                "file:%s?mode=ro" % os.path.join(far, backups(far)[0]),
                uri=True)) as db:
            assert db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    finally:
        unmount(m.path, m.proc)
    assert_untouched(victims)


def test_sticky_backup_dir_with_links(tmp_path, world, user):
    """A sticky folder every user may add names to (as /tmp) is allowed,
    but no link another user puts there is written through: a copy
    whose name is taken fails (a warning), and the user's names stay."""
    far = os.path.join(world, "drop")
    os.mkdir(far)
    os.chmod(far, 0o1777)
    victims = victims_of(world, user)
    m = daemon(tmp_path, far)
    try:
        attacked(m, far, user, victims)
        settle(lambda: "warn: backup: the copy into backup_dir failed"
               in health(m), "the warning of the far copy")
        assert "File exists" in health(m), health(m)
        for name in os.listdir(far):
            path = os.path.join(far, name)
            assert os.path.islink(path) or os.stat(path).st_uid == 0, name
    finally:
        unmount(m.path, m.proc)
    assert_untouched(victims)


def test_store_backups_of_another_user(tmp_path, user):
    """The store's own backups folder, the other user's: the backup
    fails, the reason in health, and nothing is written there."""
    music = tmp_path / "music"
    music.mkdir()
    state = tmp_path / "state"
    (state / "backups").mkdir(parents=True, mode=0o755)
    os.chown(state / "backups", user.uid, user.gid)
    m = start(tmp_path, "music=" + str(music))
    try:
        backup_once(m, state / "backups")
        settle(lambda: "error: backup failed at " in health(m),
               "the backup's error in health")
        assert ("the folder %s/backups is not used: %s/backups belongs to"
                " user %s" % (state, state, user.name)) in health(m)
        assert os.listdir(state / "backups") == []
    finally:
        unmount(m.path, m.proc)
