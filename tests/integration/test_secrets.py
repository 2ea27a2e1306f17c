# SPDX-License-Identifier: GPL-3.0-or-later
"""Secrets and permissions: no api key, token or password of the
configuration shows in any file of the mount or in the log; a config file
others may read that holds one is refused; control files take writes from
their owner only; a rescan path that leaves every root is refused."""

import errno
import os
import sqlite3
import subprocess
import tempfile

import pytest

from conftest import BINARY, is_mounted, make_flac, wait_for
from reliability import every_file

SECRETS = {
    "prowlarr": "fakeKEY-0123456789abcdef",     # the fake's own key
    "download": "pw-Zq8r2LmN4xVb",
    "realdebrid": "rdTOKEN-7Hk2Pq9Xw3Lm5Rt8",
    "sonarr": "sonarrKEY-c0ffee1234abcd",
    "radarr": "radarrKEY-beef56789ef0",
    "notify": "hookTOKEN-Yy3Uu7Ii1Oo5",
}
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
          "--"]


def secret_conf(tmp_path, music, manga, prowlarr_url):
    """Every secret the configuration knows, in a file of mode 0600."""
    conf = tmp_path / "secret.conf"
    conf.write_text(
        "[general]\nlog_level = debug\n"
        "[music]\nroot = %s\n[manga]\nroot = %s\nmonitored_root = %s\n"
        "[monitor]\nauto_check_interval = 0\n"
        "[prowlarr]\nurl = %s\napi_key = %s\n"
        "[download]\nclient = qbittorrent\nurl = http://127.0.0.1:1\n"
        "username = admin\npassword = %s\n"
        "[realdebrid]\nurl = http://127.0.0.1:1\napi_token = %s\n"
        "[sonarr]\nurl = http://127.0.0.1:1\napi_key = %s\n"
        "[radarr]\nurl = http://127.0.0.1:1\napi_key = %s\n"
        "[notify]\ndiscord_webhook = http://127.0.0.1:1/api/webhooks/1/%s\n"
        % (music, manga, manga, prowlarr_url, SECRETS["prowlarr"],
           SECRETS["download"], SECRETS["realdebrid"], SECRETS["sonarr"],
           SECRETS["radarr"], SECRETS["notify"]))
    os.chmod(str(conf), 0o600)
    return conf


def manga_library(root):
    """One Piece with volume 2 missing, so a check searches Prowlarr."""
    os.makedirs(str(root / "One Piece"))
    for v in (1, 3):
        (root / "One Piece" / ("One Piece T%02d.cbz" % v)).write_bytes(
            b"PK\x05\x06" + b"\0" * 18)


def leaks(data):
    return [k for k, v in SECRETS.items() if v.encode() in data]


def test_no_secret_in_the_mount_or_the_log(make_mount, library, tmp_path,
                                           fake):
    prowlarr = fake("prowlarr_fake.py")
    manga_library(tmp_path / "manga")
    conf = secret_conf(tmp_path, library, tmp_path / "manga", prowlarr.url)
    m = make_mount("config=" + str(conf))
    m.write("control/check-missing", "1")
    wait_for(lambda: m.json("metrics/monitor.json")["last_check"]["missing"],
             60, "end of the check", until=lambda last: last and
             last["finished_at_s"], mount=m, interval=0.1)
    searches = [r for r in prowlarr.call("/_requests")
                if r["method"] == "GET"]
    # the key was used, so it was there to leak
    assert searches and searches[0]["api_key"] == SECRETS["prowlarr"]
    read = 0
    for path in every_file(m.path):
        with open(path, "rb") as f:
            data = f.read()
        assert not leaks(data) and not leaks(path.encode()), path
        read += 1
    assert read > 30
    assert b"One Piece" in m.read("status/found.json")
    assert not leaks((tmp_path / "mediamon.log").read_bytes())


def test_config_readable_by_others_is_refused(library, tmp_path):
    conf = secret_conf(tmp_path, library, library, "http://127.0.0.1:1")
    os.chmod(str(conf), 0o644)
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    out = subprocess.run([BINARY, "-f", "-o", "config=" + str(conf),
                          str(mnt)], capture_output=True, timeout=10)
    assert out.returncode == 1 and not is_mounted(mnt)
    err = out.stderr.decode()
    assert "api_key in [prowlarr] is a secret, but every user can read" \
        " this file (mode 0644); run chmod 600 " + str(conf) in err, err
    assert not leaks(out.stderr) and not leaks(out.stdout)


@pytest.fixture
def open_mnt():
    """A mount point any user can reach (pytest's folders are 0700)."""
    d = tempfile.mkdtemp(prefix="mediamon-perm.")
    os.chmod(d, 0o755)
    yield d
    if is_mounted(d):
        subprocess.run(["fusermount3", "-u", "-z", d])
    os.rmdir(d)


def test_control_files_take_writes_from_their_owner_only(library, tmp_path,
                                                         open_mnt):
    log = open(str(tmp_path / "perm.log"), "wb")
    proc = subprocess.Popen([BINARY, "-f", "-o", "allow_other", "-o",
                             "music=%s,db=%s/p.db" % (library, tmp_path),
                             open_mnt], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: os.path.exists(os.path.join(open_mnt, "README")) or
                 proc.poll(), 15, "README in the mount")
        assert proc.poll() is None
        rescan = os.path.join(open_mnt, "control", "rescan")
        st = os.stat(rescan)
        assert st.st_mode & 0o777 == 0o644 and st.st_uid == os.getuid()
        # another user reads the status but writes nothing
        out = subprocess.run(NOBODY + ["cat", os.path.join(
            open_mnt, "status", "summary.json")], capture_output=True)
        assert out.returncode == 0 and b'"version"' in out.stdout
        for rel in ["control/rescan", "control/dry-run",
                    "control/check-missing"]:
            out = subprocess.run(NOBODY + ["sh", "-c", "echo 1 > '%s'" %
                                           os.path.join(open_mnt, rel)],
                                 capture_output=True, text=True)
            assert out.returncode != 0, rel
            assert "Permission denied" in out.stderr, out.stderr
        # the owner may
        fd = os.open(rescan, os.O_WRONLY | os.O_TRUNC)
        assert os.write(fd, b"1\n") == 2
        os.close(fd)
    finally:
        subprocess.run(["fusermount3", "-u", open_mnt])
        proc.wait(timeout=15)


def test_rescan_paths_that_leave_every_root(mount, library, tmp_path):
    outside = tmp_path / "outside"
    make_flac(str(outside / "secret.flac"), "Outside", "X", "Y", 1)
    os.symlink(str(outside), str(library / "Alpha" / "escape"))
    for path in [str(library) + "/..", str(library) + "/Alpha/../..",
                 str(library) + "/../outside", str(outside),
                 str(library) + "/Alpha/..", "/"]:
        with pytest.raises(OSError) as e:
            mount.write("control/rescan", path)
        assert e.value.errno == errno.EINVAL, path
    # a link inside a root to a folder outside is not walked into
    before = mount.scan_id()
    mount.write("control/rescan", str(library / "Alpha" / "escape"))
    mount.wait_idle(after_id=before)
    mount.rescan("full")
    db = sqlite3.connect(mount.db)
    titles = {r[0] for r in db.execute("SELECT title FROM tracks")}
    assert len(titles) == 9 and "Outside" not in titles
