# SPDX-License-Identifier: GPL-3.0-or-later
"""The read-only Samba share of the mount that mediamon(8) describes
(issue 46): the real smbd from Debian, with a throw-away configuration on
127.0.0.1 and a free port, shares a mount made with -o allow_other as a
guest share that forces the mount's user; the real smbclient reads
tracks byte-identical to the library and JSON that parses."""

import contextlib
import json
import os
import pathlib
import pwd
import shutil
import signal
import subprocess
import tempfile

import pytest

from clients import free_port, need
from conftest import start, unmount, wait_for
from test_analysis import wait_analysed
from test_playlists import library as analysed_library
from test_playlists import sounds  # noqa: F401 (a fixture)

# The share of the recipe: read-only, guests, everything done as the
# mount's user (FORCE), whom the mount lets in.
CONF = """[global]
server role = standalone server
map to guest = Bad User
interfaces = 127.0.0.1
bind interfaces only = yes
smb ports = {port}
disable netbios = yes
server min protocol = SMB2
load printers = no
printcap name = /dev/null
disable spoolss = yes
lock directory = {state}
state directory = {state}
cache directory = {state}
private dir = {state}
pid directory = {state}
ncalrpc dir = {state}/ncalrpc
log file = {state}/log.%m
passdb backend = tdbsam:{state}/passdb.tdb

[mediamon]
path = {mount}
read only = yes
guest ok = yes
force user = {force}
"""


@contextlib.contextmanager
def serving(tmp_path, music, *options):
    """The mount of music (with -o options), shared by a smbd of its own:
    (mount, port, smb.conf)."""
    need("smbd")
    need("smbclient")
    m = start(tmp_path, "allow_other", "music=" + str(music), *options)
    try:
        with sharing(m, tmp_path) as (port, conf):
            yield m, port, conf
    finally:
        unmount(m.path, m.proc)


@contextlib.contextmanager
def sharing(m, tmp_path):
    """The mount m (made with -o allow_other) shared by a smbd of its
    own, its files in tmp_path: (port, smb.conf)."""
    smbd = need("smbd")
    need("smbclient")
    # smbd binds its sockets in its state folder, whose paths an AF_UNIX
    # address must hold: a short folder of its own, wherever tmp_path
    # lies (issue 81)
    state = pathlib.Path(tempfile.mkdtemp(prefix="mm-smb."))
    port = free_port()
    conf = tmp_path / "smb.conf"
    conf.write_text(CONF.format(port=port, state=state, mount=m.path,
                                force=pwd.getpwuid(os.getuid()).pw_name))
    log = open(str(tmp_path / "smbd.log"), "ab")
    # in a session of its own: smbd stops its whole process group
    proc = subprocess.Popen([smbd, "--foreground", "--no-process-group",
                             "--debug-stdout", "-d", "1",
                             "--configfile=" + str(conf)],
                            stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        def up():
            assert proc.poll() is None, (tmp_path / "smbd.log").read_text()
            return client(port, conf, "ls").returncode == 0
        wait_for(up, 30, "smbd to answer on port %d" % port)
        yield port, conf
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
        shutil.rmtree(str(state), ignore_errors=True)


@pytest.fixture
def share(library, tmp_path):
    with serving(tmp_path, library) as shared:
        yield shared


def client(port, conf, command):
    return subprocess.run(["smbclient", "//127.0.0.1/mediamon", "-N",
                           "-p", str(port), "--configfile=" + str(conf),
                           "-c", command],
                          capture_output=True, timeout=60)


def fetch(share, rel, dest):
    m, port, conf = share
    r = client(port, conf, 'get "%s" "%s"' % (rel.replace("/", "\\"),
                                              dest))
    assert r.returncode == 0, (rel, r.stdout, r.stderr)
    return dest.read_bytes()


def test_tracks_and_json_through_samba(share, library, tmp_path):
    m = share[0]
    tracks = [os.path.join(d, f) for d, _, fs in
              os.walk(m.file("library/music/albums")) for f in fs
              if f.endswith((".flac", ".mp3"))]
    assert len(tracks) == 9
    originals = {p.read_bytes() for p in library.rglob("*")
                 if p.suffix in (".flac", ".mp3")}
    for i, path in enumerate(tracks[:3]):
        got = fetch(share, os.path.relpath(path, m.path),
                    tmp_path / ("t%d" % i))
        assert got in originals, path
        with open(path, "rb") as f:
            assert got == f.read()
    doc = json.loads(fetch(share, "status/summary.json",
                           tmp_path / "summary.json"))
    assert doc["counts"]["tracks"] == 9
    json.loads(fetch(share, "metrics/scan.json", tmp_path / "scan.json"))


def test_share_is_read_only(share, tmp_path):
    m, port, conf = share
    local = tmp_path / "x"
    local.write_text("x\n")
    r = client(port, conf, 'put "%s" "control\\rescan"' % local)
    assert b"NT_STATUS_ACCESS_DENIED" in r.stdout + r.stderr, r
    r = client(port, conf, "mkdir new")
    assert b"NT_STATUS_ACCESS_DENIED" in r.stdout + r.stderr, r
    assert not os.path.exists(m.file("new"))


def files_under(top):
    """Every file below top, by its path relative to top."""
    return sorted(os.path.relpath(os.path.join(d, f), top)
                  for d, _, fs in os.walk(top) for f in fs)


def test_whole_share_copied_recursively(sounds, tmp_path):  # noqa: F811
    """smbclient's recursive copy of the whole share of analysed tracks,
    with its default timeout, gets every playlist (each stat of which
    renders nothing while the store stands still) and the rest of the
    tree, and no request fails."""
    music = tmp_path / "music"
    analysed_library(sounds, music)
    with serving(tmp_path, music) as (m, port, conf):
        wait_analysed(m)
        assert len(os.listdir(m.file("playlists/similar"))) == 5
        copy_whole_share(m, port, conf, tmp_path)


def copy_whole_share(m, port, conf, tmp_path):
    dest = tmp_path / "copy"
    dest.mkdir()
    r = client(port, conf, 'recurse ON; prompt OFF; lcd "%s"; mget *'
               % dest)
    out = (r.stdout + r.stderr).decode(errors="replace")
    assert r.returncode == 0 and "NT_STATUS" not in out, out
    want = files_under(m.file("playlists"))
    assert len(want) > 20, want
    assert files_under(str(dest / "playlists")) == want
    for rel in want:
        with open(m.file("playlists/" + rel), "rb") as f:
            assert (dest / "playlists" / rel).read_bytes() == f.read(), rel
    assert (dest / "status" / "summary.json").stat().st_size > 0
    assert files_under(str(dest / "library" / "music" / "albums")) == \
        files_under(m.file("library/music/albums"))
