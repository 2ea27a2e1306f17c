# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the store may live: a database in a folder other users may write
to (a sticky /tmp too), a symbolic link at its path or another user's
file there stops the start with a clear reason and leaves what is there
as it was; -o db_shared_ok takes it."""

import os
import shutil
import subprocess
import tempfile

import pytest

from conftest import BINARY, is_mounted, unmount, wait_for


@pytest.fixture
def shared():
    """A folder every user may write to, sticky as /tmp is."""
    d = tempfile.mkdtemp(prefix="mediamon-shared.", dir="/tmp")
    os.chmod(d, 0o1777)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def start_fails(library, db, mnt):
    out = subprocess.run([BINARY, "-f", "-o", "music=%s" % library,
                          "-o", "db=" + db, mnt],
                         capture_output=True, timeout=30)
    assert out.returncode == 1 and not is_mounted(mnt), out
    return out.stderr.decode()


def precreated(path, mode):
    with open(path, "w"):
        pass
    os.chmod(path, mode)


def test_precreated_db_in_a_shared_folder_is_refused(library, tmp_path,
                                                     shared):
    db = os.path.join(shared, "m.db")
    precreated(db, 0o666)
    mnt = str(tmp_path / "mnt")
    os.mkdir(mnt)
    err = start_fails(library, db, mnt)
    assert "error: database %s: its folder %s may be changed by other" \
        " users (owner %d, mode 1777); give the database a folder of its" \
        " own, or mount with -o db_shared_ok" % (db, shared, os.getuid()) \
        in err, err
    assert os.path.getsize(db) == 0
    assert not os.path.exists(db + ".lock")


def test_link_at_the_db_path_is_refused(library, tmp_path):
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    victim = tmp_path / "victim"
    victim.write_text("someone's own\n")
    db = str(state / "m.db")
    os.symlink(str(victim), db)
    mnt = str(tmp_path / "mnt")
    os.mkdir(mnt)
    err = start_fails(library, db, mnt)
    assert "error: database %s is a symbolic link, not followed; name" \
        " the file itself, or mount with -o db_shared_ok" % db in err, err
    assert victim.read_text() == "someone's own\n"


def test_another_users_db_is_refused(library, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("giving a file to another user takes root")
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    db = str(state / "m.db")
    precreated(db, 0o600)
    os.chown(db, 65534, 65534)
    mnt = str(tmp_path / "mnt")
    os.mkdir(mnt)
    err = start_fails(library, db, mnt)
    assert "error: database %s is not a file of this user's (owner" \
        " 65534); remove it, or mount with -o db_shared_ok" % db in err, err
    assert os.path.getsize(db) == 0


def test_db_shared_ok_takes_it(library, tmp_path, shared):
    db = os.path.join(shared, "m.db")
    precreated(db, 0o600)
    mnt = str(tmp_path / "mnt")
    os.mkdir(mnt)
    proc = subprocess.Popen([BINARY, "-f", "-o", "music=%s" % library,
                             "-o", "db=" + db, "-o", "db_shared_ok", mnt],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: is_mounted(mnt) or proc.poll() is not None, 30,
                 "the mount")
        assert is_mounted(mnt)
        assert os.path.getsize(db) > 0
    finally:
        unmount(mnt, proc)
